//! Restricted (v1.23+): runAsUser must not be 0 (relaxed for user-namespaced pods from v1.35).

use super::*;
use bulkhead_core::rule::eq;
use bulkhead_core::yaml::Node;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "PSS016",
    slug: "run-as-user-root",
    title: "runAsUser is 0 (root)",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["pss", "restricted", "runtime"],
    default_enabled: true,
    what: "The pod or a container sets `securityContext.runAsUser: 0` (PSS restricted control `runAsUser`, from v1.23; from v1.35 pods with `hostUsers: false` are exempt).",
    why: "UID 0 in the container is UID 0 on the node's kernel unless the pod uses a user namespace. An attacker with code execution starts as root: every kernel bug, writable host mount or leftover capability is a route to the node.",
    fix: "Remove `runAsUser: 0` and run as a non-zero UID (set `runAsUser: 10001` or build the image with a numeric non-root USER), together with `runAsNonRoot: true`.",
    example: include_str!("../../fixtures/PSS016/fail.yaml"),
    example_fixed: include_str!("../../fixtures/PSS016/pass.yaml"),
    equivalents: &[
        eq("PSS", "runAsUser"),
        eq("Trivy", "KSV105"),
        eq("Checkov", "CKV_K8S_40"),
    ],
    references: &[PSS_DOC],
};

pub static CHECK: Check = Check {
    id: "runAsUser",
    level: Level::Restricted,
    rule: &RULE,
    versions: &[
        VersionedCheck {
            min: 23,
            check: v1_23,
            overrides: &[],
        },
        VersionedCheck {
            min: 35,
            check: v1_35,
            overrides: &[],
        },
    ],
};

fn v1_23(pod: &PodTemplate<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut one = |sc: Option<&Node>, sc_path: FieldPath, who: String| {
        if sc.and_then(|s| s.get("runAsUser")).and_then(Node::as_i64) != Some(0) {
            return;
        }
        let p = sc_path.key("runAsUser");
        out.push(violation(
            &RULE,
            p.clone(),
            format!("{who} must not set runAsUser=0"),
            fix(
                "remove runAsUser: 0 (the image's non-root USER applies; runAsNonRoot enforces it)",
                vec![remove(&p)],
            ),
        ));
    };
    one(pod.security_context(), pod.sc_path(), "pod".to_string());
    for c in &pod.containers {
        one(c.security_context(), c.sc_path(), c.label());
    }
    out
}

fn v1_35(pod: &PodTemplate<'_>) -> Vec<Violation> {
    if pod.user_namespace() {
        return Vec::new();
    }
    v1_23(pod)
}
