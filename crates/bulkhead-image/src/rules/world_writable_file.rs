//! IMG006: World-writable file or directory without the sticky bit.

use crate::Scan;
use crate::layers::Kind;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "IMG006",
    slug: "world-writable-file",
    title: "World-writable file or directory without the sticky bit",
    severity: Severity::Low,
    layer: "image",
    tags: &["image", "permissions"],
    default_enabled: true,
    what: "A file, or a directory without the sticky bit, is writable by every user.",
    why: "Any process in the container, whatever its uid, can replace that file — a script or binary run by a more privileged process becomes code execution as that process.",
    fix: "`chmod o-w` in the build; keep shared scratch space in sticky directories like /tmp.",
    example: include_str!("../../fixtures/IMG006/fail.json"),
    example_fixed: include_str!("../../fixtures/IMG006/pass.json"),
    equivalents: &[eq("hadolint", "n/a"), eq("Checkov", "n/a")],
    references: &["https://docs.docker.com/build/building/best-practices/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Images> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(scan: &Scan) -> Vec<Finding> {
    let mut out = Vec::new();
    for (path, f) in &scan.files {
        let e = &f.entry;
        // Sticky directories (/tmp) are world-writable by design.
        let ww = e.mode & 0o002 != 0
            && match e.kind {
                Kind::File => true,
                Kind::Dir => e.mode & 0o1000 == 0,
                _ => false,
            };
        if ww {
            out.push(Finding::new(
                &RULE,
                super::loc(scan, Some(f.layer), path, None),
                format!("/{path} is world-writable (mode {:o})", e.mode & 0o7777),
            ));
        }
    }
    out
}
