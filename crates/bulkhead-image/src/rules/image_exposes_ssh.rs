//! IMG007: Image exposes port 22.

use crate::Scan;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "IMG007",
    slug: "image-exposes-ssh",
    title: "Image exposes port 22",
    severity: Severity::Low,
    layer: "image",
    tags: &["image", "network"],
    default_enabled: true,
    what: "The config's `ExposedPorts` includes 22/tcp.",
    why: "An SSH server in a container is a second, usually weakly managed, way in (static keys, passwords) that bypasses the orchestrator's exec auditing.",
    fix: "Remove the SSH server; use `kubectl exec` or `docker exec` for debugging.",
    example: include_str!("../../fixtures/IMG007/fail.json"),
    example_fixed: include_str!("../../fixtures/IMG007/pass.json"),
    equivalents: &[eq("hadolint", "DL3011 (n/a)"), eq("Trivy", "DS004")],
    references: &["https://docs.docker.com/reference/dockerfile/#expose"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Images> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(scan: &Scan) -> Vec<Finding> {
    let mut out = Vec::new();
    if scan.config.is_null() {
        return out; // a directory scan has no image config
    }
    if scan.config["config"]["ExposedPorts"]
        .get("22/tcp")
        .is_some()
    {
        let mut f = Finding::new(
            &RULE,
            super::loc(scan, None, "", None),
            "the image exposes 22/tcp (SSH)",
        );
        f.location.field = Some("config.ExposedPorts".into());
        out.push(f);
    }
    out
}
