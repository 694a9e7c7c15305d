//! RBAC002: create pods, or create/update pod controllers.

use super::{GOOD_PRACTICES, RBAC_DOC};
use crate::rights::{Check, Right, probe};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

const CUP: &[&str] = &["create", "update", "patch"];

pub static RULE: RuleMeta = RuleMeta {
    id: "RBAC002",
    slug: "create-workloads",
    title: "Subject can create pods or workloads",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["rbac", "workloads"],
    default_enabled: true,
    what: "A subject can `create` pods, or `create`/`update`/`patch` a pod controller (Deployment, DaemonSet, StatefulSet, ReplicaSet, ReplicationController, Job, CronJob, PodTemplate). Raised to critical when cluster-wide or in kube-system.",
    why: "Whoever creates a pod chooses what it mounts and how it runs: any Secret or ConfigMap of the namespace as a volume, any service account of the namespace (and so its API rights), and — unless Pod Security admission enforces baseline — `privileged: true`, `hostPID` or a `hostPath` of `/`, which is root on the node. In kube-system that means the credentials of the cluster's own controllers.",
    fix: "Let a CI/CD service account (or GitOps controller) create workloads; give people read access. Enforce Pod Security admission (`restricted`) in every namespace where users create pods, and keep privileged service accounts out of those namespaces.",
    example: include_str!("../../fixtures/RBAC002/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RBAC002/pass.yaml"),
    equivalents: &[
        eq("kubescape", "C-0188"),
        eq("rbac-police", "assign_sa"),
        eq("rbac-police", "modify_pods"),
        eq("krane", "risky-create-deployments"),
        eq("krane", "risky-any-verb-pods"),
    ],
    references: &[GOOD_PRACTICES, RBAC_DOC],
};

pub static RIGHT: Right = Right {
    rule: &RULE,
    check: Check::Probes(&[
        probe("", "pods", "", &["create"], true),
        probe("apps", "deployments", "", CUP, true),
        probe("apps", "daemonsets", "", CUP, true),
        probe("apps", "statefulsets", "", CUP, true),
        probe("apps", "replicasets", "", CUP, true),
        probe("", "replicationcontrollers", "", CUP, true),
        probe("batch", "jobs", "", CUP, true),
        probe("batch", "cronjobs", "", CUP, true),
        probe("", "podtemplates", "", CUP, true),
    ]),
    escalation: "runs a pod that mounts any secret and runs as any service account of the namespace, privileged unless admission forbids it",
    phrase: "create pods or workloads",
    become_sa: true,
    subsumed: None,
};
