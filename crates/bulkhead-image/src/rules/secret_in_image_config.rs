//! IMG002: Secret in the image config (Env, labels, history).

use crate::Scan;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "IMG002",
    slug: "secret-in-image-config",
    title: "Secret in the image config (Env, labels, history)",
    severity: Severity::High,
    layer: "image",
    tags: &["image", "secrets"],
    default_enabled: true,
    what: "The image config's `Env`, `Labels` or a history `created_by` line (which records build arguments) holds a credential.",
    why: "The config is readable by anyone who can pull the image (`docker inspect`, `docker history --no-trunc`, registry APIs); the credential is exposed without even unpacking a layer.",
    fix: "Pass runtime secrets through the orchestrator, build-time secrets through secret mounts; rotate the exposed value.",
    example: include_str!("../../fixtures/IMG002/fail.json"),
    example_fixed: include_str!("../../fixtures/IMG002/pass.json"),
    equivalents: &[
        eq("Trivy", "secret scanning (config)"),
        eq("hadolint", "DL3061 (n/a)"),
    ],
    references: &["https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Images> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(scan: &Scan) -> Vec<Finding> {
    let mut out = Vec::new();
    if scan.config.is_null() {
        return out; // a directory scan has no image config
    }
    for (field, text) in super::config_strings(scan) {
        if let Some((what, masked)) = crate::secrets::scan_line(&text) {
            let mut f = Finding::new(
                &RULE,
                super::loc(scan, None, "", None),
                format!("{what} in the image config ({field})"),
            );
            f.location.field = Some(field);
            f.location.snippet = Some(masked);
            out.push(f);
        }
    }
    out
}
