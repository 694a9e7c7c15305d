//! RBAC001: read Secrets (get, list or watch).

use super::{GOOD_PRACTICES, RBAC_DOC};
use crate::rights::{Check, Right, probe};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RBAC001",
    slug: "read-secrets",
    title: "Subject can read Secrets",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["rbac", "secrets"],
    default_enabled: true,
    what: "A subject is bound to a rule that allows `get`, `list` or `watch` on `secrets` (core group, directly or through `*`). `list` and `watch` return every secret's data just like `get` (tools that check only `get` miss them). Raised to critical when cluster-wide or in kube-system.",
    why: "Secrets hold service-account tokens (legacy token Secrets), TLS keys, registry and cloud credentials. `kubectl get secrets -A -o yaml` with this right dumps them all; a token of a privileged controller's service account in kube-system is a cluster-admin login.",
    fix: "Grant `get` on the specific `resourceNames` the workload needs, in its own namespace; never `list`/`watch` on secrets outside controllers that must cache them. Mount secrets into pods instead of reading them through the API.",
    example: include_str!("../../fixtures/RBAC001/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RBAC001/pass.yaml"),
    equivalents: &[
        eq("kubescape", "C-0015"),
        eq("kubescape", "C-0186"),
        eq("rbac-police", "list_secrets"),
        eq("rbac-police", "retrieve_token_secrets"),
        eq("krane", "risky-list-secrets"),
        eq("krane", "risky-get-secrets"),
        eq("rbac-tool", "Secret Readers"),
    ],
    references: &[GOOD_PRACTICES, RBAC_DOC],
};

pub static RIGHT: Right = Right {
    rule: &RULE,
    check: Check::Probes(&[probe("", "secrets", "", &["get", "list", "watch"], true)]),
    escalation: "reads every secret in scope: service-account tokens, TLS keys, cloud credentials",
    phrase: "read secrets",
    become_sa: false,
    subsumed: None,
};
