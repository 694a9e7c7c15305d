//! `bulkhead runtime --live` and `--self` on real containers: podman (with
//! runc) starts a busybox rootfs imported with `podman import` in five
//! postures — default, privileged, hardened, host namespaces + docker
//! socket + host root, user namespace. The host view must report each
//! posture's distinct findings, its readings must equal the probe readings
//! in `../shared/corpora/runtime-samples/` (taken with the same flags), and
//! `--self` run inside each container must report the same rules as the
//! host view. Containers and the image are removed at the end.
//!
//! Needs root and podman (installed with apt when missing); a loud skip
//! otherwise, fatal under BULKHEAD_REQUIRE_IMAGES.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use bulkhead_runtime::sources::live::{self, Host};
use bulkhead_runtime::sources::procfs;
use bulkhead_runtime::{Container, Ns, NsMode};
use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

const BASE: &[&str] = &[
    "--runtime",
    "runc",
    "run",
    "--ulimit",
    "nofile=1024:1024",
    "--ulimit",
    "nproc=4096:4096",
];

/// Postures: name, extra `podman run` flags, the runtime-samples file.
fn postures(sock: &str) -> Vec<(&'static str, Vec<String>, &'static str)> {
    let v = |a: &[&str]| a.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
    vec![
        ("default", v(&[]), "default.txt"),
        ("priv", v(&["--privileged"]), "bh-priv.txt"),
        (
            "hard",
            v(&[
                "--user",
                "1000",
                "--cap-drop",
                "ALL",
                "--read-only",
                "--security-opt",
                "no-new-privileges",
                "--memory",
                "64m",
                "--pids-limit",
                "100",
                "--cpus",
                "0.5",
            ]),
            "bh-hard.txt",
        ),
        (
            "hostns",
            vec![
                "--pid".into(),
                "host".into(),
                "--network".into(),
                "host".into(),
                "--ipc".into(),
                "host".into(),
                "--uts".into(),
                "host".into(),
                "-v".into(),
                format!("{sock}:/var/run/docker.sock"),
                "-v".into(),
                "/:/host:ro".into(),
                "--cap-add".into(),
                "SYS_ADMIN".into(),
                "--cap-add".into(),
                "SYS_PTRACE".into(),
                "--security-opt".into(),
                "seccomp=unconfined".into(),
            ],
            "bh-hostns.txt",
        ),
        (
            "userns",
            v(&["--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536"]),
            "bh-userns.txt",
        ),
    ]
}

fn podman(args: &[&str]) -> std::process::Output {
    Command::new("podman").args(args).output().expect("podman")
}

/// Removes the containers and the image when the test ends, pass or fail.
struct Cleanup {
    names: Vec<String>,
    image: String,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for n in &self.names {
            let _ = podman(&["rm", "-f", "-t", "0", n]);
        }
        let _ = podman(&["rmi", "-f", &self.image]);
    }
}

fn skip(why: &str) {
    assert!(
        std::env::var_os("BULKHEAD_REQUIRE_IMAGES").is_none(),
        "{why} and BULKHEAD_REQUIRE_IMAGES is set"
    );
    eprintln!("\n\n*** SKIPPED: {why} ***\n");
}

/// A busybox rootfs with the libraries the bulkhead binary links, as a tar.
fn rootfs(dir: &Path) -> std::path::PathBuf {
    let fs = dir.join("rootfs");
    for d in ["bin", "proc", "sys", "dev", "etc", "tmp", "run"] {
        std::fs::create_dir_all(fs.join(d)).unwrap();
    }
    std::fs::copy("/bin/busybox", fs.join("bin/busybox")).unwrap();
    for a in ["sh", "sleep", "cat"] {
        std::os::unix::fs::symlink("busybox", fs.join("bin").join(a)).unwrap();
    }
    let ldd = Command::new("ldd")
        .arg(env!("CARGO_BIN_EXE_bulkhead"))
        .output()
        .unwrap();
    for line in String::from_utf8_lossy(&ldd.stdout).lines() {
        let lib = line
            .split_whitespace()
            .find(|w| w.starts_with('/'))
            .map(str::to_string);
        if let Some(lib) = lib {
            let to = fs.join(lib.trim_start_matches('/'));
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&lib, &to).unwrap();
        }
    }
    let tar = dir.join("rootfs.tar");
    let ok = Command::new("tar")
        .arg("-C")
        .arg(&fs)
        .arg("-cf")
        .arg(&tar)
        .arg(".")
        .status()
        .unwrap();
    assert!(ok.success());
    tar
}

