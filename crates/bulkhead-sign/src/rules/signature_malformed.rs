//! SIGN005: signature cannot be read.

use crate::verify::{ImageVerification, Outcome};
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "SIGN005",
    slug: "signature-malformed",
    title: "Signature cannot be read",
    severity: Severity::Medium,
    layer: "supply-chain",
    tags: &["signing", "supply-chain"],
    default_enabled: true,
    what: "A signature candidate cannot be checked at all: the signature annotation is not base64, the payload is not a simple-signing document or in-toto statement, the layer or predicate type is wrong, or the bundle is not a Sigstore bundle.",
    why: "A malformed signature protects nothing and often marks an incomplete or corrupted push, or an attempt to confuse verifiers that parse more leniently than they check.",
    fix: "Remove the broken signature manifest and sign the image again with a cosign-compatible tool.",
    example: include_str!("../../fixtures/SIGN005/fail.json"),
    example_fixed: include_str!("../../fixtures/SIGN005/pass.json"),
    equivalents: &[],
    references: &["https://docs.sigstore.dev/cosign/verifying/verify/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Signatures> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(v: &ImageVerification) -> Vec<Finding> {
    super::failures(v, &RULE, &|o| match o {
        Outcome::Malformed(r) => Some(r.as_str()),
        _ => None,
    })
}
