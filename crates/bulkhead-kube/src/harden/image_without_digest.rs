//! K8S007: image not pinned by digest.

use super::Ctx;
use crate::pss::{Violation, manual, violation};
use bulkhead_core::rule::eq;
use bulkhead_core::yaml::Node;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "K8S007",
    slug: "image-without-digest",
    title: "Image not pinned by digest",
    severity: Severity::Low,
    layer: "kubernetes",
    tags: &["hardening", "supply-chain"],
    default_enabled: true,
    what: "A container image reference has no `@sha256:` digest.",
    why: "Tags are mutable: whoever can push to the repository (a leaked CI token, a compromised maintainer) can move `app:1.4.2` to a backdoored image, and every node that pulls next runs it. A digest names exactly the bytes you reviewed and signed.",
    fix: "Reference images by digest (`app:1.4.2@sha256:...`); let a bot such as Renovate keep the digests current.",
    example: include_str!("../../fixtures/K8S007/fail.yaml"),
    example_fixed: include_str!("../../fixtures/K8S007/pass.yaml"),
    equivalents: &[
        eq("Checkov", "CKV_K8S_43"),
        eq("Polaris", "tagNotSpecified"),
    ],
    references: &["https://kubernetes.io/docs/concepts/containers/images/#image-names"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Hardening> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    ctx.pod
        .containers
        .iter()
        .filter_map(|c| {
            let image = c.node.get("image").and_then(Node::as_str)?;
            if super::image_latest_tag::parse_ref(image).2.is_some() {
                return None;
            }
            Some(violation(
                &RULE,
                c.path.key("image"),
                format!("{} uses image \"{image}\" without a digest", c.label()),
                manual("append @sha256:<digest> of the reviewed image"),
            ))
        })
        .collect()
}
