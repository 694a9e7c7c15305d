//! The shared core of bulkhead: one [`Finding`] type, one rule catalogue,
//! rule selection, suppressions, configuration and every reporter.
//!
//! Analyzers (Kubernetes, Dockerfile, images, ...) depend on this crate and
//! nothing else of bulkhead; the binary wires sources, analyzers and reporters.

pub mod config;
pub mod diff;
pub mod finding;
pub mod package;
pub mod report;
pub mod rule;
pub mod secrets;
pub mod select;
pub mod severity;
pub mod source;
pub mod suppress;
pub mod testing;
pub mod yaml;

pub use finding::{
    Finding, Fix, InputError, Location, PatchOp, Suppression, SuppressionKind, TextEdit,
};
pub use package::{Ecosystem, Inventory, OsRelease, Package};
pub use report::{Format, Group, Report, Target};
pub use rule::{Catalogue, Equivalent, FnRule, Layer, Registry, Rule, RuleMeta};
pub use select::Selection;
pub use severity::Severity;
