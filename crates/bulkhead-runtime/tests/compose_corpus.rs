//! The compose corpus (`../shared/corpora/compose`, real files from public
//! repositories; see its PROVENANCE): every file parses or gets a one-line
//! error, and for every service the privileged (RT001), runtime-socket
//! (RT010), host-network (RT013), host-pid (RT012), dangerous-capability
//! (RT002) and writable-root (RT009) findings equal what a direct reading
//! of the YAML gives. The oracle below reads `bulkhead_core::yaml`'s JSON
//! view with serde_json and its own small rules — not the product's compose
//! parser, interpolation or merge code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_runtime::Input;
use bulkhead_runtime::sources::compose::{self, Env};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Default, PartialEq, Eq)]
struct Posture {
    privileged: bool,
    socket: bool,
    host_net: bool,
    host_pid: bool,
    caps: BTreeSet<String>,
    writable_root: bool,
}

const SOCKETS: &[&str] = &[
    "docker.sock",
    "containerd.sock",
    "podman.sock",
    "crio.sock",
    "cri-dockerd.sock",
    "dockershim.sock",
    "buildkitd.sock",
];
const DANGEROUS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "SYS_TIME",
    "NET_ADMIN",
    "DAC_READ_SEARCH",
    "BPF",
    "PERFMON",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "SYSLOG",
    "LINUX_IMMUTABLE",
];

fn is_true(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn names_socket(path: &str) -> bool {
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    SOCKETS.contains(&last)
}

/// A direct reading of one service's YAML.
fn oracle(svc: &Value) -> Posture {
    let privileged = is_true(svc.get("privileged"));
    let socket = svc
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|v| match v {
            Value::String(s) => {
                let parts: Vec<&str> = s.split(':').collect();
                parts.len() >= 2 && (names_socket(parts[0]) || names_socket(parts[1]))
            }
            Value::Object(m) => {
                m.get("type").and_then(Value::as_str) == Some("bind")
                    && ["source", "target"]
                        .iter()
                        .any(|k| m.get(*k).and_then(Value::as_str).is_some_and(names_socket))
            }
            _ => false,
        });
    let caps = if privileged {
        BTreeSet::new()
    } else {
        svc.get("cap_add")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|c| {
                let u = c.trim().to_uppercase();
                u.strip_prefix("CAP_").map(str::to_string).unwrap_or(u)
            })
            .filter(|c| DANGEROUS.contains(&c.as_str()))
            .collect()
    };
    Posture {
        privileged,
        socket,
        host_net: svc.get("network_mode").and_then(Value::as_str) == Some("host"),
        host_pid: svc.get("pid").and_then(Value::as_str) == Some("host"),
        caps,
        writable_root: !is_true(svc.get("read_only")),
    }
}

#[test]
fn compose_corpus_matches_a_direct_reading() {
    let Some(dir) = bulkhead_core::testing::corpus(
        "compose_corpus_matches_a_direct_reading",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/compose",
    ) else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    let (mut parsed, mut errors, mut services, mut mismatches) = (0, 0, 0, Vec::new());
    let mut error_files: Vec<String> = Vec::new();
    let mut flagged: BTreeMap<&str, usize> = BTreeMap::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let loaded = compose::load(&[Input::new(name.clone(), text.clone())], &Env::with(&[]));
        if !loaded.errors.is_empty() {
            errors += 1;
            for e in &loaded.errors {
                error_files.push(format!("{name}:{}", e.line.unwrap_or(0)));
                assert!(!e.to_string().contains('\n'), "{e}");
                eprintln!("{name}: error {e}");
            }
            continue;
        }
        parsed += 1;
        let docs =
            bulkhead_core::yaml::parse(&text, bulkhead_core::yaml::Limits::default()).unwrap();
        let json = docs[0].root.to_json();
        let svcs = json
            .get("services")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        assert_eq!(svcs.len(), loaded.containers.len(), "{name}: service count");
        for (sname, svc) in &svcs {
            services += 1;
            let want = oracle(svc);
            let c = loaded
                .containers
                .iter()
                .find(|c| &c.name == sname)
                .unwrap_or_else(|| panic!("{name}: service {sname} missing"));
            let findings = bulkhead_runtime::rules::check(std::slice::from_ref(c), &|_| true);
            let fired = |id: &str| findings.iter().any(|f| f.rule_id == id);
            let got = Posture {
                privileged: fired("RT001"),
                socket: fired("RT010"),
                host_net: fired("RT013"),
                host_pid: fired("RT012"),
                caps: findings
                    .iter()
                    .filter(|f| f.rule_id == "RT002")
                    .filter_map(|f| f.evidence.get("capability").cloned())
                    .collect(),
                writable_root: fired("RT009"),
            };
            for f in &findings {
                *flagged.entry(leak(&f.rule_id)).or_default() += 1;
                assert_eq!(f.location.file, name);
                assert!(f.location.line.is_some(), "{name}: {f:?} has no line");
            }
            if got != want {
                mismatches.push(format!(
                    "{name} {sname}: product {got:?} vs direct reading {want:?}"
                ));
            }
        }
    }
    eprintln!(
        "compose corpus: {} files, {parsed} parsed, {errors} with errors, {services} services compared, {} mismatches; findings by rule: {flagged:?}",
        files.len(),
        mismatches.len()
    );
    assert!(files.len() >= 10, "corpus has {} files", files.len());
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // getsentry's file closes a flow sequence (`]`, line 302) at its key's
    // own indentation: YAML 1.2 needs it indented further (s-indent(n+1)),
    // go-yaml and PyYAML accept it, and so does bulkhead_core::yaml now
    // (`reindent_flow`): every file of the corpus parses.
    assert!(error_files.is_empty(), "files with errors: {error_files:?}");
    assert_eq!(parsed, files.len());
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}
