//! `bulkhead init`: the commented bulkhead.yaml it writes names the layers
//! present, loads with the configuration loader and is then read by the
//! commands; an existing file is never replaced without `--force`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use common::*;
use std::path::Path;

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn init_in(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut a = vec!["init"];
    a.extend(args);
    bulkhead(&a)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn init_on_the_examples_names_every_layer_and_loads() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("shop");
    copy_tree(&root().join("examples"), &repo);
    let o = init_in(&repo, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("wrote"), "{}", stderr(&o));
    let file = repo.join("bulkhead.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    for want in [
        "Dockerfiles         2 (Dockerfile, api/Dockerfile)",
        "4 manifest file(s): 4 workload(s), 3 RBAC object(s), 3 NetworkPolicy(ies)",
        "Compose / runtime   1 (compose/compose.yaml)",
        "OCI image layouts   1 (image/layout)",
        "bulkhead runtime compose/compose.yaml",
        "\nkubernetes:\n",
        "\ndockerfile:\n",
        "# trusted-registries: [\"docker.io\", \"registry.example\"]",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
    // Every setting is explained: most lines are comments.
    let comments = text
        .lines()
        .filter(|l| l.trim_start().starts_with('#'))
        .count();
    assert!(comments * 2 > text.lines().count(), "{text}");
    let c = bulkhead_core::config::load(&file).unwrap();
    assert_eq!(c.fail_on.as_deref(), Some("high"));
    assert_eq!(c.kubernetes.pss.as_deref(), Some("restricted"));
    // The commands find and use it: fail-on high still fails on the examples.
    let o = bulkhead(&["scan", ".", "--image-map", "images.yaml"])
        .current_dir(&repo)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = bulkhead(&["dockerfile", "api", "-f", "json"])
        .current_dir(&repo)
        .output()
        .unwrap();
    // api/Dockerfile's worst finding is medium: below the file's fail-on
    // high (without the file any finding fails).
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!json(&o)["findings"].as_array().unwrap().is_empty());
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bulkhead.yaml");
    std::fs::write(&file, "fail-on: critical\n").unwrap();
    let o = init_in(tmp.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "fail-on: critical\n"
    );
    // The hidden name counts too.
    let tmp2 = tempfile::tempdir().unwrap();
    std::fs::write(tmp2.path().join(".bulkhead.yaml"), "format: json\n").unwrap();
    let o = init_in(tmp2.path(), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!tmp2.path().join("bulkhead.yaml").exists());
    // --stdout prints without touching the file; --force replaces it.
    let o = init_in(tmp.path(), &["--stdout"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("fail-on: high"));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "fail-on: critical\n"
    );
    let o = init_in(tmp.path(), &["--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("fail-on: high")
    );
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[test]
fn init_in_an_empty_repository_comments_the_absent_layers() {
    let tmp = tempfile::tempdir().unwrap();
    let o = init_in(tmp.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let file = tmp.path().join("bulkhead.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("no Dockerfile, manifest, Compose file or image layout yet"));
    assert!(text.contains("\n# kubernetes:\n"), "{text}");
    assert!(text.contains("\n# dockerfile:\n"), "{text}");
    let c = bulkhead_core::config::load(&file).unwrap();
    assert_eq!(c.kubernetes, Default::default());
    assert_eq!(c.dockerfile, Default::default());
}

#[test]
fn init_suggests_pss_auto_for_labelled_namespaces_and_notes_hadolint() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("ns.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("Dockerfile"),
        "FROM registry.corp.example/base/rust:1 AS build\nFROM build AS test\nFROM scratch\nCOPY --from=build /x /x\n",
    )
    .unwrap();
    std::fs::write(tmp.path().join(".hadolint.yaml"), "ignored: [DL3008]\n").unwrap();
    let o = init_in(tmp.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let file = tmp.path().join("bulkhead.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("  pss: auto"), "{text}");
    assert!(
        text.contains("# trusted-registries: [\"registry.corp.example\"]"),
        "{text}"
    );
    assert!(text.contains(".hadolint.yaml is here"), "{text}");
    let c = bulkhead_core::config::load(&file).unwrap();
    assert_eq!(c.kubernetes.pss.as_deref(), Some("auto"));
}

#[test]
fn init_needs_a_directory() {
    let o = run(&["init", "examples/shop.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a directory"), "{}", stderr(&o));
}
