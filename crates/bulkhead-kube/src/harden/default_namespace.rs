//! K8S012: objects placed in the `default` namespace.

use super::Ctx;
use crate::pss::{Violation, manual, violation};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "K8S012",
    slug: "default-namespace",
    title: "Workload in the default namespace",
    severity: Severity::Low,
    layer: "kubernetes",
    tags: &["hardening", "rbac"],
    default_enabled: true,
    what: "A workload sets `metadata.namespace: default`. (Manifests without a namespace are not flagged: kustomize, helm and `kubectl -n` set it at apply time.)",
    why: "The default namespace is where everything lands by accident: it rarely has Pod Security labels, NetworkPolicies, quotas or narrow RBAC, so a workload there shares a trust boundary with whatever else was dropped in, and a RoleBinding granted there for one app reaches all of them.",
    fix: "Give each application its own namespace with Pod Security labels, a default-deny NetworkPolicy and a ResourceQuota.",
    example: include_str!("../../fixtures/K8S012/fail.yaml"),
    example_fixed: include_str!("../../fixtures/K8S012/pass.yaml"),
    equivalents: &[
        eq("Checkov", "CKV_K8S_21"),
        eq("Trivy", "KSV110"),
        eq("kube-linter", "use-namespace"),
    ],
    references: &["https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Hardening> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    if ctx.obj.namespace.as_deref() != Some("default") {
        return Vec::new();
    }
    vec![violation(
        &RULE,
        ctx.obj.base.keys(&["metadata", "namespace"]),
        format!("{} is in the default namespace", ctx.obj.display()),
        manual("move the workload to a dedicated namespace"),
    )]
}
