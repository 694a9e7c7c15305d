//! K8S002: no CPU limit.

use super::Ctx;
use crate::pss::Violation;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "K8S002",
    slug: "missing-cpu-limit",
    title: "Container has no CPU limit",
    severity: Severity::Low,
    layer: "kubernetes",
    tags: &["hardening", "resources"],
    default_enabled: true,
    what: "A container (or init container) does not set `resources.limits.cpu`.",
    why: "An unbounded container can take every CPU cycle of its node, starving neighbours (a denial of service) and making cryptojacking after a compromise cheap and invisible in quotas.",
    fix: "Set `resources.limits.cpu` (or enforce one with a LimitRange in the namespace).",
    example: include_str!("../../fixtures/K8S002/fail.yaml"),
    example_fixed: include_str!("../../fixtures/K8S002/pass.yaml"),
    equivalents: &[
        eq("Checkov", "CKV_K8S_11"),
        eq("Trivy", "KSV011"),
        eq("kube-linter", "unset-cpu-requirements"),
        eq("Polaris", "cpuLimitsMissing"),
    ],
    references: &["https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Hardening> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    super::missing_limit(ctx, &RULE, "cpu")
}
