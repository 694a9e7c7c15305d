//! NetworkPolicy analysis: who can talk to whom.
//!
//! [`model`] builds namespaces, workloads (pods collapse to their controller,
//! templates become pods) and policies from loaded objects; [`engine`]
//! computes the exact allowed protocols and ports for every pair of
//! workloads and external IPv4 ranges; [`output`] renders the connectivity
//! list in netpol-analyzer's syntax (text, JSON, CSV, Markdown, DOT, SVG);
//! [`explain`] says why in plain words and diffs two inputs; [`rules`] holds
//! the NP rules and their checks.

pub mod conn;
pub mod engine;
pub mod explain;
pub mod ip;
pub mod load;
pub mod model;
pub mod output;
pub mod rules;

pub use engine::{Conn, Engine, HostNetwork, Options, Peer};
pub use model::Model;

use bulkhead_core::{Finding, Layer, RuleMeta};

/// The NetworkPolicy layer: every NP rule reads the reachability engine and
/// reports findings.
pub struct NetworkPolicies;

impl Layer for NetworkPolicies {
    type Input<'a> = Engine<'a>;
    type Output = Finding;
    type Check = fn(&Engine<'_>) -> Vec<Finding>;
    fn call(check: Self::Check, input: &Engine<'_>) -> Vec<Finding> {
        check(input)
    }
}

/// Every NP rule, for the catalogue.
pub fn rules() -> Vec<&'static RuleMeta> {
    rules::rules()
}
