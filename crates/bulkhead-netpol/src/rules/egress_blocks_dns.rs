//! NP005: egress isolation that blocks DNS.

use crate::engine::{Engine, Peer};
use crate::model::Proto;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "NP005",
    slug: "egress-blocks-dns",
    title: "Egress isolation blocks DNS",
    severity: Severity::Medium,
    layer: "kubernetes",
    tags: &["netpol", "network", "availability"],
    default_enabled: true,
    what: "The workload is isolated for egress and no policy lets it reach port 53 over UDP on any pod or address in the analysed objects, so it cannot resolve names.",
    why: "Broken DNS is the usual reason teams delete egress policies wholesale during an incident, leaving the workload free to exfiltrate data or reach the cloud metadata service; a policy that cannot run in production protects nothing.",
    fix: "Add an egress rule to the cluster DNS: `to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]`, `ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]`.",
    example: include_str!("../../fixtures/NP005/fail.yaml"),
    example_fixed: include_str!("../../fixtures/NP005/pass.yaml"),
    equivalents: &[],
    references: &[
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-range-of-ports",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::NetworkPolicies> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(e: &Engine<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for (w, wl) in e.model.workloads.iter().enumerate() {
        if e.egress_of[w].is_empty() {
            continue;
        }
        let src = Peer::Workload(w);
        let to_ext = e
            .dst_atoms
            .iter()
            .any(|&(lo, hi)| e.egress(src, Peer::External(lo, hi)).allows(Proto::Udp, 53));
        let to_pod = (0..e.model.workloads.len())
            .filter(|&v| v != w)
            .any(|v| e.egress(src, Peer::Workload(v)).allows(Proto::Udp, 53));
        if !to_ext && !to_pod {
            out.push(
                Finding::new(
                    &RULE,
                    super::workload_loc(wl),
                    format!(
                        "{} is isolated for egress and may not send DNS (UDP 53) anywhere",
                        wl.id()
                    ),
                )
                .with_evidence("workload", wl.id()),
            );
        }
    }
    out
}
