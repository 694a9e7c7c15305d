//! The README's first command on `examples/`: every layer reports its
//! deliberate problems, with no input error; the committed example image is
//! what `examples/build-image.sh` writes; bulkhead's own Dockerfile passes
//! `bulkhead dockerfile` with no finding.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use common::*;
use std::collections::BTreeSet;

/// The arguments of the README's first command (`cargo run --release -p
/// bulkhead -- ARGS` in the "Two commands" block), so the test runs what
/// the README says.
fn readme_command() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let block = readme
        .split("## Two commands")
        .nth(1)
        .expect("a Two commands section");
    let line = block
        .lines()
        .find(|l| l.starts_with("cargo run --release -p bulkhead -- "))
        .expect("the first command: cargo run --release -p bulkhead -- ...");
    let args = line
        .trim_start_matches("cargo run --release -p bulkhead -- ")
        .split('#')
        .next()
        .unwrap();
    assert!(
        !args.contains(';') && !args.contains('&') && !args.contains('|'),
        "one command: {line}"
    );
    args.split_whitespace().map(str::to_string).collect()
}

/// The layers with findings (the report's per-layer breakdown) and the rule ids.
fn layers_and_rules(report: &serde_json::Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let layers = report["summary"]["by"]["layer"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter(|r| r["findings"].as_u64().unwrap() > 0)
                .map(|r| r["key"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    let rules = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect();
    (layers, rules)
}

#[test]
fn readme_first_command_scans_every_layer() {
    let args = readme_command();
    assert_eq!(args[0], "scan", "{args:?}");
    assert!(args.iter().any(|a| a.starts_with("examples")), "{args:?}");
    let mut with_json: Vec<&str> = args.iter().map(String::as_str).collect();
    with_json.extend(["-f", "json"]);
    let o = run(&with_json);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = json(&o);
    assert_eq!(r["errors"], serde_json::json!([]), "{}", stderr(&o));
    let (layers, rules) = layers_and_rules(&r);
    for layer in [
        "dockerfile",
        "kubernetes",
        "rbac",
        "netpol",
        "runtime",
        "image",
        "cross-layer",
    ] {
        assert!(layers.contains(layer), "no {layer} finding: {layers:?}");
    }
    // One deliberate problem of each kind the examples document.
    for id in [
        "DF011",  // api/Dockerfile: no USER
        "DF021",  // api/Dockerfile: a token as build argument
        "PSS002", // shop.yaml: privileged
        "RBAC001", "RBAC003", "RBAC015", // k8s/rbac.yaml
        "NP001", "NP003", "NP006", // k8s/netpol.yaml and the shop namespace
        "RT010", "RT002", "RT020", // compose/compose.yaml
        "IMG001", "IMG002", "IMG003", // the example image
        "XL001", "XL004", "XL006", // the join
    ] {
        assert!(rules.contains(id), "{id} missing: {rules:?}");
    }
    // The key deleted by the image's second layer is still found.
    let findings = r["findings"].as_array().unwrap();
    assert!(
        findings.iter().any(|f| f["rule_id"] == "IMG001"
            && f["message"]
                .as_str()
                .unwrap()
                .contains("deleted in layer 2")),
        "{}",
        stdout(&o)
    );
    // The layout the image map names is scanned, so no "not scanned" note.
    let notes = r["notes"].as_array().unwrap();
    assert!(
        !notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("not scanned")),
        "{notes:?}"
    );
}

#[test]
fn readme_command_table_shows_the_layer_breakdown() {
    let args = readme_command();
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run(&a);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let by_layer = out.split("by layer:").nth(1).expect("a breakdown");
    for layer in [
        "kubernetes",
        "dockerfile",
        "runtime",
        "netpol",
        "image",
        "rbac",
        "cross-layer",
    ] {
        assert!(by_layer.contains(layer), "{layer}: {out}");
    }
}

#[test]
fn each_layer_command_finds_its_example() {
    for (args, id) in [
        (vec!["dockerfile", "examples/api"], "DF011"),
        (vec!["k8s", "examples/k8s"], "K8S001"),
        (vec!["rbac", "examples/k8s"], "RBAC015"),
        (
            vec!["netpol", "examples/k8s", "examples/shop.yaml"],
            "NP006",
        ),
        (vec!["runtime", "examples/compose/compose.yaml"], "RT010"),
        (vec!["image", "oci:examples/image/layout:api"], "IMG001"),
    ] {
        let mut a = args.clone();
        a.extend(["--no-config", "-f", "json"]);
        let o = run(&a);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        let (_, rules) = layers_and_rules(&json(&o));
        assert!(rules.contains(id), "{args:?}: {rules:?}");
    }
}

/// `(rule, message)` of a report, the image digests left out.
fn outcome(o: &std::process::Output) -> BTreeSet<(String, String)> {
    json(o)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn committed_example_image_is_what_the_script_builds() {
    if !have("umoci") {
        eprintln!("\n\n*** SKIPPED: umoci not on PATH; examples/build-image.sh not run ***\n");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("layout");
    let s = std::process::Command::new("bash")
        .arg(root().join("examples/build-image.sh"))
        .arg(&out)
        .output()
        .unwrap();
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let committed = run(&[
        "image",
        "oci:examples/image/layout:api",
        "--no-config",
        "-f",
        "json",
    ]);
    let built = run(&[
        "image",
        &format!("oci:{}:api", out.display()),
        "--no-config",
        "-f",
        "json",
    ]);
    assert_eq!(outcome(&committed), outcome(&built));
    // Byte for byte with this umoci (another version may compress the
    // layers differently; the findings above must still agree).
    let index = |p: &std::path::Path| std::fs::read(p.join("index.json")).unwrap();
    if index(&root().join("examples/image/layout")) != index(&out) {
        eprintln!("note: the rebuilt example layout differs in bytes (another umoci?)");
    }
}

#[test]
fn example_image_is_small() {
    let mut total = 0;
    for e in std::fs::read_dir(root().join("examples/image/layout/blobs/sha256")).unwrap() {
        total += e.unwrap().metadata().unwrap().len();
    }
    assert!(total < 8 * 1024, "{total} bytes of blobs");
}

#[test]
fn own_dockerfile_has_no_finding() {
    let o = run(&["dockerfile", "Dockerfile", "--no-config", "-f", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(json(&o)["findings"], serde_json::json!([]));
    let text = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    assert!(text.contains("\nUSER 65532"), "{text}");
    assert!(
        text.contains("\nENTRYPOINT [\"/usr/local/bin/bulkhead\"]"),
        "{text}"
    );
    assert!(text.contains("distroless/static"), "{text}");
    for from in text.lines().filter(|l| l.starts_with("FROM ")) {
        assert!(from.contains("@sha256:"), "not pinned: {from}");
    }
}

/// Each hook of `.pre-commit-hooks.yaml`, run as pre-commit runs it (entry +
/// the matching files), fails on the examples' problems and passes on
/// bulkhead's own Dockerfile.
#[test]
fn pre_commit_hooks_run_on_the_examples() {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let docs = bulkhead_core::yaml::parse(&text, bulkhead_core::yaml::Limits::default()).unwrap();
    let hooks = docs[0].root.to_json();
    let hooks = hooks.as_array().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["bulkhead-dockerfile", "bulkhead-k8s", "bulkhead-runtime"]
    );
    for (id, bad, good) in [
        (
            "bulkhead-dockerfile",
            "examples/api/Dockerfile",
            Some("Dockerfile"),
        ),
        ("bulkhead-k8s", "examples/k8s/api.yaml", None),
        ("bulkhead-runtime", "examples/compose/compose.yaml", None),
    ] {
        let hook = hooks.iter().find(|h| h["id"] == id).unwrap();
        assert_eq!(hook["language"], "system", "{id}");
        let entry: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
        assert_eq!(entry[0], "bulkhead", "{id}");
        let mut args = entry[1..].to_vec();
        args.extend(["--no-config", bad]);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{id} on {bad}: {}", stderr(&o));
        if let Some(good) = good {
            let mut args = entry[1..].to_vec();
            args.extend(["--no-config", good]);
            let o = run(&args);
            assert_eq!(o.status.code(), Some(0), "{id} on {good}: {}", stdout(&o));
        }
    }
}
