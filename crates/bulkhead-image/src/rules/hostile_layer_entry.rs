//! IMG008: Layer entry escapes the root or is a device.

use crate::Scan;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "IMG008",
    slug: "hostile-layer-entry",
    title: "Layer entry escapes the root or is a device",
    severity: Severity::High,
    layer: "image",
    tags: &["image", "supply-chain"],
    default_enabled: true,
    what: "A layer has an entry whose path climbs out of the root (`../`), an absolute path, or a device node; or a Java archive in the image has an entry whose path climbs out of it (zip slip).",
    why: "Naive extractors write `../` paths outside the target directory (arbitrary file write on the machine that unpacks the image, or on the application server that explodes the war); device nodes give direct hardware access when the runtime does not filter them. Legitimate builders never produce them.",
    fix: "Do not run the image; find out who built it. Rebuild from a trusted Dockerfile.",
    example: include_str!("../../fixtures/IMG008/fail.json"),
    example_fixed: include_str!("../../fixtures/IMG008/pass.json"),
    equivalents: &[eq("Trivy", "n/a"), eq("CVE", "CVE-2019-14271 class")],
    references: &["https://github.com/opencontainers/image-spec/blob/main/layer.md"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Images> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(scan: &Scan) -> Vec<Finding> {
    let mut out = Vec::new();
    for l in &scan.layers {
        for a in &l.anomalies {
            out.push(Finding::new(
                &RULE,
                super::loc(scan, Some(l.index), a.path.trim_start_matches('/'), None),
                format!("layer {}: {}: {}", l.index + 1, a.path, a.what),
            ));
        }
    }
    out
}
