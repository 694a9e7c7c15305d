//! K8S001 / K8S002: memory and CPU limits.

use super::Ctx;
use crate::pod::ContainerKind;
use crate::pss::{Violation, manual};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static MEMORY: RuleMeta = RuleMeta {
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
    example: "resources: {}",
    example_fixed: "resources:\n  requests: {memory: 256Mi}\n  limits: {memory: 512Mi}",
    equivalents: &[
        eq("Checkov", "CKV_K8S_13"),
        eq("Trivy", "KSV018"),
        eq("kube-linter", "unset-memory-requirements"),
        eq("Polaris", "memoryLimitsMissing"),
    ],
    references: &["https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"],
};

pub static CPU: RuleMeta = RuleMeta {
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
    example: "resources: {}",
    example_fixed: "resources:\n  requests: {cpu: 100m}\n  limits: {cpu: '1'}",
    equivalents: &[
        eq("Checkov", "CKV_K8S_11"),
        eq("Trivy", "KSV011"),
        eq("kube-linter", "unset-cpu-requirements"),
        eq("Polaris", "cpuLimitsMissing"),
    ],
    references: &["https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"],
};

fn check(ctx: &Ctx<'_>, rule: &'static RuleMeta, resource: &'static str) -> Vec<Violation> {
    ctx.pod
        .containers
        .iter()
        .filter(|c| c.kind != ContainerKind::Ephemeral)
        .filter(|c| c.node.path(&["resources", "limits", resource]).is_none())
        .map(|c| {
            crate::pss::violation(
                rule,
                c.path.keys(&["resources", "limits", resource]),
                format!("{} has no {resource} limit", c.label()),
                manual(format!(
                    "set resources.limits.{resource} to the container's measured peak"
                )),
            )
        })
        .collect()
}

pub fn check_memory(ctx: &Ctx<'_>) -> Vec<Violation> {
    check(ctx, &MEMORY, "memory")
}

pub fn check_cpu(ctx: &Ctx<'_>) -> Vec<Violation> {
    check(ctx, &CPU, "cpu")
}
