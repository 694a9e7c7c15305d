//! Gatekeeper's Constraint `spec.match`.

use crate::{split_api_version, str_at};
use serde_json::Value;

/// One `spec.match.kinds[]` entry; empty lists match everything.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KindSelector {
    pub api_groups: Vec<String>,
    pub kinds: Vec<String>,
}

/// `spec.match.scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    All,
    Cluster,
    Namespaced,
}

/// One label selector requirement (`matchExpressions[]`, or a
/// `matchLabels` entry as `In [value]`).
#[derive(Debug, Clone, PartialEq)]
pub enum Requirement {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A Kubernetes label selector; an empty one matches everything.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LabelSelector {
    pub requirements: Vec<Requirement>,
}

/// `spec.match`; the default matches every object.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Match {
    pub kinds: Vec<KindSelector>,
    pub scope: Scope,
    pub namespaces: Vec<String>,
    pub excluded_namespaces: Vec<String>,
    pub label_selector: Option<LabelSelector>,
    pub namespace_selector: Option<LabelSelector>,
    pub name: Option<String>,
    /// `Original` (the default), `Generated` or `All`.
    pub source: Option<String>,
}

fn strings(v: Option<&Value>, what: &str) -> Result<Vec<String>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("{what} must be a list of strings"))
            })
            .collect(),
        Some(_) => Err(format!("{what} must be a list of strings")),
    }
}

fn opt_string(v: Option<&Value>, what: &str) -> Result<Option<String>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{what} must be a string")),
    }
}

impl Match {
    pub fn from_json(v: &Value) -> Result<Match, String> {
        if !v.is_object() {
            return Err("must be an object".to_string());
        }
        let mut kinds = Vec::new();
        match v.get("kinds") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for k in items {
                    kinds.push(KindSelector {
                        api_groups: strings(k.get("apiGroups"), "kinds[].apiGroups")?,
                        kinds: strings(k.get("kinds"), "kinds[].kinds")?,
                    });
                }
            }
            Some(_) => return Err("kinds must be a list".to_string()),
        }
        let scope = match opt_string(v.get("scope"), "scope")?.as_deref() {
            None | Some("*") => Scope::All,
            Some("Cluster") => Scope::Cluster,
            Some("Namespaced") => Scope::Namespaced,
            Some(other) => return Err(format!("scope {other:?} is not Cluster, Namespaced or *")),
        };
        let source = opt_string(v.get("source"), "source")?;
        if let Some(s) = &source
            && !matches!(s.as_str(), "All" | "Original" | "Generated")
        {
            return Err(format!("source {s:?} is not All, Original or Generated"));
        }
        Ok(Match {
            kinds,
            scope,
            namespaces: strings(v.get("namespaces"), "namespaces")?,
            excluded_namespaces: strings(v.get("excludedNamespaces"), "excludedNamespaces")?,
            label_selector: selector(v.get("labelSelector"), "labelSelector")?,
            namespace_selector: selector(v.get("namespaceSelector"), "namespaceSelector")?,
            name: opt_string(v.get("name"), "name")?,
            source,
        })
    }
}

fn selector(v: Option<&Value>, what: &str) -> Result<Option<LabelSelector>, String> {
    let v = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => v,
    };
    if !v.is_object() {
        return Err(format!("{what} must be an object"));
    }
    let mut requirements = Vec::new();
    match v.get("matchLabels") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, val) in m {
                let val = val
                    .as_str()
                    .ok_or_else(|| format!("{what}.matchLabels.{k} must be a string"))?;
                requirements.push(Requirement::In(k.clone(), vec![val.to_string()]));
            }
        }
        Some(_) => return Err(format!("{what}.matchLabels must be an object")),
    }
    match v.get("matchExpressions") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for e in items {
                let key = str_at(e, &["key"])
                    .ok_or_else(|| format!("{what}.matchExpressions[].key is missing"))?
                    .to_string();
                let values = strings(
                    e.get("values"),
                    &format!("{what}.matchExpressions[].values"),
                )?;
                let op = str_at(e, &["operator"]).unwrap_or("");
                let need_values = |ok: bool| -> Result<(), String> {
                    if ok {
                        Ok(())
                    } else if matches!(op, "In" | "NotIn") {
                        Err(format!("{what}: operator {op} needs values (key {key})"))
                    } else {
                        Err(format!("{what}: operator {op} takes no values (key {key})"))
                    }
                };
                let r = match op {
                    "In" => {
                        need_values(!values.is_empty())?;
                        Requirement::In(key, values)
                    }
                    "NotIn" => {
                        need_values(!values.is_empty())?;
                        Requirement::NotIn(key, values)
                    }
                    "Exists" => {
                        need_values(values.is_empty())?;
                        Requirement::Exists(key)
                    }
                    "DoesNotExist" => {
                        need_values(values.is_empty())?;
                        Requirement::DoesNotExist(key)
                    }
                    other => return Err(format!("{what}: unknown operator {other:?}")),
                };
                requirements.push(r);
            }
        }
        Some(_) => return Err(format!("{what}.matchExpressions must be a list")),
    }
    Ok(Some(LabelSelector { requirements }))
}

