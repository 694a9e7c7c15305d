//! SIGN006: image has no attestation of the required type.

use crate::verify::ImageVerification;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "SIGN006",
    slug: "attestation-missing",
    title: "Image has no attestation of the required type",
    severity: Severity::High,
    layer: "supply-chain",
    tags: &["signing", "supply-chain"],
    default_enabled: true,
    what: "No attestation (DSSE in-toto statement) of the requested predicate type was found for the image digest, in the `sha256-<hex>.att` tag or among its Sigstore bundle referrers.",
    why: "Policies that admit images on the strength of an SBOM, a vulnerability scan or provenance mean nothing if the attestation is absent: the image has never been through the pipeline that produces it.",
    fix: "Attach it in CI: `bulkhead sbom IMAGE -o sbom.json && bulkhead attest IMAGE --key cosign.key --type cyclonedx --predicate sbom.json`.",
    example: include_str!("../../fixtures/SIGN006/fail.json"),
    example_fixed: include_str!("../../fixtures/SIGN006/pass.json"),
    equivalents: &[],
    references: &["https://docs.sigstore.dev/cosign/verifying/verify/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Signatures> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(v: &ImageVerification) -> Vec<Finding> {
    if v.kind == "signature" || !v.candidates.is_empty() {
        return Vec::new();
    }
    vec![Finding::new(
        &RULE,
        super::location(v, None),
        format!(
            "{} ({}) has no {} attestation",
            v.reference, v.digest, v.kind
        ),
    )]
}
