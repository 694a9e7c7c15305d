//! Loading Kubernetes objects from YAML/JSON text: multi-document streams,
//! `List` kinds, and per-file inline suppression comments.

use crate::path::FieldPath;
use bulkhead_core::InputError;
use bulkhead_core::source::Lines;
use bulkhead_core::suppress::Directive;
use bulkhead_core::yaml::{self, Limits, Node, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// One input file's text, kept for snippets, suppressions and fixes.
#[derive(Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
    pub lines: Lines,
    /// Inline `# bulkhead:ignore RULE reason` comments by the line they apply
    /// to: their own line for a trailing comment, the next non-comment line
    /// for a comment on a line of its own.
    pub directives: HashMap<u32, (u32, Directive)>,
}

impl Source {
    pub fn new(name: impl Into<String>, text: String) -> Self {
        let lines = Lines::new(&text);
        let mut directives = HashMap::new();
        let mut pending: Vec<(u32, Directive)> = Vec::new();
        for n in 1..=lines.count() as u32 {
            let line = lines.get(&text, n).unwrap_or("");
            let trimmed = line.trim_start();
            if trimmed.starts_with('#') {
                if let Some(d) = Directive::from_comment(trimmed) {
                    pending.push((n, d));
                }
                continue;
            }
            if trimmed.is_empty() {
                continue;
            }
            if let Some(i) = line.find(" #")
                && let Some(d) = Directive::from_comment(&line[i..])
            {
                directives.insert(n, (n, d));
            }
            for (at, d) in pending.drain(..) {
                directives.entry(n).or_insert((at, d));
            }
        }
        Source {
            name: name.into(),
            text,
            lines,
            directives,
        }
    }

    pub fn line(&self, n: u32) -> Option<&str> {
        self.lines.get(&self.text, n)
    }

    pub fn is_json(&self) -> bool {
        self.name.ends_with(".json") || self.text.trim_start().starts_with(['{', '['])
    }
}

/// A Kubernetes object found in a source.
#[derive(Debug)]
pub struct Object {
    pub source: Arc<Source>,
    /// 0-based document index in the stream.
    pub doc: u32,
    /// Path of the object inside its document (`items[3]` for List items).
    pub base: FieldPath,
    pub root: Node,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
}

impl Object {
    /// `Kind/namespace/name` (or `Kind/name` without a namespace).
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{}/{}/{}", self.kind, ns, self.name),
            None => format!("{}/{}", self.kind, self.name),
        }
    }

    pub fn metadata(&self) -> Option<&Node> {
        self.root.get("metadata")
    }

    /// The object as a report target: its file, `Kind/namespace/name` and line.
    pub fn target(&self) -> bulkhead_core::Target {
        bulkhead_core::Target {
            file: self.source.name.clone(),
            name: self.display(),
            line: Some(self.root.start.line),
        }
    }
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub objects: Vec<Object>,
    pub errors: Vec<InputError>,
    pub notes: Vec<String>,
}

/// Kinds of the core API and common add-ons that carry no pod spec: loaded
/// silently. Anything else without a pod template is skipped with a note.
const KNOWN_KINDS: &[&str] = &[
    "Namespace",
    "Service",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "NetworkPolicy",
    "Ingress",
    "IngressClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "StorageClass",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "LimitRange",
    "ResourceQuota",
    "Endpoints",
    "EndpointSlice",
    "PriorityClass",
    "CustomResourceDefinition",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "CSIDriver",
    "RuntimeClass",
    "Lease",
    "Event",
    "Node",
    "ControllerRevision",
    "CertificateSigningRequest",
    "VolumeAttachment",
];

pub const WORKLOAD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "PodTemplate",
];

fn describe(n: &Node) -> &'static str {
    match n.value {
        Value::Null => "empty",
        Value::Scalar { .. } => "a scalar",
        Value::Seq(_) => "a list",
        Value::Map(_) => "a mapping",
    }
}

/// Parses one source into objects. Errors name the file and line; a parse
/// error loses that file only.
pub fn load(source: Arc<Source>, limits: Limits) -> Loaded {
    let mut out = Loaded::default();
    let docs = match yaml::parse(&source.text, limits) {
        Ok(d) => d,
        Err(e) => {
            out.errors.push(InputError::new(
                source.name.clone(),
                Some(e.line),
                format!("invalid YAML at column {}: {}", e.col, e.message),
            ));
            return out;
        }
    };
    for doc in docs {
        let root = doc.root;
        if root.is_null() {
            continue;
        }
        if !root.is_map() {
            out.errors.push(InputError::new(
                source.name.clone(),
                Some(root.start.line),
                format!(
                    "document {} is {}, not a Kubernetes object",
                    doc.index + 1,
                    describe(&root)
                ),
            ));
            continue;
        }
        collect_object(
            &source,
            doc.index,
            FieldPath::root(),
            root,
            &mut out,
            0,
            None,
        );
    }
    out
}

/// Objects from JSON that was parsed already (an AdmissionReview's
/// `object`): no second parse; `source` names it (its text may be empty).
pub fn load_json(source: Arc<Source>, v: &serde_json::Value) -> Loaded {
    let mut out = Loaded::default();
    if !v.is_object() {
        out.errors.push(InputError::new(
            source.name.clone(),
            None,
            "the object is not a JSON object".to_string(),
        ));
        return out;
    }
    collect_object(
        &source,
        0,
        FieldPath::root(),
        bulkhead_core::yaml::Node::from_json(v),
        &mut out,
        0,
        None,
    );
    out
}

