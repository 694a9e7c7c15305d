//! AUD001: exec into or attach to a pod.

use super::{Hit, hit, who};
use crate::analyze::Ctx;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "AUD001",
    slug: "pod-exec-attach",
    title: "Exec into or attach to a pod",
    severity: Severity::Medium,
    layer: "audit",
    tags: &["audit", "runtime-access"],
    default_enabled: true,
    what: "A request on the `exec` or `attach` subresource of a pod (`kubectl exec`, `kubectl attach`, `kubectl debug` into a running container), allowed or not; the command run is in the request URI.",
    why: "Exec is a shell inside the workload: the caller reads the pod's mounted secrets and service-account token, its memory and files, and acts with its network identity; an attacker with stolen credentials uses it to move from the API into the workloads. In production it should be rare and attributable.",
    fix: "Confirm who ran it and why; take `pods/exec` and `pods/attach` out of everyday roles (see `bulkhead rbac who-can create pods/exec`), and use break-glass roles for debugging.",
    example: include_str!("../../fixtures/AUD001/fail.jsonl"),
    example_fixed: include_str!("../../fixtures/AUD001/pass.jsonl"),
    equivalents: &[eq("Falco", "Attach/Exec Pod")],
    references: &[
        "https://kubernetes.io/docs/tasks/debug/debug-application/get-shell-running-container/",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::Audit> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Hit> {
    let ev = ctx.ev;
    let sub = ev.subresource();
    if ev.resource() != "pods" || !matches!(sub, "exec" | "attach") {
        return Vec::new();
    }
    let command = ctx.command();
    let mut msg = format!(
        "{} {} pod {}/{}",
        who(ctx),
        if sub == "exec" {
            "exec'd into"
        } else {
            "attached to"
        },
        ev.namespace(),
        ev.name()
    );
    if !command.is_empty() {
        msg.push_str(&format!(" (command: {command})"));
    }
    if ev.forbidden() {
        msg.push_str(" — denied");
    }
    vec![hit(&RULE, ctx, msg)]
}
