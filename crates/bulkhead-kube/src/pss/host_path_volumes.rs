//! Baseline: hostPath volumes.

use super::*;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "PSS004",
    slug: "host-path-volumes",
    title: "Pod mounts a hostPath volume",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["pss", "baseline", "runtime"],
    default_enabled: true,
    what: "A volume in `spec.volumes` uses `hostPath` (PSS baseline control `hostPathVolumes`).",
    why: "A hostPath volume hands the pod a directory of the node. Mounting `/`, `/etc` or `/var/lib/kubelet` lets it read every secret the kubelet holds and write a cron job or SSH key onto the node; mounting the container runtime socket lets it start a privileged container on the node. Even a read-only mount can leak other pods' data and tokens.",
    fix: "Replace the hostPath volume with a PersistentVolumeClaim, configMap, secret, emptyDir or projected volume. Node agents that genuinely need host files belong in a dedicated, separately reviewed namespace.",
    example: include_str!("../../fixtures/PSS004/fail.yaml"),
    example_fixed: include_str!("../../fixtures/PSS004/pass.yaml"),
    equivalents: &[
        eq("PSS", "hostPathVolumes"),
        eq("Trivy", "KSV023"),
        eq("kube-linter", "sensitive-host-mounts"),
    ],
    references: &[PSS_DOC],
};

pub static CHECK: Check = Check {
    id: "hostPathVolumes",
    level: Level::Baseline,
    rule: &RULE,
    versions: &[VersionedCheck {
        min: 0,
        check: v1_0,
        overrides: &[],
    }],
};

fn v1_0(pod: &PodTemplate<'_>) -> Vec<Violation> {
    let Some(vols) = pod.spec.get("volumes") else {
        return Vec::new();
    };
    vols.items()
        .iter()
        .enumerate()
        .filter(|(_, v)| v.get("hostPath").is_some())
        .map(|(i, v)| {
            let name = v.get("name").and_then(|n| n.as_str()).unwrap_or("");
            violation(
                &RULE,
                pod.spec_path.key("volumes").index(i).key("hostPath"),
                format!("volume \"{name}\" must not use hostPath"),
                manual("replace the hostPath volume with a persistentVolumeClaim, configMap, secret or emptyDir"),
            )
        })
        .collect()
}
