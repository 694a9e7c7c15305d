//! AUD016: repeated forbidden requests (RBAC enumeration).

use super::{Hit, hit, who};
use crate::analyze::Ctx;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "AUD016",
    slug: "repeated-forbidden",
    title: "Repeated forbidden requests",
    severity: Severity::Medium,
    layer: "audit",
    tags: &["audit", "reconnaissance"],
    default_enabled: true,
    what: "A subject whose requests were refused by the authorizer (401/403, or decision `forbid`) at least `--forbidden-threshold` times (default 10) in the log window. One finding per subject, with the count and the first refused request.",
    why: "Tools that probe what a stolen credential can do (`kubectl auth can-i --list` done by hand, kube-hunter, peirates) walk through verbs and resources and collect 403s; a burst of refusals is how that enumeration looks in the audit log, before the attacker finds the right that works.",
    fix: "Identify the client (source IP, user agent); if the credential is not expected to probe, revoke it.",
    example: include_str!("../../fixtures/AUD016/fail.jsonl"),
    example_fixed: include_str!("../../fixtures/AUD016/pass.jsonl"),
    equivalents: &[],
    references: &["https://kubernetes.io/docs/reference/access-authn-authz/authorization/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Audit> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Hit> {
    let ev = ctx.ev;
    if ev.allowed() {
        return Vec::new();
    }
    let (subject, _) = ev.subject();
    let msg = format!("{} was refused repeatedly", who(ctx));
    vec![hit(&RULE, ctx, msg).grouped(subject, ctx.opts.forbidden_threshold)]
}
