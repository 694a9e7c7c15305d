//! RBAC009: mint service-account tokens.

use super::{GOOD_PRACTICES, RBAC_DOC};
use crate::rights::{Check, Right, probe};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RBAC009",
    slug: "create-serviceaccount-token",
    title: "Subject can mint tokens for service accounts",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["rbac", "privilege-escalation"],
    default_enabled: true,
    what: "A subject can `create` `serviceaccounts/token` (the TokenRequest API).",
    why: "`kubectl create token SA` returns a fresh, valid token for any service account in scope: the holder becomes each of them, including a controller's highly privileged account, without touching a pod.",
    fix: "Restrict `serviceaccounts/token` with `resourceNames` to the accounts that must be delegated, or remove it.",
    example: include_str!("../../fixtures/RBAC009/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RBAC009/pass.yaml"),
    equivalents: &[
        eq("kubescape", "C-0282"),
        eq("rbac-police", "token_request"),
    ],
    references: &[
        "https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/",
        GOOD_PRACTICES,
        RBAC_DOC,
    ],
};

pub static RIGHT: Right = Right {
    rule: &RULE,
    check: Check::Probes(&[probe("", "serviceaccounts", "token", &["create"], true)]),
    escalation: "becomes any service account in scope by minting its token",
    phrase: "mint service-account tokens",
    become_sa: true,
    subsumed: None,
};
