//! Restricted: runAsNonRoot must be true (relaxed for user-namespaced pods from v1.35).

use super::*;
use bulkhead_core::rule::eq;
use bulkhead_core::yaml::Node;
use bulkhead_core::{RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "PSS015",
    slug: "run-as-non-root",
    title: "Container may run as root",
    severity: Severity::Medium,
    layer: "kubernetes",
    tags: &["pss", "restricted", "runtime"],
    default_enabled: true,
    what: "Neither the pod nor the container sets `securityContext.runAsNonRoot: true`, or one of them sets it to false (PSS restricted control `runAsNonRoot`; from v1.35 pods with `hostUsers: false` are exempt).",
    why: "Without runAsNonRoot the kubelet starts the image's user, which is root for most images. Root in the container is root on the node's kernel: any kernel bug, writable hostPath, leaked socket or missing capability drop becomes a node compromise, and root can rewrite the container's own binaries to persist.",
    fix: "Set `runAsNonRoot: true` in the pod's securityContext (and a non-zero `runAsUser` if the image has no numeric non-root USER).",
    example: include_str!("../../fixtures/PSS015/fail.yaml"),
    example_fixed: include_str!("../../fixtures/PSS015/pass.yaml"),
    equivalents: &[
        eq("PSS", "runAsNonRoot"),
        eq("Trivy", "KSV012"),
        eq("Checkov", "CKV_K8S_23"),
        eq("kube-linter", "run-as-non-root"),
    ],
    references: &[PSS_DOC],
};

pub static CHECK: Check = Check {
    id: "runAsNonRoot",
    level: Level::Restricted,
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

fn v1_0(pod: &PodTemplate<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    let pod_value = pod.security_context().and_then(|s| s.get("runAsNonRoot"));
    let pod_true = pod_value.and_then(Node::as_bool) == Some(true);
    let pod_path = pod.sc_path().key("runAsNonRoot");
    if pod_value.is_some() && !pod_true {
        out.push(violation(
            &RULE,
            pod_path.clone(),
            "pod must not set securityContext.runAsNonRoot=false".to_string(),
            fix(
                "set runAsNonRoot to true",
                vec![set(&pod_path, json!(true))],
            ),
        ));
    }
    for c in &pod.containers {
        match c.security_context().and_then(|s| s.get("runAsNonRoot")) {
            Some(v) if v.as_bool() != Some(true) => {
                let p = c.sc_path().key("runAsNonRoot");
                out.push(violation(
                    &RULE,
                    p.clone(),
                    format!(
                        "{} must not set securityContext.runAsNonRoot=false",
                        c.label()
                    ),
                    fix("set runAsNonRoot to true", vec![set(&p, json!(true))]),
                ));
            }
            Some(_) => {}
            None if !pod_true => out.push(violation(
                &RULE,
                c.sc_path().key("runAsNonRoot"),
                format!(
                    "pod or {} must set securityContext.runAsNonRoot=true",
                    c.label()
                ),
                fix(
                    "set the pod's runAsNonRoot to true",
                    vec![set(&pod_path, json!(true))],
                ),
            )),
            None => {}
        }
    }
    out
}

fn v1_35(pod: &PodTemplate<'_>) -> Vec<Violation> {
    if pod.user_namespace() {
        return Vec::new();
    }
    v1_0(pod)
}
