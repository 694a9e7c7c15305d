//! RBAC007: the bind verb on roles.

use super::{GOOD_PRACTICES, RBAC_DOC};
use crate::rights::{Check, Right, probe};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RBAC007",
    slug: "bind-roles",
    title: "Subject can bind roles it does not hold",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["rbac", "privilege-escalation"],
    default_enabled: true,
    what: "A subject holds the `bind` verb on `roles` or `clusterroles` (a RoleBinding grants `bind` on ClusterRoles for bindings in its namespace).",
    why: "Creating a binding normally requires holding every permission of the role. `bind` lifts that check: with `create` on rolebindings the holder binds itself to `admin` in the namespace, or with clusterrolebindings to `cluster-admin`.",
    fix: "Remove `bind` except from the controllers that manage RBAC; restrict it with `resourceNames` to the roles that may be handed out.",
    example: include_str!("../../fixtures/RBAC007/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RBAC007/pass.yaml"),
    equivalents: &[
        eq("kubescape", "C-0191"),
        eq("rbac-police", "bind_roles"),
        eq("krane", "risky-create-rolebinding-clusterrole"),
    ],
    references: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-binding-creation-or-update",
        GOOD_PRACTICES,
        RBAC_DOC,
    ],
};

pub static RIGHT: Right = Right {
    rule: &RULE,
    check: Check::Probes(&[
        probe("rbac.authorization.k8s.io", "roles", "", &["bind"], true),
        probe(
            "rbac.authorization.k8s.io",
            "clusterroles",
            "",
            &["bind"],
            true,
        ),
    ]),
    escalation: "binds itself to any role, up to cluster-admin, without holding its permissions",
    phrase: "bind roles",
    become_sa: false,
    subsumed: None,
};