impl LabelSelector {
    pub fn matches(&self, labels: Option<&serde_json::Map<String, Value>>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.requirements.iter().all(|r| match r {
            Requirement::In(k, vs) => get(k).is_some_and(|v| vs.iter().any(|x| x == v)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|v| !vs.iter().any(|x| x == v)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::DoesNotExist(k) => get(k).is_none(),
        })
    }
}

/// Gatekeeper's wildcard: `prefix*`, `*suffix`, `*infix*`, or exact.
pub(crate) fn wildcard_matches(pattern: &str, candidate: &str) -> bool {
    match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
        (Some(rest), _) => match rest.strip_suffix('*') {
            Some(inner) => candidate.contains(inner),
            None => candidate.ends_with(rest),
        },
        (None, Some(prefix)) => candidate.starts_with(prefix),
        (None, None) => pattern == candidate,
    }
}

/// What a review is matched on: its object and oldObject, and the Namespace.
pub(crate) struct Target<'a> {
    objects: Vec<&'a Value>,
    namespace: Option<&'a Value>,
}

impl<'a> Target<'a> {
    pub(crate) fn new(review: &'a Value, inventory: &'a Value) -> Result<Target<'a>, String> {
        let objects: Vec<&Value> = ["object", "oldObject"]
            .iter()
            .filter_map(|k| review.get(*k))
            .filter(|v| v.is_object())
            .collect();
        if objects.is_empty() {
            return Err("neither object nor oldObject is defined".to_string());
        }
        let namespace = str_at(review, &["namespace"])
            .filter(|s| !s.is_empty())
            .and_then(|ns| {
                inventory
                    .get("cluster")
                    .and_then(|c| c.get("v1"))
                    .and_then(|c| c.get("Namespace"))
                    .and_then(|c| c.get(ns))
            })
            .filter(|v| v.is_object());
        Ok(Target { objects, namespace })
    }

    pub(crate) fn matches(&self, m: &Match) -> Result<bool, String> {
        for obj in &self.objects {
            if matches_one(m, obj, self.namespace)? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

fn labels(v: &Value) -> Option<&serde_json::Map<String, Value>> {
    v.get("metadata")?.get("labels")?.as_object()
}

fn matches_one(m: &Match, obj: &Value, ns: Option<&Value>) -> Result<bool, String> {
    let (group, _) = split_api_version(str_at(obj, &["apiVersion"]).unwrap_or(""));
    let kind = str_at(obj, &["kind"]).unwrap_or("");
    let obj_ns = str_at(obj, &["metadata", "namespace"]).unwrap_or("");
    let name = str_at(obj, &["metadata", "name"]).unwrap_or("");
    let is_namespace = kind == "Namespace" && group.is_empty();
    let has_list = |l: &[String], x: &str| l.is_empty() || l.iter().any(|s| s == "*" || s == x);

    // kinds
    if !m.kinds.is_empty()
        && !m
            .kinds
            .iter()
            .any(|k| has_list(&k.kinds, kind) && has_list(&k.api_groups, group))
    {
        return Ok(false);
    }
    // scope
    let has_namespace = !obj_ns.is_empty() || ns.is_some();
    match m.scope {
        Scope::Cluster if !is_namespace && has_namespace => return Ok(false),
        Scope::Namespaced if is_namespace || !has_namespace => return Ok(false),
        _ => {}
    }
    // namespaces / excludedNamespaces
    let namespace_name = if is_namespace {
        Some(name)
    } else if let Some(ns) = ns {
        Some(str_at(ns, &["metadata", "name"]).unwrap_or(""))
    } else if !obj_ns.is_empty() {
        Some(obj_ns)
    } else {
        None
    };
    if let Some(nsn) = namespace_name {
        if !m.namespaces.is_empty() && !m.namespaces.iter().any(|p| wildcard_matches(p, nsn)) {
            return Ok(false);
        }
        if m.excluded_namespaces
            .iter()
            .any(|p| wildcard_matches(p, nsn))
        {
            return Ok(false);
        }
    }
    // labelSelector
    if let Some(sel) = &m.label_selector
        && !sel.matches(labels(obj))
    {
        return Ok(false);
    }
    // namespaceSelector
    if let Some(sel) = &m.namespace_selector {
        if is_namespace {
            if !sel.matches(labels(obj)) {
                return Ok(false);
            }
        } else if ns.is_some() || !obj_ns.is_empty() {
            let Some(ns) = ns else {
                return Err(format!(
                    "namespaceSelector for namespaced object {name:?} but Namespace {obj_ns:?} is not in the inventory"
                ));
            };
            if !sel.matches(labels(ns)) {
                return Ok(false);
            }
        }
    }
    // name
    if let Some(p) = &m.name {
        let generate_name = str_at(obj, &["metadata", "generateName"]).unwrap_or("");
        let by_generate = !generate_name.is_empty()
            && p.strip_suffix('*')
                .is_some_and(|prefix| !prefix.is_empty() && generate_name.starts_with(prefix));
        if !wildcard_matches(p, name) && !by_generate {
            return Ok(false);
        }
    }
    // source: reviews here are of original objects.
    if m.source.as_deref() == Some("Generated") {
        return Ok(false);
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_matches("kube-*", "kube-system"));
        assert!(!wildcard_matches("kube-*", "default"));
        assert!(wildcard_matches("*-system", "kube-system"));
        assert!(wildcard_matches("*be-sy*", "kube-system"));
        assert!(wildcard_matches("*", "anything"));
        assert!(wildcard_matches("default", "default"));
        assert!(!wildcard_matches("default", "default2"));
    }
}
