//! K8S009: no liveness probe.

use super::Ctx;
use crate::pss::Violation;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "K8S009",
    slug: "missing-liveness-probe",
    title: "Container has no liveness probe",
    severity: Severity::Low,
    layer: "kubernetes",
    tags: &["hardening", "availability"],
    default_enabled: true,
    what: "A regular container of a long-running workload (not a Job or CronJob) has no `livenessProbe`.",
    why: "A hung process (deadlock, exhausted thread pool, a request that wedges it on purpose) keeps its pod Running but serving nothing; without a liveness probe nothing restarts it, so a single crafted request can take a replica out for good.",
    fix: "Add a `livenessProbe` (HTTP, TCP, gRPC or exec) that fails when the process cannot serve.",
    example: include_str!("../../fixtures/K8S009/fail.yaml"),
    example_fixed: include_str!("../../fixtures/K8S009/pass.yaml"),
    equivalents: &[
        eq("Checkov", "CKV_K8S_8"),
        eq("kube-linter", "no-liveness-probe"),
        eq("Polaris", "livenessProbeMissing"),
    ],
    references: &[
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::Hardening> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    super::missing_probe(ctx, &RULE, "livenessProbe")
}
