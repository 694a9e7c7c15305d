//! CLI behaviour: exit codes, bad input, stdin, configuration precedence,
//! suppressions, rule selection and the catalogue commands.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use common::*;

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p.display().to_string()
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().expect("tmp");
    let good = write(dir.path(), "good.yaml", GOOD_POD);
    let o = run(&["k8s", &good, "--no-config"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("no findings"));

    let o = run(&["k8s", "examples/shop.yaml", "--no-config"]);
    assert_eq!(o.status.code(), Some(1));
    let o = run(&[
        "k8s",
        "examples/shop.yaml",
        "--no-config",
        "--fail-on",
        "none",
    ]);
    assert_eq!(o.status.code(), Some(0));
    // Only low findings left after filtering: --fail-on high passes.
    let o = run(&[
        "k8s",
        "examples/shop.yaml",
        "--no-config",
        "--severity",
        "low",
        "--fail-on",
        "high",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let o = run(&[
        "k8s",
        "examples/shop.yaml",
        "--no-config",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(o.status.code(), Some(1));

    for bad in [
        vec!["k8s", "examples/shop.yaml", "--format", "yaml"],
        vec!["k8s", "examples/shop.yaml", "--select", "NOPE42"],
        vec!["k8s", "examples/shop.yaml", "--pss", "strict"],
        vec!["k8s", "examples/shop.yaml", "--pss-version", "2.0"],
        vec!["k8s", "examples/shop.yaml", "--fail-on", "severe"],
        vec!["k8s", "does/not/exist.yaml"],
        vec!["explain", "XYZ999"],
    ] {
        let o = run(&bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(!err.contains("panicked"), "{err}");
        assert!(!err.trim().is_empty());
    }
}

#[test]
fn bad_inputs_are_one_line_errors_and_other_files_still_report() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        "a-malformed.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n",
    );
    write(
        dir.path(),
        "b-scalar.yaml",
        "apiVersion: v1\nkind: Pod\n---\njust a string\n",
    );
    let mut laughs = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for n in ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] {
        laughs.push_str(&format!(
            "{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = n;
    }
    write(dir.path(), "c-laughs.yaml", &laughs);
    // 50 MB of valid-looking YAML.
    let big = dir.path().join("d-big.yaml");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&big).expect("create"));
        let line = "# padding padding padding padding padding padding padding padding padding\n";
        for _ in 0..(50 * 1024 * 1024 / line.len() + 1) {
            f.write_all(line.as_bytes()).expect("write");
        }
    }
    write(dir.path(), "e-binary.yaml", "\u{0}\u{1}kind: Pod\n");
    std::fs::write(
        dir.path().join("f-latin1.yaml"),
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: \xe9}\n",
    )
    .expect("write");
    write(
        dir.path(),
        "z-privileged.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: a:1\n    securityContext: {privileged: true}\n",
    );
    let d = dir.path().display().to_string();
    let o = run(&["k8s", &d, "--no-config", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    let expect = [
        ("a-malformed.yaml:5:", "invalid YAML"),
        ("b-scalar.yaml:4:", "not a Kubernetes object"),
        ("c-laughs.yaml:", "billion laughs"),
        ("d-big.yaml:", "limit"),
        ("e-binary.yaml:", ""),
        ("f-latin1.yaml:3:", "UTF-8"),
    ];
    for (file, what) in expect {
        assert!(
            lines.iter().any(|l| l.contains(file) && l.contains(what)),
            "no one-line error naming {file} / {what}:\n{err}"
        );
    }
    let v = json(&o);
    let files: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["location"]["file"].as_str())
        .collect();
    assert!(
        files.iter().any(|f| f.ends_with("z-privileged.yaml")),
        "other files still reported"
    );
    assert!(v["errors"].as_array().expect("errors").len() >= 6);
}

#[test]
fn deeply_nested_input_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().expect("tmp");
    let deep = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: x}}\nspec: {}{}\n",
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    let p = write(dir.path(), "deep.yaml", &deep);
    let o = run(&["k8s", &p, "--no-config"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("deep.yaml:"), "{}", stderr(&o));
}

