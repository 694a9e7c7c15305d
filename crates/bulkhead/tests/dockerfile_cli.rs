//! `bulkhead dockerfile` end to end: the regression fixtures that break
//! hadolint (heredocs, `--mount` without target, PowerShell stages,
//! `ADD <<-EOT`), bad input, hadolint pragmas and `.hadolint.yaml`, `--fix`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use common::*;
use std::collections::BTreeSet;

const FIX: &str = "crates/bulkhead-dockerfile/tests/fixtures";

fn ids(args: &[&str]) -> (Option<i32>, BTreeSet<String>, serde_json::Value) {
    let mut a = vec!["dockerfile"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--no-config", "--format", "json"]);
    let o = run(&a);
    let v = json(&o);
    let set = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f.get("suppressed").is_none())
        .map(|f| f["rule_id"].as_str().unwrap_or("").to_string())
        .collect();
    (o.status.code(), set, v)
}

#[test]
fn regression_fixtures_parse_and_lint() {
    // Heredocs with quoted delimiter + COPY --chmod + RUN <<EOT bash: clean.
    let (code, set, v) = ids(&[&format!("{FIX}/heredoc-chmod.Dockerfile")]);
    assert_eq!(code, Some(0), "{v}");
    assert!(set.is_empty(), "{set:?}");
    // RUN --mount=from=...,src=... without target, secret mount: parses, only the digest rule fires.
    let (_, set, _) = ids(&[&format!("{FIX}/mount-no-target.Dockerfile")]);
    assert_eq!(set, BTreeSet::from(["DF002".to_string()]));
    // PowerShell stage: `curl.exe -k ... | iex` is not read as POSIX shell.
    let (_, set, _) = ids(&[&format!("{FIX}/powershell.Dockerfile")]);
    assert!(!set.contains("DF031") && !set.contains("DF032"), "{set:?}");
    // ADD <<-EOT parses; the RUN after it is still linted.
    let (_, set, _) = ids(&[&format!("{FIX}/add-heredoc.Dockerfile")]);
    assert!(set.contains("DF031") && set.contains("DF043"), "{set:?}");
    assert!(
        !set.contains("DF044"),
        "ADD of a heredoc is not ADD-instead-of-COPY"
    );
}

#[test]
fn example_covers_the_security_rules() {
    let (code, set, v) = ids(&["examples/Dockerfile"]);
    assert_eq!(code, Some(1));
    for id in [
        "DF001", "DF002", "DF010", "DF020", "DF021", "DF022", "DF030", "DF031", "DF032", "DF033",
        "DF040", "DF041", "DF042", "DF043", "DF044", "DF045", "DF046",
    ] {
        assert!(set.contains(id), "{id} missing: {set:?}");
    }
    // GPG_KEY is a public fingerprint: not a secret.
    let f = v["findings"].as_array().expect("f");
    assert!(
        !f.iter()
            .any(|x| x["message"].as_str().is_some_and(|m| m.contains("GPG_KEY")))
    );
    // Locations point at the offending token.
    let pipe = f.iter().find(|x| x["rule_id"] == "DF031").expect("DF031");
    assert_eq!(pipe["location"]["line"], 9);
    let wget = f
        .iter()
        .filter(|x| x["rule_id"] == "DF032")
        .find(|x| x["message"].as_str().is_some_and(|m| m.contains("wget")))
        .expect("wget");
    assert_eq!(wget["location"]["column"], 45);
}

