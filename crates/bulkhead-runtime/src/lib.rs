//! The runtime layer: how a container is started, whatever wrote it down.
//!
//! [`model`] is the one runtime model (user, capabilities, privileged,
//! no_new_privs, MAC profiles, read-only root, mounts, devices, host
//! namespaces, limits, sysctls, published ports), every fact with the place
//! it was read from. [`sources`] fills it from Compose files
//! ([`sources::compose`]), OCI runtime `config.json` ([`sources::oci`]),
//! `docker inspect` / `podman inspect` JSON ([`sources::inspect`]) and
//! `docker run` / `podman run` lines in scripts, Makefiles and CI files
//! ([`sources::runline`]); [`rules`] holds the RT rules, which read only the
//! model, so one rule id fires the same way for every source.

pub mod model;
pub mod rules;
pub mod sources;

pub use model::{At, Container, Fact, Mount, MountKind, Ns, NsMode, Port, SourceKind};
pub use sources::{Input, Kind, Loaded, detect, load};

use bulkhead_core::{Finding, Layer, RuleMeta};

/// The runtime layer: every RT rule reads one container of the model.
pub struct Runtime;

impl Layer for Runtime {
    type Input<'a> = Container;
    type Output = Finding;
    type Check = fn(&Container) -> Vec<Finding>;
    fn call(check: Self::Check, input: &Container) -> Vec<Finding> {
        check(input)
    }
}

/// Every RT rule, for the catalogue.
pub fn rules() -> Vec<&'static RuleMeta> {
    rules::rules()
}
