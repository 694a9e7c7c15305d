//! IMG003: Image runs as root.

use crate::Scan;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "IMG003",
    slug: "image-runs-as-root",
    title: "Image runs as root",
    severity: Severity::Medium,
    layer: "image",
    tags: &["image", "runtime"],
    default_enabled: true,
    what: "The config's `User` is empty, `root` or uid 0.",
    why: "Unless the runtime overrides it, the process runs as uid 0: a code-execution bug becomes root in the container, one kernel bug or mount away from root on the node.",
    fix: "Create an unprivileged user and set `USER 10001` (numeric, so `runAsNonRoot` can verify it).",
    example: include_str!("../../fixtures/IMG003/fail.json"),
    example_fixed: include_str!("../../fixtures/IMG003/pass.json"),
    equivalents: &[eq("hadolint", "DL3002"), eq("Trivy", "DS002")],
    references: &["https://docs.docker.com/build/building/best-practices/#user"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Images> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(scan: &Scan) -> Vec<Finding> {
    let mut out = Vec::new();
    if scan.config.is_null() {
        return out; // a directory scan has no image config
    }
    let user = scan.config["config"]["User"].as_str().unwrap_or("");
    let name = user.split(':').next().unwrap_or("");
    if name.is_empty() || name == "root" || name == "0" {
        let mut f = Finding::new(
            &RULE,
            super::loc(scan, None, "", None),
            if user.is_empty() {
                "the image sets no User: it runs as root".to_string()
            } else {
                format!("the image runs as User {user} (root)")
            },
        );
        f.location.field = Some("config.User".into());
        out.push(f);
    }
    out
}
