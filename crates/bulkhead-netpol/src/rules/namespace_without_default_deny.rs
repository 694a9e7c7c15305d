//! NP001: a namespace with workloads but no default-deny ingress policy.

use crate::engine::Engine;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, Location, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "NP001",
    slug: "namespace-without-default-deny",
    title: "Namespace has workloads but no default-deny NetworkPolicy",
    severity: Severity::Medium,
    layer: "kubernetes",
    tags: &["netpol", "network", "hardening"],
    default_enabled: true,
    what: "A namespace in the input runs workloads, but no NetworkPolicy in it selects every pod (`podSelector: {}`) for ingress. Without one, every pod that no other policy happens to select accepts traffic from anywhere, and every new workload starts open.",
    why: "The pod network is flat and allow-all by default. An attacker who compromises any pod in the cluster (a vulnerable web front end, a CI job) can connect directly to databases, admin ports and internal APIs in this namespace; a newly deployed service is reachable before anyone writes a policy for it.",
    fix: "Add a default-deny policy to the namespace and then allow the flows you need:\n`kind: NetworkPolicy`, `spec: {podSelector: {}, policyTypes: [Ingress, Egress]}` with no rules.",
    example: include_str!("../../fixtures/NP001/fail.yaml"),
    example_fixed: include_str!("../../fixtures/NP001/pass.yaml"),
    equivalents: &[
        eq("kube-linter", "non-isolated-pod"),
        eq("Checkov", "CKV2_K8S_6"),
    ],
    references: &[
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::NetworkPolicies> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(e: &Engine<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for ns in &e.model.namespaces {
        let count = e.model.workloads.iter().filter(|w| w.ns == ns.name).count();
        if count == 0 {
            continue;
        }
        let has = e.model.policies.iter().any(|p| {
            p.ns == ns.name && p.pod.is_empty() && p.isolates_ingress && p.ingress.is_empty()
        });
        if has {
            continue;
        }
        let egress = e.model.policies.iter().any(|p| {
            p.ns == ns.name && p.pod.is_empty() && p.isolates_egress && p.egress.is_empty()
        });
        let loc = match &ns.file {
            Some(f) => Location {
                file: f.clone(),
                line: Some(ns.line),
                object: Some(format!("Namespace/{}", ns.name)),
                ..Default::default()
            },
            None => {
                let w = e.model.workloads.iter().find(|w| w.ns == ns.name);
                w.map_or_else(|| Location::file("<input>"), super::workload_loc)
            }
        };
        out.push(
            Finding::new(
                &RULE,
                loc,
                format!(
                    "namespace {} has {count} workload(s) but no default-deny ingress policy{}",
                    ns.name,
                    if egress { "" } else { " (nor egress)" }
                ),
            )
            .with_evidence("namespace", ns.name.clone()),
        );
    }
    out
}
