//! XL rules: one file per rule, each with its `RULE` metadata and its check
//! over the whole joined model (workloads with their images, service-account
//! rights and exposure). The fixtures are directories (a Dockerfile or an
//! image next to the manifests that run it).

pub mod container_port_not_exposed;
pub mod image_digest_mismatch;
pub mod image_findings_in_workload;
pub mod image_user_overridden_to_root;
pub mod reachable_host_access;
pub mod reachable_powerful_service_account;
pub mod root_image_user_kept;
pub mod run_as_non_root_with_root_image;

use crate::CrossLayer;
use crate::join::{Ctr, Joined};
use bulkhead_core::{Finding, Registry, RuleMeta};

/// Every XL rule, in id order: the one list the catalogue and the checks read.
pub static REGISTRY: Registry<CrossLayer> = Registry::new(&[
    &run_as_non_root_with_root_image::CHECK,
    &root_image_user_kept::CHECK,
    &image_user_overridden_to_root::CHECK,
    &image_findings_in_workload::CHECK,
    &reachable_host_access::CHECK,
    &reachable_powerful_service_account::CHECK,
    &container_port_not_exposed::CHECK,
    &image_digest_mismatch::CHECK,
]);

/// Runs every enabled XL rule.
pub fn check(joined: &Joined<'_>, enabled: &dyn Fn(&RuleMeta) -> bool) -> Vec<Finding> {
    REGISTRY.run(joined, enabled)
}

/// A finding at a container's `image:` field.
pub(crate) fn at_image(rule: &'static RuleMeta, c: &Ctr<'_>, message: String) -> Finding {
    Finding::new(rule, c.at.clone(), message)
}

/// An attack path as evidence: the facts in order, joined by arrows.
pub(crate) fn path(steps: &[String]) -> String {
    steps.join(" → ")
}
