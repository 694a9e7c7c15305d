//! ADM002: image not referenced by digest.

use crate::images::{PodImages, at};
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "ADM002",
    slug: "image-not-by-digest",
    title: "Image not referenced by digest",
    severity: Severity::Medium,
    layer: "kubernetes",
    tags: &["admission", "images"],
    default_enabled: true,
    what: "With `admission.images.require-digest: true`, every container image must be referenced as `name@sha256:<digest>`; a tag alone is refused.",
    why: "A tag is mutable: whoever can push to the repository can change what `:1.4.2` means after review, scanning and signing, and the next pod restart runs it.",
    fix: "Pin the image: `image: shop/web:1.4.2@sha256:...` (the digest `bulkhead sign` or `skopeo inspect` prints).",
    example: include_str!("../../fixtures/ADM002/fail.json"),
    example_fixed: include_str!("../../fixtures/ADM002/pass.json"),
    equivalents: &[],
    references: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::ImageGates> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(p: &PodImages) -> Vec<Finding> {
    if !p.require_digest {
        return Vec::new();
    }
    p.images
        .iter()
        .filter(|u| !u.image.contains("@sha256:"))
        .map(|u| {
            Finding::new(
                &RULE,
                at(p, &u.field),
                format!("image {} is not referenced by digest", u.image),
            )
        })
        .collect()
}
