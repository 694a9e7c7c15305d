//! Restricted: only the listed volume types.

use super::*;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "PSS018",
    slug: "restricted-volume-types",
    title: "Volume type outside the restricted allow-list",
    severity: Severity::Medium,
    layer: "kubernetes",
    tags: &["pss", "restricted", "runtime"],
    default_enabled: true,
    what: "A volume uses a source other than configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret (PSS restricted control `restrictedVolumes`, replacing `hostPathVolumes`).",
    why: "Inline volume sources (hostPath, nfs, iscsi, rbd, cephfs, gitRepo, ...) let the pod author choose what storage to attach and with which credentials, bypassing the storage administrator: a pod can mount another team's NFS export or a host directory. `gitRepo` additionally runs git on the node with attacker-chosen input.",
    fix: "Use a PersistentVolumeClaim bound to an administrator-managed PersistentVolume or StorageClass, or one of the allowed ephemeral sources.",
    example: include_str!("../../fixtures/PSS018/fail.yaml"),
    example_fixed: include_str!("../../fixtures/PSS018/pass.yaml"),
    equivalents: &[eq("PSS", "restrictedVolumes"), eq("Trivy", "KSV028")],
    references: &[PSS_DOC],
};

pub static CHECK: Check = Check {
    id: "restrictedVolumes",
    level: Level::Restricted,
    rule: &RULE,
    versions: &[VersionedCheck {
        min: 0,
        check: v1_0,
        overrides: &["hostPathVolumes"],
    }],
};

const ALLOWED: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

const KNOWN_RESTRICTED: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

fn v1_0(pod: &PodTemplate<'_>) -> Vec<Violation> {
    let Some(vols) = pod.spec.get("volumes") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, v) in vols.items().iter().enumerate() {
        if ALLOWED.iter().any(|k| v.get(k).is_some()) {
            continue;
        }
        let name = v.get("name").and_then(|n| n.as_str()).unwrap_or("");
        // A volume with no source the API knows is defaulted to emptyDir by
        // the API server (unknown fields are dropped first), so it passes.
        let Some(kind) = KNOWN_RESTRICTED
            .iter()
            .find(|k| v.get(k).is_some())
            .copied()
        else {
            continue;
        };
        out.push(violation(
            &RULE,
            pod.spec_path.key("volumes").index(i).key(kind),
            format!("volume \"{name}\" uses restricted volume type \"{kind}\""),
            manual("use a persistentVolumeClaim or an allowed ephemeral volume type"),
        ));
    }
    out
}
