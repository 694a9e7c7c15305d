//! Restricted (v1.8+): allowPrivilegeEscalation must be false (Windows pods exempt from v1.25).

use super::*;
use bulkhead_core::rule::eq;
use bulkhead_core::yaml::Node;
use bulkhead_core::{RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "PSS013",
    slug: "allow-privilege-escalation",
    title: "Privilege escalation not disabled",
    severity: Severity::Medium,
    layer: "kubernetes",
    tags: &["pss", "restricted", "runtime"],
    default_enabled: true,
    what: "A container does not set `securityContext.allowPrivilegeEscalation: false` (PSS restricted control `allowPrivilegeEscalation`, from v1.8; pods with `spec.os.name: windows` are exempt from v1.25).",
    why: "Unless it is false the kernel's no_new_privs flag stays off, so a process that an attacker controls inside the container can gain privileges through set-user-ID binaries (`su`, `sudo`, `mount`, a planted SUID shell) or file capabilities, turning a foothold as an unprivileged user into root in the container, one step from the node.",
    fix: "Set `allowPrivilegeEscalation: false` in every container's securityContext.",
    example: include_str!("../../fixtures/PSS013/fail.yaml"),
    example_fixed: include_str!("../../fixtures/PSS013/pass.yaml"),
    equivalents: &[
        eq("PSS", "allowPrivilegeEscalation"),
        eq("Trivy", "KSV001"),
        eq("Checkov", "CKV_K8S_20"),
        eq("kube-linter", "privilege-escalation-container"),
    ],
    references: &[PSS_DOC],
};

pub static CHECK: Check = Check {
    id: "allowPrivilegeEscalation",
    level: Level::Restricted,
    rule: &RULE,
    versions: &[
        VersionedCheck {
            min: 8,
            check: v1_8,
            overrides: &[],
        },
        VersionedCheck {
            min: 25,
            check: v1_25,
            overrides: &[],
        },
    ],
};

fn v1_8(pod: &PodTemplate<'_>) -> Vec<Violation> {
    pod.containers
        .iter()
        .filter(|c| {
            c.security_context()
                .and_then(|s| s.get("allowPrivilegeEscalation"))
                .and_then(Node::as_bool)
                != Some(false)
        })
        .map(|c| {
            let p = c.sc_path().key("allowPrivilegeEscalation");
            violation(
                &RULE,
                p.clone(),
                format!(
                    "{} must set securityContext.allowPrivilegeEscalation=false",
                    c.label()
                ),
                fix(
                    "set allowPrivilegeEscalation to false",
                    vec![set(&p, json!(false))],
                ),
            )
        })
        .collect()
}

fn v1_25(pod: &PodTemplate<'_>) -> Vec<Violation> {
    if pod.is_windows() {
        return Vec::new();
    }
    v1_8(pod)
}
