//! XL005: an attack path: a workload reachable from outside its namespace or
//! the cluster whose container has the node (privileged, host namespaces,
//! host paths, added capabilities).

use crate::join::Joined;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "XL005",
    slug: "reachable-host-access",
    title: "Attack path: a reachable workload with host access",
    severity: Severity::Critical,
    layer: "cross-layer",
    tags: &["cross-layer", "attack-path", "network", "escape"],
    default_enabled: true,
    what: "A workload is reachable from outside its own namespace — no NetworkPolicy selects it for ingress, a policy admits every namespace, or it is exposed through an Ingress/Route backend or a LoadBalancer/NodePort Service — and one of its containers has host access by the workload's own findings: privileged (PSS002), host namespaces (PSS001), hostPath volumes (PSS004), a sensitive host mount (K8S008), added capabilities beyond the baseline (PSS003) or a Windows HostProcess container (PSS011). The finding prints the chain of facts.",
    why: "Each half alone is a finding in a long list; together they are an entry point and an escape: anyone who can send a request to the application — from the internet, or from any compromised pod in any namespace — and finds one bug in it lands in a container that owns the node, and from the node every pod, secret and credential scheduled there.",
    fix: "Break the chain at both ends: remove the host access (drop privileged, hostPath and host namespaces; move node agents to a dedicated namespace with no Service), and add a NetworkPolicy that admits only the callers the workload needs.",
    example: "# deploy.yaml: no NetworkPolicy selects the pod\ncontainers:\n- name: agent\n  image: example/agent:1.0\n  securityContext:\n    privileged: true\n",
    example_fixed: "# + netpol.yaml: a default-deny ingress policy in the namespace\nkind: NetworkPolicy\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n",
    equivalents: &[eq(
        "Kubescape",
        "attack path (workload exposure + privileged)",
    )],
    references: &[
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
        "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::CrossLayer> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(j: &Joined<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for w in &j.workloads {
        let (Some(entry), Some((rule, msg))) = (w.exposure.first(), w.host_access.first()) else {
            continue;
        };
        let Some(c) = w.containers.first() else {
            continue;
        };
        let mut rules: Vec<&str> = w.host_access.iter().map(|(r, _)| r.as_str()).collect();
        rules.sort_unstable();
        rules.dedup();
        let steps = vec![
            format!("{}: {entry}", w.display()),
            format!("{rule}: {msg}"),
            "a compromise of the workload reaches the node".to_string(),
        ];
        out.push(
            super::at_image(
                &RULE,
                c,
                format!(
                    "attack path: {} has host access ({}) and is {entry}",
                    w.display(),
                    rules.join(", ")
                ),
            )
            .with_evidence("attack_path", super::path(&steps))
            .with_evidence("exposure", w.exposure.join("; ")),
        );
    }
    out
}
