//! Baseline: capabilities beyond the default set.

use super::*;
use bulkhead_core::rule::eq;
use bulkhead_core::yaml::Node;
use bulkhead_core::{RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "PSS003",
    slug: "capabilities-baseline",
    title: "Container adds a capability outside the default set",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["pss", "baseline", "runtime"],
    default_enabled: true,
    what: "`securityContext.capabilities.add` contains a capability other than AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT (PSS baseline control `capabilities_baseline`; names compare exactly, as upstream).",
    why: "Extra capabilities are slices of root on the node: SYS_ADMIN allows mounting filesystems and is the basis of most container escapes (e.g. the cgroup `release_agent` escape), SYS_PTRACE lets a process read other processes' memory, NET_ADMIN reconfigures the network and NET_RAW forges packets for ARP/DNS spoofing of neighbouring pods, SYS_MODULE loads kernel code.",
    fix: "Remove the capability from `capabilities.add`; drop ALL and add back only what the process needs from the default set.",
    example: include_str!("../../fixtures/PSS003/fail.yaml"),
    example_fixed: include_str!("../../fixtures/PSS003/pass.yaml"),
    equivalents: &[
        eq("PSS", "capabilities_baseline"),
        eq("Trivy", "KSV022"),
        eq("Checkov", "CKV_K8S_25 / CKV_K8S_39"),
        eq("kube-linter", "privilege-escalation-container"),
    ],
    references: &[
        PSS_DOC,
        "https://man7.org/linux/man-pages/man7/capabilities.7.html",
    ],
};

pub static CHECK: Check = Check {
    id: "capabilities_baseline",
    level: Level::Baseline,
    rule: &RULE,
    versions: &[VersionedCheck {
        min: 0,
        check: v1_0,
        overrides: &[],
    }],
};

const ALLOWED: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn v1_0(pod: &PodTemplate<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for c in &pod.containers {
        let Some(add) = c
            .security_context()
            .and_then(|s| s.path(&["capabilities", "add"]))
        else {
            continue;
        };
        let (ok, bad): (Vec<&Node>, Vec<&Node>) = add
            .items()
            .iter()
            .partition(|n| n.as_str().is_some_and(|s| ALLOWED.contains(&s)));
        if bad.is_empty() {
            continue;
        }
        let names: Vec<&str> = bad.iter().map(|n| n.as_str().unwrap_or("?")).collect();
        let p = c.sc_path().keys(&["capabilities", "add"]);
        let keep: Vec<serde_json::Value> = ok.iter().map(|n| n.to_json()).collect();
        out.push(violation(
            &RULE,
            p.clone(),
            format!(
                "{} must not include {} in securityContext.capabilities.add",
                c.label(),
                join_quote(&names)
            ),
            fix(
                format!("remove {} from capabilities.add", names.join(", ")),
                vec![set(&p, json!(keep))],
            ),
        ));
    }
    out
}
