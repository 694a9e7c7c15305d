//! AUD006: Role or ClusterRole with a wildcard created.

use super::{Hit, hit, role_rules, role_write, strings, who};
use crate::analyze::Ctx;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "AUD006",
    slug: "wildcard-role-created",
    title: "Role with a wildcard verb or resource created",
    severity: Severity::High,
    layer: "audit",
    tags: &["audit", "rbac"],
    default_enabled: true,
    what: "A Role or ClusterRole created or replaced whose rules name `*` as a verb or a resource (read from the logged request object, so the audit level must be `Request` or `RequestResponse` for roles).",
    why: "A wildcard grants every present and future verb or resource, including `escalate`, `bind`, `impersonate` and the secrets and CRDs installed later; it is how a role meant for one app ends up equivalent to cluster-admin.",
    fix: "List the verbs and resources the role needs (`bulkhead audit roles --serviceaccount NS:NAME` writes them from observed use).",
    example: include_str!("../../fixtures/AUD006/fail.jsonl"),
    example_fixed: include_str!("../../fixtures/AUD006/pass.jsonl"),
    equivalents: &[
        eq("Falco", "ClusterRole With Wildcard Created"),
        eq("bulkhead", "RBAC014"),
    ],
    references: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Audit> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Hit> {
    if !role_write(ctx) {
        return Vec::new();
    }
    let mut wild = Vec::new();
    for r in role_rules(ctx) {
        if strings(&r, "verbs").iter().any(|v| v == "*") && !wild.contains(&"verbs") {
            wild.push("verbs");
        }
        if strings(&r, "resources").iter().any(|v| v == "*") && !wild.contains(&"resources") {
            wild.push("resources");
        }
    }
    if wild.is_empty() {
        return Vec::new();
    }
    let msg = format!(
        "{} created {} {} with wildcard {}",
        who(ctx),
        ctx.kind_of_role(),
        ctx.object_name(),
        wild.join(" and ")
    );
    vec![hit(&RULE, ctx, msg)]
}
