//! Dockerfiles: a BuildKit-exact parser, a shell reader for RUN, and rules.

pub mod parser;
