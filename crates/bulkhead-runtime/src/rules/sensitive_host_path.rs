//! RT011: sensitive host path mounted.

use crate::model::Container;
use crate::model::MountKind;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

/// Host locations and what they give an attacker.
const SENSITIVE: &[(&str, &str)] = &[
    (
        "/etc",
        "host configuration and credentials (shadow, sudoers, cron, SSH keys)",
    ),
    (
        "/proc",
        "host kernel tunables (core_pattern, sysrq-trigger) and other processes",
    ),
    (
        "/sys",
        "kernel and cgroup controls (release_agent, devices)",
    ),
    ("/dev", "every host device, the disks included"),
    ("/boot", "the host kernel and boot loader"),
    ("/root", "root's home: SSH keys, shell history, credentials"),
    ("/lib/modules", "kernel modules the host loads"),
    ("/usr/lib/modules", "kernel modules the host loads"),
    (
        "/var/lib/docker",
        "every container's filesystem and the daemon's state",
    ),
    ("/var/lib/containerd", "every container's filesystem"),
    (
        "/var/lib/kubelet",
        "pod volumes, service-account tokens and kubelet credentials",
    ),
    ("/run", "runtime sockets (docker.sock, containerd.sock)"),
    ("/var/run", "runtime sockets (docker.sock, containerd.sock)"),
    ("/etc/shadow", "host password hashes"),
    ("/etc/sudoers", "host sudo rules"),
    (
        "/etc/kubernetes",
        "cluster credentials and static pod manifests",
    ),
    ("/etc/ssh", "host SSH keys and sshd configuration"),
    (
        "/etc/docker",
        "the Docker daemon's configuration and TLS keys",
    ),
    ("/etc/cron.d", "host cron jobs"),
    ("/etc/crontab", "host cron jobs"),
];

/// Entries whose subpaths are not all sensitive (`/etc/localtime`, `/run/user/1000/bus`,
/// `/dev/snd`): only the entry itself, its parents and the subpaths listed above.
const EXACT: &[&str] = &["/etc", "/run", "/var/run", "/dev"];

/// Why a host path is sensitive: it is, contains or is inside one of the list.
pub fn sensitive(source: &str) -> Option<String> {
    if !source.starts_with('/') {
        return None;
    }
    let s = source.trim_end_matches('/');
    if s.is_empty() {
        return Some("the whole host filesystem".into());
    }
    for (p, why) in SENSITIVE {
        if s == *p || (!EXACT.contains(p) && s.starts_with(&format!("{p}/"))) {
            return Some((*why).to_string());
        }
    }
    let inside: Vec<&str> = SENSITIVE
        .iter()
        .filter(|(p, _)| p.starts_with(&format!("{s}/")))
        .map(|(p, _)| *p)
        .collect();
    (!inside.is_empty()).then(|| format!("contains {}", inside.join(", ")))
}

pub static RULE: RuleMeta = RuleMeta {
    id: "RT011",
    slug: "sensitive-host-path",
    title: "Sensitive host path mounted",
    severity: Severity::High,
    layer: "runtime",
    tags: &["runtime", "mounts", "escape"],
    default_enabled: true,
    what: "A bind mount's host path is, contains or lies under a sensitive host location (for `/etc`, `/run` and `/dev` only the directory itself and listed files): `/`, `/etc`, `/proc`, `/sys`, `/dev`, `/boot`, `/root`, `/lib/modules`, `/var/lib/docker`, `/var/lib/containerd`, `/var/lib/kubelet`, `/run` or `/var/run` (the runtime sockets), or credential files such as `/etc/shadow`. Read-only mounts are reported too, with their mode in the message. Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`). The Kubernetes equivalent is K8S008.",
    why: "Each is a known step to the host: rw `/etc` adds a user or a cron job; `/proc` and `/sys` reach `core_pattern`, `sysrq-trigger` and cgroup `release_agent`; `/var/lib/docker` rewrites other containers' layers; `/lib/modules` and `/boot` plant a kernel module or kernel; even read-only `/` or `/etc` leaks `/etc/shadow`, SSH host keys and kubelet credentials.",
    fix: "Mount only the file or directory the service needs (`/etc/localtime:/etc/localtime:ro`), read-only; expose host metrics through an exporter designed for it rather than `/`, `/proc` and `/sys`.",
    example: include_str!("../../fixtures/RT011/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RT011/pass.yaml"),
    equivalents: &[eq("bulkhead", "K8S008"), eq("docker-bench", "5.5")],
    references: &["https://docs.docker.com/engine/storage/bind-mounts/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    let mut out = Vec::new();
    for m in &c.mounts {
        if m.kind != MountKind::Bind {
            continue;
        }
        if let Some(p) = sensitive(&m.source) {
            out.push(
                super::finding(
                    &RULE,
                    c,
                    &m.at,
                    format!(
                        "{} mounts host path {} at {} ({}): {}",
                        c.object(),
                        m.source,
                        m.target,
                        if m.read_only {
                            "read-only"
                        } else {
                            "read-write"
                        },
                        p
                    ),
                )
                .with_evidence("host_path", m.source.clone()),
            );
        }
    }
    out
}
