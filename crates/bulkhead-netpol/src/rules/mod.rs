//! NP rules: one file per rule, each with its `RULE` metadata and its check
//! over the reachability engine.

pub mod dead_rule;
pub mod default_deny;
pub mod dns_blocked;
pub mod policy_selects_nothing;
pub mod unselected_pod;
pub mod world_ingress;

use crate::engine::Engine;
use crate::model::{Policy, Workload};
use bulkhead_core::{Finding, Location, RuleMeta};

pub fn rules() -> Vec<&'static RuleMeta> {
    vec![
        &default_deny::RULE,
        &unselected_pod::RULE,
        &policy_selects_nothing::RULE,
        &dead_rule::RULE,
        &dns_blocked::RULE,
        &world_ingress::RULE,
    ]
}

type Check = fn(&Engine<'_>) -> Vec<Finding>;

/// Runs every enabled rule.
pub fn check(e: &Engine<'_>, enabled: &dyn Fn(&RuleMeta) -> bool) -> Vec<Finding> {
    let mut out = Vec::new();
    let checks: [(&RuleMeta, Check); 6] = [
        (&default_deny::RULE, default_deny::check),
        (&unselected_pod::RULE, unselected_pod::check),
        (&policy_selects_nothing::RULE, policy_selects_nothing::check),
        (&dead_rule::RULE, dead_rule::check),
        (&dns_blocked::RULE, dns_blocked::check),
        (&world_ingress::RULE, world_ingress::check),
    ];
    for (r, f) in checks {
        if enabled(r) {
            out.extend(f(e));
        }
    }
    out
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
