//! AUD009: system ClusterRole or Role modified or deleted.

use super::{Hit, hit, who};
use crate::analyze::Ctx;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "AUD009",
    slug: "system-role-changed",
    title: "System role modified or deleted",
    severity: Severity::Medium,
    layer: "audit",
    tags: &["audit", "rbac"],
    default_enabled: true,
    what: "An update, patch or delete of a ClusterRole or Role whose name starts with `system:` (the bootstrap roles of the API server and controllers), except `system:coredns` and `system:managed-certificate-controller`, which change in normal operation.",
    why: "The bootstrap roles define what the control plane, nodes and service accounts may do; widening one (`system:node`, `system:kube-controller-manager`) hands those rights to every holder, and deleting one breaks a component or hides a swap. The API server restores them only on restart, if `rbac.authorization.kubernetes.io/autoupdate` is still true.",
    fix: "Revert the change; add rights through a new role and binding instead of editing `system:` roles.",
    example: include_str!("../../fixtures/AUD009/fail.jsonl"),
    example_fixed: include_str!("../../fixtures/AUD009/pass.jsonl"),
    equivalents: &[eq("Falco", "System ClusterRole Modified/Deleted")],
    references: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#auto-reconciliation",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::Audit> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Hit> {
    let ev = ctx.ev;
    let name = ev.name();
    if ev.api_group() != "rbac.authorization.k8s.io"
        || !matches!(ev.resource(), "clusterroles" | "roles")
        || !matches!(ev.verb(), "update" | "patch" | "delete")
        || !name.starts_with("system:")
        || matches!(
            name,
            "system:coredns" | "system:managed-certificate-controller"
        )
    {
        return Vec::new();
    }
    let msg = format!(
        "{} {} system role {name}",
        who(ctx),
        match ev.verb() {
            "delete" => "deleted",
            _ => "modified",
        }
    );
    vec![hit(&RULE, ctx, msg)]
}
