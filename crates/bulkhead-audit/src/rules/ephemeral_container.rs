//! AUD003: ephemeral container added to a running pod.

use super::{Hit, hit, who};
use crate::analyze::Ctx;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "AUD003",
    slug: "ephemeral-container-added",
    title: "Ephemeral container added to a pod",
    severity: Severity::High,
    layer: "audit",
    tags: &["audit", "runtime-access"],
    default_enabled: true,
    what: "A create, update or patch of the `ephemeralcontainers` subresource of a pod (`kubectl debug -it POD --image=...`). The spec of the added container is judged by the PSS rules as well when the request object is logged.",
    why: "An ephemeral container joins a running pod with an image of the caller's choice: it shares the pod's network and, with `--target`, its process namespace, so it reads the other containers' memory, files and tokens. It bypasses the pod's original image review.",
    fix: "Confirm who debugged which pod; grant `pods/ephemeralcontainers` only to break-glass roles and enforce PSS on the subresource (`bulkhead admission` does).",
    example: include_str!("../../fixtures/AUD003/fail.jsonl"),
    example_fixed: include_str!("../../fixtures/AUD003/pass.jsonl"),
    equivalents: &[eq("Falco", "EphemeralContainers Created")],
    references: &["https://kubernetes.io/docs/concepts/workloads/pods/ephemeral-containers/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Audit> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Hit> {
    let ev = ctx.ev;
    if ev.resource() != "pods"
        || ev.subresource() != "ephemeralcontainers"
        || !matches!(ev.verb(), "create" | "update" | "patch")
    {
        return Vec::new();
    }
    let mut msg = format!(
        "{} added an ephemeral container to pod {}/{}",
        who(ctx),
        ev.namespace(),
        ev.name()
    );
    if ev.forbidden() {
        msg.push_str(" — denied");
    }
    vec![hit(&RULE, ctx, msg)]
}
