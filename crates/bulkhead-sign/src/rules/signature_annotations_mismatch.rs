//! SIGN004: signature lacks the required annotations.

use crate::verify::{ImageVerification, Outcome};
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "SIGN004",
    slug: "signature-annotations-mismatch",
    title: "Signature lacks the required annotations",
    severity: Severity::Medium,
    layer: "supply-chain",
    tags: &["signing", "supply-chain"],
    default_enabled: true,
    what: "The signature verifies, but it does not carry every annotation required with `-a key=value` (for example the git commit or the pipeline that built the image) with the required value.",
    why: "Annotations bind a signature to its context: without the check, a signature made for a test build or another branch is accepted for production, and an attacker can replay any signature the key ever produced.",
    fix: "Sign with the annotations the policy requires (`bulkhead sign REF --key cosign.key -a env=prod -a commit=$SHA`), or fix the required values in the verification policy.",
    example: include_str!("../../fixtures/SIGN004/fail.json"),
    example_fixed: include_str!("../../fixtures/SIGN004/pass.json"),
    equivalents: &[],
    references: &["https://docs.sigstore.dev/cosign/verifying/verify/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Signatures> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(v: &ImageVerification) -> Vec<Finding> {
    super::failures(v, &RULE, &|o| match o {
        Outcome::Annotations(r) => Some(r.as_str()),
        _ => None,
    })
}
