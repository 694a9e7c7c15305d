//! The first hour of a new user (issue 13): a shared selection that names no
//! rule of the running command, empty input, values that cannot mean what
//! the user typed, and the messages around them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use common::*;
use std::path::Path;

const ADMIN: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-is-admin}
subjects:
- kind: ServiceAccount
  name: ci
  namespace: apps
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p.to_str().expect("utf8").to_string()
}

fn count(o: &std::process::Output) -> usize {
    json(o)["findings"].as_array().expect("findings").len()
}

fn notes(o: &std::process::Output) -> String {
    json(o)["notes"].to_string()
}

// --- 3: a selection that names no rule of this command -----------------

/// The README's `select: [pss, hardening]` in a `bulkhead.yaml` must not turn
/// the Dockerfile and RBAC commands into a silent "no findings".
#[test]
fn config_selection_of_another_layer_runs_the_defaults_with_a_note() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(
        tmp.path().join("bulkhead.yaml"),
        "select: [pss, hardening]\n",
    )
    .expect("cfg");
    let dockerfile = root().join("examples/Dockerfile");
    let dockerfile = dockerfile.to_str().expect("utf8");
    let rbac = write(tmp.path(), "rbac.yaml", ADMIN);
    for args in [
        vec!["dockerfile", dockerfile, "-f", "json"],
        vec!["rbac", &rbac, "-f", "json"],
    ] {
        let baseline = run(&[args.as_slice(), &["--no-config"]].concat());
        let n = count(&baseline);
        assert!(n > 0, "{args:?}: the example has findings");
        let o = bulkhead(&args)
            .current_dir(tmp.path())
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run");
        assert_eq!(count(&o), n, "{args:?}: {}", stderr(&o));
        assert_eq!(o.status.code(), baseline.status.code());
        assert!(
            stderr(&o).contains("names no rule of this command"),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(notes(&o).contains("names no rule of this command"));
        assert!(notes(&o).contains("bulkhead.yaml"), "{}", notes(&o));
    }
}

#[test]
fn env_selection_of_another_layer_runs_the_defaults_with_a_note() {
    let dockerfile = root().join("examples/Dockerfile");
    let args = [
        "dockerfile",
        dockerfile.to_str().expect("utf8"),
        "-f",
        "json",
    ];
    let n = count(&run(&args));
    let o = bulkhead(&args)
        .env("BULKHEAD_SELECT", "pss")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run");
    assert_eq!(count(&o), n, "{}", stderr(&o));
    assert!(stderr(&o).contains("the selection pss (--select/BULKHEAD_SELECT) names no rule"));
}

/// A selector that names rules of this layer keeps selecting exactly them.
#[test]
fn selection_of_this_layer_still_narrows() {
    let o = run(&[
        "k8s",
        "examples/shop.yaml",
        "--select",
        "PSS002",
        "-f",
        "json",
    ]);
    let ids: Vec<String> = json(&o)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        !ids.is_empty() && ids.iter().all(|i| i == "PSS002"),
        "{ids:?}"
    );
    assert!(!stderr(&o).contains("names no rule"));
    // `pss, hardening` names Kubernetes rules: k8s itself is narrowed, no note.
    let o = run(&["k8s", "examples/shop.yaml", "--select", "pss", "-f", "json"]);
    assert!(
        json(&o)["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["rule_id"].as_str().is_some_and(|i| i.starts_with("PSS")))
    );
    assert!(!stderr(&o).contains("names no rule"));
}

// --- 4: empty input --------------------------------------------------------

