//! RBAC012: create PersistentVolumes.

use super::GOOD_PRACTICES;
use crate::rights::{Check, Right, probe};
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RBAC012",
    slug: "create-persistent-volumes",
    title: "Subject can create PersistentVolumes",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["rbac", "node"],
    default_enabled: true,
    what: "A subject can `create`, `update` or `patch` `persistentvolumes` (cluster-scoped).",
    why: "A PersistentVolume may be a `hostPath` of `/`. Pod Security admission checks pods, not volumes: a pod that merely claims the volume through a PVC gets the node's root filesystem, which PSS `baseline` would have refused as a hostPath.",
    fix: "Let the storage provisioners create volumes; users request storage with PersistentVolumeClaims.",
    example: include_str!("../../fixtures/RBAC012/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RBAC012/pass.yaml"),
    equivalents: &[],
    references: &[
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#persistent-volume-creation",
        GOOD_PRACTICES,
    ],
};

pub static RIGHT: Right = Right {
    rule: &RULE,
    check: Check::Probes(&[probe(
        "",
        "persistentvolumes",
        "",
        &["create", "update", "patch"],
        false,
    )]),
    escalation: "mounts a hostPath volume (the node's root filesystem) past Pod Security admission",
    phrase: "create persistent volumes",
    become_sa: false,
    subsumed: None,
};
