//! K8S004: read-only root filesystem.

use super::Ctx;
use crate::pod::ContainerKind;
use crate::pss::{Violation, fix, set, violation};
use bulkhead_core::rule::eq;
use bulkhead_core::yaml::Node;
use bulkhead_core::{RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "K8S004",
    slug: "readonly-root-fs",
    title: "Root filesystem is writable",
    severity: Severity::Medium,
    layer: "kubernetes",
    tags: &["hardening", "runtime"],
    default_enabled: true,
    what: "A container does not set `securityContext.readOnlyRootFilesystem: true`.",
    why: "A writable root filesystem lets an attacker who gets code execution download and run tools, replace the application's own binaries or libraries to persist across requests, and plant web shells. A read-only root confines writes to explicit volumes.",
    fix: "Set `readOnlyRootFilesystem: true` and mount an `emptyDir` at the paths the application writes to (for example /tmp).",
    example: include_str!("../../fixtures/K8S004/fail.yaml"),
    example_fixed: include_str!("../../fixtures/K8S004/pass.yaml"),
    equivalents: &[
        eq("Checkov", "CKV_K8S_22"),
        eq("Trivy", "KSV014"),
        eq("kube-linter", "no-read-only-root-fs"),
        eq("Polaris", "notReadOnlyRootFilesystem"),
    ],
    references: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Hardening> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    ctx.pod
        .containers
        .iter()
        .filter(|c| c.kind != ContainerKind::Ephemeral)
        .filter(|c| {
            c.security_context()
                .and_then(|s| s.get("readOnlyRootFilesystem"))
                .and_then(Node::as_bool)
                != Some(true)
        })
        .map(|c| {
            let p = c.sc_path().key("readOnlyRootFilesystem");
            violation(
                &RULE,
                p.clone(),
                format!(
                    "{} does not set securityContext.readOnlyRootFilesystem=true",
                    c.label()
                ),
                fix(
                    "set readOnlyRootFilesystem to true (mount an emptyDir where the app writes)",
                    vec![set(&p, json!(true))],
                ),
            )
        })
        .collect()
}
