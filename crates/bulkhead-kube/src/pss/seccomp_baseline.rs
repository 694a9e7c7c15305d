//! Baseline: seccomp profile overrides (annotations before v1.19, fields after).

use super::*;
use bulkhead_core::rule::eq;
use bulkhead_core::yaml::Node;
use bulkhead_core::{RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "PSS009",
    slug: "seccomp-baseline",
    title: "Seccomp disabled (Unconfined)",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["pss", "baseline", "runtime"],
    default_enabled: true,
    what: "`seccompProfile.type` (pod or container) is set to something other than RuntimeDefault or Localhost (from v1.19), or, before v1.19, a `seccomp.security.alpha.kubernetes.io/pod` or `container.seccomp.security.alpha.kubernetes.io/<name>` annotation is not `runtime/default`, `docker/default` or `localhost/*` (PSS baseline control `seccompProfile_baseline`).",
    why: "Seccomp filters the system calls a container may make. The runtime default blocks calls such as `unshare`, `keyctl`, `bpf` and `ptrace` variants that most kernel privilege-escalation exploits rely on; `Unconfined` gives an attacker the whole kernel attack surface.",
    fix: "Remove the override or set `seccompProfile.type: RuntimeDefault`.",
    example: include_str!("../../fixtures/PSS009/fail.yaml"),
    example_fixed: include_str!("../../fixtures/PSS009/pass.yaml"),
    equivalents: &[
        eq("PSS", "seccompProfile_baseline"),
        eq("Trivy", "KSV104"),
        eq("Checkov", "CKV_K8S_31"),
    ],
    references: &[
        PSS_DOC,
        "https://kubernetes.io/docs/tutorials/security/seccomp/",
    ],
};

pub static CHECK: Check = Check {
    id: "seccompProfile_baseline",
    level: Level::Baseline,
    rule: &RULE,
    versions: &[
        VersionedCheck {
            min: 0,
            check: v1_0,
            overrides: &[],
        },
        VersionedCheck {
            min: 19,
            check: v1_19,
            overrides: &[],
        },
    ],
};

pub(super) fn valid_type(t: &str) -> bool {
    matches!(t, "RuntimeDefault" | "Localhost")
}

fn valid_annotation(v: &str) -> bool {
    v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/")
}

const POD_KEY: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

fn v1_0(pod: &PodTemplate<'_>) -> Vec<Violation> {
    let anns = pod.annotations();
    let lookup = |k: &str| anns.iter().find(|e| e.key.as_str() == Some(k));
    let mut keys = vec![POD_KEY.to_string()];
    keys.extend(
        pod.containers
            .iter()
            .map(|c| format!("{CONTAINER_PREFIX}{}", c.name)),
    );
    let mut out = Vec::new();
    for k in keys {
        let Some(e) = lookup(&k) else { continue };
        let v = e.value.as_str().unwrap_or("");
        if valid_annotation(v) {
            continue;
        }
        let p = pod.meta_path.key("annotations").key(k.clone());
        if out.iter().any(|o: &Violation| o.path == p) {
            continue;
        }
        out.push(violation(
            &RULE,
            p.clone(),
            format!("forbidden annotation {k}=\"{v}\""),
            fix(
                "set the annotation to runtime/default",
                vec![set(&p, json!("runtime/default"))],
            ),
        ));
    }
    out
}

/// Explicitly bad `seccompProfile.type` values on the pod and containers.
pub(super) fn explicit_bad(pod: &PodTemplate<'_>, rule: &'static RuleMeta) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut one = |sc: Option<&Node>, sc_path: FieldPath, who: String| {
        let Some(profile) = sc.and_then(|s| s.get("seccompProfile")) else {
            return;
        };
        let t = profile.get("type").and_then(Node::as_str).unwrap_or("");
        if valid_type(t) {
            return;
        }
        let p = sc_path.keys(&["seccompProfile", "type"]);
        out.push(violation(
            rule,
            p.clone(),
            format!("{who} must not set securityContext.seccompProfile.type to \"{t}\""),
            fix(
                "set seccompProfile.type to RuntimeDefault",
                vec![set(&p, json!("RuntimeDefault"))],
            ),
        ));
    };
    one(pod.security_context(), pod.sc_path(), "pod".to_string());
    for c in &pod.containers {
        one(c.security_context(), c.sc_path(), c.label());
    }
    out
}

fn v1_19(pod: &PodTemplate<'_>) -> Vec<Violation> {
    explicit_bad(pod, &RULE)
}
