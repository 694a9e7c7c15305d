//! Runs the 49 gatekeeper-library suites (270 cases) as `gator verify` would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::PathBuf;
use std::time::Instant;

/// Cases that match gator's verdict with the templates corpus.
const EXPECTED_MATCHES: usize = 270;

#[test]
fn gatekeeper_suites() {
    let Some(root) = bulkhead_core::testing::corpus(
        "gatekeeper_suites",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/admission/gatekeeper",
    ) else {
        return;
    };
    let root = root.canonicalize().unwrap();
    let templates = root.join("../gatekeeper-templates");
    let mut suites: Vec<PathBuf> = Vec::new();
    for category in ["general", "pod-security-policy"] {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join(category))
            .unwrap()
            .map(|e| e.unwrap().path().join("suite.yaml"))
            .filter(|p| p.is_file())
            .collect();
        dirs.sort();
        suites.extend(dirs);
    }
    assert_eq!(suites.len(), 49, "suite count");
    let mut total = 0;
    let mut matched = 0;
    let mut problems = Vec::new();
    let start = Instant::now();
    for s in &suites {
        match bulkhead_gatekeeper::suite::run(s, Some(&templates)) {
            Ok(results) => {
                for r in results {
                    total += 1;
                    if r.passed {
                        matched += 1;
                    } else {
                        problems.push(format!(
                            "{}/{}/{}: expected {} — actual {} — {}",
                            r.suite, r.test, r.case, r.expected, r.actual, r.detail
                        ));
                    }
                }
            }
            Err(e) => problems.push(format!("suite error: {e}")),
        }
    }
    let elapsed = start.elapsed();
    println!("Gatekeeper suites: {matched}/270 cases match ({total} run)");
    println!(
        "time: {:?} in all, {:?} per case (including parsing and compiling)",
        elapsed,
        elapsed / total.max(1) as u32
    );
    for p in &problems {
        println!("  MISMATCH {p}");
    }
    assert!(
        matched >= EXPECTED_MATCHES,
        "{matched} < {EXPECTED_MATCHES} cases match"
    );
}

/// Time of one `Policies::evaluate` (compiled template, engine clone per call).
#[test]
fn evaluation_time() {
    let Some(root) = bulkhead_core::testing::corpus(
        "gatekeeper_suites",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/admission/gatekeeper",
    ) else {
        return;
    };
    let suite = root.join("general/allowedrepos");
    let t = root.join("../gatekeeper-templates/general/allowedrepos/template.yaml");
    let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap();
    let samples = suite.join("samples/repo-must-be-openpolicyagent");
    let mut p = bulkhead_gatekeeper::Policies::new();
    p.add_template(bulkhead_gatekeeper::Template::parse(&read(&t), "allowedrepos").unwrap())
        .unwrap();
    p.add_constraint(
        bulkhead_gatekeeper::Constraint::parse(&read(&samples.join("constraint.yaml")), "c")
            .unwrap(),
    )
    .unwrap();
    let docs = bulkhead_core::yaml::parse(
        &read(&samples.join("disallowed_all.yaml")),
        bulkhead_core::yaml::Limits::default(),
    )
    .unwrap();
    let review = bulkhead_gatekeeper::review_for_object(&docs[0].root.to_json());
    let n = 300;
    let start = Instant::now();
    for _ in 0..n {
        assert_eq!(p.evaluate(&review, None).unwrap().len(), 3);
    }
    println!(
        "evaluate: {:?} per review (allowedrepos, 3 violations)",
        start.elapsed() / n
    );
}
