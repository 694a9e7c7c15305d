//! Baseline: unsafe sysctls (the safe set grows with the version).

use super::*;
use bulkhead_core::rule::eq;
use bulkhead_core::yaml::Node;
use bulkhead_core::{RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "PSS010",
    slug: "unsafe-sysctls",
    title: "Sysctl outside the safe set",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["pss", "baseline", "runtime"],
    default_enabled: true,
    what: "`spec.securityContext.sysctls` names a sysctl outside the safe, namespaced set of the chosen version: kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_unprivileged_port_start; plus net.ipv4.ip_local_reserved_ports (v1.27), net.ipv4.tcp_keepalive_time, tcp_fin_timeout, tcp_keepalive_intvl, tcp_keepalive_probes (v1.29), net.ipv4.tcp_rmem, tcp_wmem (v1.32), net.ipv4.tcp_slow_start_after_idle, tcp_notsent_lowat (v1.37) (PSS baseline control `sysctls`).",
    why: "Sysctls outside the safe set are not isolated per pod: they change the whole node's kernel (for example `kernel.core_pattern`, which makes the kernel run a program of the attacker's choice as root on the host when a process crashes, or `vm.*` memory settings that starve other pods).",
    fix: "Remove the unsafe sysctl; tune the node itself through its provisioning if it really needs the setting.",
    example: include_str!("../../fixtures/PSS010/fail.yaml"),
    example_fixed: include_str!("../../fixtures/PSS010/pass.yaml"),
    equivalents: &[
        eq("PSS", "sysctls"),
        eq("Trivy", "KSV026"),
        eq("kube-linter", "unsafe-sysctls"),
    ],
    references: &[
        PSS_DOC,
        "https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/",
    ],
};

pub static CHECK: Check = Check {
    id: "sysctls",
    level: Level::Baseline,
    rule: &RULE,
    versions: &[
        VersionedCheck {
            min: 0,
            check: v1_0,
            overrides: &[],
        },
        VersionedCheck {
            min: 27,
            check: v1_27,
            overrides: &[],
        },
        VersionedCheck {
            min: 29,
            check: v1_29,
            overrides: &[],
        },
        VersionedCheck {
            min: 32,
            check: v1_32,
            overrides: &[],
        },
        VersionedCheck {
            min: 37,
            check: v1_37,
            overrides: &[],
        },
    ],
};

const SAFE: &[(&str, u32)] = &[
    ("kernel.shm_rmid_forced", 0),
    ("net.ipv4.ip_local_port_range", 0),
    ("net.ipv4.tcp_syncookies", 0),
    ("net.ipv4.ping_group_range", 0),
    ("net.ipv4.ip_unprivileged_port_start", 0),
    ("net.ipv4.ip_local_reserved_ports", 27),
    ("net.ipv4.tcp_keepalive_time", 29),
    ("net.ipv4.tcp_fin_timeout", 29),
    ("net.ipv4.tcp_keepalive_intvl", 29),
    ("net.ipv4.tcp_keepalive_probes", 29),
    ("net.ipv4.tcp_rmem", 32),
    ("net.ipv4.tcp_wmem", 32),
    ("net.ipv4.tcp_slow_start_after_idle", 37),
    ("net.ipv4.tcp_notsent_lowat", 37),
];

fn v1_0(pod: &PodTemplate<'_>) -> Vec<Violation> {
    check(pod, 0)
}
fn v1_27(pod: &PodTemplate<'_>) -> Vec<Violation> {
    check(pod, 27)
}
fn v1_29(pod: &PodTemplate<'_>) -> Vec<Violation> {
    check(pod, 29)
}
fn v1_32(pod: &PodTemplate<'_>) -> Vec<Violation> {
    check(pod, 32)
}
fn v1_37(pod: &PodTemplate<'_>) -> Vec<Violation> {
    check(pod, 37)
}

fn check(pod: &PodTemplate<'_>, minor: u32) -> Vec<Violation> {
    let safe = |n: &str| SAFE.iter().any(|(s, v)| *s == n && *v <= minor);
    let Some(list) = pod.security_context().and_then(|s| s.get("sysctls")) else {
        return Vec::new();
    };
    let name_of = |n: &Node| {
        n.get("name")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string()
    };
    let keep: Vec<serde_json::Value> = list
        .items()
        .iter()
        .filter(|s| safe(&name_of(s)))
        .map(Node::to_json)
        .collect();
    let p = pod.sc_path().key("sysctls");
    list.items()
        .iter()
        .enumerate()
        .filter(|(_, s)| !safe(&name_of(s)))
        .map(|(i, s)| {
            let name = name_of(s);
            violation(
                &RULE,
                p.index(i).key("name"),
                format!("forbidden sysctl {name}"),
                fix(format!("remove sysctl {name}"), vec![set(&p, json!(keep))]),
            )
        })
        .collect()
}
