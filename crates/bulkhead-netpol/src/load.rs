//! Loading for the network model: `bulkhead_kube::load` (which also types
//! the kind-less items of `PodList`, `NamespaceList`, ... dumps).

use bulkhead_core::InputError;
use bulkhead_core::yaml::Limits;
use bulkhead_kube::load::{self, Object, Source};
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct Loaded {
    pub objects: Vec<Object>,
    pub errors: Vec<InputError>,
    pub notes: Vec<String>,
}

/// Loads one source. Errors name the file and line.
pub fn load_source(source: Arc<Source>) -> Loaded {
    let l = load::load(source, Limits::default());
    Loaded {
        objects: l.objects,
        errors: l.errors,
        notes: l.notes,
    }
}

/// Loads text under a display name (tests, stdin).
pub fn load_text(name: &str, text: &str) -> Loaded {
    load_source(Arc::new(Source::new(name, text.to_string())))
}