#[test]
fn stdin_kustomize_style_stream() {
    let stream = format!(
        "{GOOD_POD}---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: default\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers:\n      - name: web\n        image: nginx\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {{name: w}}\n"
    );
    let o = run_stdin(
        &[
            "k8s",
            "-",
            "--no-config",
            "--format",
            "json",
            "--pss",
            "baseline",
        ],
        &stream,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v = json(&o);
    let f = v["findings"].as_array().expect("findings");
    assert!(f.iter().all(|x| x["location"]["file"] == "<stdin>"));
    let host = f
        .iter()
        .find(|x| x["rule_id"] == "PSS001")
        .expect("hostNetwork finding");
    assert_eq!(host["location"]["line"], 34);
    assert_eq!(host["location"]["field"], "spec.template.spec.hostNetwork");
    assert_eq!(host["evidence"]["control"], "hostNamespaces");
    assert!(f.iter().any(|x| x["rule_id"] == "K8S012"));
    assert!(
        v["notes"]
            .as_array()
            .expect("notes")
            .iter()
            .any(|n| n.as_str().is_some_and(|n| n.contains("Widget")))
    );
    // baseline: no restricted control reported
    assert!(!f.iter().any(|x| x["rule_id"] == "PSS013"));
}

#[test]
fn real_kustomize_output_from_stdin() {
    let Ok(kubectl) = which("kubectl") else {
        eprintln!("*** SKIPPED: kubectl not installed; kustomize stdin test not run ***");
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        "kustomization.yaml",
        "namePrefix: prod-\nnamespace: shop\nresources:\n- pod.yaml\n",
    );
    write(
        dir.path(),
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: a:1\n    securityContext:\n      privileged: true\n",
    );
    let out = std::process::Command::new(kubectl)
        .args(["kustomize", &dir.path().display().to_string()])
        .output()
        .expect("kustomize");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let o = run_stdin(
        &[
            "k8s",
            "-",
            "--no-config",
            "--format",
            "json",
            "--select",
            "PSS002",
        ],
        &String::from_utf8_lossy(&out.stdout),
    );
    let v = json(&o);
    assert_eq!(v["findings"][0]["location"]["object"], "Pod/shop/prod-p");
}

fn which(name: &str) -> Result<String, ()> {
    let path = std::env::var("PATH").map_err(|_| ())?;
    path.split(':')
        .map(|d| format!("{d}/{name}"))
        .find(|p| std::path::Path::new(p).is_file())
        .ok_or(())
}

#[test]
fn config_env_and_flag_precedence() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    write(
        dir.path(),
        "bulkhead.yaml",
        "format: json\nfail-on: critical\nselect: [pss]\nkubernetes:\n  pss: restricted\nsuppressions:\n  - rule: PSS013\n    paths: ['**/app.yaml']\n    reason: accepted until migration\n    expires: 2999-01-01\n  - rule: PSS015\n    reason: stale\n    expires: 2000-01-01\n",
    );
    let app = write(
        &dir.path().join("sub"),
        "app.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: 'a:1'}\n",
    );
    let mut c = bulkhead(&["k8s", &app]);
    c.current_dir(dir.path().join("sub"));
    let o = c.output().expect("run");
    // config: json format, fail-on critical (restricted findings are medium) => 0
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    let f = v["findings"].as_array().expect("findings");
    assert!(
        f.iter()
            .all(|x| x["rule_id"].as_str().is_some_and(|r| r.starts_with("PSS")))
    );
    let ape = f.iter().find(|x| x["rule_id"] == "PSS013").expect("PSS013");
    assert_eq!(ape["suppressed"]["kind"], "config");
    assert_eq!(ape["suppressed"]["reason"], "accepted until migration");
    let rnr = f.iter().find(|x| x["rule_id"] == "PSS015").expect("PSS015");
    assert!(
        rnr.get("suppressed").is_none(),
        "expired suppression must not apply"
    );
    assert!(stderr(&o).contains("expired"));
    // env beats config, flag beats env
    let mut c = bulkhead(&["k8s", &app]);
    c.current_dir(dir.path().join("sub"))
        .env("BULKHEAD_PSS", "baseline")
        .env("BULKHEAD_FAIL_ON", "low");
    let v = json(&c.output().expect("run"));
    assert_eq!(v["settings"]["pss_level"], "baseline");
    let mut c = bulkhead(&["k8s", &app, "--pss", "restricted", "--format", "table"]);
    c.current_dir(dir.path().join("sub"))
        .env("BULKHEAD_PSS", "baseline")
        .env("BULKHEAD_FORMAT", "json");
    let o = c.output().expect("run");
    assert!(
        stdout(&o).contains("pss_level=restricted"),
        "{}",
        stdout(&o)
    );
    // a broken config is an input error naming the file
    write(dir.path(), "bulkhead.yaml", "fail_on: high\n");
    let mut c = bulkhead(&["k8s", &app]);
    c.current_dir(dir.path().join("sub"));
    let o = c.output().expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bulkhead.yaml") && stderr(&o).contains("unknown field"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn inline_and_annotation_suppressions() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = write(
        dir.path(),
        "s.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    bulkhead.dev/ignore: PSS001 node agent needs the host network\nspec:\n  hostNetwork: true\n  containers:\n  - name: a\n    image: a:1\n    securityContext:\n      # bulkhead:ignore PSS002 debugging image, removed before release\n      privileged: true\n      capabilities:\n        add: [SYS_ADMIN] # bulkhead:ignore capabilities-baseline needs mount\n",
    );
    let o = run(&[
        "k8s",
        &p,
        "--no-config",
        "--pss",
        "baseline",
        "--format",
        "json",
    ]);
    let v = json(&o);
    let f = v["findings"].as_array().expect("findings");
    let get = |id: &str| {
        f.iter()
            .find(|x| x["rule_id"] == id)
            .unwrap_or_else(|| panic!("{id} missing"))
    };
    assert_eq!(get("PSS001")["suppressed"]["kind"], "annotation");
    assert_eq!(get("PSS002")["suppressed"]["kind"], "inline");
    assert_eq!(
        get("PSS002")["suppressed"]["reason"],
        "debugging image, removed before release"
    );
    assert_eq!(get("PSS003")["suppressed"]["kind"], "inline");
    assert_eq!(v["summary"]["suppressed"], 3);
    // The table hides them unless asked.
    let o = run(&[
        "k8s",
        &p,
        "--no-config",
        "--pss",
        "baseline",
        "--select",
        "pss",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("3 suppressed"));
    let o = run(&[
        "k8s",
        &p,
        "--no-config",
        "--pss",
        "baseline",
        "--select",
        "pss",
        "--show-suppressed",
    ]);
    assert!(stdout(&o).contains("suppressed (Inline): debugging image"));
}

