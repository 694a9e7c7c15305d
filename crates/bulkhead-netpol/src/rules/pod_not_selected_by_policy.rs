//! NP002: a workload selected by no NetworkPolicy.

use crate::engine::Engine;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "NP002",
    slug: "pod-not-selected-by-policy",
    title: "Workload is selected by no NetworkPolicy",
    severity: Severity::Low,
    layer: "kubernetes",
    tags: &["netpol", "network", "hardening"],
    default_enabled: true,
    what: "No NetworkPolicy in the workload's namespace selects its pods, so they are isolated in neither direction: every pod and every address can connect to them, and they can connect anywhere.",
    why: "An attacker with code execution in any pod of the cluster reaches this workload's ports directly, and if this workload is compromised it can scan the cluster, reach the cloud metadata endpoint and exfiltrate data to the internet without restriction.",
    fix: "Select the workload with a policy that lists its legitimate peers and ports (or add a namespace-wide default-deny and explicit allows).",
    example: include_str!("../../fixtures/NP002/fail.yaml"),
    example_fixed: include_str!("../../fixtures/NP002/pass.yaml"),
    equivalents: &[eq("kube-linter", "non-isolated-pod")],
    references: &[
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/#isolated-and-non-isolated-pods",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::NetworkPolicies> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(e: &Engine<'_>) -> Vec<Finding> {
    e.model
        .workloads
        .iter()
        .enumerate()
        .filter(|(i, _)| e.ingress_of[*i].is_empty() && e.egress_of[*i].is_empty())
        .map(|(_, w)| {
            Finding::new(
                &RULE,
                super::workload_loc(w),
                format!(
                    "{} is selected by no NetworkPolicy: open in both directions",
                    w.id()
                ),
            )
            .with_evidence("workload", w.id())
        })
        .collect()
}
