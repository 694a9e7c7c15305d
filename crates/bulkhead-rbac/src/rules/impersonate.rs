//! RBAC008: impersonation.

use super::GOOD_PRACTICES;
use crate::rights::{Check, Right, probe};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RBAC008",
    slug: "impersonate",
    title: "Subject can impersonate users, groups or service accounts",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["rbac", "privilege-escalation"],
    default_enabled: true,
    what: "A subject holds `impersonate` on `users`, `groups`, `uids`, `userextras/*` (cluster-scoped: ClusterRoleBindings only) or `serviceaccounts` (namespaced).",
    why: "`kubectl --as=admin --as-group=system:masters` makes every request as the impersonated identity: impersonating the group `system:masters` is cluster-admin, impersonating a service account is that account's rights.",
    fix: "Remove `impersonate`, or restrict it with `resourceNames` to specific, unprivileged identities.",
    example: include_str!("../../fixtures/RBAC008/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RBAC008/pass.yaml"),
    equivalents: &[
        eq("kubescape", "C-0065"),
        eq("kubescape", "C-0191"),
        eq("rbac-police", "impersonate"),
        eq("krane", "risky-impersonate-privileged-groups"),
    ],
    references: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation",
        GOOD_PRACTICES,
    ],
};

pub static RIGHT: Right = Right {
    rule: &RULE,
    check: Check::Probes(&[
        probe("", "users", "", &["impersonate"], false),
        probe("", "groups", "", &["impersonate"], false),
        probe("", "serviceaccounts", "", &["impersonate"], true),
        probe("authentication.k8s.io", "uids", "", &["impersonate"], false),
        probe(
            "authentication.k8s.io",
            "userextras",
            "scopes",
            &["impersonate"],
            false,
        ),
    ]),
    escalation: "acts as another identity (group system:masters is cluster-admin)",
    phrase: "impersonate",
    become_sa: true,
    subsumed: None,
};
