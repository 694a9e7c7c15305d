//! Baseline: AppArmor profile overrides.

use super::*;
use bulkhead_core::rule::eq;
use bulkhead_core::yaml::Node;
use bulkhead_core::{RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "PSS006",
    slug: "apparmor-profile",
    title: "AppArmor confinement disabled or overridden",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["pss", "baseline", "runtime"],
    default_enabled: true,
    what: "`securityContext.appArmorProfile.type` (pod or container) is not RuntimeDefault or Localhost, or a `container.apparmor.security.beta.kubernetes.io/*` annotation is not `runtime/default` or `localhost/*` (PSS baseline control `appArmorProfile`).",
    why: "The runtime's default AppArmor profile blocks mounts, writes to /proc and /sys and other kernel interfaces used in container escapes. `Unconfined` removes that layer, so an attacker with code execution can use those interfaces if any other control (capabilities, seccomp) is weak.",
    fix: "Remove the override or set `appArmorProfile.type: RuntimeDefault` (or a reviewed `Localhost` profile).",
    example: include_str!("../../fixtures/PSS006/fail.yaml"),
    example_fixed: include_str!("../../fixtures/PSS006/pass.yaml"),
    equivalents: &[eq("PSS", "appArmorProfile"), eq("Trivy", "KSV002")],
    references: &[
        PSS_DOC,
        "https://kubernetes.io/docs/tutorials/security/apparmor/",
    ],
};

pub static CHECK: Check = Check {
    id: "appArmorProfile",
    level: Level::Baseline,
    rule: &RULE,
    versions: &[VersionedCheck {
        min: 0,
        check: v1_0,
        overrides: &[],
    }],
};

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn allowed_type(t: &str) -> bool {
    matches!(t, "RuntimeDefault" | "Localhost")
}

fn v1_0(pod: &PodTemplate<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut field = |sc: Option<&Node>, sc_path: FieldPath, who: String| {
        let Some(profile) = sc.and_then(|s| s.get("appArmorProfile")) else {
            return;
        };
        let t = profile.get("type").and_then(Node::as_str).unwrap_or("");
        if allowed_type(t) {
            return;
        }
        let p = sc_path.keys(&["appArmorProfile", "type"]);
        out.push(violation(
            &RULE,
            p.clone(),
            format!("{who} must not set AppArmor profile type to \"{t}\""),
            fix(
                "set appArmorProfile.type to RuntimeDefault",
                vec![set(&p, json!("RuntimeDefault"))],
            ),
        ));
    };
    field(pod.security_context(), pod.sc_path(), "pod".to_string());
    for c in &pod.containers {
        field(c.security_context(), c.sc_path(), c.label());
    }
    for e in pod.annotations() {
        let Some(k) = e.key.as_str() else { continue };
        if !k.starts_with(ANNOTATION_PREFIX) {
            continue;
        }
        let v = e.value.as_str().unwrap_or("");
        if v.is_empty() || v == "runtime/default" || v.starts_with("localhost/") {
            continue;
        }
        let p = pod.meta_path.key("annotations").key(k.to_string());
        out.push(violation(
            &RULE,
            p.clone(),
            format!("annotation {k}=\"{v}\" sets a forbidden AppArmor profile"),
            fix(
                "set the annotation to runtime/default",
                vec![set(&p, json!("runtime/default"))],
            ),
        ));
    }
    out
}
