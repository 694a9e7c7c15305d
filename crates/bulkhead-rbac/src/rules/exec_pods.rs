//! RBAC003: exec, attach or add ephemeral containers.

use super::{GOOD_PRACTICES, RBAC_DOC};
use crate::rights::{Check, Right, probe};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RBAC003",
    slug: "exec-into-pods",
    title: "Subject can exec into, attach to or debug running pods",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["rbac", "workloads"],
    default_enabled: true,
    what: "A subject can `create` (or `get`, which the WebSocket protocol uses) `pods/exec` or `pods/attach`, or `update`/`patch` `pods/ephemeralcontainers`. A rule on `pods` alone does not grant these subresources; `*` does. Raised to critical when cluster-wide or in kube-system.",
    why: "`kubectl exec` gives a shell in a running container: its mounted secrets, its service-account token (and so its API rights), its network position. An ephemeral container (`kubectl debug`) can be added to any pod with a chosen image and security context. In kube-system that is the token of the cluster's controllers.",
    fix: "Grant exec only for break-glass roles, in the namespaces that need it, and log it; give developers logs (`pods/log`) instead.",
    example: include_str!("../../fixtures/RBAC003/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RBAC003/pass.yaml"),
    equivalents: &[
        eq("kubescape", "C-0002"),
        eq("rbac-police", "pods_exec"),
        eq("rbac-police", "pods_ephemeral_ctrs"),
        eq("krane", "risky-exec-pods"),
        eq("krane", "risky-attach-pods"),
    ],
    references: &[GOOD_PRACTICES, RBAC_DOC],
};

pub static RIGHT: Right = Right {
    rule: &RULE,
    check: Check::Probes(&[
        probe("", "pods", "exec", &["create", "get"], true),
        probe("", "pods", "attach", &["create", "get"], true),
        probe(
            "",
            "pods",
            "ephemeralcontainers",
            &["update", "patch"],
            true,
        ),
    ]),
    escalation: "gets a shell in running containers, with their secrets and service-account tokens",
    phrase: "exec into pods",
    become_sa: true,
    subsumed: None,
};
