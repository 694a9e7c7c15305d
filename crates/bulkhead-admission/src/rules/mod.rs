//! ADM rules: the image gates of the admission policy, one file per rule,
//! each reading the images of one object (`images::PodImages`).

pub mod gatekeeper_constraint_violated;
pub mod image_not_by_digest;
pub mod image_not_scannable;
pub mod image_registry_not_allowed;
pub mod image_signature_unverifiable;

use crate::{GatekeeperLayer, ImageGates};
use bulkhead_core::Registry;

/// Every ADM rule, in id order.
pub static REGISTRY: Registry<ImageGates> = Registry::new(&[
    &image_registry_not_allowed::CHECK,
    &image_not_by_digest::CHECK,
    &image_signature_unverifiable::CHECK,
    &image_not_scannable::CHECK,
]);

/// The Gatekeeper rule (its own layer: its input is a review's violations).
pub static GATEKEEPER: Registry<GatekeeperLayer> =
    Registry::new(&[&gatekeeper_constraint_violated::CHECK]);
