//! ADM001: image from a registry outside the allowed list.

use crate::images::{PodImages, at, registry_allowed, registry_of};
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "ADM001",
    slug: "image-registry-not-allowed",
    title: "Image from a registry outside the allowed list",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["admission", "images"],
    default_enabled: true,
    what: "A container image comes from a registry that is not in `admission.images.registries` (host names, `*.suffix` or `prefix*`; an image without a host is `docker.io`, as `docker pull` names it).",
    why: "Images from arbitrary registries bypass the pipeline that scans and signs them: a typo-squatted Docker Hub image or an attacker-controlled registry runs in the cluster with whatever it contains.",
    fix: "Mirror the image into an allowed registry and reference it there, or add its registry to `admission.images.registries` if it is trusted.",
    example: include_str!("../../fixtures/ADM001/fail.json"),
    example_fixed: include_str!("../../fixtures/ADM001/pass.json"),
    equivalents: &[],
    references: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::ImageGates> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(p: &PodImages) -> Vec<Finding> {
    p.images
        .iter()
        .filter(|u| !registry_allowed(&registry_of(&u.image), &p.registries))
        .map(|u| {
            Finding::new(
                &RULE,
                at(p, &u.field),
                format!(
                    "image {} comes from {}, not an allowed registry ({})",
                    u.image,
                    registry_of(&u.image),
                    p.registries.join(", ")
                ),
            )
        })
        .collect()
}
