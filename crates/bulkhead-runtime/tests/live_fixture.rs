//! `runtime --live` on fixture `/proc` trees: a crun container on a cgroup
//! v2 host named by its CRI annotations, a stale state file whose PID is
//! gone, a reused PID, and a process that exits between discovery and the
//! read.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_runtime::sources::live::{self, Host};
use bulkhead_runtime::sources::procfs::Fs;
use bulkhead_runtime::{Ns, NsMode};
use std::path::Path;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel.trim_start_matches('/'));
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn ns_links(root: &Path, pid: &str, inodes: &[(&str, u64)]) {
    let dir = root.join(format!("proc/{pid}/ns"));
    std::fs::create_dir_all(&dir).unwrap();
    for (n, i) in inodes {
        std::os::unix::fs::symlink(format!("{n}:[{i}]"), dir.join(n)).unwrap();
    }
}

const HOST_NS: &[(&str, u64)] = &[
    ("pid", 4026531836),
    ("net", 4026531833),
    ("ipc", 4026531839),
    ("uts", 4026531838),
    ("user", 4026531837),
    ("cgroup", 4026531835),
];

fn status(uid: u32, eff: &str, bnd: &str, nnp: u8, seccomp: u8) -> String {
    format!(
        "Name:\tnginx\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\nGid:\t{uid}\t{uid}\t{uid}\t{uid}\nCapEff:\t{eff}\nCapBnd:\t{bnd}\nNoNewPrivs:\t{nnp}\nSeccomp:\t{seccomp}\nSeccomp_filters:\t1\n"
    )
}

fn stat(pid: u32, start: u64) -> String {
    format!(
        "{pid} (nginx) S 1 {pid} {pid} 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 {start} 1000 10\n"
    )
}

/// A cgroup v2 host with one crun container (pid 4242) in a user
/// namespace, with its own pid/net/ipc/uts namespaces but the host's
/// cgroup namespace, a docker.sock bind from the host's /run tmpfs, a
/// read-only root and v2 limits.
fn host_tree(root: &Path) {
    let host_mi = "23 1 254:0 / / rw - ext4 /dev/vda rw\n24 23 0:22 / /run rw shared:5 - tmpfs tmpfs rw\n30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
    write(root, "/proc/self/mountinfo", host_mi);
    write(
        root,
        "/proc/self/status",
        &status(0, "000001ffffffffff", "000001ffffffffff", 0, 0),
    );
    ns_links(root, "self", HOST_NS);
    write(
        root,
        "/run/crun/abc123def456/status",
        r#"{"pid": 4242, "bundle": "/run/k8s/abc123def456", "created": "2026-01-01T00:00:00Z"}"#,
    );
    write(
        root,
        "/run/k8s/abc123def456/config.json",
        r#"{"ociVersion":"1.0.2","annotations":{"io.kubernetes.cri.container-name":"web","io.kubernetes.cri.sandbox-name":"web-7d9f","io.kubernetes.cri.sandbox-namespace":"shop"}}"#,
    );
    write(root, "/proc/4242/stat", &stat(4242, 5555));
    write(
        root,
        "/proc/4242/status",
        &status(100_000, "00000000a80425fb", "00000000a80425fb", 1, 2),
    );
    write(
        root,
        "/proc/4242/uid_map",
        "         0     100000      65536\n",
    );
    write(
        root,
        "/proc/4242/gid_map",
        "         0     100000      65536\n",
    );
    write(
        root,
        "/proc/4242/mountinfo",
        "80 53 0:41 / / ro,relatime - overlay overlay rw\n\
         81 80 0:44 / /proc rw - proc proc rw\n\
         87 80 0:22 /docker.sock /var/run/docker.sock rw shared:5 - tmpfs tmpfs rw\n\
         88 80 0:50 /null /proc/keys rw - tmpfs tmpfs rw\n",
    );
    write(
        root,
        "/proc/4242/cgroup",
        "0::/kubepods/pod1/abc123def456\n",
    );
    let cg = "/sys/fs/cgroup/kubepods/pod1/abc123def456";
    write(root, &format!("{cg}/memory.max"), "134217728\n");
    write(root, &format!("{cg}/pids.max"), "max\n");
    write(root, &format!("{cg}/cpu.max"), "25000 100000\n");
    ns_links(
        root,
        "4242",
        &[
            ("pid", 4026532201),
            ("net", 4026532202),
            ("ipc", 4026532203),
            ("uts", 4026532204),
            ("user", 4026532205),
            ("cgroup", 4026531835),
        ],
    );
    std::fs::create_dir_all(root.join("proc/4242/root/dev")).unwrap();
}

