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
