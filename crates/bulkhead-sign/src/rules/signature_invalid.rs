//! SIGN002: signature does not verify with the key.

use crate::verify::{ImageVerification, Outcome};
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "SIGN002",
    slug: "signature-invalid",
    title: "Signature does not verify with the key",
    severity: Severity::High,
    layer: "supply-chain",
    tags: &["signing", "supply-chain"],
    default_enabled: true,
    what: "A signature exists for the image but it does not verify under the given public key: it was made with another key, or the signature or the signed payload was altered after signing.",
    why: "A signature that fails is what a tampered image or a forged signature looks like; accepting the image anyway defeats signing. A registry-side attacker who cannot sign commonly replaces the payload or copies a signature from another key.",
    fix: "Verify with the public key that belongs to the signing key; if the key is right, treat the image as tampered, find who pushed it, and re-sign a known-good digest.",
    example: include_str!("../../fixtures/SIGN002/fail.json"),
    example_fixed: include_str!("../../fixtures/SIGN002/pass.json"),
    equivalents: &[],
    references: &["https://docs.sigstore.dev/cosign/verifying/verify/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Signatures> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(v: &ImageVerification) -> Vec<Finding> {
    super::failures(v, &RULE, &|o| match o {
        Outcome::BadSignature(r) => Some(r.as_str()),
        _ => None,
    })
}
