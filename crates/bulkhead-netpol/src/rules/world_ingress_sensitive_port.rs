//! NP006: ingress from 0.0.0.0/0 to sensitive ports.

use crate::engine::Engine;
use crate::model::{PeerSel, PortSpec, Proto};
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "NP006",
    slug: "world-ingress-sensitive-port",
    title: "Ingress from anywhere (0.0.0.0/0) to a sensitive port",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["netpol", "network", "exposure"],
    default_enabled: true,
    what: "An ingress rule allows an ipBlock covering the whole internet (0.0.0.0/0 or ::/0, whatever its except list) to reach an administrative or data port (SSH 22, RDP 3389, Docker 2375/2376, etcd 2379-2380, the API server 6443, kubelet 10250, databases 3306, 5432, 6379, 9200, 11211, 27017), or to reach every port.",
    why: "Anything that can route to the pod — the whole internet behind a LoadBalancer or NodePort — can brute-force SSH, exploit an unauthenticated Redis or Elasticsearch, or drive a Docker daemon to escape to the node.",
    fix: "Restrict the ipBlock to the addresses that need access (office ranges, the load balancer's source ranges), or put the service behind an authenticated proxy.",
    example: include_str!("../../fixtures/NP006/fail.yaml"),
    example_fixed: include_str!("../../fixtures/NP006/pass.yaml"),
    equivalents: &[eq("Checkov", "CKV_K8S_ingress_any")],
    references: &[
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource",
    ],
};

pub const SENSITIVE: &[u16] = &[
    22, 3389, 2375, 2376, 2379, 2380, 6443, 10250, 3306, 5432, 6379, 9200, 11211, 27017,
];

pub static CHECK: bulkhead_core::FnRule<crate::NetworkPolicies> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(e: &Engine<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in &e.model.policies {
        if !p.isolates_ingress {
            continue;
        }
        for (ri, r) in p.ingress.iter().enumerate() {
            let Some(line) = r.peers.iter().find_map(|ps| match ps {
                PeerSel::IpBlock { cidr, line, .. } if cidr.ends_with("/0") => Some(*line),
                _ => None,
            }) else {
                continue;
            };
            let mut hits: Vec<String> = Vec::new();
            if r.ports.is_empty() {
                hits.push("all ports".into());
            }
            for rp in &r.ports {
                match &rp.port {
                    PortSpec::All => hits.push(format!("all {} ports", rp.proto.as_str())),
                    PortSpec::Range(a, b) => {
                        for s in SENSITIVE {
                            if a <= s && s <= b && rp.proto == Proto::Tcp {
                                hits.push(format!("TCP {s}"));
                            }
                        }
                    }
                    _ => {}
                }
            }
            if !hits.is_empty() {
                out.push(Finding::new(
                    &RULE,
                    super::policy_loc(p, line, Some(format!("spec.ingress[{ri}]"))),
                    format!(
                        "NetworkPolicy {} lets any address reach {}",
                        p.id(),
                        hits.join(", ")
                    ),
                ));
            }
        }
    }
    out
}
