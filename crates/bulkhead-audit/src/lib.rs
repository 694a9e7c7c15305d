//! The audit layer: Kubernetes API server audit logs (`audit.k8s.io/v1`
//! Events as JSON Lines) as one more source for the analyzers bulkhead
//! already has.
//!
//! - [`read`] streams files (plain, gzip, zstd) and standard input in
//!   bounded memory, line by line with line numbers;
//! - [`event`] is the Event, parsed without copying;
//! - [`analyze`] runs the AUD rules ([`rules`]) on every event, the PSS,
//!   hardening and RBAC rules on the objects requests create, and fills the
//!   activity [`summary`];
//! - [`roles`] writes the least-privilege Role/ClusterRole and bindings a
//!   subject's observed requests needed; [`unused`] compares granted RBAC
//!   rights with observed use.

pub mod analyze;
pub mod event;
pub mod read;
pub mod roles;
pub mod rules;
pub mod summary;
pub mod unused;

pub use analyze::{Analysis, Collect, Ctx, Judges, Options, run};
pub use rules::Hit;

use bulkhead_core::{Layer, RuleMeta};

/// The audit layer: every AUD rule reads one event.
pub struct Audit;

impl Layer for Audit {
    type Input<'a> = Ctx<'a>;
    type Output = Hit;
    type Check = fn(&Ctx<'_>) -> Vec<Hit>;
    fn call(check: Self::Check, input: &Ctx<'_>) -> Vec<Hit> {
        check(input)
    }
}

/// Every AUD rule, for the catalogue.
pub fn rules() -> Vec<&'static RuleMeta> {
    let mut r = rules::rules();
    r.push(&unused::RULE);
    r
}
