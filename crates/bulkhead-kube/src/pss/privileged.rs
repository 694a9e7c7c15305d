//! Baseline: privileged containers.

use super::*;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "PSS002",
    slug: "privileged",
    title: "Privileged container",
    severity: Severity::Critical,
    layer: "kubernetes",
    tags: &["pss", "baseline", "runtime"],
    default_enabled: true,
    what: "A container sets `securityContext.privileged: true` (PSS baseline control `privileged`; containers, init containers and ephemeral containers).",
    why: "A privileged container gets every capability, all host devices under /dev and no seccomp, AppArmor or SELinux confinement. Anyone who gets code execution in it can mount the node's disk (`mount /dev/sda1 /mnt`), load kernel modules or write to /proc/sysrq-trigger: it is root on the node, and from there every other pod's secrets and the kubelet's credentials.",
    fix: "Remove `privileged: true` (or set it to false) and grant only the specific capability the workload needs, if any. Device access belongs in a device plugin.",
    example: include_str!("../../fixtures/PSS002/fail.yaml"),
    example_fixed: include_str!("../../fixtures/PSS002/pass.yaml"),
    equivalents: &[
        eq("Falco", "Create Privileged Pod"),
        eq("PSS", "privileged"),
        eq("Trivy", "KSV017"),
        eq("Checkov", "CKV_K8S_16"),
        eq("kube-linter", "privileged-container"),
    ],
    references: &[PSS_DOC],
};

pub static CHECK: Check = Check {
    id: "privileged",
    level: Level::Baseline,
    rule: &RULE,
    versions: &[VersionedCheck {
        min: 0,
        check: v1_0,
        overrides: &[],
    }],
};

fn v1_0(pod: &PodTemplate<'_>) -> Vec<Violation> {
    pod.containers
        .iter()
        .filter(|c| {
            c.security_context()
                .and_then(|s| s.get("privileged"))
                .and_then(|n| n.as_bool())
                == Some(true)
        })
        .map(|c| {
            let p = c.sc_path().key("privileged");
            violation(
                &RULE,
                p.clone(),
                format!("{} must not set securityContext.privileged=true", c.label()),
                fix(
                    "set securityContext.privileged to false",
                    vec![set(&p, json!(false))],
                ),
            )
        })
        .collect()
}
