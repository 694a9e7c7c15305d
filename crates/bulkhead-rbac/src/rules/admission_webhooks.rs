//! RBAC011: modify admission webhook configurations.

use super::GOOD_PRACTICES;
use crate::rights::{Check, Right, probe};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

const W: &[&str] = &["create", "update", "patch", "delete"];

pub static RULE: RuleMeta = RuleMeta {
    id: "RBAC011",
    slug: "modify-admission-webhooks",
    title: "Subject can modify admission webhooks",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["rbac", "admission"],
    default_enabled: true,
    what: "A subject can create, update, patch or delete `mutatingwebhookconfigurations` or `validatingwebhookconfigurations` (cluster-scoped).",
    why: "A mutating webhook sees, and may rewrite, every object sent to the API server — secrets in cleartext included — and can inject a privileged sidecar into every new pod. Deleting a validating webhook switches off the policy engine that enforces everything else.",
    fix: "Only the controllers that own their webhooks (and cluster admins) should write these objects; restrict with `resourceNames`.",
    example: include_str!("../../fixtures/RBAC011/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RBAC011/pass.yaml"),
    equivalents: &[
        eq("kubescape", "C-0281"),
        eq("rbac-police", "control_webhooks"),
    ],
    references: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/",
        GOOD_PRACTICES,
    ],
};

pub static RIGHT: Right = Right {
    rule: &RULE,
    check: Check::Probes(&[
        probe(
            "admissionregistration.k8s.io",
            "mutatingwebhookconfigurations",
            "",
            W,
            false,
        ),
        probe(
            "admissionregistration.k8s.io",
            "validatingwebhookconfigurations",
            "",
            W,
            false,
        ),
    ]),
    escalation: "intercepts and rewrites every API object (secrets included) or disables policy enforcement",
    phrase: "modify admission webhooks",
    become_sa: false,
    subsumed: None,
};
