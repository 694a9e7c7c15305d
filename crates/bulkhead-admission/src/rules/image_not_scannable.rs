//! ADM004: image could not be scanned for vulnerabilities.

use crate::images::{PodImages, at};
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "ADM004",
    slug: "image-not-scannable",
    title: "Image could not be scanned for vulnerabilities",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["admission", "images", "vulnerabilities"],
    default_enabled: true,
    what: "The vulnerability gate is on (`admission.images.vulnerabilities`) but the image could not be read and catalogued: the registry is unreachable or refuses access, a layer is broken or too large. The gate fails closed.",
    why: "Admitting an image that could not be scanned lets anyone bypass the vulnerability gate by making the image unreadable to the scanner for a moment (rate limits, an expired pull credential, a malformed layer).",
    fix: "Make the registry reachable from the admission server and the image readable (`bulkhead image REF` shows the same error); then retry the deployment.",
    example: include_str!("../../fixtures/ADM004/fail.json"),
    example_fixed: include_str!("../../fixtures/ADM004/pass.json"),
    equivalents: &[],
    references: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::ImageGates> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(p: &PodImages) -> Vec<Finding> {
    p.unscannable
        .iter()
        .map(|(field, image, why)| {
            Finding::new(
                &RULE,
                at(p, field),
                format!("{image} could not be scanned for vulnerabilities: {why}"),
            )
        })
        .collect()
}
