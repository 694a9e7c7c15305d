//! RBAC005: nodes/proxy (the kubelet API).

use super::{GOOD_PRACTICES, RBAC_DOC};
use crate::rights::{Check, Right, probe};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RBAC005",
    slug: "node-proxy",
    title: "Subject can reach the kubelet API through nodes/proxy",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["rbac", "node"],
    default_enabled: true,
    what: "A subject can `get` or `create` `nodes/proxy` (cluster-scoped: only a ClusterRoleBinding grants it).",
    why: "`nodes/proxy` forwards requests to each kubelet's API, which runs commands in any container on the node (`/exec`, `/run`) without going through the API server's authorization or audit of `pods/exec`. It is exec into every pod of the cluster.",
    fix: "Grant `nodes/metrics` or `nodes/stats` to monitoring agents instead; nobody else needs `nodes/proxy`.",
    example: include_str!("../../fixtures/RBAC005/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RBAC005/pass.yaml"),
    equivalents: &[eq("kubescape", "C-0279"), eq("rbac-police", "nodes_proxy")],
    references: &[GOOD_PRACTICES, RBAC_DOC],
};

pub static RIGHT: Right = Right {
    rule: &RULE,
    check: Check::Probes(&[probe("", "nodes", "proxy", &["get", "create"], false)]),
    escalation: "runs commands in every container through the kubelet API, unaudited",
    phrase: "use nodes/proxy",
    become_sa: false,
    subsumed: None,
};
