//! AUD008: Role or ClusterRole with write verbs created.

use super::{Hit, hit, role_rules, role_write, strings, who};
use crate::analyze::Ctx;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "AUD008",
    slug: "write-role-created",
    title: "Role with write verbs created",
    severity: Severity::Low,
    layer: "audit",
    tags: &["audit", "rbac"],
    default_enabled: true,
    what: "A Role or ClusterRole created or replaced whose rules grant `create`, `update`, `patch`, `delete` or `deletecollection` (from the logged request object).",
    why: "Write rights change the cluster; a new role with them widens what its subjects can alter. Low severity: most such roles are legitimate, but the change should be reviewable in the log.",
    fix: "Check the role's subjects and scope; prefer namespaced Roles with named resources.",
    example: include_str!("../../fixtures/AUD008/fail.jsonl"),
    example_fixed: include_str!("../../fixtures/AUD008/pass.jsonl"),
    equivalents: &[eq("Falco", "ClusterRole With Write Privileges Created")],
    references: &["https://kubernetes.io/docs/reference/access-authn-authz/rbac/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Audit> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Hit> {
    if !role_write(ctx) {
        return Vec::new();
    }
    let mut verbs: Vec<String> = Vec::new();
    for r in role_rules(ctx) {
        for v in strings(&r, "verbs") {
            if matches!(
                v.as_str(),
                "create" | "update" | "patch" | "delete" | "deletecollection"
            ) && !verbs.contains(&v)
            {
                verbs.push(v);
            }
        }
    }
    if verbs.is_empty() {
        return Vec::new();
    }
    let msg = format!(
        "{} created {} {} with write verbs {}",
        who(ctx),
        ctx.kind_of_role(),
        ctx.object_name(),
        verbs.join(", ")
    );
    vec![hit(&RULE, ctx, msg)]
}
