//! NP003: a NetworkPolicy whose podSelector matches no workload in the input.

use crate::engine::Engine;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "NP003",
    slug: "policy-selects-nothing",
    title: "NetworkPolicy selects no workload",
    severity: Severity::Low,
    layer: "kubernetes",
    tags: &["netpol", "network"],
    default_enabled: true,
    what: "The policy's `podSelector` matches no pod or workload template in its namespace among the analysed objects. Usually a label typo (`app: web` vs `app.kubernetes.io/name: web`) or a policy in the wrong namespace.",
    why: "The policy looks like protection in review but protects nothing: the pods it was written for stay open to every pod in the cluster, which an attacker in any compromised pod can use to reach them.",
    fix: "Make the podSelector match the pods' template labels, and the policy's namespace the pods' namespace.",
    example: include_str!("../../fixtures/NP003/fail.yaml"),
    example_fixed: include_str!("../../fixtures/NP003/pass.yaml"),
    equivalents: &[],
    references: &["https://kubernetes.io/docs/concepts/services-networking/network-policies/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::NetworkPolicies> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(e: &Engine<'_>) -> Vec<Finding> {
    if e.model.workloads.is_empty() {
        return Vec::new();
    }
    e.model
        .policies
        .iter()
        .zip(&e.selected)
        .filter(|(_, s)| s.is_empty())
        .map(|(p, _)| {
            Finding::new(
                &RULE,
                super::policy_loc(p, p.line, Some("spec.podSelector".into())),
                format!(
                    "NetworkPolicy {} selects no workload (podSelector {} in namespace {})",
                    p.id(),
                    p.pod.describe(),
                    p.ns
                ),
            )
        })
        .collect()
}