/// One probe reading of `runtime-samples/*.txt`.
#[derive(Debug, Default)]
struct Sample {
    fields: BTreeMap<String, String>,
    host_ns: BTreeSet<String>,
    own_ns: BTreeSet<String>,
    root_ro: Option<bool>,
    limits: BTreeMap<String, String>,
}

/// Reads a sample independently of the product's parsers.
fn sample(text: &str) -> Sample {
    let mut s = Sample::default();
    let mut lines = text.lines().peekable();
    while let Some(l) = lines.next() {
        if let Some((k, v)) = l.split_once(":\t") {
            s.fields.insert(k.to_string(), v.trim().to_string());
        } else if let Some(m) = l.strip_prefix("uid_map:") {
            s.fields
                .insert("uid_map".into(), m.trim().trim_end_matches(';').to_string());
        } else if let Some(ns) = l.strip_prefix("ns shared with host (probe shell): ") {
            for w in ns.split_whitespace() {
                match w.split_once('=') {
                    Some((n, "HOST")) => s.host_ns.insert(n.to_string()),
                    Some((n, _)) => s.own_ns.insert(n.to_string()),
                    None => false,
                };
            }
        } else if l.starts_with("root mount") {
            if let Some(next) = lines.next() {
                s.root_ro = next.split_whitespace().next().map(|o| o.starts_with("ro"));
            }
        } else if l.starts_with("memory.limit_in_bytes=") {
            for kv in l.split_whitespace() {
                if let Some((k, v)) = kv.split_once('=') {
                    s.limits.insert(k.to_string(), v.to_string());
                }
            }
        }
    }
    s
}

fn caps(hex: &str) -> Vec<String> {
    let mask = u64::from_str_radix(hex, 16).unwrap();
    (0..64)
        .filter(|b| mask & (1 << b) != 0)
        .map(|b| procfs::CAP_NAMES[b].to_string())
        .collect()
}

