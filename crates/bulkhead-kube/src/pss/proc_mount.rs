//! Baseline: /proc mount type (relaxed for user-namespaced pods from v1.35).

use super::*;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "PSS008",
    slug: "proc-mount",
    title: "Unmasked /proc",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["pss", "baseline", "runtime"],
    default_enabled: true,
    what: "A container sets `securityContext.procMount` to anything but `Default` (PSS baseline control `procMount`; from v1.35 any value is allowed when the pod sets `hostUsers: false`).",
    why: "The default /proc mount masks paths such as /proc/kcore, /proc/sysrq-trigger and /proc/sys that expose kernel memory and host-wide settings. `Unmasked` hands them to the container: with root in the container that is a direct path to crashing or reconfiguring the node.",
    fix: "Remove `procMount` or set it to `Default`. Unmasked /proc is only reasonable for nested container runtimes in a user namespace (`hostUsers: false`).",
    example: include_str!("../../fixtures/PSS008/fail.yaml"),
    example_fixed: include_str!("../../fixtures/PSS008/pass.yaml"),
    equivalents: &[
        eq("PSS", "procMount"),
        eq("Trivy", "KSV027"),
        eq("kube-linter", "unsafe-proc-mount"),
    ],
    references: &[PSS_DOC],
};

pub static CHECK: Check = Check {
    id: "procMount",
    level: Level::Baseline,
    rule: &RULE,
    versions: &[
        VersionedCheck {
            min: 0,
            check: v1_0,
            overrides: &[],
        },
        VersionedCheck {
            min: 35,
            check: v1_35,
            overrides: &[],
        },
    ],
};

/// The unconditional check, also run by the restricted `procMount_restricted`.
pub(super) fn unmasked(pod: &PodTemplate<'_>, rule: &'static RuleMeta) -> Vec<Violation> {
    pod.containers
        .iter()
        .filter_map(|c| {
            let v = c.security_context().and_then(|s| s.get("procMount"))?;
            let t = v.as_str().unwrap_or("");
            if t == "Default" {
                return None;
            }
            let p = c.sc_path().key("procMount");
            Some(violation(
                rule,
                p.clone(),
                format!(
                    "{} must not set securityContext.procMount to \"{t}\"",
                    c.label()
                ),
                fix("set procMount to Default", vec![set(&p, json!("Default"))]),
            ))
        })
        .collect()
}

fn v1_0(pod: &PodTemplate<'_>) -> Vec<Violation> {
    unmasked(pod, &RULE)
}

fn v1_35(pod: &PodTemplate<'_>) -> Vec<Violation> {
    if pod.user_namespace() {
        return Vec::new();
    }
    unmasked(pod, &RULE)
}
