//! `--fix`: merge the fix ops of every finding on an object into one wanted
//! change, then render it as
//! - text edits on the original YAML (comments, order and formatting of
//!   everything else are kept; new keys are inserted in block style at the
//!   mapping's own indentation), or a re-serialised document for JSON input;
//! - an RFC 6902 JSON patch valid against the original object;
//! - a strategic-merge patch (for kustomize `patches:`), containers by name.
//!
//! Hand-rolled on purpose: no maintained Rust YAML library edits a document
//! while preserving comments, and the edit set here is small (replace a
//! value, insert keys into a mapping, append to a sequence, delete a line).

use crate::load::Object;
use crate::path::{FieldPath, Seg};
use bulkhead_core::PatchOp;
use bulkhead_core::yaml::{Node, Value};
use indexmap::IndexMap;
use serde_json::{Value as J, json};

/// The merged change wanted at one node.
#[derive(Debug, Clone, PartialEq)]
pub enum Want {
    Set(J),
    Remove,
    Append(Vec<J>),
    Map(IndexMap<Seg, Want>),
}

impl Want {
    fn empty() -> Self {
        Want::Map(IndexMap::new())
    }

    /// Merges one op (path relative to the object) into the tree.
    pub fn add(&mut self, path: &[Seg], op: &PatchOp) {
        let Some((first, rest)) = path.split_first() else {
            match op {
                PatchOp::Set { value, .. } => *self = Want::Set(value.clone()),
                PatchOp::Remove { .. } => *self = Want::Remove,
                PatchOp::Append { value, .. } => match self {
                    Want::Append(v) => {
                        if !v.contains(value) {
                            v.push(value.clone());
                        }
                    }
                    _ => *self = Want::Append(vec![value.clone()]),
                },
            }
            return;
        };
        if !matches!(self, Want::Map(_)) {
            *self = Want::empty();
        }
        if let Want::Map(m) = self {
            m.entry(first.clone())
                .or_insert_with(Want::empty)
                .add(rest, op);
        }
    }

    /// The JSON value this want produces where nothing exists yet.
    fn fresh(&self) -> Option<J> {
        match self {
            Want::Set(v) => Some(v.clone()),
            Want::Remove => None,
            Want::Append(v) => Some(J::Array(v.clone())),
            Want::Map(m) => {
                let mut o = serde_json::Map::new();
                for (k, w) in m {
                    if let (Seg::Key(k), Some(v)) = (k, w.fresh()) {
                        o.insert(k.to_string(), v);
                    }
                }
                Some(J::Object(o))
            }
        }
    }
}

/// Builds the merged want for an object from its findings' ops.
pub fn want_for(obj: &Object, ops: &[&PatchOp]) -> Option<Want> {
    let mut w = Want::empty();
    let mut any = false;
    for op in ops {
        let p = FieldPath::from_pointer(op.path());
        let rel = p.0.strip_prefix(obj.base.0.as_slice()).unwrap_or(&p.0);
        w.add(rel, op);
        any = true;
    }
    any.then_some(w)
}

// ---------- JSON view (JSON files, JSON patch, merge patch) ----------

