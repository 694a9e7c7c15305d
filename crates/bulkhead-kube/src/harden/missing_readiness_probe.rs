//! K8S010: no readiness probe.

use super::Ctx;
use crate::pss::Violation;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "K8S010",
    slug: "missing-readiness-probe",
    title: "Container has no readiness probe",
    severity: Severity::Low,
    layer: "kubernetes",
    tags: &["hardening", "availability"],
    default_enabled: true,
    what: "A regular container of a long-running workload (not a Job or CronJob) has no `readinessProbe`.",
    why: "Without a readiness probe a Service sends traffic to a pod before it can serve and keeps sending it to a pod that is overloaded or failing, turning one bad replica (or one attacker-triggered slow path) into user-visible errors across the service.",
    fix: "Add a `readinessProbe` that succeeds only when the container can take traffic.",
    example: include_str!("../../fixtures/K8S010/fail.yaml"),
    example_fixed: include_str!("../../fixtures/K8S010/pass.yaml"),
    equivalents: &[
        eq("Checkov", "CKV_K8S_9"),
        eq("kube-linter", "no-readiness-probe"),
        eq("Polaris", "readinessProbeMissing"),
    ],
    references: &[
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::Hardening> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    super::missing_probe(ctx, &RULE, "readinessProbe")
}
