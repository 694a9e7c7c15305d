//! Baseline (v1.34+): host in probes and lifecycle handlers.

use super::*;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "PSS012",
    slug: "probe-host",
    title: "Probe or lifecycle handler targets another host",
    severity: Severity::Medium,
    layer: "kubernetes",
    tags: &["pss", "baseline", "runtime"],
    default_enabled: true,
    what: "A liveness, readiness or startup probe, or a postStart/preStop handler, sets `httpGet.host` or `tcpSocket.host` (PSS baseline control `hostProbesAndHostLifecycle`, from v1.34).",
    why: "The kubelet runs probes and HTTP lifecycle handlers from the node, with the node's network identity. Pointing `host` at another address turns the kubelet into a server-side request forgery proxy: a pod author can make the node send requests to the cloud metadata service, the API server or internal services that trust node addresses.",
    fix: "Remove `host` from the probe or handler so it targets the pod's own IP.",
    example: include_str!("../../fixtures/PSS012/fail.yaml"),
    example_fixed: include_str!("../../fixtures/PSS012/pass.yaml"),
    equivalents: &[eq("PSS", "hostProbesAndHostLifecycle")],
    references: &[PSS_DOC],
};

pub static CHECK: Check = Check {
    id: "hostProbesAndHostLifecycle",
    level: Level::Baseline,
    rule: &RULE,
    versions: &[VersionedCheck {
        min: 34,
        check: v1_34,
        overrides: &[],
    }],
};

fn v1_34(pod: &PodTemplate<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for c in &pod.containers {
        let handlers = [
            (vec!["livenessProbe"], "livenessProbe"),
            (vec!["readinessProbe"], "readinessProbe"),
            (vec!["startupProbe"], "startupProbe"),
            (vec!["lifecycle", "postStart"], "lifecycle.postStart"),
            (vec!["lifecycle", "preStop"], "lifecycle.preStop"),
        ];
        for (keys, label) in handlers {
            let Some(h) = c.node.path(&keys) else {
                continue;
            };
            for kind in ["httpGet", "tcpSocket"] {
                let Some(host) = h.path(&[kind, "host"]).and_then(|n| n.as_str()) else {
                    continue;
                };
                if host.is_empty() {
                    continue;
                }
                let mut path = c.path.keys(&keys);
                path = path.keys(&[kind, "host"]);
                out.push(violation(
                    &RULE,
                    path.clone(),
                    format!("{} {label} uses host \"{host}\"", c.label()),
                    fix(
                        "remove the probe host so it targets the pod",
                        vec![remove(&path)],
                    ),
                ));
            }
        }
    }
    out
}
