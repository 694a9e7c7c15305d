//! Kubernetes RBAC analysis: an authorizer with the upstream semantics
//! (who-can, can-i, access matrices), the dangerous-rights rules with the
//! concrete escalation each enables, escalation paths through service
//! accounts, and a graph of subjects → roles → dangerous rights.
//!
//! Objects come from [`bulkhead_kube::load`]; [`model::Model`] keeps only
//! the RBAC records and their positions, so memory grows with the number of
//! rules and bindings, not with rules × resources.

pub mod access;
pub mod analyze;
pub mod authz;
pub mod bootstrap;
pub mod graph;
pub mod model;
pub mod resources;
pub mod rights;
pub mod rules;

pub use rules::rules;

use analyze::Analysis;
use bulkhead_core::yaml::Limits;
use bulkhead_core::{Finding, Layer, RuleMeta};
use bulkhead_kube::load::{self, Source};
use model::{Model, ModelOptions};
use std::sync::Arc;

/// The RBAC layer: every rule reads the [`Analysis`] of a model and reports
/// findings. The dangerous rights (RBAC001–RBAC014) are one rule family
/// evaluated by shared data ([`rights::Right`]); the others are
/// [`bulkhead_core::FnRule`]s.
pub struct Rbac;

/// What an RBAC rule reads: the analysis, and the rule selection in force
/// (a right yields to a more precise rule when that one is enabled: see
/// [`rights::Subsumed`]).
pub struct Run<'a> {
    pub analysis: &'a Analysis<'a>,
    pub enabled: &'a (dyn Fn(&RuleMeta) -> bool + Sync),
}

impl Layer for Rbac {
    type Input<'a> = Run<'a>;
    type Output = Finding;
    type Check = fn(&Analysis<'_>) -> Vec<Finding>;
    fn call(check: Self::Check, input: &Run<'_>) -> Vec<Finding> {
        check(input.analysis)
    }
}

/// Loads named texts (file name, YAML or JSON) into a model. Load errors and
/// notes end up in the model's.
pub fn model_from_texts(texts: &[(&str, &str)], opts: ModelOptions) -> Model {
    let mut objects = Vec::new();
    let mut errors = Vec::new();
    for (name, text) in texts {
        let l = load::load(
            Arc::new(Source::new(*name, (*text).to_string())),
            Limits::default(),
        );
        objects.extend(l.objects);
        errors.extend(l.errors);
    }
    let mut m = Model::build(objects, opts);
    m.errors.splice(0..0, errors);
    m
}
