//! `bulkhead runtime` end to end: a directory with a compose project, a
//! script with a `docker run` line and an OCI config; `--file` merging; a
//! bad run line as a one-line input error with exit code 2.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use common::*;

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(&p, text).expect("write");
    p.to_str().expect("utf8").to_string()
}

#[test]
fn runtime_reads_every_source_kind_in_a_directory() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "compose.yaml",
        "services:\n  web:\n    image: shop/web:1.4.2\n    privileged: true\n",
    );
    write(
        d.path(),
        "deploy.sh",
        "#!/bin/sh\ndocker run -d --pid=host -v /var/run/docker.sock:/var/run/docker.sock shop/agent:2\n",
    );
    write(
        d.path(),
        "bundle/config.json",
        r#"{"ociVersion": "1.0.2", "process": {"user": {"uid": 0, "gid": 0}},
 "root": {"path": "rootfs", "readonly": true},
 "linux": {"namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]}}
"#,
    );
    write(d.path(), "other.json", "{\"not\": \"runtime\"}\n");
    let dir = d.path().to_str().unwrap();
    let o = run(&[
        "runtime",
        dir,
        "--select",
        "RT001,RT010,RT012,RT013",
        "-f",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let mut got: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = f["location"]["file"].as_str().unwrap();
            let name = file.rsplit('/').next().unwrap();
            format!(
                "{} {name}:{}",
                f["rule_id"].as_str().unwrap(),
                f["location"]["line"]
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            "RT001 compose.yaml:4",
            "RT010 deploy.sh:2",
            "RT012 deploy.sh:2",
            "RT013 config.json:3",
        ],
        "{got:?}"
    );
}

#[test]
fn runtime_merges_file_flags_and_reports_bad_lines() {
    let d = tempfile::tempdir().unwrap();
    let a = write(
        d.path(),
        "compose.yml",
        "services:\n  app:\n    image: shop/app:1\n    read_only: true\n",
    );
    let b = write(
        d.path(),
        "compose.prod.yml",
        "services:\n  app:\n    read_only: false\n",
    );
    let o = run(&[
        "runtime", "--file", &a, "--file", &b, "--select", "RT009", "-q",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("compose.prod.yml:3:16"),
        "{}",
        stdout(&o)
    );
    let bad = write(d.path(), "ci.sh", "docker run -e 'X=1 alpine:3.20\n");
    let o = run(&["runtime", &bad]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("ci.sh:1: unbalanced quote (')"), "{err}");
}

/// Applies a unified diff with the real `patch` tool; `None` without it.
fn apply(dir: &std::path::Path, diff: &str) -> Option<()> {
    use std::io::Write;
    let mut child = std::process::Command::new("patch")
        .args(["-p0", "--quiet", "--batch"])
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(diff.as_bytes()).ok()?;
    assert!(child.wait().ok()?.success(), "patch failed on:\n{diff}");
    Some(())
}

const FIXABLE: &[&str] = &[
    "RT003", "RT004", "RT005", "RT009", "RT016", "RT017", "RT018",
];

fn rule_ids(dir: &std::path::Path, file: &str) -> Vec<(String, String)> {
    let out = bulkhead(&["runtime", file, "-f", "json"])
        .current_dir(dir)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["location"]["object"].as_str().unwrap_or("").to_string(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn compose_fix_is_a_diff_that_removes_the_findings_and_keeps_comments() {
    let dir = tempfile::tempdir().unwrap();
    let src = "# my app\nservices:\n  web:\n    image: nginx:1.27   # pinned\n    security_opt:\n      - no-new-privileges:false\n    deploy:\n      resources:\n        limits:\n          cpus: \"0.5\"\n  db:\n    image: postgres:16\n    user: \"999:999\"\n    read_only: true\n    tmpfs: [/run]\n    cap_drop: [ALL]\n    pids_limit: 100\n    security_opt: [no-new-privileges:true]\n    mem_limit: 1g\n    cpus: 1\n";
    write(dir.path(), "compose.yml", src);
    let out = bulkhead(&["runtime", "--fix", "compose.yml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(
        diff.starts_with("--- compose.yml\n+++ compose.yml\n@@ "),
        "{diff}"
    );
    assert!(
        diff.contains("-      - no-new-privileges:false\n+      - \"no-new-privileges:true\""),
        "{diff}"
    );
    // The report goes to stderr.
    assert!(String::from_utf8_lossy(&out.stderr).contains("RT003"));
    if apply(dir.path(), &diff).is_none() {
        eprintln!("\n*** SKIPPED applying the diff: no `patch` ***\n");
        return;
    }
    let fixed = std::fs::read_to_string(dir.path().join("compose.yml")).unwrap();
    assert!(fixed.starts_with("# my app\n") && fixed.contains("nginx:1.27   # pinned"));
    let left = rule_ids(dir.path(), "compose.yml");
    assert!(
        left.iter().all(|(_, id)| !FIXABLE.contains(&id.as_str())),
        "{left:?}\n{fixed}"
    );
    // Nothing left to fix: an empty diff.
    let out = bulkhead(&["runtime", "--fix", "compose.yml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn compose_fix_on_flow_style_and_anchors() {
    let dir = tempfile::tempdir().unwrap();
    // A flow mapping is rewritten in flow style; a service built from a
    // merge key gets its keys before its own first entry, and a merged
    // list is carried over with the change.
    let src = "x-base: &base\n  restart: always\n  security_opt: [label=type:svc_t]\n  healthcheck: &hc\n    test: [CMD, true]\nservices:\n  a: {image: nginx}\n  b:\n    <<: *base\n    image: redis\n    healthcheck:\n      <<: *hc\n";
    write(dir.path(), "compose.yml", src);
    let out = bulkhead(&["runtime", "--fix", "compose.yml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(!diff.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    if apply(dir.path(), &diff).is_none() {
        eprintln!("\n*** SKIPPED applying the diff: no `patch` ***\n");
        return;
    }
    let fixed = std::fs::read_to_string(dir.path().join("compose.yml")).unwrap();
    let left = rule_ids(dir.path(), "compose.yml");
    assert!(
        left.iter().all(|(_, id)| !FIXABLE.contains(&id.as_str())),
        "{left:?}\n{fixed}"
    );
    assert!(
        fixed.contains(
            "    security_opt:\n    - \"label=type:svc_t\"\n    - \"no-new-privileges:true\"\n"
        ),
        "the merged entry is carried over:\n{fixed}"
    );
    assert!(
        fixed.contains("    healthcheck:\n      <<: *hc\n"),
        "{fixed}"
    );
}

/// Every file of the compose corpus: the diff applies with `patch` and the
/// fixed file has none of the fixable findings left, and every other
/// finding is unchanged.
#[test]
fn compose_fix_on_the_corpus() {
    let Some(corpus) = shared().map(|s| s.join("compose")) else {
        assert!(std::env::var_os("BULKHEAD_REQUIRE_CORPORA").is_none());
        eprintln!("\n*** SKIPPED: ../shared/corpora/compose not found ***\n");
        return;
    };
    let mut fixed_files = 0;
    for e in std::fs::read_dir(&corpus).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.ends_with(".yml") || name.ends_with(".yaml")) {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(&p, dir.path().join(&name)).unwrap();
        let before = rule_ids(dir.path(), &name);
        let out = bulkhead(&["runtime", "--fix", &name])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let diff = String::from_utf8(out.stdout).unwrap();
        if diff.is_empty() {
            continue;
        }
        if apply(dir.path(), &diff).is_none() {
            eprintln!("\n*** SKIPPED applying diffs: no `patch` ***\n");
            return;
        }
        fixed_files += 1;
        let after = rule_ids(dir.path(), &name);
        let keep = |v: &[(String, String)]| -> Vec<(String, String)> {
            let mut k: Vec<_> = v
                .iter()
                .filter(|(_, id)| !FIXABLE.contains(&id.as_str()))
                .cloned()
                .collect();
            k.sort();
            k
        };
        assert!(
            after.iter().all(|(_, id)| !FIXABLE.contains(&id.as_str())),
            "{name}: left after the fix: {after:?}"
        );
        assert_eq!(
            keep(&after),
            keep(&before),
            "{name}: other findings changed"
        );
    }
    assert!(
        fixed_files >= 5,
        "only {fixed_files} corpus files got a fix"
    );
}
