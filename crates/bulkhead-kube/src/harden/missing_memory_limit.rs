//! K8S001: no memory limit.

use super::Ctx;
use crate::pss::Violation;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "K8S001",
    slug: "missing-memory-limit",
    title: "Container has no memory limit",
    severity: Severity::Medium,
    layer: "kubernetes",
    tags: &["hardening", "resources"],
    default_enabled: true,
    what: "A container (or init container) does not set `resources.limits.memory`.",
    why: "Without a memory limit one compromised or buggy container can consume all of the node's memory: the kernel's OOM killer then kills other pods (and sometimes the kubelet), a cheap denial of service against everything scheduled on that node. Limits also bound crypto-mining and fork bombs after a compromise.",
    fix: "Set `resources.limits.memory` to what the container needs at peak (and `requests.memory` for scheduling).",
    example: include_str!("../../fixtures/K8S001/fail.yaml"),
    example_fixed: include_str!("../../fixtures/K8S001/pass.yaml"),
    equivalents: &[
        eq("Checkov", "CKV_K8S_13"),
        eq("Trivy", "KSV018"),
        eq("kube-linter", "unset-memory-requirements"),
        eq("Polaris", "memoryLimitsMissing"),
    ],
    references: &["https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Hardening> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    super::missing_limit(ctx, &RULE, "memory")
}
