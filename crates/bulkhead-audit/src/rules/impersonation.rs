//! AUD011: impersonation.

use super::{Hit, hit};
use crate::analyze::Ctx;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "AUD011",
    slug: "impersonation",
    title: "Request made by impersonating another user",
    severity: Severity::Medium,
    layer: "audit",
    tags: &["audit", "authentication"],
    default_enabled: true,
    what: "A request sent with `Impersonate-User` / `Impersonate-Group` headers (`kubectl --as`), so the log's `impersonatedUser` is set. One finding per impersonator and impersonated subject, counting requests.",
    why: "Impersonation lets one identity act as another, including groups such as `system:masters`; an attacker who holds `impersonate` acts with the rights of anyone and the actions are logged under the victim's name unless one reads `impersonatedUser`.",
    fix: "Confirm the impersonator should hold `impersonate` (see RBAC008 in `bulkhead rbac`) and restrict it with `resourceNames` to the users it must act as.",
    example: include_str!("../../fixtures/AUD011/fail.jsonl"),
    example_fixed: include_str!("../../fixtures/AUD011/pass.jsonl"),
    equivalents: &[],
    references: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::Audit> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Hit> {
    let ev = ctx.ev;
    let Some(imp) = &ev.impersonated_user else {
        return Vec::new();
    };
    let user = ev.username();
    let msg = format!("{user} impersonated {}", &*imp.username);
    vec![hit(&RULE, ctx, msg).grouped(format!("{user} {}", &*imp.username), 1)]
}
