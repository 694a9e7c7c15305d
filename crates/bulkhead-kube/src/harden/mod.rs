//! Hardening rules beyond the Pod Security Standards, the checks users of
//! kube-linter, Polaris and Checkov expect. One file per rule, named by its
//! slug, holding its `RULE` metadata, its `CHECK` and the check function.

use crate::load::Object;
use crate::pod::{ContainerKind, PodTemplate};
use crate::pss::{Level, Version, Violation, manual, violation};
use bulkhead_core::{Layer, Registry, RuleMeta};

pub mod automount_service_account_token;
pub mod default_namespace;
pub mod env_secret_literal;
pub mod image_latest_tag;
pub mod image_without_digest;
pub mod missing_cpu_limit;
pub mod missing_liveness_probe;
pub mod missing_memory_limit;
pub mod missing_readiness_probe;
pub mod missing_requests;
pub mod net_raw_not_dropped;
pub mod readonly_root_fs;
pub mod sensitive_host_mount;

/// What a hardening rule reads: the object, its pod template, and the PSS
/// level and version in force (a rule may stand down where a PSS control
/// already covers it).
pub struct Ctx<'a> {
    pub obj: &'a Object,
    pub pod: &'a PodTemplate<'a>,
    pub level: Level,
    pub version: Version,
}

/// The hardening layer: every K8S rule reads a [`Ctx`] and reports
/// [`Violation`]s, which [`crate::analyze`] turns into findings.
pub struct Hardening;

impl Layer for Hardening {
    type Input<'a> = Ctx<'a>;
    type Output = Violation;
    type Check = fn(&Ctx<'_>) -> Vec<Violation>;
    fn call(check: Self::Check, input: &Ctx<'_>) -> Vec<Violation> {
        check(input)
    }
}

/// Every K8S rule, in id order: the one list the catalogue and the engine read.
pub static REGISTRY: Registry<Hardening> = Registry::new(&[
    &missing_memory_limit::CHECK,
    &missing_cpu_limit::CHECK,
    &missing_requests::CHECK,
    &readonly_root_fs::CHECK,
    &automount_service_account_token::CHECK,
    &image_latest_tag::CHECK,
    &image_without_digest::CHECK,
    &sensitive_host_mount::CHECK,
    &missing_liveness_probe::CHECK,
    &missing_readiness_probe::CHECK,
    &env_secret_literal::CHECK,
    &default_namespace::CHECK,
    &net_raw_not_dropped::CHECK,
]);

pub fn rules() -> Vec<&'static RuleMeta> {
    REGISTRY.metas()
}

/// Runs every enabled hardening rule.
pub fn check(ctx: &Ctx<'_>, enabled: &dyn Fn(&RuleMeta) -> bool) -> Vec<Violation> {
    REGISTRY.run(ctx, enabled)
}

/// Is this a workload that runs to completion (probes make no sense)?
pub(crate) fn is_batch(obj: &Object) -> bool {
    matches!(obj.kind.as_str(), "Job" | "CronJob")
}

/// K8S001 / K8S002: containers without a `resources.limits.<resource>`.
pub(crate) fn missing_limit(
    ctx: &Ctx<'_>,
    rule: &'static RuleMeta,
    resource: &'static str,
) -> Vec<Violation> {
    ctx.pod
        .containers
        .iter()
        .filter(|c| c.kind != ContainerKind::Ephemeral)
        .filter(|c| c.node.path(&["resources", "limits", resource]).is_none())
        .map(|c| {
            violation(
                rule,
                c.path.keys(&["resources", "limits", resource]),
                format!("{} has no {resource} limit", c.label()),
                manual(format!(
                    "set resources.limits.{resource} to the container's measured peak"
                )),
            )
        })
        .collect()
}

/// K8S009 / K8S010: regular containers of long-running workloads without
/// the probe `field`.
pub(crate) fn missing_probe(
    ctx: &Ctx<'_>,
    rule: &'static RuleMeta,
    field: &'static str,
) -> Vec<Violation> {
    if is_batch(ctx.obj) {
        return Vec::new();
    }
    ctx.pod
        .containers
        .iter()
        .filter(|c| c.kind == ContainerKind::Regular && c.node.get(field).is_none())
        .map(|c| {
            violation(
                rule,
                c.path.key(field),
                format!("{} has no {field}", c.label()),
                manual(format!(
                    "add a {field} that fails when the process cannot serve"
                )),
            )
        })
        .collect()
}
