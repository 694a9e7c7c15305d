//! SIGN rules: one file per rule; each reads one image's verification
//! (`verify::ImageVerification`) and reports the outcome it names. A
//! verified image has no findings: the candidates that failed beside the
//! one that verified are notes, as cosign accepts any valid signature.

pub mod attestation_missing;
pub mod image_unsigned;
pub mod signature_annotations_mismatch;
pub mod signature_for_other_image;
pub mod signature_invalid;
pub mod signature_malformed;

use crate::Signatures;
use crate::verify::{ImageVerification, Outcome};
use bulkhead_core::{Finding, Location, Registry, RuleMeta};

/// Every SIGN rule, in id order.
pub static REGISTRY: Registry<Signatures> = Registry::new(&[
    &image_unsigned::CHECK,
    &signature_invalid::CHECK,
    &signature_for_other_image::CHECK,
    &signature_annotations_mismatch::CHECK,
    &signature_malformed::CHECK,
    &attestation_missing::CHECK,
]);

/// Runs every enabled rule on each verification.
pub fn check(vs: &[ImageVerification], enabled: &dyn Fn(&RuleMeta) -> bool) -> Vec<Finding> {
    vs.iter().flat_map(|v| REGISTRY.run(v, enabled)).collect()
}

pub(crate) fn location(v: &ImageVerification, field: Option<String>) -> Location {
    Location {
        file: v.reference.clone(),
        object: Some(match &v.platform {
            Some(p) => format!("{} ({p})", v.digest),
            None => v.digest.clone(),
        }),
        field,
        ..Default::default()
    }
}

/// One finding per failed candidate whose outcome `pick` selects, unless a
/// candidate verified.
pub(crate) fn failures(
    v: &ImageVerification,
    rule: &'static RuleMeta,
    pick: &dyn Fn(&Outcome) -> Option<&str>,
) -> Vec<Finding> {
    if v.verified() {
        return Vec::new();
    }
    v.candidates
        .iter()
        .filter_map(|c| {
            let reason = pick(&c.outcome)?;
            Some(
                Finding::new(
                    rule,
                    location(v, Some(c.source.clone())),
                    format!("{} {} of {}: {reason}", c.layout, v.kind, v.reference),
                )
                .with_evidence("layout", c.layout.clone()),
            )
        })
        .collect()
}
