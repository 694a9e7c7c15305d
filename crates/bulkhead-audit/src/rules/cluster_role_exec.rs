//! AUD007: Role or ClusterRole granting pod exec created.

use super::{Hit, hit, role_rules, role_write, strings, who};
use crate::analyze::Ctx;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "AUD007",
    slug: "exec-role-created",
    title: "Role granting pod exec created",
    severity: Severity::Medium,
    layer: "audit",
    tags: &["audit", "rbac"],
    default_enabled: true,
    what: "A Role or ClusterRole created or replaced whose rules name `pods/exec` (from the logged request object).",
    why: "Whoever is bound to it gets a shell in every pod it covers, with the pods' secrets, tokens and network identity; such roles are the usual path from a developer account to production data.",
    fix: "Keep `pods/exec` in break-glass roles bound for a limited time; check who holds it with `bulkhead rbac who-can create pods/exec`.",
    example: include_str!("../../fixtures/AUD007/fail.jsonl"),
    example_fixed: include_str!("../../fixtures/AUD007/pass.jsonl"),
    equivalents: &[
        eq("Falco", "ClusterRole With Pod Exec Created"),
        eq("bulkhead", "RBAC003"),
    ],
    references: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Audit> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Hit> {
    if !role_write(ctx)
        || !role_rules(ctx)
            .iter()
            .any(|r| strings(r, "resources").iter().any(|v| v == "pods/exec"))
    {
        return Vec::new();
    }
    let msg = format!(
        "{} created {} {} granting pods/exec",
        who(ctx),
        ctx.kind_of_role(),
        ctx.object_name()
    );
    vec![hit(&RULE, ctx, msg)]
}
