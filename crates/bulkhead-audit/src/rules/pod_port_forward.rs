//! AUD002: port-forward into a pod.

use super::{Hit, hit, who};
use crate::analyze::Ctx;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "AUD002",
    slug: "pod-port-forward",
    title: "Port-forward into a pod",
    severity: Severity::Medium,
    layer: "audit",
    tags: &["audit", "runtime-access"],
    default_enabled: true,
    what: "A request on the `portforward` subresource of a pod (`kubectl port-forward`).",
    why: "Port-forward tunnels the caller's machine straight to a pod's ports through the API server, past every NetworkPolicy, Ingress and authentication proxy in front of it: databases and admin ports that are not exposed become reachable from a laptop.",
    fix: "Confirm who opened the tunnel; grant `pods/portforward` only in break-glass roles.",
    example: include_str!("../../fixtures/AUD002/fail.jsonl"),
    example_fixed: include_str!("../../fixtures/AUD002/pass.jsonl"),
    equivalents: &[eq("Falco", "port-forward")],
    references: &[
        "https://kubernetes.io/docs/tasks/access-application-cluster/port-forward-access-application-cluster/",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::Audit> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Hit> {
    let ev = ctx.ev;
    if ev.resource() != "pods" || ev.subresource() != "portforward" {
        return Vec::new();
    }
    let mut msg = format!(
        "{} port-forwarded to pod {}/{}",
        who(ctx),
        ev.namespace(),
        ev.name()
    );
    if ev.forbidden() {
        msg.push_str(" — denied");
    }
    vec![hit(&RULE, ctx, msg)]
}
