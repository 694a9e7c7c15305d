//! AUD004: secrets read or listed, one finding per subject.

use super::{Hit, hit, is_control_plane, who};
use crate::analyze::Ctx;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "AUD004",
    slug: "secrets-read",
    title: "Secrets read or listed",
    severity: Severity::Medium,
    layer: "audit",
    tags: &["audit", "secrets"],
    default_enabled: true,
    what: "`get`, `list` or `watch` on Secrets by a subject that is not a control-plane component, allowed or denied. One finding per subject, with the number of requests, how many were denied, and the secrets named.",
    why: "Secrets hold tokens, passwords and keys; a subject that lists them collects every credential of a namespace in one request. Reads by an unexpected user or service account, or many denied attempts, are how credential theft and RBAC probing show up in the log.",
    fix: "Check that the subject needs those secrets; replace `list`/`watch` on secrets with `get` on named ones (`resourceNames`), and see `bulkhead audit roles` for the least privilege it used.",
    example: include_str!("../../fixtures/AUD004/fail.jsonl"),
    example_fixed: include_str!("../../fixtures/AUD004/pass.jsonl"),
    equivalents: &[
        eq("Falco", "K8s Secret Get Successfully"),
        eq("Falco", "K8s Secret Get Unsuccessfully Tried"),
    ],
    references: &["https://kubernetes.io/docs/concepts/security/secrets-good-practices/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Audit> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Hit> {
    let ev = ctx.ev;
    let (subject, _) = ev.subject();
    if ev.resource() != "secrets"
        || !ev.subresource().is_empty()
        || !matches!(ev.verb(), "get" | "list" | "watch")
        || is_control_plane(subject)
    {
        return Vec::new();
    }
    let msg = format!("{} read secrets", who(ctx));
    vec![hit(&RULE, ctx, msg).grouped(subject, 1)]
}