#[test]
fn empty_input_is_an_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let empty = write(tmp.path(), "empty.yaml", "");
    let comments = write(
        tmp.path(),
        "comments.yaml",
        "# helm failed\n---\n# nothing\n---\n",
    );
    for cmd in ["k8s", "rbac", "netpol"] {
        for input in [empty.as_str(), comments.as_str(), "/dev/null"] {
            let o = run(&[cmd, input]);
            assert_eq!(o.status.code(), Some(2), "{cmd} {input}: {}", stdout(&o));
            let e = stderr(&o);
            assert!(
                e.contains(&format!("{input}: empty input")),
                "{cmd} {input}: {e}"
            );
            assert_eq!(e.lines().filter(|l| l.contains("empty input")).count(), 1);
        }
        // Closed standard input (`helm template … | bulkhead k8s -` when helm failed).
        let o = run(&[cmd, "-"]);
        assert_eq!(o.status.code(), Some(2), "{cmd} -: {}", stdout(&o));
        assert!(
            stderr(&o).contains("<stdin>: empty input"),
            "{}",
            stderr(&o)
        );
    }
    // An empty file found by walking a directory is not named: no error for it.
    let dir = tmp.path().join("tree");
    std::fs::create_dir(&dir).expect("dir");
    write(&dir, "empty.yaml", "");
    write(&dir, "pod.yaml", GOOD_POD);
    let o = run(&["k8s", dir.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    // Dockerfiles: an empty one is an input error too.
    let o = run(&["dockerfile", "/dev/null"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/dev/null"), "{}", stderr(&o));
}

#[test]
fn sbom_scan_without_a_database_fails() {
    let tmp = tempfile::tempdir().expect("tmp");
    let sbom = write(
        tmp.path(),
        "app.cdx.json",
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
            {"type":"library","name":"lodash","version":"4.17.20","purl":"pkg:npm/lodash@4.17.20"}]}"#,
    );
    let o = run(&["sbom", "scan", &sbom]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stdout(&o).is_empty());
    assert!(
        stderr(&o).contains("no vulnerability database") && stderr(&o).contains("db import"),
        "{}",
        stderr(&o)
    );
}

// --- 6: values that cannot mean what was typed ------------------------------

#[test]
fn pss_version_above_the_newest() {
    let latest = "v1.37";
    let o = run(&["k8s", "examples/shop.yaml", "--pss-version", "v1.99"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("v1.99") && stderr(&o).contains(&format!("newest known is {latest}")),
        "{}",
        stderr(&o)
    );
    // One minor ahead may be a real, newer cluster: evaluated as the newest, loudly.
    let o = run(&["k8s", "examples/shop.yaml", "--pss-version", "v1.38"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning") && stderr(&o).contains(&format!("evaluated as {latest}")),
        "{}",
        stderr(&o)
    );
}

#[test]
fn platform_syntax_is_checked() {
    let o = run(&["image", "examples", "--platform", "banana"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("OS/ARCH"), "{}", stderr(&o));
    assert!(stderr(&o).contains("linux/arm64"), "{}", stderr(&o));
}

#[test]
fn rbac_typos_are_errors() {
    let tmp = tempfile::tempdir().expect("tmp");
    let f = write(tmp.path(), "rbac.yaml", ADMIN);
    let o = run(&["rbac", "who-can", "lsit", "pods", &f]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("unknown verb 'lsit'") && stderr(&o).contains("list"),
        "{}",
        stderr(&o)
    );
    let o = run(&["rbac", "who-can", "list", "pods", &f]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&["rbac", "can", "Foo:bar", &f]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("unknown subject kind 'Foo'") && stderr(&o).contains("ServiceAccount:"),
        "{}",
        stderr(&o)
    );
    // Users named with a colon stay users.
    let o = run(&["rbac", "can", "system:kube-scheduler", &f]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn pin_needs_fix() {
    let o = run(&[
        "dockerfile",
        "examples/Dockerfile",
        "--pin",
        "python:3.12-slim=sha256:0000000000000000000000000000000000000000000000000000000000000000",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--fix"), "{}", stderr(&o));
}

#[test]
fn unknown_instruction_and_non_dockerfiles_are_errors() {
    let tmp = tempfile::tempdir().expect("tmp");
    let f = write(tmp.path(), "Dockerfile", "FORM ubuntu\nRUN true\n");
    let o = run(&["dockerfile", &f]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains(&format!(
            "{f}:1: unknown instruction: FORM (did you mean FROM?)"
        )),
        "{}",
        stderr(&o)
    );
    let o = run(&["dockerfile", "examples/shop.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("examples/shop.yaml:") && stderr(&o).contains("unknown instruction"),
        "{}",
        stderr(&o)
    );
}

// --- 10: messages ----------------------------------------------------------

#[test]
fn size_limit_message_shows_the_numbers() {
    let o = run(&["k8s", "examples/shop.yaml", "--max-file-size", "1KB"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    let len = std::fs::metadata(root().join("examples/shop.yaml"))
        .expect("shop")
        .len();
    assert!(!e.contains("0.0 MiB"), "{e}");
    assert!(
        e.contains(&format!("file is {len} bytes, above the 1000 bytes limit")),
        "{e}"
    );
}

#[test]
fn garbage_tar_error_is_printable() {
    let tmp = tempfile::tempdir().expect("tmp");
    let p = tmp.path().join("garbage.tar");
    // Deterministic noise with every byte value, as a corrupt download has.
    let mut x: u32 = 12345;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect();
    std::fs::write(&p, bytes).expect("write");
    let o = run(&["image", p.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(2));
    let e = &o.stderr;
    assert!(std::str::from_utf8(e).is_ok(), "not UTF-8: {e:?}");
    let e = stderr(&o);
    assert!(!e.contains('\u{fffd}'), "{e}");
    assert!(
        !e.chars().any(|c| c.is_control() && c != '\n'),
        "control characters in {e:?}"
    );
    assert!(e.len() < 1500, "{} bytes: {e}", e.len());
    assert!(e.contains("garbage.tar"), "{e}");
}

#[test]
fn fs_missing_directory_says_so() {
    let o = run(&["fs", "/nonexistent"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/nonexistent: no such file or directory"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn netpol_diff_with_a_missing_side_prints_no_diff() {
    let o = run(&["netpol", "diff", "/nonexistent", "examples/"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("/nonexistent: no such file or directory"),
        "{}",
        stderr(&o)
    );
}