/// Applies a want to a JSON value.
pub fn apply_json(v: &mut J, want: &Want) {
    match want {
        Want::Set(x) => *v = x.clone(),
        Want::Remove => *v = J::Null,
        Want::Append(xs) => {
            if let J::Array(a) = v {
                for x in xs {
                    if !a.contains(x) {
                        a.push(x.clone());
                    }
                }
            } else {
                *v = J::Array(xs.clone());
            }
        }
        Want::Map(m) => {
            for (seg, w) in m {
                match (seg, &mut *v) {
                    (Seg::Key(k), J::Object(o)) => {
                        if matches!(w, Want::Remove) {
                            o.shift_remove(k.as_ref());
                        } else if let Some(child) = o.get_mut(k.as_ref()) {
                            if child.is_null() {
                                if let Some(f) = w.fresh() {
                                    *child = f;
                                }
                            } else {
                                apply_json(child, w);
                            }
                        } else if let Some(f) = w.fresh() {
                            o.insert(k.to_string(), f);
                        }
                    }
                    (Seg::Key(_), other) if other.is_null() => {
                        if let Some(f) = want.fresh() {
                            *other = f;
                        }
                        return;
                    }
                    (Seg::Index(i), J::Array(a)) => {
                        if let Some(child) = a.get_mut(*i) {
                            apply_json(child, w);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// RFC 6902 operations that turn `node` into what `want` asks, at `ptr`.
pub fn json_patch(node: Option<&Node>, want: &Want, ptr: &FieldPath, out: &mut Vec<J>) {
    let exists = node.is_some_and(|n| !n.is_null());
    match want {
        Want::Set(v) => {
            let op = if node.is_some() { "replace" } else { "add" };
            if node.map(Node::to_json).as_ref() != Some(v) {
                out.push(json!({"op": op, "path": ptr.pointer(), "value": v}));
            }
        }
        Want::Remove => {
            if node.is_some() {
                out.push(json!({"op": "remove", "path": ptr.pointer()}));
            }
        }
        Want::Append(vals) => match node.filter(|n| n.is_seq()) {
            Some(n) => {
                let have: Vec<J> = n.items().iter().map(Node::to_json).collect();
                for v in vals.iter().filter(|v| !have.contains(v)) {
                    out.push(json!({"op": "add", "path": format!("{}/-", ptr.pointer()), "value": v}));
                }
            }
            None => out.push(json!({"op": if node.is_some() {"replace"} else {"add"}, "path": ptr.pointer(), "value": vals})),
        },
        Want::Map(m) => {
            if !exists {
                if let Some(v) = want.fresh() {
                    let op = if node.is_some() { "replace" } else { "add" };
                    out.push(json!({"op": op, "path": ptr.pointer(), "value": v}));
                }
                return;
            }
            for (seg, w) in m {
                let child = match (seg, node) {
                    (Seg::Key(k), Some(n)) => n.entry(k).map(|e| &e.value),
                    (Seg::Index(i), Some(n)) => n.items().get(*i),
                    _ => None,
                };
                let mut p = ptr.clone();
                p.0.push(seg.clone());
                json_patch(child, w, &p, out);
            }
        }
    }
}

/// A strategic-merge patch: the object's identity plus the wanted fields;
/// list items addressed by index become the item's `name` (the merge key of
/// containers and volumes). `$patch: delete` is not used: removals become
/// `null`, which strategic merge treats as delete.
pub fn merge_patch(obj: &Object, want: &Want) -> J {
    fn build(node: Option<&Node>, want: &Want) -> J {
        match want {
            Want::Set(v) => v.clone(),
            Want::Remove => J::Null,
            Want::Append(vals) => {
                let mut have: Vec<J> = node
                    .map(|n| n.items().iter().map(Node::to_json).collect())
                    .unwrap_or_default();
                for v in vals {
                    if !have.contains(v) {
                        have.push(v.clone());
                    }
                }
                J::Array(have)
            }
            Want::Map(m) => {
                let mut o = serde_json::Map::new();
                let mut list: Vec<J> = Vec::new();
                for (seg, w) in m {
                    match seg {
                        Seg::Key(k) => {
                            let child = node.and_then(|n| n.entry(k)).map(|e| &e.value);
                            o.insert(k.to_string(), build(child, w));
                        }
                        Seg::Index(i) => {
                            let child = node.and_then(|n| n.items().get(*i));
                            // Strategic merge finds list items by their merge key
                            // (name for containers and volumes, containerPort for
                            // ports): put the identifying fields first.
                            let mut item = serde_json::Map::new();
                            for key in ["name", "containerPort", "protocol", "mountPath"] {
                                if let Some(n) = child.and_then(|c| c.get(key)) {
                                    item.insert(key.into(), n.to_json());
                                }
                            }
                            if let J::Object(vo) = build(child, w) {
                                for (k, v) in vo {
                                    item.entry(k).or_insert(v);
                                }
                            }
                            list.push(J::Object(item));
                        }
                    }
                }
                if !list.is_empty() {
                    J::Array(list)
                } else {
                    J::Object(o)
                }
            }
        }
    }
    let mut body = match build(Some(&obj.root), want) {
        J::Object(o) => o,
        _ => serde_json::Map::new(),
    };
    let mut meta = body.remove("metadata").unwrap_or_else(|| json!({}));
    meta["name"] = json!(obj.name);
    if let Some(ns) = &obj.namespace {
        meta["namespace"] = json!(ns);
    }
    let mut o = serde_json::Map::new();
    o.insert("apiVersion".into(), json!(obj.api_version));
    o.insert("kind".into(), json!(obj.kind));
    o.insert("metadata".into(), meta);
    o.extend(body);
    J::Object(o)
}

/// Renders JSON as block-style YAML (for merge patches).
pub fn to_yaml(v: &J) -> String {
    fn item(v: &J, indent: usize, out: &mut Vec<String>) {
        let pad = " ".repeat(indent);
        match v {
            J::Object(o) if !o.is_empty() => {
                let mut first = true;
                for (k, cv) in o {
                    let mut lines = Vec::new();
                    value(k, cv, 0, &mut lines);
                    for l in lines {
                        if first {
                            out.push(format!("{pad}- {l}"));
                            first = false;
                        } else {
                            out.push(format!("{pad}  {l}"));
                        }
                    }
                }
            }
            other => out.push(format!("{pad}- {}", scalar(other))),
        }
    }
    fn value(k: &str, v: &J, indent: usize, out: &mut Vec<String>) {
        match v {
            J::Array(a) if a.iter().any(|x| x.is_object()) => {
                out.push(format!(
                    "{}{}:",
                    " ".repeat(indent),
                    if safe_plain(k) {
                        k.to_string()
                    } else {
                        J::String(k.to_string()).to_string()
                    }
                ));
                for x in a {
                    item(x, indent, out);
                }
            }
            J::Object(o) if !o.is_empty() => {
                out.push(format!(
                    "{}{}:",
                    " ".repeat(indent),
                    if safe_plain(k) {
                        k.to_string()
                    } else {
                        J::String(k.to_string()).to_string()
                    }
                ));
                for (ck, cv) in o {
                    value(ck, cv, indent + 2, out);
                }
            }
            other => block(k, other, indent, out),
        }
    }
    let mut out = Vec::new();
    if let J::Object(o) = v {
        for (k, cv) in o {
            value(k, cv, 0, &mut out);
        }
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

// ---------- text edits on YAML ----------

#[derive(Debug)]
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

/// Why an in-place edit is not possible for some field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixError(pub String);

fn safe_plain(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-'))
        && !matches!(
            s,
            "true"
                | "True"
                | "TRUE"
                | "false"
                | "False"
                | "FALSE"
                | "yes"
                | "Yes"
                | "YES"
                | "no"
                | "No"
                | "NO"
                | "on"
                | "On"
                | "ON"
                | "off"
                | "Off"
                | "OFF"
                | "y"
                | "Y"
                | "n"
                | "N"
                | "null"
                | "Null"
                | "NULL"
        )
}

fn scalar(v: &J) -> String {
    match v {
        J::String(s) if safe_plain(s) => s.clone(),
        J::Array(a) if a.is_empty() => "[]".into(),
        J::Object(o) if o.is_empty() => "{}".into(),
        other => other.to_string(),
    }
}

/// Renders `key: value` lines in block style at `indent` spaces.
fn block(key: &str, v: &J, indent: usize, out: &mut Vec<String>) {
    let pad = " ".repeat(indent);
    let k = if safe_plain(key) {
        key.to_string()
    } else {
        J::String(key.to_string()).to_string()
    };
    match v {
        J::Object(o) if !o.is_empty() => {
            out.push(format!("{pad}{k}:"));
            for (ck, cv) in o {
                block(ck, cv, indent + 2, out);
            }
        }
        J::Array(a) if !a.is_empty() && a.iter().all(|x| !x.is_object() && !x.is_array()) => {
            out.push(format!("{pad}{k}:"));
            for x in a {
                out.push(format!("{pad}- {}", scalar(x)));
            }
        }
        other => out.push(format!("{pad}{k}: {}", scalar(other))),
    }
}

/// End of the line holding the last byte of `[.., end)`: where new sibling
/// lines go.
fn line_end_after(src: &str, end: usize) -> usize {
    let end = end.min(src.len());
    if end > 0 && src.as_bytes()[end - 1] == b'\n' {
        return end - 1;
    }
    src[end..].find('\n').map_or(src.len(), |i| end + i)
}

struct Planner<'s> {
    src: &'s str,
    edits: Vec<Edit>,
}

impl Planner<'_> {
    fn guard(&self, n: &Node) -> Result<(), FixError> {
        if n.aliased {
            return Err(FixError(format!(
                "line {}: the field comes from a YAML anchor; use --fix=patch",
                n.start.line
            )));
        }
        Ok(())
    }

    /// Replaces an entry's value (from the end of its key) with `v` in flow style.
    fn replace_value(&mut self, key: &Node, value: &Node, v: &J) -> Result<(), FixError> {
        self.guard(key)?;
        let end = if value.is_null() && value.start.byte <= key.end.byte {
            // empty value: keep everything after the colon

            self.src[key.end.byte..]
                .find(':')
                .map_or(key.end.byte, |i| key.end.byte + i + 1)
        } else {
            value.end.byte.max(key.end.byte)
        };
        let mut text = format!(": {}", scalar(v));
        if let J::Object(o) = v
            && !o.is_empty()
        {
            text = format!(": {v}");
        }
        if let J::Array(a) = v
            && !a.is_empty()
        {
            text = format!(
                ": [{}]",
                a.iter().map(scalar).collect::<Vec<_>>().join(", ")
            );
        }
        self.edits.push(Edit {
            start: key.end.byte,
            end,
            text,
        });
        Ok(())
    }

    fn remove_entry(&mut self, map: &Node, idx: usize) -> Result<(), FixError> {
        let entries = map.entries();
        let e = &entries[idx];
        self.guard(&e.key)?;
        let line_start = self.src[..e.key.start.byte]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let before = &self.src[line_start..e.key.start.byte];
        let clean = !map.flow && entries.len() > 1 && before.trim().is_empty();
        if clean {
            // Remove from the newline before the entry to the end of its
            // last line, so an insertion after the entry (a sibling key that
            // goes at the mapping's end) stays adjacent, not overlapping.
            let end = line_end_after(self.src, e.value.end.byte.max(e.key.end.byte));
            let (start, end) = if line_start > 0 {
                (line_start - 1, end)
            } else {
                (line_start, if end < self.src.len() { end + 1 } else { end })
            };
            self.edits.push(Edit {
                start,
                end,
                text: String::new(),
            });
            Ok(())
        } else {
            self.replace_value(&e.key, &e.value, &J::Null)
        }
    }

    fn plan(&mut self, node: &Node, want: &Want) -> Result<(), FixError> {
        let Want::Map(m) = want else { return Ok(()) };
        if node.flow {
            return Err(FixError(format!(
                "line {}: flow-style collection; use --fix=patch",
                node.start.line
            )));
        }
        let mut missing: Vec<String> = Vec::new();
        // Entries merged in from an anchor (`<<: *defaults`) carry the
        // anchor's positions: indentation and insertion point come from the
        // mapping's own entries.
        let own = || node.entries().iter().filter(|e| !e.key.aliased);
        let indent = own()
            .next()
            .map_or(0, |e| (e.key.start.col as usize).saturating_sub(1));
        for (seg, w) in m {
            match seg {
                Seg::Index(i) => {
                    if let Some(child) = node.items().get(*i) {
                        self.guard(child)?;
                        match w {
                            // A scalar item replaced in place.
                            Want::Set(v) if !child.is_map() && !child.is_seq() => {
                                if &child.to_json() != v {
                                    self.edits.push(Edit {
                                        start: child.start.byte,
                                        end: child.end.byte,
                                        text: scalar(v),
                                    });
                                }
                            }
                            _ => self.plan(child, w)?,
                        }
                    }
                }
                Seg::Key(k) => {
                    let idx = node
                        .entries()
                        .iter()
                        .position(|e| e.key.as_str() == Some(k.as_ref()));
                    match idx {
                        None => {
                            if let Some(v) = w.fresh() {
                                block(k, &v, indent, &mut missing);
                            }
                        }
                        Some(idx) if node.entries()[idx].key.aliased && !node.aliased => {
                            // Merged from an anchor: an explicit key here
                            // overrides the merged one, so it carries the
                            // merged value with the change applied.
                            let mut v = node.entries()[idx].value.to_json();
                            apply_json(&mut v, w);
                            if v != node.entries()[idx].value.to_json() {
                                block(k, &v, indent, &mut missing);
                            }
                        }
                        Some(idx) => {
                            let e = &node.entries()[idx];
                            match w {
                                Want::Remove => self.remove_entry(node, idx)?,
                                Want::Set(v) => {
                                    if &e.value.to_json() != v {
                                        self.replace_value(&e.key, &e.value, v)?;
                                    }
                                }
                                Want::Append(vals) => self.append(&e.key, &e.value, vals)?,
                                Want::Map(_) => {
                                    if (e.value.is_map() || e.value.is_seq()) && !e.value.flow {
                                        self.guard(&e.value)?;
                                        self.plan(&e.value, w)?;
                                    } else if e.value.is_null() {
                                        let mut lines = Vec::new();
                                        if let Some(J::Object(o)) = w.fresh() {
                                            for (ck, cv) in &o {
                                                block(ck, cv, indent + 2, &mut lines);
                                            }
                                        }
                                        self.guard(&e.key)?;
                                        let at = line_end_after(self.src, e.key.end.byte);
                                        let colon_end = self.src[e.key.end.byte..at]
                                            .find(':')
                                            .map_or(at, |i| e.key.end.byte + i + 1);
                                        // drop an explicit `null`/`~` after the colon
                                        let rest = self.src[colon_end..at].trim();
                                        let start = if rest.starts_with('#') || rest.is_empty() {
                                            at
                                        } else {
                                            colon_end
                                        };
                                        self.edits.push(Edit {
                                            start,
                                            end: at,
                                            text: format!("\n{}", lines.join("\n")),
                                        });
                                    } else {
                                        let mut v = e.value.to_json();
                                        apply_json(&mut v, w);
                                        self.replace_value(&e.key, &e.value, &v)?;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if !missing.is_empty() {
            self.guard(node)?;
            let (Some(first), Some(last)) = (own().next(), own().next_back()) else {
                return Err(FixError(format!(
                    "line {}: empty mapping; use --fix=patch",
                    node.start.line
                )));
            };
            if has_alias(&last.value) {
                // Where the last entry's text ends is unknown (its value
                // merges an anchor): the new keys go before the first one.
                let at = self.src[..first.key.start.byte]
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                self.edits.push(Edit {
                    start: at,
                    end: at,
                    text: format!("{}\n", missing.join("\n")),
                });
            } else {
                let at = line_end_after(self.src, last.value.end.byte.max(last.key.end.byte));
                self.edits.push(Edit {
                    start: at,
                    end: at,
                    text: format!("\n{}", missing.join("\n")),
                });
            }
        }
        Ok(())
    }

    fn append(&mut self, key: &Node, value: &Node, vals: &[J]) -> Result<(), FixError> {
        let have: Vec<J> = value.items().iter().map(Node::to_json).collect();
        let new: Vec<&J> = vals.iter().filter(|v| !have.contains(v)).collect();
        if new.is_empty() {
            return Ok(());
        }
        match &value.value {
            Value::Seq(items) if !value.flow && !items.is_empty() => {
                self.guard(value)?;
                let first = &items[0];
                let line_start = self.src[..first.start.byte]
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                let dash = self.src[line_start..first.start.byte]
                    .rfind('-')
                    .map_or(first.start.col as usize - 1, |i| i);
                let pad = " ".repeat(dash);
                let at = line_end_after(self.src, value.end.byte);
                let text: String = new
                    .iter()
                    .map(|v| format!("\n{pad}- {}", scalar(v)))
                    .collect();
                self.edits.push(Edit {
                    start: at,
                    end: at,
                    text,
                });
                Ok(())
            }
            _ => {
                let mut all = have;
                all.extend(new.into_iter().cloned());
                self.replace_value(key, value, &J::Array(all))
            }
        }
    }
}

/// Whether any part of `n` was copied from an anchor.
fn has_alias(n: &Node) -> bool {
    n.aliased
        || n.entries()
            .iter()
            .any(|e| e.key.aliased || has_alias(&e.value))
        || n.items().iter().any(has_alias)
}

/// Applies the wants of several objects of one YAML source as text edits.
pub fn fix_yaml(src: &str, wants: &[(&Object, Want)]) -> Result<String, FixError> {
    let roots: Vec<(&Node, &Want)> = wants.iter().map(|(o, w)| (&o.root, w)).collect();
    fix_nodes(src, &roots)
}

/// Applies wants to nodes of one YAML source (each want relative to its
/// node) as text edits; also what the Compose `--fix` of the runtime layer
/// uses, with the document root as the node.
pub fn fix_nodes(src: &str, wants: &[(&Node, &Want)]) -> Result<String, FixError> {
    let mut p = Planner {
        src,
        edits: Vec::new(),
    };
    for (node, want) in wants {
        p.plan(node, want)?;
    }
    let mut edits = p.edits;
    edits.sort_by_key(|e| (e.start, e.end));
    for w in edits.windows(2) {
        if w[1].start < w[0].end {
            return Err(FixError("overlapping edits; use --fix=patch".into()));
        }
    }
    let mut out = src.to_string();
    for e in edits.iter().rev() {
        out.replace_range(e.start..e.end, &e.text);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Source, load};
    use bulkhead_core::yaml::Limits;
    use std::sync::Arc;

    fn obj(src: &str) -> Object {
        let mut l = load(
            Arc::new(Source::new("t.yaml", src.to_string())),
            Limits::default(),
        );
        l.objects.remove(0)
    }

    fn ops(list: &[PatchOp]) -> Vec<&PatchOp> {
        list.iter().collect()
    }

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p # keep me\nspec:\n  containers:\n  - name: app\n    image: nginx\n    securityContext:\n      privileged: true  # why\n      capabilities:\n        drop:\n        - NET_RAW\n        add: [SYS_ADMIN, NET_BIND_SERVICE]\n  - name: side\n    image: busybox\n";

    #[test]
    fn text_edits_keep_comments_and_insert_in_block_style() {
        let o = obj(POD);
        let list = vec![
            PatchOp::Set {
                path: "/spec/containers/0/securityContext/privileged".into(),
                value: json!(false),
            },
            PatchOp::Append {
                path: "/spec/containers/0/securityContext/capabilities/drop".into(),
                value: json!("ALL"),
            },
            PatchOp::Set {
                path: "/spec/containers/0/securityContext/capabilities/add".into(),
                value: json!(["NET_BIND_SERVICE"]),
            },
            PatchOp::Set {
                path: "/spec/containers/0/securityContext/allowPrivilegeEscalation".into(),
                value: json!(false),
            },
            PatchOp::Set {
                path: "/spec/containers/1/securityContext/allowPrivilegeEscalation".into(),
                value: json!(false),
            },
            PatchOp::Set {
                path: "/spec/securityContext/runAsNonRoot".into(),
                value: json!(true),
            },
            PatchOp::Set {
                path: "/spec/securityContext/seccompProfile/type".into(),
                value: json!("RuntimeDefault"),
            },
        ];
        let w = want_for(&o, &ops(&list)).expect("want");
        let out = fix_yaml(POD, &[(&o, w)]).expect("fix");
        insta::assert_snapshot!(out);
        // The result parses and holds what was asked.
        let o2 = obj(&out);
        let c0 = o2.root.path(&["spec", "containers"]).expect("c").items()[0].clone();
        assert_eq!(
            c0.path(&["securityContext", "privileged"])
                .and_then(Node::as_bool),
            Some(false)
        );
        assert!(out.contains("# keep me") && out.contains("# why"));
    }

    #[test]
    fn json_patch_is_valid_against_the_original() {
        let o = obj(POD);
        let list = vec![
            PatchOp::Append {
                path: "/spec/containers/0/securityContext/capabilities/drop".into(),
                value: json!("ALL"),
            },
            PatchOp::Set {
                path: "/spec/securityContext/runAsNonRoot".into(),
                value: json!(true),
            },
            PatchOp::Set {
                path: "/spec/securityContext/seccompProfile/type".into(),
                value: json!("RuntimeDefault"),
            },
            PatchOp::Set {
                path: "/spec/containers/1/securityContext/allowPrivilegeEscalation".into(),
                value: json!(false),
            },
        ];
        let w = want_for(&o, &ops(&list)).expect("want");
        let mut out = Vec::new();
        json_patch(Some(&o.root), &w, &FieldPath::root(), &mut out);
        insta::assert_json_snapshot!(out);
    }

    #[test]
    fn remove_deletes_the_line() {
        let src = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext:\n    runAsUser: 0\n    runAsNonRoot: true\n  containers: []\n";
        let o = obj(src);
        let list = vec![PatchOp::Remove {
            path: "/spec/securityContext/runAsUser".into(),
        }];
        let w = want_for(&o, &ops(&list)).expect("want");
        let out = fix_yaml(src, &[(&o, w)]).expect("fix");
        assert_eq!(out, src.replace("    runAsUser: 0\n", ""));
    }

    #[test]
    fn aliased_fields_are_refused() {
        let src = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nx-sc: &sc\n  privileged: true\nspec:\n  containers:\n  - name: a\n    securityContext: *sc\n";
        let o = obj(src);
        let list = vec![PatchOp::Set {
            path: "/spec/containers/0/securityContext/privileged".into(),
            value: json!(false),
        }];
        let w = want_for(&o, &ops(&list)).expect("want");
        assert!(fix_yaml(src, &[(&o, w)]).is_err());
    }
}
