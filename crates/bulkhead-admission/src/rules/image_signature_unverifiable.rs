//! ADM003: image signature could not be checked.

use crate::images::{PodImages, at};
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "ADM003",
    slug: "image-signature-unverifiable",
    title: "Image signature could not be checked",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["admission", "images"],
    default_enabled: true,
    what: "Signature verification is required (`admission.images.keys`) but the image's signatures could not be read: the registry is unreachable, refuses access, or serves a broken signature manifest. The gate fails closed.",
    why: "Admitting an image whose signature cannot be checked turns any registry outage or a deliberately broken signature into a bypass of the signature policy.",
    fix: "Make the registry reachable from the admission server (network policy, credentials in `~/.docker/config.json` of the server), or fix the signature manifest; retry the deployment.",
    example: include_str!("../../fixtures/ADM003/fail.json"),
    example_fixed: include_str!("../../fixtures/ADM003/pass.json"),
    equivalents: &[],
    references: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::ImageGates> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(p: &PodImages) -> Vec<Finding> {
    p.unverifiable
        .iter()
        .map(|(field, image, why)| {
            Finding::new(
                &RULE,
                at(p, field),
                format!("signature of {image} could not be checked: {why}"),
            )
        })
        .collect()
}
