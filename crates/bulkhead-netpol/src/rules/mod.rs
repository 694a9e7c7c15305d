//! NP rules: one file per rule, each with its `RULE` metadata and its check
//! over the reachability engine.

pub mod egress_blocks_dns;
pub mod namespace_without_default_deny;
pub mod pod_not_selected_by_policy;
pub mod policy_selects_nothing;
pub mod rule_never_matches;
pub mod world_ingress_sensitive_port;

use crate::NetworkPolicies;
use crate::engine::Engine;
use crate::model::{Policy, Workload};
use bulkhead_core::{Finding, Location, Registry, RuleMeta};

/// Every NP rule, in id order: the one list the catalogue and the checks read.
pub static REGISTRY: Registry<NetworkPolicies> = Registry::new(&[
    &namespace_without_default_deny::CHECK,
    &pod_not_selected_by_policy::CHECK,
    &policy_selects_nothing::CHECK,
    &rule_never_matches::CHECK,
    &egress_blocks_dns::CHECK,
    &world_ingress_sensitive_port::CHECK,
]);

pub fn rules() -> Vec<&'static RuleMeta> {
    REGISTRY.metas()
}

/// Runs every enabled rule.
pub fn check(e: &Engine<'_>, enabled: &dyn Fn(&RuleMeta) -> bool) -> Vec<Finding> {
    REGISTRY.run(e, enabled)
}

pub(crate) fn policy_loc(p: &Policy, line: u32, field: Option<String>) -> Location {
    Location {
        file: p.file.clone(),
        line: Some(line),
        document: Some(p.doc),
        object: Some(format!("NetworkPolicy/{}/{}", p.ns, p.name)),
        field,
        ..Default::default()
    }
}

pub(crate) fn workload_loc(w: &Workload) -> Location {
    Location {
        file: w.file.clone(),
        line: Some(w.line),
        document: Some(w.doc),
        object: Some(format!("{}/{}/{}", w.kind, w.ns, w.name)),
        ..Default::default()
    }
}
