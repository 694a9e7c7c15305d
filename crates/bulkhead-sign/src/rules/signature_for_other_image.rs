//! SIGN003: signature names another image.

use crate::verify::{ImageVerification, Outcome};
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "SIGN003",
    slug: "signature-for-other-image",
    title: "Signature names another image",
    severity: Severity::High,
    layer: "supply-chain",
    tags: &["signing", "supply-chain"],
    default_enabled: true,
    what: "The signature verifies under the key, but the payload it signs names a different manifest digest than the image being verified (simple-signing `docker-manifest-digest`, in-toto subject, or the referrer's `subject`).",
    why: "Copying a valid signature of image A to the signature tag of image B is the classic replay: the signature is genuine, the image is not the one that was signed. Accepting it lets any attacker who can push run an arbitrary image under a trusted signature.",
    fix: "Sign every image by its own digest (a tag is resolved once and the digest is signed); never copy `.sig` manifests between images. Re-sign the intended digest.",
    example: include_str!("../../fixtures/SIGN003/fail.json"),
    example_fixed: include_str!("../../fixtures/SIGN003/pass.json"),
    equivalents: &[],
    references: &["https://docs.sigstore.dev/cosign/verifying/verify/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Signatures> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(v: &ImageVerification) -> Vec<Finding> {
    super::failures(v, &RULE, &|o| match o {
        Outcome::WrongImage(r) => Some(r.as_str()),
        _ => None,
    })
}