#[test]
fn select_and_ignore() {
    let o = run(&[
        "k8s",
        "examples/shop.yaml",
        "--no-config",
        "--format",
        "json",
        "--select",
        "pss",
        "--ignore",
        "PSS013,restricted-volume-types",
    ]);
    let v = json(&o);
    let ids: std::collections::BTreeSet<String> = v["findings"]
        .as_array()
        .expect("f")
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(ids.iter().all(|i| i.starts_with("PSS")));
    assert!(!ids.contains("PSS013") && !ids.contains("PSS018"));
    assert!(ids.contains("PSS002"));
    let o = run(&[
        "k8s",
        "examples/shop.yaml",
        "--no-config",
        "--format",
        "json",
        "--select",
        "K8S008",
    ]);
    let v = json(&o);
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(1));
}

#[test]
fn catalogue_commands() {
    let o = run(&["rules", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).expect("json");
    assert!(rules.len() >= 32);
    for r in &rules {
        for k in ["what", "why", "fix", "title"] {
            assert!(
                r[k].as_str().is_some_and(|s| s.len() > 10),
                "{} lacks {k}",
                r["id"]
            );
        }
        // A rule no other tool has (RBAC013 namespace label patching) still cites its sources.
        assert!(
            !r["equivalents"].as_array().expect("eq").is_empty()
                || !r["references"].as_array().expect("refs").is_empty(),
            "{} lacks equivalents and references",
            r["id"]
        );
        if r["id"].as_str().is_some_and(|i| i.starts_with("PSS")) {
            assert!(
                r["tags"]
                    .as_array()
                    .expect("tags")
                    .iter()
                    .any(|t| t == "pss")
            );
        }
    }
    let o = run(&["explain", "privileged"]);
    let text = stdout(&o);
    for section in [
        "# PSS002",
        "## What it checks",
        "## Why it matters",
        "## How to fix",
        "## Equivalent checks",
        "Trivy: KSV017",
    ] {
        assert!(text.contains(section), "missing {section}:\n{text}");
    }
    // docs/rules.md is generated from the catalogue and must be current.
    let o = run(&["rules", "--format", "markdown"]);
    let docs = std::fs::read_to_string(root().join("docs/rules.md")).expect("docs/rules.md");
    assert!(
        docs == stdout(&o),
        "docs/rules.md is stale: run `bulkhead rules --format markdown > docs/rules.md`"
    );
}

#[test]
fn windows_and_user_namespace_relaxations_follow_the_version() {
    let win = "apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n  os: {name: windows}\n  securityContext: {runAsNonRoot: true}\n  containers:\n  - {name: a, image: 'a:1'}\n";
    let userns = "apiVersion: v1\nkind: Pod\nmetadata: {name: u}\nspec:\n  hostUsers: false\n  securityContext: {runAsUser: 0, seccompProfile: {type: RuntimeDefault}}\n  containers:\n  - name: a\n    image: a:1\n    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, procMount: Unmasked}\n";
    let ids = |yaml: &str, level: &str, version: &str| -> Vec<String> {
        let o = run_stdin(
            &[
                "k8s",
                "-",
                "--no-config",
                "--select",
                "pss",
                "--format",
                "json",
                "--pss",
                level,
                "--pss-version",
                version,
            ],
            yaml,
        );
        json(&o)["findings"]
            .as_array()
            .expect("f")
            .iter()
            .map(|f| f["rule_id"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert!(ids(win, "restricted", "v1.25").is_empty());
    let old = ids(win, "restricted", "v1.24");
    assert!(
        old.contains(&"PSS013".to_string()) && old.contains(&"PSS017".to_string()),
        "{old:?}"
    );
    let new = ids(userns, "restricted", "v1.35");
    assert_eq!(
        new,
        vec!["PSS019".to_string()],
        "only the restricted procMount check remains"
    );
    let older = ids(userns, "restricted", "v1.34");
    assert!(
        older.contains(&"PSS016".to_string())
            && older.contains(&"PSS015".to_string())
            && older.contains(&"PSS008".to_string()),
        "{older:?}"
    );
    assert!(ids(userns, "baseline", "latest").is_empty());
}

#[test]
fn pss_auto_follows_namespace_labels() {
    let stream = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: legacy\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/enforce-version: v1.24\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: legacy}\nspec:\n  containers:\n  - {name: c, image: 'x:1'}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: strict}\nspec:\n  containers:\n  - {name: c, image: 'x:1'}\n";
    let o = run_stdin(
        &[
            "k8s",
            "-",
            "--no-config",
            "--select",
            "pss",
            "--format",
            "json",
            "--pss",
            "auto",
            "--fail-on",
            "none",
        ],
        stream,
    );
    let v = json(&o);
    let f = v["findings"].as_array().expect("f");
    // Pod a: baseline v1.24 passes; pod b: default restricted fails.
    assert!(
        f.iter().all(|x| x["location"]["object"] == "Pod/strict/b"),
        "{f:?}"
    );
    assert!(f.iter().any(|x| x["evidence"]["pss_level"] == "restricted"));
    let o = run_stdin(
        &[
            "k8s",
            "-",
            "--no-config",
            "--select",
            "pss",
            "--format",
            "json",
            "--pss",
            "restricted",
            "--fail-on",
            "none",
        ],
        stream,
    );
    let v = json(&o);
    assert!(
        v["findings"]
            .as_array()
            .expect("f")
            .iter()
            .any(|x| x["location"]["object"] == "Pod/legacy/a")
    );
}

#[test]
fn a_closed_pipe_ends_output_quietly() {
    use std::io::Read;
    let mut child = bulkhead(&["rules", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut out = child.stdout.take().expect("stdout");
    let mut first = [0u8; 10];
    out.read_exact(&mut first).expect("read");
    drop(out);
    let o = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(o.status.code(), Some(101), "{err}");
}
