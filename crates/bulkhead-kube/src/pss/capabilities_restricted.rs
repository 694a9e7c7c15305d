//! Restricted (v1.22+): drop ALL, add at most NET_BIND_SERVICE (Windows exempt from v1.25).

use super::*;
use bulkhead_core::rule::eq;
use bulkhead_core::yaml::Node;
use bulkhead_core::{RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "PSS014",
    slug: "capabilities-restricted",
    title: "Capabilities not dropped, or added beyond NET_BIND_SERVICE",
    severity: Severity::Medium,
    layer: "kubernetes",
    tags: &["pss", "restricted", "runtime"],
    default_enabled: true,
    what: "A container's `securityContext.capabilities.drop` does not contain `ALL`, or `capabilities.add` contains anything but `NET_BIND_SERVICE` (PSS restricted control `capabilities_restricted`, from v1.22, replacing `capabilities_baseline`; Windows pods exempt from v1.25).",
    why: "Container runtimes grant a default set of capabilities (CHOWN, DAC_OVERRIDE, FOWNER, SETUID, SETGID, NET_RAW, ...). Each is a tool for an attacker with code execution: NET_RAW forges ARP and DNS packets to intercept neighbouring pods' traffic, DAC_OVERRIDE ignores file permissions, SETUID/SETGID switch to any user. Dropping ALL removes them all at once.",
    fix: "Set `capabilities.drop: [\"ALL\"]` and add back only `NET_BIND_SERVICE` if the process binds a port below 1024.",
    example: include_str!("../../fixtures/PSS014/fail.yaml"),
    example_fixed: include_str!("../../fixtures/PSS014/pass.yaml"),
    equivalents: &[
        eq("PSS", "capabilities_restricted"),
        eq("Trivy", "KSV003"),
        eq("Checkov", "CKV_K8S_28 / CKV_K8S_37"),
        eq("kube-linter", "drop-net-raw-capability"),
    ],
    references: &[PSS_DOC],
};

pub static CHECK: Check = Check {
    id: "capabilities_restricted",
    level: Level::Restricted,
    rule: &RULE,
    versions: &[
        VersionedCheck {
            min: 22,
            check: v1_22,
            overrides: &["capabilities_baseline"],
        },
        VersionedCheck {
            min: 25,
            check: v1_25,
            overrides: &["capabilities_baseline"],
        },
    ],
};

/// Does this container's drop list contain `ALL` (exact, as upstream)?
pub(crate) fn drops_all(sc: Option<&Node>) -> bool {
    sc.and_then(|s| s.path(&["capabilities", "drop"]))
        .is_some_and(|d| d.items().iter().any(|n| n.as_str() == Some("ALL")))
}

fn v1_22(pod: &PodTemplate<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for c in &pod.containers {
        let sc = c.security_context();
        let caps = c.sc_path().key("capabilities");
        if !drops_all(sc) {
            let p = caps.key("drop");
            out.push(violation(
                &RULE,
                p.clone(),
                format!(
                    "{} must set securityContext.capabilities.drop=[\"ALL\"]",
                    c.label()
                ),
                fix(
                    "add ALL to capabilities.drop",
                    vec![append(&p, json!("ALL"))],
                ),
            ));
        }
        if let Some(add) = sc.and_then(|s| s.path(&["capabilities", "add"])) {
            let (ok, bad): (Vec<&Node>, Vec<&Node>) = add
                .items()
                .iter()
                .partition(|n| n.as_str() == Some("NET_BIND_SERVICE"));
            if !bad.is_empty() {
                let names: Vec<&str> = bad.iter().map(|n| n.as_str().unwrap_or("?")).collect();
                let p = caps.key("add");
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
        }
    }
    out
}

fn v1_25(pod: &PodTemplate<'_>) -> Vec<Violation> {
    if pod.is_windows() {
        return Vec::new();
    }
    v1_22(pod)
}
