//! The admission controller: `admission.k8s.io/v1` AdmissionReview over
//! HTTPS, judged by the same rules, selection and suppressions as CI
//! (`engine`), with image gates (`images`, ADM rules and the signing
//! layer's verifier), served by `server` (rustls, certificate and policy
//! reload, metrics, deadlines, graceful shutdown).

pub mod engine;
pub mod gatekeeper;
pub mod images;
pub mod manifests;
pub mod metrics;
pub mod offline;
pub mod rules;
pub mod server;

use bulkhead_core::{Finding, Layer, RuleMeta};

/// The rule layer of the image gates.
pub struct ImageGates;

impl Layer for ImageGates {
    type Input<'a> = images::PodImages;
    type Output = Finding;
    type Check = fn(&images::PodImages) -> Vec<Finding>;
    fn call(check: Self::Check, input: &images::PodImages) -> Vec<Finding> {
        check(input)
    }
}

/// The rule layer of Gatekeeper policies.
pub struct GatekeeperLayer;

impl Layer for GatekeeperLayer {
    type Input<'a> = gatekeeper::Violations;
    type Output = Finding;
    type Check = fn(&gatekeeper::Violations) -> Vec<Finding>;
    fn call(check: Self::Check, input: &gatekeeper::Violations) -> Vec<Finding> {
        check(input)
    }
}

/// Every ADM rule, for the catalogue.
pub fn rules() -> Vec<&'static RuleMeta> {
    let mut r = rules::REGISTRY.metas();
    r.extend(rules::GATEKEEPER.metas());
    r.sort_by_key(|m| m.id);
    r
}
