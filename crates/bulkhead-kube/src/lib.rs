//! Kubernetes manifests: loading objects with positions, Pod Security
//! Standards exactly as upstream, hardening rules, and fixes.
//!
//! Two rule layers: [`Pss`] (PSS001–PSS019 in [`pss`], versioned checks with
//! upstream's level and override semantics) and [`Hardening`]
//! (K8S001–K8S013 in [`harden`]); each has one `REGISTRY`.

pub mod analyze;
pub mod fix;
pub mod harden;
pub mod load;
pub mod path;
pub mod pod;
pub mod pss;

pub use harden::Hardening;
pub use pss::Pss;

use bulkhead_core::RuleMeta;

/// Every rule of this crate, for the catalogue.
pub fn rules() -> Vec<&'static RuleMeta> {
    let mut r = pss::rules();
    r.extend(harden::rules());
    r
}
