//! NP004: a rule (or part of one) that can never match.

use crate::engine::Engine;
use crate::model::{PeerSel, PortSpec};
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "NP004",
    slug: "rule-never-matches",
    title: "NetworkPolicy rule can never match",
    severity: Severity::Low,
    layer: "kubernetes",
    tags: &["netpol", "network"],
    default_enabled: true,
    what: "A rule peer or port that matches nothing: a pod/namespace selector matching no workload in the input, an ipBlock whose `except` removes the whole CIDR or lies outside it, a port range outside 1-65535 or reversed, `endPort` with a named port, or a named port that no selected destination pod defines.",
    why: "Dead rules hide intent: the flow the author meant to allow is silently dropped (outages get 'fixed' by opening everything), and a reviewer trusts a restriction that is not what it seems.",
    fix: "Correct the selector labels, the port name or range, or remove the rule.",
    example: include_str!("../../fixtures/NP004/fail.yaml"),
    example_fixed: include_str!("../../fixtures/NP004/pass.yaml"),
    equivalents: &[],
    references: &[
        "https://kubernetes.io/docs/reference/kubernetes-api/networking-resources/network-policy-v1/",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::NetworkPolicies> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(e: &Engine<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let have_workloads = !e.model.workloads.is_empty();
    for (pi, p) in e.model.policies.iter().enumerate() {
        for (dir, rules) in [("ingress", &p.ingress), ("egress", &p.egress)] {
            for (ri, r) in rules.iter().enumerate() {
                let field = format!("spec.{dir}[{ri}]");
                for ps in &r.peers {
                    match ps {
                        PeerSel::Pods { line, .. }
                            if have_workloads && !peer_matches_any(e, pi, ps) =>
                        {
                            out.push(Finding::new(
                                &RULE,
                                super::policy_loc(p, *line, Some(field.clone())),
                                format!("{dir} peer of NetworkPolicy {} matches no workload in the input", p.id()),
                            ));
                        }
                        PeerSel::IpBlock {
                            set,
                            v6: false,
                            line,
                            cidr,
                            ..
                        } if set.is_empty() => {
                            out.push(Finding::new(
                                &RULE,
                                super::policy_loc(p, *line, Some(field.clone())),
                                format!("ipBlock {cidr} of NetworkPolicy {}: its except list removes every address", p.id()),
                            ));
                        }
                        _ => {}
                    }
                }
                for rp in &r.ports {
                    let msg = match &rp.port {
                        PortSpec::Invalid(why) => Some(why.clone()),
                        PortSpec::Named(n) if have_workloads => {
                            // Ingress: resolved on the selected pods; egress: on the matched peers.
                            let dsts: Vec<usize> = if dir == "ingress" {
                                e.selected[pi].clone()
                            } else {
                                (0..e.model.workloads.len()).collect()
                            };
                            let found = dsts.iter().any(|&w| {
                                e.model.workloads[w]
                                    .named_port(n)
                                    .is_some_and(|cp| cp.proto == rp.proto)
                            });
                            (!found && !dsts.is_empty()).then(|| {
                                format!(
                                    "no destination pod defines a {} port named '{n}'",
                                    rp.proto.as_str()
                                )
                            })
                        }
                        _ => None,
                    };
                    if let Some(m) = msg {
                        out.push(Finding::new(
                            &RULE,
                            super::policy_loc(p, rp.line, Some(format!("{field}.ports"))),
                            format!("{dir} port of NetworkPolicy {} never matches: {m}", p.id()),
                        ));
                    }
                }
            }
        }
    }
    out
}

fn peer_matches_any(e: &Engine<'_>, pi: usize, ps: &PeerSel) -> bool {
    let p = &e.model.policies[pi];
    let PeerSel::Pods { ns, pod, .. } = ps else {
        return true;
    };
    e.model.workloads.iter().any(|w| {
        let ns_ok = match ns {
            None => w.ns == p.ns,
            Some(s) => e.model.ns_labels(&w.ns).is_some_and(|l| s.matches(l)),
        };
        ns_ok && pod.as_ref().is_none_or(|s| s.matches(&w.labels))
    })
}