/// The host reading of one container equals the probe's for every field
/// the sample has.
fn compare(name: &str, c: &Container, s: &Sample) {
    if let Some(h) = s.fields.get("CapEff") {
        assert_eq!(
            c.caps_effective.as_ref().unwrap().value,
            caps(h),
            "{name} CapEff"
        );
    }
    if let Some(h) = s.fields.get("CapBnd") {
        assert_eq!(
            c.caps_bounding.as_ref().unwrap().value,
            caps(h),
            "{name} CapBnd"
        );
    }
    if let Some(v) = s.fields.get("NoNewPrivs") {
        assert_eq!(
            c.no_new_privs.as_ref().unwrap().value,
            v == "1",
            "{name} NNP"
        );
    }
    if let Some(v) = s.fields.get("Seccomp") {
        let ours = &c.seccomp.as_ref().unwrap().value;
        assert_eq!(ours == "unconfined", v == "0", "{name} seccomp {ours}");
    }
    if let Some(m) = s.fields.get("uid_map") {
        let parts: Vec<&str> = m.split_whitespace().collect();
        let identity = parts == ["0", "0", "4294967295"];
        match &c.uid_map {
            None => assert!(identity, "{name}: no uid map read, sample {m}"),
            Some(f) => assert_eq!(f.value, parts.join(":"), "{name} uid_map"),
        }
    }
    if let Some(uid) = s.fields.get("Uid") {
        let host_uid: u32 = uid.split_whitespace().nth(1).unwrap().parse().unwrap();
        let ours: u32 = c
            .user
            .as_ref()
            .unwrap()
            .value
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let expect = if c.uid_map.is_some() {
            host_uid - 100_000
        } else {
            host_uid
        };
        assert_eq!(ours, expect, "{name} uid");
    }
    for (ns, probe) in [
        (Ns::Pid, "pid"),
        (Ns::Net, "net"),
        (Ns::Ipc, "ipc"),
        (Ns::Uts, "uts"),
        (Ns::User, "user"),
        (Ns::Cgroup, "cgroup"),
    ] {
        let host = c.ns(ns).unwrap().value == NsMode::Host;
        if s.host_ns.contains(probe) || s.own_ns.contains(probe) {
            assert_eq!(host, s.host_ns.contains(probe), "{name} {probe} namespace");
        }
    }
    if let Some(ro) = s.root_ro {
        assert_eq!(
            c.read_only.as_ref().unwrap().value,
            ro,
            "{name} read-only root"
        );
    }
    if let Some(m) = s.limits.get("memory.limit_in_bytes") {
        let limited = m.parse::<u64>().unwrap() < (1 << 62);
        assert_eq!(
            c.memory.as_ref().map(|f| f.value.clone()),
            limited.then(|| m.clone()),
            "{name} memory"
        );
    }
    if let Some(p) = s.limits.get("pids.max") {
        assert_eq!(
            c.pids.as_ref().map(|f| f.value.as_str()),
            Some(p.as_str()),
            "{name} pids"
        );
    }
    if let Some(q) = s.limits.get("cpu.cfs_quota_us") {
        let q: i64 = q.parse().unwrap();
        assert_eq!(
            c.cpus.as_ref().map(|f| f.value.clone()),
            (q > 0).then(|| format!("{}", q as f64 / 100_000.0)),
            "{name} cpus"
        );
    }
}

