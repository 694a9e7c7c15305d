//! RBAC013: modify namespaces (and their Pod Security labels).

use super::GOOD_PRACTICES;
use crate::rights::{Check, Right, probe};
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RBAC013",
    slug: "modify-namespaces",
    title: "Subject can relabel namespaces (defeats Pod Security admission)",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["rbac", "admission"],
    default_enabled: true,
    what: "A subject can `update` or `patch` `namespaces` (cluster-scoped).",
    why: "Pod Security admission reads its level from the namespace's `pod-security.kubernetes.io/enforce` label. Whoever can patch namespaces sets it to `privileged` and then runs privileged, hostPath or hostPID pods there; other policy engines keyed on namespace labels fall the same way.",
    fix: "Create and label namespaces through a controlled pipeline; do not grant namespace update/patch to tenants.",
    example: include_str!("../../fixtures/RBAC013/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RBAC013/pass.yaml"),
    equivalents: &[],
    references: &[
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#namespace-modification",
        GOOD_PRACTICES,
    ],
};

pub static RIGHT: Right = Right {
    rule: &RULE,
    check: Check::Probes(&[probe("", "namespaces", "", &["update", "patch"], false)]),
    escalation: "sets pod-security.kubernetes.io/enforce=privileged and runs privileged pods",
    phrase: "relabel namespaces",
    become_sa: false,
    subsumed: None,
};
