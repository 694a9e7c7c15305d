//! Dockerfiles: a BuildKit-exact parser, a shell reader for RUN, and rules.

pub mod analyze;
pub mod model;
pub mod parser;
pub mod rules;
pub mod shell;
