//! Baseline: host ports.

use super::*;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "PSS005",
    slug: "host-ports",
    title: "Container binds a host port",
    severity: Severity::Medium,
    layer: "kubernetes",
    tags: &["pss", "baseline", "runtime"],
    default_enabled: true,
    what: "A container port sets a non-zero `hostPort` (PSS baseline control `hostPorts`).",
    why: "A hostPort opens the port on the node's own IP address, outside any Service and often outside NetworkPolicy enforcement, so anyone who can reach the node reaches the pod. It also lets a pod squat a port another service on the node expects, intercepting its traffic.",
    fix: "Remove `hostPort` and expose the port through a Service (ClusterIP, NodePort or LoadBalancer) or an Ingress.",
    example: include_str!("../../fixtures/PSS005/fail.yaml"),
    example_fixed: include_str!("../../fixtures/PSS005/pass.yaml"),
    equivalents: &[
        eq("PSS", "hostPorts"),
        eq("Trivy", "KSV024"),
        eq("Checkov", "CKV_K8S_26"),
        eq("kube-linter", "host-port"),
    ],
    references: &[PSS_DOC],
};

pub static CHECK: Check = Check {
    id: "hostPorts",
    level: Level::Baseline,
    rule: &RULE,
    versions: &[VersionedCheck {
        min: 0,
        check: v1_0,
        overrides: &[],
    }],
};

fn v1_0(pod: &PodTemplate<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for c in &pod.containers {
        let Some(ports) = c.node.get("ports") else {
            continue;
        };
        for (i, p) in ports.items().iter().enumerate() {
            let Some(hp) = p.get("hostPort") else {
                continue;
            };
            if hp.as_i64() == Some(0) {
                continue;
            }
            let path = c.path.key("ports").index(i).key("hostPort");
            out.push(violation(
                &RULE,
                path.clone(),
                format!("{} uses hostPort {}", c.label(), hp.as_str().unwrap_or("?")),
                fix(
                    "remove hostPort and expose the port through a Service",
                    vec![remove(&path)],
                ),
            ));
        }
    }
    out
}
