//! SIGN001: image has no signature.

use crate::verify::ImageVerification;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "SIGN001",
    slug: "image-unsigned",
    title: "Image has no signature",
    severity: Severity::High,
    layer: "supply-chain",
    tags: &["signing", "supply-chain"],
    default_enabled: true,
    what: "No signature was found for the image digest in either cosign layout: no `sha256-<hex>.sig` tag in the repository and no Sigstore bundle among its referrers (OCI 1.1 referrers API or the `sha256-<hex>` tag-schema fallback).",
    why: "An unsigned image cannot be told apart from one an attacker pushed with stolen registry credentials or swapped in a compromised CI job: whoever can write to the repository decides what runs in the cluster.",
    fix: "Sign the image in CI right after it is pushed, by digest: `bulkhead sign HOST/NAME@sha256:... --key cosign.key` (or `cosign sign --key cosign.key`), and verify before deployment.",
    example: include_str!("../../fixtures/SIGN001/fail.json"),
    example_fixed: include_str!("../../fixtures/SIGN001/pass.json"),
    equivalents: &[],
    references: &["https://docs.sigstore.dev/cosign/verifying/verify/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Signatures> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(v: &ImageVerification) -> Vec<Finding> {
    if v.kind != "signature" || !v.candidates.is_empty() {
        return Vec::new();
    }
    vec![Finding::new(
        &RULE,
        super::location(v, None),
        format!(
            "{} ({}) has no signature in either layout",
            v.reference, v.digest
        ),
    )]
}
