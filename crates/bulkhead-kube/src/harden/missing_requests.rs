//! K8S003: CPU and memory requests.

use super::Ctx;
use crate::pod::ContainerKind;
use crate::pss::{Violation, manual, violation};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "K8S003",
    slug: "missing-requests",
    title: "Container has no CPU or memory request",
    severity: Severity::Low,
    layer: "kubernetes",
    tags: &["hardening", "resources"],
    default_enabled: true,
    what: "A container (or init container) sets neither `resources.requests.cpu` nor `resources.requests.memory` (or a limit, which defaults the request).",
    why: "Without requests the pod is BestEffort: it is the first evicted under pressure and the scheduler packs nodes blindly, so a noisy or hostile neighbour can push it out — availability is part of security.",
    fix: "Set `resources.requests.cpu` and `resources.requests.memory` from measured usage.",
    example: include_str!("../../fixtures/K8S003/fail.yaml"),
    example_fixed: include_str!("../../fixtures/K8S003/pass.yaml"),
    equivalents: &[
        eq("Checkov", "CKV_K8S_10 / CKV_K8S_12"),
        eq("Trivy", "KSV015 / KSV016"),
        eq("kube-linter", "unset-cpu-requirements"),
        eq("Polaris", "cpuRequestsMissing"),
    ],
    references: &["https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Hardening> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for c in ctx
        .pod
        .containers
        .iter()
        .filter(|c| c.kind != ContainerKind::Ephemeral)
    {
        let missing: Vec<&str> = ["cpu", "memory"]
            .into_iter()
            .filter(|r| {
                c.node.path(&["resources", "requests", r]).is_none()
                    && c.node.path(&["resources", "limits", r]).is_none()
            })
            .collect();
        if missing.is_empty() {
            continue;
        }
        out.push(violation(
            &RULE,
            c.path.keys(&["resources", "requests"]),
            format!("{} has no {} request", c.label(), missing.join(" or ")),
            manual("set resources.requests from measured usage"),
        ));
    }
    out
}
