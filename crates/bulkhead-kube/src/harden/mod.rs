//! Hardening rules beyond the Pod Security Standards, the checks users of
//! kube-linter, Polaris and Checkov expect. One file per rule.

use crate::load::Object;
use crate::pod::PodTemplate;
use crate::pss::{Level, Version, Violation};
use bulkhead_core::RuleMeta;

mod automount_token;
mod default_namespace;
mod env_secret;
mod image_digest;
mod image_latest;
mod liveness_probe;
mod net_raw;
mod readiness_probe;
mod readonly_root_fs;
mod requests;
mod resource_limits;
mod sensitive_host_mount;

pub struct Ctx<'a> {
    pub obj: &'a Object,
    pub pod: &'a PodTemplate<'a>,
    pub level: Level,
    pub version: Version,
}

pub type HardenFn = fn(&Ctx<'_>) -> Vec<Violation>;

/// (rule, check) pairs, in id order.
pub static RULES: &[(&RuleMeta, HardenFn)] = &[
    (&resource_limits::MEMORY, resource_limits::check_memory),
    (&resource_limits::CPU, resource_limits::check_cpu),
    (&requests::RULE, requests::check),
    (&readonly_root_fs::RULE, readonly_root_fs::check),
    (&automount_token::RULE, automount_token::check),
    (&image_latest::RULE, image_latest::check),
    (&image_digest::RULE, image_digest::check),
    (&sensitive_host_mount::RULE, sensitive_host_mount::check),
    (&liveness_probe::RULE, liveness_probe::check),
    (&readiness_probe::RULE, readiness_probe::check),
    (&env_secret::RULE, env_secret::check),
    (&default_namespace::RULE, default_namespace::check),
    (&net_raw::RULE, net_raw::check),
];

pub fn rules() -> Vec<&'static RuleMeta> {
    RULES.iter().map(|(r, _)| *r).collect()
}

/// Is this a workload that runs to completion (probes make no sense)?
pub(crate) fn is_batch(obj: &Object) -> bool {
    matches!(obj.kind.as_str(), "Job" | "CronJob")
}
