//! Loading: `bulkhead_kube::load` plus the typed lists of `kubectl get -o
//! yaml` dumps (`PodList`, `NamespaceList`, ...) whose items carry no
//! `kind`/`apiVersion`: their kind is the list's kind without `List`.

use bulkhead_core::InputError;
use bulkhead_core::yaml::{self, Limits, Node, Value};
use bulkhead_kube::load::{self, Object, Source};
use bulkhead_kube::path::FieldPath;
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct Loaded {
    pub objects: Vec<Object>,
    pub errors: Vec<InputError>,
    pub notes: Vec<String>,
}

/// Loads one source. Errors name the file and line.
pub fn load_source(source: Arc<Source>) -> Loaded {
    let l = load::load(source.clone(), Limits::default());
    let mut out = Loaded {
        objects: l.objects,
        errors: l.errors,
        notes: Vec::new(),
    };
    let untyped = l.notes.iter().any(|n| n.contains("has no kind/apiVersion"));
    if !untyped {
        out.notes = l.notes;
        return out;
    }
    // Re-read the typed lists whose items lost their kind.
    out.notes = l
        .notes
        .into_iter()
        .filter(|n| !n.contains("has no kind/apiVersion"))
        .collect();
    let Ok(docs) = yaml::parse(&source.text, Limits::default()) else {
        return out;
    };
    for doc in docs {
        let root = doc.root;
        let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
        let Some(item_kind) = kind.strip_suffix("List").filter(|k| !k.is_empty()) else {
            continue;
        };
        let api = root
            .get("apiVersion")
            .and_then(Node::as_str)
            .unwrap_or("v1")
            .to_string();
        let item_kind = item_kind.to_string();
        let Some(items) = root.get("items") else {
            continue;
        };
        for (i, item) in items.items().iter().enumerate() {
            if !item.is_map() || item.get("kind").is_some() {
                continue;
            }
            let meta = item.get("metadata");
            let name = meta
                .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
                .and_then(Node::as_str)
                .unwrap_or("<unnamed>")
                .to_string();
            let namespace = meta
                .and_then(|m| m.get("namespace"))
                .and_then(Node::as_str)
                .map(str::to_string);
            let mut node = item.clone();
            if let Value::Map(entries) = &mut node.value {
                // Give the item its kind so pod_template and friends work.
                let mk = |s: &str| Node {
                    value: Value::Scalar {
                        text: s.to_string(),
                        plain: true,
                    },
                    start: item.start,
                    end: item.start,
                    flow: false,
                    aliased: false,
                };
                entries.push(yaml::Entry {
                    key: mk("kind"),
                    value: mk(&item_kind),
                });
            }
            out.objects.push(Object {
                source: source.clone(),
                doc: doc.index,
                base: FieldPath::root().key("items").index(i),
                root: node,
                api_version: api.clone(),
                kind: item_kind.clone(),
                name,
                namespace,
            });
        }
    }
    out
}

/// Loads text under a display name (tests, stdin).
pub fn load_text(name: &str, text: &str) -> Loaded {
    load_source(Arc::new(Source::new(name, text.to_string())))
}
