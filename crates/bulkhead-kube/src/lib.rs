//! Kubernetes manifests: loading objects with positions, Pod Security
//! Standards exactly as upstream, hardening rules, and fixes.

pub mod analyze;
pub mod fix;
pub mod harden;
pub mod load;
pub mod path;
pub mod pod;
pub mod pss;

use bulkhead_core::RuleMeta;

/// Every rule of this crate, for the catalogue.
pub fn rules() -> Vec<&'static RuleMeta> {
    let mut r = pss::rules();
    r.extend(harden::rules());
    r
}