fn host(root: &Path) -> Host {
    Host {
        fs: Fs::new(root),
        state_roots: vec!["/run/crun".into(), "/run/runc".into()],
        reference: "self".into(),
    }
}

#[test]
fn a_crun_container_on_cgroup_v2() {
    let dir = tempfile::tempdir().unwrap();
    host_tree(dir.path());
    let h = host(dir.path());
    let d = live::discover(&h);
    assert!(d.errors.is_empty() && d.notes.is_empty(), "{d:?}");
    assert_eq!(d.found.len(), 1);
    let f = &d.found[0];
    assert_eq!(
        (f.name.as_str(), f.pid, f.runtime),
        ("shop/web-7d9f/web", 4242, "crun")
    );
    let c = live::read(&h, f).unwrap();
    assert_eq!(
        c.user.as_ref().unwrap().value,
        "0:0",
        "host uid 100000 is root inside"
    );
    assert_eq!(c.uid_map.as_ref().unwrap().value, "0:100000:65536");
    assert!(c.no_new_privs.as_ref().unwrap().value);
    assert_eq!(c.seccomp.as_ref().unwrap().value, "filter (1 filters)");
    assert!(c.read_only.as_ref().unwrap().value);
    assert!(!c.is_privileged());
    assert_eq!(c.memory.as_ref().unwrap().value, "134217728");
    assert_eq!(c.cpus.as_ref().unwrap().value, "0.25");
    assert!(c.pids.is_none(), "pids.max is max");
    assert_eq!(
        c.memory.as_ref().unwrap().at.file,
        "/sys/fs/cgroup/kubepods/pod1/abc123def456/memory.max"
    );
    for (ns, mode) in [
        (Ns::Pid, NsMode::Private),
        (Ns::Net, NsMode::Private),
        (Ns::User, NsMode::Private),
        (Ns::Cgroup, NsMode::Host),
    ] {
        assert_eq!(c.ns(ns).unwrap().value, mode, "{ns:?}");
    }
    let caps = &c.caps_effective.as_ref().unwrap().value;
    assert!(caps.contains(&"NET_RAW".to_string()) && caps.contains(&"MKNOD".to_string()));
    let m: Vec<(&str, &str)> = c
        .mounts
        .iter()
        .map(|m| (m.source.as_str(), m.target.as_str()))
        .collect();
    assert_eq!(m, [("/run/docker.sock", "/var/run/docker.sock")]);
    assert_eq!(c.mounts[0].propagation.as_deref(), Some("shared"));
    let ids: Vec<String> = bulkhead_runtime::rules::check(&[c], &|_| true)
        .into_iter()
        .map(|f| f.rule_id.to_string())
        .collect();
    for want in ["RT003", "RT004", "RT010", "RT018"] {
        assert!(ids.contains(&want.to_string()), "{want} in {ids:?}");
    }
    for not in [
        "RT001", "RT005", "RT006", "RT009", "RT012", "RT016", "RT017",
    ] {
        assert!(!ids.contains(&not.to_string()), "{not} in {ids:?}");
    }
}

#[test]
fn stale_state_reused_pid_and_a_process_that_exits() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    host_tree(root);
    // A runc container whose PID is gone, and one whose PID was reused.
    write(
        root,
        "/run/runc/gone/state.json",
        r#"{"id":"gone","init_process_pid":9999,"init_process_start":1}"#,
    );
    write(
        root,
        "/run/runc/reused/state.json",
        r#"{"id":"reused","init_process_pid":4242,"init_process_start":1}"#,
    );
    write(root, "/run/runc/broken/state.json", "{not json");
    let h = host(root);
    let d = live::discover(&h);
    assert_eq!(d.found.len(), 1, "{d:?}");
    let notes = d.notes.join("\n");
    assert!(
        notes.contains("container gone: init PID 9999 is not running"),
        "{notes}"
    );
    assert!(
        notes.contains("container reused: PID 4242 now belongs to another process"),
        "{notes}"
    );
    assert!(notes.contains("not JSON"), "{notes}");
    // The process exits after discovery.
    std::fs::remove_file(root.join("proc/4242/status")).unwrap();
    let e = live::read(&h, &d.found[0]).unwrap_err().to_string();
    assert!(
        e.contains("init PID 4242 exited while it was being read"),
        "{e}"
    );
}
