//! K8S005: service account token mounted for pods that use the default account.

use super::Ctx;
use crate::pss::{Violation, fix, set, violation};
use bulkhead_core::rule::eq;
use bulkhead_core::yaml::Node;
use bulkhead_core::{RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "K8S005",
    slug: "automount-service-account-token",
    title: "API token mounted into a pod that runs as the default service account",
    severity: Severity::Low,
    layer: "kubernetes",
    tags: &["hardening", "rbac"],
    default_enabled: true,
    what: "The pod runs as the namespace's `default` service account (no `serviceAccountName`, or `default`) and does not set `automountServiceAccountToken: false`. A pod that uses the default account almost never calls the API, so the token is unneeded.",
    why: "The token is mounted at /var/run/secrets/kubernetes.io/serviceaccount/token. Anyone who gets code execution (or a file-read bug) in the container reads it and talks to the API server as that service account; any RoleBinding someone later grants to `default` silently extends to every pod in the namespace.",
    fix: "Set `automountServiceAccountToken: false` in the pod spec (or on the ServiceAccount), and give pods that do need the API their own service account.",
    example: include_str!("../../fixtures/K8S005/fail.yaml"),
    example_fixed: include_str!("../../fixtures/K8S005/pass.yaml"),
    equivalents: &[
        eq("Checkov", "CKV_K8S_38"),
        eq("Trivy", "KSV036"),
        eq("Polaris", "automountServiceAccountToken"),
    ],
    references: &[
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::Hardening> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let spec = ctx.pod.spec;
    let sa = spec
        .get("serviceAccountName")
        .or_else(|| spec.get("serviceAccount"))
        .and_then(Node::as_str)
        .unwrap_or("default");
    if sa != "default"
        || spec
            .get("automountServiceAccountToken")
            .and_then(Node::as_bool)
            == Some(false)
    {
        return Vec::new();
    }
    let p = ctx.pod.spec_path.key("automountServiceAccountToken");
    vec![violation(
        &RULE,
        p.clone(),
        "pod uses the default service account and mounts its API token".to_string(),
        fix(
            "set automountServiceAccountToken to false",
            vec![set(&p, json!(false))],
        ),
    )]
}
