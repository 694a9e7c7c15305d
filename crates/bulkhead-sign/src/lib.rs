//! Supply chain: cosign-compatible keys, signatures and attestations, in
//! both of cosign's layouts, on registries and OCI layouts, verified with a
//! key and nothing else (no transparency log, no TUF, no network but the
//! store holding the image).
//!
//! Pipeline: `store` (where the image is) → `sign` / `verify` (candidates
//! with outcomes) → `rules` (findings, one rule per outcome) → reporters.

pub mod artifact;
pub mod envelope;
pub mod keys;
pub mod rules;
pub mod sign;
pub mod store;
pub mod verify;

use bulkhead_core::{Finding, Layer, RuleMeta};
use std::fmt;

/// An error that stops the run: the input (key file, reference, blob) and
/// the problem, as one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignError {
    pub input: String,
    pub message: String,
}

impl SignError {
    pub fn input(input: impl Into<String>, message: impl Into<String>) -> SignError {
        SignError {
            input: input.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.input, self.message)
    }
}

impl std::error::Error for SignError {}

/// The rule layer: each rule reads one image's verification.
pub struct Signatures;

impl Layer for Signatures {
    type Input<'a> = verify::ImageVerification;
    type Output = Finding;
    type Check = fn(&verify::ImageVerification) -> Vec<Finding>;
    fn call(check: Self::Check, input: &verify::ImageVerification) -> Vec<Finding> {
        check(input)
    }
}

/// Every SIGN rule, for the catalogue.
pub fn rules() -> Vec<&'static RuleMeta> {
    rules::REGISTRY.metas()
}

/// The predicate type URI for `attest --type` (cosign's names), or the
/// argument itself when it is a URI.
pub fn predicate_type(ty: &str) -> Result<String, SignError> {
    Ok(match ty {
        "cyclonedx" => "https://cyclonedx.org/bom",
        "spdx" | "spdxjson" => "https://spdx.dev/Document",
        "vuln" => "https://cosign.sigstore.dev/attestation/vuln/v1",
        "custom" => "https://cosign.sigstore.dev/attestation/v1",
        "slsaprovenance" | "slsaprovenance1" => "https://slsa.dev/provenance/v1",
        "openvex" => "https://openvex.dev/ns",
        t if t.starts_with("https://") || t.starts_with("http://") => t,
        t => {
            return Err(SignError::input(
                "--type",
                format!("unknown predicate type '{t}' (cyclonedx, spdx, vuln, custom, slsaprovenance, openvex, or a URI)"),
            ));
        }
    }
    .to_string())
}
