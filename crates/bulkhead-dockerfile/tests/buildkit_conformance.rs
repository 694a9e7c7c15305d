//! The parser against BuildKit's own parser fixtures
//! (`../shared/corpora/dockerfile/buildkit-parser/`): every `testfiles/<name>/Dockerfile`
//! must dump exactly as BuildKit's `result`, every `testfiles-negative` input must be
//! rejected. Skips loudly when the corpus is absent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_dockerfile::parser::parse;

#[test]
fn buildkit_parser_fixtures() {
    let Some(root) = bulkhead_core::testing::corpus(
        "buildkit_parser_fixtures",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/dockerfile/buildkit-parser",
    ) else {
        return;
    };
    let mut ok = 0;
    let mut bad = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(root.join("testfiles"))
        .expect("dir")
        .flatten()
        .collect();
    dirs.sort_by_key(|d| d.file_name());
    for d in &dirs {
        let src = std::fs::read_to_string(d.path().join("Dockerfile")).expect("Dockerfile");
        let want = std::fs::read_to_string(d.path().join("result")).expect("result");
        match parse(&src) {
            Ok(p) => {
                let got: Vec<String> = p
                    .instructions
                    .iter()
                    .map(|i| format!("({})", i.dump()))
                    .collect();
                let got = got.join("\n");
                if got.trim() == want.trim() {
                    ok += 1;
                } else {
                    bad.push(format!(
                        "{}:\n--- want\n{}\n--- got\n{}",
                        d.file_name().to_string_lossy(),
                        want.trim(),
                        got
                    ));
                }
            }
            Err(e) => bad.push(format!(
                "{}: rejected: {e}",
                d.file_name().to_string_lossy()
            )),
        }
    }
    let mut neg = 0;
    for d in std::fs::read_dir(root.join("testfiles-negative"))
        .expect("dir")
        .flatten()
    {
        let src = std::fs::read_to_string(d.path().join("Dockerfile")).unwrap_or_default();
        if parse(&src).is_err() {
            neg += 1;
        } else {
            bad.push(format!(
                "{}: accepted but BuildKit rejects it",
                d.file_name().to_string_lossy()
            ));
        }
    }
    println!(
        "BuildKit parser conformance: {ok}/{} fixtures dump identically, {neg} negative inputs rejected",
        dirs.len()
    );
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n\n")
    );
}