fn collect_object(
    source: &Arc<Source>,
    doc: u32,
    base: FieldPath,
    mut root: Node,
    out: &mut Loaded,
    depth: u32,
    list: Option<(&str, &str)>,
) {
    let kind = root
        .get("kind")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_string();
    let api_version = root
        .get("apiVersion")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_string();
    if kind.is_empty() || api_version.is_empty() {
        // Items of a typed list (`PodList`, `NamespaceList`, ... as the API
        // returns them) may carry no kind/apiVersion: they are the list's
        // kind without `List`, in the list's API version.
        if let Some((list_api, item_kind)) = list
            && kind.is_empty()
            && let Value::Map(entries) = &mut root.value
        {
            let at = root.start;
            let mk = |s: &str| Node {
                value: Value::Scalar {
                    text: s.to_string(),
                    plain: true,
                },
                start: at,
                end: at,
                flow: false,
                aliased: false,
            };
            entries.push(bulkhead_core::yaml::Entry {
                key: mk("kind"),
                value: mk(item_kind),
            });
            if api_version.is_empty() {
                entries.push(bulkhead_core::yaml::Entry {
                    key: mk("apiVersion"),
                    value: mk(list_api),
                });
            }
            collect_object(source, doc, base, root, out, depth, None);
            return;
        }
        out.notes.push(format!(
            "{}:{}: document {} has no kind/apiVersion: not a Kubernetes object, skipped",
            source.name,
            root.start.line,
            doc + 1
        ));
        return;
    }
    if kind.ends_with("List")
        && depth == 0
        && let Value::Map(entries) = &mut root.value
        && let Some(e) = entries.iter_mut().find(|e| e.key.as_str() == Some("items"))
    {
        let items = std::mem::replace(&mut e.value.value, Value::Null);
        let item_kind = kind.strip_suffix("List").unwrap_or("");
        let list = (!item_kind.is_empty()).then_some((api_version.as_str(), item_kind));
        if let Value::Seq(items) = items {
            for (i, item) in items.into_iter().enumerate() {
                let path = base.key("items").index(i);
                if item.is_map() {
                    collect_object(source, doc, path, item, out, depth + 1, list);
                } else if !item.is_null() {
                    out.errors.push(InputError::new(
                        source.name.clone(),
                        Some(item.start.line),
                        format!("{path} is {}, not a Kubernetes object", describe(&item)),
                    ));
                }
            }
        }
        return;
    }
    let meta = root.get("metadata");
    let name = meta
        .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
        .and_then(Node::as_str)
        .unwrap_or("<unnamed>")
        .to_string();
    let namespace = meta
        .and_then(|m| m.get("namespace"))
        .and_then(Node::as_str)
        .map(str::to_string);
    if !WORKLOAD_KINDS.contains(&kind.as_str()) && !KNOWN_KINDS.contains(&kind.as_str()) {
        out.notes.push(format!(
            "{}:{}: kind {api_version}/{kind} ({name}) is not a workload bulkhead knows: skipped",
            source.name, root.start.line
        ));
    }
    out.objects.push(Object {
        source: source.clone(),
        doc,
        base,
        root,
        api_version,
        kind,
        name,
        namespace,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(s: &str) -> Loaded {
        load(
            Arc::new(Source::new("t.yaml", s.to_string())),
            Limits::default(),
        )
    }

    #[test]
    fn typed_list_items_without_kind_take_the_list_kind() {
        let l = load_str(
            "apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: a, namespace: n}\n  spec: {containers: [{name: c, image: x}]}\n- kind: Pod\n  apiVersion: v1\n  metadata: {name: b}\n",
        );
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        let got: Vec<(&str, &str, &str)> = l
            .objects
            .iter()
            .map(|o| (o.kind.as_str(), o.api_version.as_str(), o.name.as_str()))
            .collect();
        assert_eq!(got, vec![("Pod", "v1", "a"), ("Pod", "v1", "b")]);
        assert_eq!(
            l.objects[0].root.get("kind").and_then(Node::as_str),
            Some("Pod")
        );
        assert_eq!(l.objects[0].base.to_string(), "items[0]");
        // A generic List gives its items no kind: they stay skipped with a note.
        let l = load_str("apiVersion: v1\nkind: List\nitems:\n- metadata: {name: a}\n");
        assert!(l.objects.is_empty());
        assert!(l.notes.iter().any(|n| n.contains("no kind/apiVersion")));
    }

    #[test]
    fn lists_docs_and_errors() {
        let l = load_str(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n- 3\n---\n- not\n- object\n---\nfoo: bar\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
        );
        assert_eq!(l.objects.len(), 2);
        assert_eq!(l.objects[0].base.to_string(), "items[0]");
        assert_eq!(l.objects[0].display(), "Pod/a");
        assert_eq!(l.errors.len(), 2, "{:?}", l.errors);
        assert_eq!(l.errors[1].line, Some(9));
        assert!(l.notes.iter().any(|n| n.contains("Widget")));
        assert!(l.notes.iter().any(|n| n.contains("no kind")));
    }

    #[test]
    fn inline_directives() {
        let s = Source::new(
            "t.yaml",
            "a: 1\n# bulkhead:ignore PSS002 lab only\n\nb: 2\nc: 3 # bulkhead:ignore K8S004\n"
                .into(),
        );
        assert_eq!(s.directives.get(&4).map(|d| d.0), Some(2));
        assert_eq!(
            s.directives.get(&5).map(|d| d.1.rules.clone()),
            Some(vec!["K8S004".to_string()])
        );
        assert!(!s.directives.contains_key(&1));
    }
}
