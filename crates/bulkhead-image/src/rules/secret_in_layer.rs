//! IMG001: Secret in an image layer.

use crate::Scan;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "IMG001",
    slug: "secret-in-layer",
    title: "Secret in an image layer",
    severity: Severity::Critical,
    layer: "image",
    tags: &["image", "secrets"],
    default_enabled: true,
    what: "A file in any layer holds a private key, a cloud or service token (AWS, GCP service account, Azure, GitHub, GitLab, Slack, Stripe, npm, PyPI) or a credential assigned to a secret-looking name — including files that a later layer deletes or overwrites.",
    why: "Every layer ships with the image: `docker save`, `skopeo copy` or a registry pull hands the deleted file to anyone who can pull, who then uses the key against your cloud account, registry or repositories.",
    fix: "Rotate the credential now. Rebuild without it: use build secrets (`RUN --mount=type=secret`), multi-stage builds that copy only artefacts, and a `.dockerignore` for credential files.",
    example: include_str!("../../fixtures/IMG001/fail.json"),
    example_fixed: include_str!("../../fixtures/IMG001/pass.json"),
    equivalents: &[
        eq("Trivy", "secret scanning"),
        eq("Checkov", "CKV_SECRET_*"),
    ],
    references: &["https://docs.docker.com/build/building/secrets/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Images> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(scan: &Scan) -> Vec<Finding> {
    let mut out = Vec::new();
    for l in &scan.layers {
        for h in &l.secrets {
            let now = scan.files.get(&h.path).is_some_and(|f| f.layer == l.index);
            let fate = if now {
                String::new()
            } else {
                match scan.deleted_in.get(&(l.index, h.path.clone())) {
                    Some(d) => format!(" (deleted in layer {} — still in the image)", d + 1),
                    None => " (not in the final filesystem — still in the image)".into(),
                }
            };
            let mut f = Finding::new(
                &RULE,
                super::loc(scan, Some(l.index), &h.path, Some(h.line)),
                format!(
                    "{} in /{} added by layer {}{fate}",
                    h.what,
                    h.path,
                    l.index + 1
                ),
            );
            f.location.snippet = Some(h.masked.clone());
            f.evidence.insert("layer_index", (l.index + 1).to_string());
            f.evidence.insert("kind", h.what.clone());
            if !now {
                f.evidence.insert("deleted", "true".into());
            }
            out.push(f);
        }
    }
    out
}
