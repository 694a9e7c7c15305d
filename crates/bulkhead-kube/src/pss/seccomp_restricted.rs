//! Restricted (v1.19+): a seccomp profile must be set (Windows exempt from v1.25).

use super::*;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "PSS017",
    slug: "seccomp-restricted",
    title: "No seccomp profile (RuntimeDefault or Localhost) set",
    severity: Severity::Medium,
    layer: "kubernetes",
    tags: &["pss", "restricted", "runtime"],
    default_enabled: true,
    what: "Neither the pod nor every container sets `seccompProfile.type` to RuntimeDefault or Localhost, or one sets another type (PSS restricted control `seccompProfile_restricted`, from v1.19, replacing `seccompProfile_baseline`; Windows pods exempt from v1.25).",
    why: "Kubernetes runs containers Unconfined by default unless the kubelet's SeccompDefault is on. Without a profile an attacker in the container can call every system call, including the ones (`unshare`, `keyctl`, `bpf`, `userfaultfd`) that kernel privilege-escalation exploits depend on.",
    fix: "Set `seccompProfile: {type: RuntimeDefault}` in the pod's securityContext.",
    example: include_str!("../../fixtures/PSS017/fail.yaml"),
    example_fixed: include_str!("../../fixtures/PSS017/pass.yaml"),
    equivalents: &[
        eq("PSS", "seccompProfile_restricted"),
        eq("Trivy", "KSV030"),
        eq("Checkov", "CKV_K8S_31"),
    ],
    references: &[
        PSS_DOC,
        "https://kubernetes.io/docs/tutorials/security/seccomp/",
    ],
};

pub static CHECK: Check = Check {
    id: "seccompProfile_restricted",
    level: Level::Restricted,
    rule: &RULE,
    versions: &[
        VersionedCheck {
            min: 19,
            check: v1_19,
            overrides: &["seccompProfile_baseline"],
        },
        VersionedCheck {
            min: 25,
            check: v1_25,
            overrides: &["seccompProfile_baseline"],
        },
    ],
};

fn v1_19(pod: &PodTemplate<'_>) -> Vec<Violation> {
    let mut out = super::seccomp_baseline::explicit_bad(pod, &RULE);
    let pod_set = pod
        .security_context()
        .and_then(|s| s.get("seccompProfile"))
        .is_some_and(|p| {
            super::seccomp_baseline::valid_type(
                p.get("type").and_then(|t| t.as_str()).unwrap_or(""),
            )
        });
    let pod_path = pod.sc_path().keys(&["seccompProfile", "type"]);
    for c in &pod.containers {
        if c.security_context()
            .and_then(|s| s.get("seccompProfile"))
            .is_some()
            || pod_set
        {
            continue;
        }
        out.push(violation(
            &RULE,
            c.sc_path().keys(&["seccompProfile", "type"]),
            format!("pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"", c.label()),
            fix("set the pod's seccompProfile.type to RuntimeDefault", vec![set(&pod_path, json!("RuntimeDefault"))]),
        ));
    }
    out
}

fn v1_25(pod: &PodTemplate<'_>) -> Vec<Violation> {
    if pod.is_windows() {
        return Vec::new();
    }
    v1_19(pod)
}
