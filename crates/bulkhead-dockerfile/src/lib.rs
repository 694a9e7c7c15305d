//! Dockerfiles: a BuildKit-exact parser, a shell reader for RUN, and rules.

pub mod analyze;
pub mod facts;
pub mod model;
pub mod parser;
pub mod rules;
pub mod shell;

use bulkhead_core::{Layer, RuleMeta};
use rules::{Ctx, Violation};

/// The Dockerfile layer: every DF rule reads the parsed Dockerfile with its
/// model, source lines and settings ([`Ctx`]) and reports [`Violation`]s,
/// which [`analyze::analyze`] turns into findings.
pub struct Dockerfile;

impl Layer for Dockerfile {
    type Input<'a> = Ctx<'a>;
    type Output = Violation;
    type Check = fn(&Ctx<'_>) -> Vec<Violation>;
    fn call(check: Self::Check, input: &Ctx<'_>) -> Vec<Violation> {
        check(input)
    }
}

/// Every DF rule, for the catalogue.
pub fn rules() -> Vec<&'static RuleMeta> {
    rules::rules()
}
