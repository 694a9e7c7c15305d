//! RT009: root filesystem is writable.

use crate::model::{Container, MountKind};
use bulkhead_core::PatchOp;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "RT009",
    slug: "writable-root-filesystem",
    title: "Root filesystem is writable",
    severity: Severity::Low,
    layer: "runtime",
    tags: &["runtime", "hardening", "filesystem"],
    default_enabled: true,
    what: "The container's root filesystem is writable: no `read_only: true` / `--read-only` (OCI: `root.readonly`). Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`). The Kubernetes equivalent is K8S004.",
    why: "An attacker who gets code execution drops tools, replaces binaries the service executes later, or plants a web shell that survives a process restart; a read-only root keeps the image as built and makes writes go only where you allowed them.",
    fix: "Set `read_only: true` and give the process `tmpfs:` mounts (`/tmp`, `/run`) or volumes for the paths it must write.",
    example: include_str!("../../fixtures/RT009/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RT009/pass.yaml"),
    equivalents: &[
        eq("bulkhead", "K8S004"),
        eq("Trivy", "KSV014"),
        eq("docker-bench", "5.13"),
    ],
    references: &["https://docs.docker.com/reference/compose-file/services/#read_only"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    match &c.read_only {
        Some(f) if f.value => Vec::new(),
        other => {
            let at = other.as_ref().map_or(&c.at, |f| &f.at);
            let f = super::finding(
                &RULE,
                c,
                at,
                format!(
                    "{} has a writable root filesystem: an intruder can replace binaries and plant tools",
                    c.object()
                ),
            );
            let mut ops = vec![PatchOp::Set {
                path: super::service_ptr(c, "read_only"),
                value: json!(true),
            }];
            // Most processes write to /tmp; a service with tmpfs mounts has
            // already said where it writes.
            if !c.mounts.iter().any(|m| m.kind == MountKind::Tmpfs) {
                ops.push(PatchOp::Append {
                    path: super::service_ptr(c, "tmpfs"),
                    value: json!("/tmp"),
                });
            }
            vec![super::compose_fix(
                f,
                c,
                "read_only: true, with a tmpfs for /tmp; add a tmpfs or volume for every other path the service writes (/run, caches)",
                ops,
            )]
        }
    }
}
