//! XL007: a container port the image does not expose.

use crate::join::Joined;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "XL007",
    slug: "container-port-not-exposed",
    title: "A containerPort the image does not expose",
    severity: Severity::Low,
    layer: "cross-layer",
    tags: &["cross-layer", "ports", "drift"],
    default_enabled: true,
    what: "A container declares a `containerPort` that the image it runs does not expose, while the image does expose other ports (Dockerfile `EXPOSE`, image config `ExposedPorts`). Images that expose nothing are not checked.",
    why: "The manifest and the image disagree on where the application listens: probes, Services and NetworkPolicies written against the manifest's port open or probe a port nothing serves, while the port the process really listens on is unguarded by the policy written for the other one. It is usually drift after the image changed.",
    fix: "Make the manifest's `containerPort` (and the Service's `targetPort` and the policies' ports) match the port the image listens on, or fix the Dockerfile's EXPOSE.",
    example: "# Dockerfile (builds example/app)\nFROM alpine:3.20\nEXPOSE 8080\n# deploy.yaml\nports:\n- containerPort: 9090\n",
    example_fixed: "# deploy.yaml\nports:\n- containerPort: 8080\n",
    equivalents: &[],
    references: &["https://docs.docker.com/reference/dockerfile/#expose"],
};

pub static CHECK: bulkhead_core::FnRule<crate::CrossLayer> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(j: &Joined<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for w in &j.workloads {
        for c in &w.containers {
            let Some(info) = j.image(c) else { continue };
            if info.exposed.is_empty() {
                continue;
            }
            for (port, proto) in &c.ports {
                if info.exposed.iter().any(|(p, pr)| p == port && pr == proto) {
                    continue;
                }
                let shown: Vec<String> = info
                    .exposed
                    .iter()
                    .map(|(p, pr)| format!("{p}/{pr}"))
                    .collect();
                out.push(super::at_image(
                    &RULE,
                    c,
                    format!(
                        "{} of {} declares containerPort {port}/{proto}, but image {} exposes {} ({})",
                        c.c.label(),
                        w.display(),
                        c.image,
                        shown.join(", "),
                        info.origin
                    ),
                ));
            }
        }
    }
    out
}
