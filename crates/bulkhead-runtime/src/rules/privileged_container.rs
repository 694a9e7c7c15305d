//! RT001: container runs privileged.

use crate::model::Container;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RT001",
    slug: "privileged-container",
    title: "Container runs privileged",
    severity: Severity::Critical,
    layer: "runtime",
    tags: &["runtime", "privileged", "escape"],
    default_enabled: true,
    what: "The container is started with `privileged: true` / `--privileged` (for an OCI config: the podman privileged annotation, or every capability with no masked paths). Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`). The Kubernetes equivalent is PSS002.",
    why: "A privileged container has every capability, every host device, no seccomp or AppArmor confinement and writable /sys: root in it mounts the host disk (`mount /dev/sda1 /mnt`), writes a cgroup v1 `release_agent`, or loads a kernel module, and runs code on the host.",
    fix: "Remove `privileged`; add only the capabilities and devices the workload needs (`cap_add`, `devices`).",
    example: include_str!("../../fixtures/RT001/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RT001/pass.yaml"),
    equivalents: &[
        eq("bulkhead", "PSS002"),
        eq("Trivy", "KSV017"),
        eq("Checkov", "CKV_K8S_16"),
        eq("docker-bench", "5.5"),
    ],
    references: &[
        "https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    match &c.privileged {
        Some(f) if f.value => vec![super::finding(
            &RULE,
            c,
            &f.at,
            format!(
                "{} runs privileged: all capabilities and host devices, no seccomp/AppArmor; root in it can mount the host disk or write a cgroup release_agent and run code on the host",
                c.object()
            ),
        )],
        _ => Vec::new(),
    }
}
