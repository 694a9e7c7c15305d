//! RBAC004: port-forward to pods.

use super::{GOOD_PRACTICES, RBAC_DOC};
use crate::rights::{Check, Right, probe};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RBAC004",
    slug: "port-forward",
    title: "Subject can port-forward into pods",
    severity: Severity::Medium,
    layer: "kubernetes",
    tags: &["rbac", "network"],
    default_enabled: true,
    what: "A subject can `create` (or `get`) `pods/portforward`. Raised one level when cluster-wide or in kube-system.",
    why: "Port-forwarding tunnels the subject's own machine straight to a pod's ports through the API server, bypassing NetworkPolicies, ingress authentication and service meshes: an admin console, a database without a password, a metrics endpoint with secrets become reachable.",
    fix: "Remove `pods/portforward` from everyday roles; expose what users need through authenticated services.",
    example: include_str!("../../fixtures/RBAC004/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RBAC004/pass.yaml"),
    equivalents: &[eq("kubescape", "C-0063")],
    references: &[GOOD_PRACTICES, RBAC_DOC],
};

pub static RIGHT: Right = Right {
    rule: &RULE,
    check: Check::Probes(&[probe("", "pods", "portforward", &["create", "get"], true)]),
    escalation: "reaches any pod port from outside, bypassing NetworkPolicies",
    phrase: "port-forward to pods",
    become_sa: false,
    subsumed: None,
};
