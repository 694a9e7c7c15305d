//! RBAC006: the escalate verb on roles.

use super::{GOOD_PRACTICES, RBAC_DOC};
use crate::rights::{Check, Right, probe};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RBAC006",
    slug: "escalate-roles",
    title: "Subject can escalate roles",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["rbac", "privilege-escalation"],
    default_enabled: true,
    what: "A subject holds the `escalate` verb on `roles` (namespaced) or `clusterroles` (only through a ClusterRoleBinding).",
    why: "RBAC normally refuses to let anyone write a role granting more than they hold. `escalate` switches that check off: the holder edits a role it is bound to and adds `*` on `*` — namespace admin with `roles`, cluster-admin with `clusterroles`.",
    fix: "Remove `escalate` (and `*` verbs on roles/clusterroles) from every role except the cluster's own RBAC managers.",
    example: include_str!("../../fixtures/RBAC006/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RBAC006/pass.yaml"),
    equivalents: &[
        eq("kubescape", "C-0191"),
        eq("rbac-police", "escalate_roles"),
        eq("krane", "risky-any-verb-clusterroles"),
    ],
    references: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-creation-or-update",
        GOOD_PRACTICES,
        RBAC_DOC,
    ],
};

pub static RIGHT: Right = Right {
    rule: &RULE,
    check: Check::Probes(&[
        probe(
            "rbac.authorization.k8s.io",
            "roles",
            "",
            &["escalate"],
            true,
        ),
        probe(
            "rbac.authorization.k8s.io",
            "clusterroles",
            "",
            &["escalate"],
            false,
        ),
    ]),
    escalation: "adds any permission to a role it is bound to (up to cluster-admin)",
    phrase: "escalate roles",
    become_sa: false,
    subsumed: None,
};