fn rule_ids(v: &serde_json::Value) -> BTreeSet<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn live_and_self_on_real_containers() {
    if !have("podman") {
        apt_install("podman");
    }
    if !Path::new("/bin/busybox").exists() {
        apt_install("busybox");
    }
    if !have("podman") || !have("runc") || !Path::new("/bin/busybox").exists() {
        return skip("podman, runc or busybox not available");
    }
    let dir = tempfile::tempdir().unwrap();
    let tag = format!("localhost/bulkhead-live-test:{}", std::process::id());
    let tar = rootfs(dir.path());
    let imp = podman(&["import", tar.to_str().unwrap(), &tag]);
    if !imp.status.success() {
        return skip(&format!(
            "podman import failed: {}",
            String::from_utf8_lossy(&imp.stderr).trim()
        ));
    }
    let sock = dir.path().join("fake-docker.sock");
    std::fs::write(&sock, "").unwrap();
    let bin = env!("CARGO_BIN_EXE_bulkhead");
    let mut guard = Cleanup {
        names: Vec::new(),
        image: tag.clone(),
    };
    let mut names = Vec::new();
    for (p, flags, _) in postures(sock.to_str().unwrap()) {
        let name = format!("bulkhead-live-{}-{p}", std::process::id());
        let mut args: Vec<String> = BASE.iter().map(|s| (*s).to_string()).collect();
        args.extend(["-d".into(), "--name".into(), name.clone()]);
        args.extend(["-v".into(), format!("{bin}:/bulkhead:ro")]);
        args.extend(flags);
        args.extend([tag.clone(), "sleep".into(), "600".into()]);
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = podman(&a);
        guard.names.push(name.clone());
        assert!(
            out.status.success(),
            "podman run {p}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        names.push((p, name));
    }

    // The host view, through the CLI.
    let mut args = vec!["runtime", "--live", "-f", "json"];
    args.extend(names.iter().map(|(_, n)| n.as_str()));
    let out = run(&args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v = json(&out);
    let mut by: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for f in v["findings"].as_array().unwrap() {
        let obj = f["location"]["object"].as_str().unwrap();
        let (p, _) = names
            .iter()
            .find(|(_, n)| obj == format!("container/{n}"))
            .unwrap_or_else(|| panic!("finding on an unknown object {obj}"));
        by.entry(p)
            .or_default()
            .insert(f["rule_id"].as_str().unwrap().to_string());
    }
    let has = |p: &str, ids: &[&str], not: &[&str]| {
        let got = by.get(p).cloned().unwrap_or_default();
        for i in ids {
            assert!(got.contains(*i), "{p}: {i} missing from {got:?}");
        }
        for i in not {
            assert!(!got.contains(*i), "{p}: {i} unexpected in {got:?}");
        }
    };
    has(
        "default",
        &["RT003", "RT004", "RT005", "RT009", "RT016", "RT017"],
        &[
            "RT001", "RT006", "RT010", "RT011", "RT012", "RT013", "RT018",
        ],
    );
    has("priv", &["RT001", "RT006"], &["RT002", "RT003", "RT019"]);
    assert!(!by.contains_key("hard"), "hardened: {:?}", by.get("hard"));
    has(
        "hostns",
        &[
            "RT002", "RT006", "RT010", "RT011", "RT012", "RT013", "RT014", "RT015",
        ],
        &["RT001"],
    );
    has("userns", &["RT003", "RT004"], &["RT001", "RT012", "RT013"]);
    let userns_root = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule_id"] == "RT004"
                && f["location"]["object"]
                    .as_str()
                    .unwrap()
                    .ends_with("-userns")
        })
        .unwrap();
    assert!(
        userns_root["message"]
            .as_str()
            .unwrap()
            .contains("user namespace maps it: 0:100000:65536"),
        "{userns_root}"
    );

    // Readings against the probe samples.
    let host = Host::system();
    let found = live::discover(&host).found;
    for (p, _, file) in postures("") {
        let (_, name) = names.iter().find(|(q, _)| *q == p).unwrap();
        let f = found.iter().find(|f| f.name == *name).unwrap();
        let c = live::read(&host, f).unwrap();
        match corpus_text(file) {
            Some(t) => compare(p, &c, &sample(&t)),
            None => skip_corpus(),
        }
    }

    // The OCI config podman wrote for each container (inspect's
    // OCIConfigPath), read as a file, gives the rules the kernel view gives.
    for (p, name) in &names {
        let out = podman(&["inspect", "-f", "{{.OCIConfigPath}}", name]);
        let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(Path::new(&path).is_file(), "{p}: OCIConfigPath {path:?}");
        let cfg = json(&run(&["runtime", &path, "-f", "json"]));
        let got = rule_ids(&cfg);
        let want = by.get(p).cloned().unwrap_or_default();
        assert_eq!(got, want, "{p}: OCIConfigPath {path} and --live disagree");
    }

    // --self inside each container reports the host view's rules.
    for (p, name) in &names {
        let out = podman(&["exec", name, "/bulkhead", "runtime", "--self", "-f", "json"]);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{p}: --self exited {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        let inside: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let got = rule_ids(&inside);
        let want = by.get(p).cloned().unwrap_or_default();
        assert_eq!(got, want, "{p}: --self and --live disagree");
        if *p == "priv" {
            let notes = inside["notes"].to_string();
            assert!(notes.contains("release_agent"), "{p}: {notes}");
        }
    }
    drop(guard);
}

fn corpus_text(file: &str) -> Option<String> {
    let p = shared()?.join("runtime-samples").join(file);
    std::fs::read_to_string(p).ok()
}

fn skip_corpus() {
    assert!(
        std::env::var_os("BULKHEAD_REQUIRE_CORPORA").is_none(),
        "../shared/corpora/runtime-samples missing and BULKHEAD_REQUIRE_CORPORA is set"
    );
    eprintln!("\n\n*** SKIPPED: ../shared/corpora/runtime-samples not found ***\n");
}

#[test]
fn live_names_that_match_nothing_are_errors() {
    let out = run(&["runtime", "--live", "no-such-container-anywhere"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no-such-container-anywhere: no running container"),
        "{}",
        stderr(&out)
    );
    let out = run(&["runtime", "--live", "--file", "x.yml"]);
    assert_eq!(out.status.code(), Some(2));
}
