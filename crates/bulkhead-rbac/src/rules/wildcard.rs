//! RBAC014: `*` verbs on `*` resources.

use super::cluster_admin_binding;
use super::{GOOD_PRACTICES, RBAC_DOC};
use crate::rights::{Check, Right, Subsumed};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RBAC014",
    slug: "wildcard-rights",
    title: "Subject holds every verb on every resource",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["rbac", "wildcard"],
    default_enabled: true,
    what: "A subject is bound to a rule with `*` in both `verbs` and `resources` (admin of those API groups, in the binding's namespace or cluster-wide). A rule with `apiGroups: [\"*\"]` stands for every specific right (secrets, pods, exec, ...): those are not reported again for it. Raised to critical when cluster-wide or in kube-system.",
    why: "Wildcards grant everything that exists and everything that will: subresources like `pods/exec`, `serviceaccounts/token`, every custom resource installed later. Cluster-wide it is cluster-admin under another name.",
    fix: "List the verbs and resources the subject needs. For namespace administration bind the built-in `admin` ClusterRole with a RoleBinding.",
    example: include_str!("../../fixtures/RBAC014/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RBAC014/pass.yaml"),
    equivalents: &[
        eq("kubescape", "C-0035"),
        eq("kubescape", "C-0187"),
        eq("rbac-police", "cluster_admin"),
        eq("krane", "subjects-with-open-cluster-wide-access"),
        eq("krane", "subjects-with-open-ns-level-access"),
    ],
    references: &[
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#minimize-wildcard-use",
        GOOD_PRACTICES,
        RBAC_DOC,
    ],
};

pub static RIGHT: Right = Right {
    rule: &RULE,
    check: Check::Wildcard,
    escalation: "does anything to every resource in scope, including those added later",
    phrase: "do anything (`*` on `*`)",
    become_sa: false,
    // A cluster-admin binding is RBAC015's finding, not also this one.
    subsumed: Some(Subsumed {
        by: &cluster_admin_binding::RULE,
        binding: cluster_admin_binding::is_cluster_admin_binding,
    }),
};
