//! RBAC010: approve certificate signing requests.

use super::GOOD_PRACTICES;
use crate::rights::{Check, Right, probe};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RBAC010",
    slug: "approve-csr",
    title: "Subject can approve certificate signing requests",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["rbac", "privilege-escalation"],
    default_enabled: true,
    what: "A subject can `update` or `patch` `certificatesigningrequests/approval` (certificates.k8s.io; cluster-scoped). Approving also needs `approve` on the signer, which such roles usually grant too.",
    why: "With create and approve on CSRs, the holder asks the cluster CA for a client certificate with `O=system:masters` (or `CN=system:node:X`) and approves it: a permanent credential as cluster-admin or as a node, valid until the CA rotates.",
    fix: "Leave CSR approval to the controller manager and dedicated approvers; never grant it to people or application service accounts.",
    example: include_str!("../../fixtures/RBAC010/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RBAC010/pass.yaml"),
    equivalents: &[eq("rbac-police", "approve_csrs")],
    references: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#authorization",
        GOOD_PRACTICES,
    ],
};

pub static RIGHT: Right = Right {
    rule: &RULE,
    check: Check::Probes(&[probe(
        "certificates.k8s.io",
        "certificatesigningrequests",
        "approval",
        &["update", "patch"],
        false,
    )]),
    escalation: "issues itself a client certificate as system:masters or a node",
    phrase: "approve certificate signing requests",
    become_sa: false,
    subsumed: None,
};