#[test]
fn table_snapshot() {
    let o = run(&["dockerfile", "examples/Dockerfile", "--no-config"]);
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn bad_input() {
    let dir = tempfile::tempdir().expect("tmp");
    let w = |n: &str, b: &[u8]| {
        let p = dir.path().join(n);
        std::fs::write(&p, b).expect("write");
        p.display().to_string()
    };
    let binary = w("binary.Dockerfile", b"FROM a\n\x00\x01\x02RUN x\n");
    let heredoc = w(
        "heredoc.Dockerfile",
        b"FROM alpine:3\nRUN <<EOF\necho never closed\n",
    );
    let directive = w("directive.Dockerfile", b"# escape=x\nFROM alpine:3\n");
    let jsonf = w(
        "json.Dockerfile",
        b"FROM alpine:3\nCMD [\"a\", [\"nested\"]]\n",
    );
    let good = w("Dockerfile", b"FROM alpine\nUSER root\n");
    let big = dir.path().join("big.Dockerfile");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&big).expect("big"));
        f.write_all(b"FROM alpine:3\n").expect("w");
        let line =
            b"RUN echo padding padding padding padding padding padding padding padding padding\n";
        for _ in 0..(100 * 1024 * 1024 / line.len() + 1) {
            f.write_all(line).expect("w");
        }
    }
    let big = big.display().to_string();
    let o = run(&[
        "dockerfile",
        &binary,
        &heredoc,
        &directive,
        &jsonf,
        &big,
        &good,
        "--no-config",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    for (file, what) in [
        ("binary.Dockerfile:2", "binary"),
        ("heredoc.Dockerfile:2", "unterminated heredoc"),
        ("directive.Dockerfile:1", "escape"),
        ("json.Dockerfile:2", "JSON"),
        ("big.Dockerfile", "limit"),
    ] {
        assert!(
            err.lines().any(|l| l.contains(file) && l.contains(what)),
            "no error for {file}/{what}:\n{err}"
        );
    }
    let v = json(&o);
    assert!(
        v["findings"]
            .as_array()
            .expect("f")
            .iter()
            .any(|f| f["rule_id"] == "DF010"),
        "the good file is still linted"
    );
}

#[test]
fn hadolint_pragmas_and_config() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("Dockerfile"),
        "# hadolint global ignore=DL3007\nFROM alpine:latest\n# hadolint ignore=DL3018,DL3004\nRUN sudo apk add curl\n# bulkhead:ignore DF045 bastion image, reviewed\nEXPOSE 22\nUSER 0\n",
    )
    .expect("write");
    std::fs::write(dir.path().join(".hadolint.yaml"), "ignored:\n  - DL3002\ntrustedRegistries:\n  - registry.corp.example\nfailure-threshold: error\n").expect("write");
    let mut c = bulkhead(&["dockerfile", "Dockerfile", "--format", "json"]);
    c.current_dir(dir.path());
    let o = c.output().expect("run");
    let v = json(&o);
    let f = v["findings"].as_array().expect("f");
    let get = |id: &str| {
        f.iter()
            .filter(|x| x["rule_id"] == id)
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        get("DF001")[0]["suppressed"]["reason"],
        "hadolint global ignore=DL3007"
    );
    assert!(
        get("DF043")[0]["suppressed"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("DL3018"))
    );
    assert!(get("DF040")[0].get("suppressed").is_some());
    assert_eq!(
        get("DF045")[0]["suppressed"]["reason"],
        "bastion image, reviewed"
    );
    assert!(
        get("DF010").is_empty(),
        "DL3002 ignored in .hadolint.yaml maps to DF010"
    );
    // trustedRegistries: docker hub's alpine is not trusted
    assert_eq!(get("DF003").len(), 1);
    assert!(
        v["settings"]["hadolint_config"]
            .as_str()
            .is_some_and(|p| p.ends_with(".hadolint.yaml"))
    );
    // failure-threshold error == high: DF003 is high => exit 1
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn fix_prints_a_unified_diff() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("Dockerfile");
    std::fs::write(&p, "FROM debian:12\nRUN apt-get update && apt-get install -y curl \\\n && rm -rf /var/lib/apt/lists/*\nCMD [\"curl\"]\n").expect("write");
    let ps = p.display().to_string();
    let pin = format!("debian:12=sha256:{}", "ab".repeat(32));
    let o = run(&["dockerfile", &ps, "--no-config", "--fix", "--pin", &pin]);
    let diff = stdout(&o);
    assert!(
        diff.contains(&format!("+FROM debian:12@sha256:{}", "ab".repeat(32))),
        "{diff}"
    );
    assert!(
        diff.contains("+RUN apt-get update && apt-get install --no-install-recommends -y curl \\"),
        "{diff}"
    );
    assert!(diff.contains("+USER 65532\n CMD [\"curl\"]"), "{diff}");
    assert!(diff.starts_with("--- "), "{diff}");
    // The diff applies with patch(1) when available, and the result lints clean of those rules.
    if std::process::Command::new("patch")
        .arg("--version")
        .output()
        .is_ok()
    {
        let mut child = std::process::Command::new("patch")
            .arg(&ps)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("patch");
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(diff.as_bytes())
            .expect("write");
        assert!(child.wait().expect("wait").success());
        let (_, set, _) = ids(&[&ps]);
        assert!(
            !set.contains("DF041") && !set.contains("DF011") && !set.contains("DF002"),
            "{set:?}"
        );
    }
    let o = run(&[
        "dockerfile",
        &ps,
        "--no-config",
        "--fix",
        "--pin",
        "debian:12=sha256:short",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("64 hex digits"));
}

#[test]
fn stdin_and_rule_docs() {
    let o = run_stdin(
        &["dockerfile", "-", "--no-config", "--format", "json"],
        "FROM alpine:3.20@sha256:aaaa\nRUN wget -qO- https://x.example/i.sh | sh\nUSER 1000\n",
    );
    let v = json(&o);
    assert_eq!(v["findings"][0]["location"]["file"], "<stdin>");
    assert_eq!(v["findings"][0]["rule_id"], "DF031");
    let o = run(&["explain", "DF031"]);
    assert!(stdout(&o).contains("## Why it matters"));
}
