//! Sources of the runtime model, and the small positioned tree they share.
//!
//! Every structured source (Compose YAML, OCI and inspect JSON) is parsed
//! with `bulkhead_core::yaml` — which bounds alias expansion and nesting, so
//! an alias bomb is an error — and turned into a [`T`], a tree whose nodes
//! remember the file they came from: Compose merges several files and
//! `extends` pulls services from others, and every fact must still point at
//! its own file and line.

pub mod compose;
pub mod inside;
pub mod inspect;
pub mod live;
pub mod oci;
pub mod procfs;
pub mod runline;

use crate::model::{At, Container};
use bulkhead_core::InputError;
use bulkhead_core::yaml::{self, Node, Value};
use std::collections::HashMap;

/// Largest input text, whatever the caller's own bound.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// One input file: its name as shown in findings, and its text.
#[derive(Debug, Clone)]
pub struct Input {
    pub name: String,
    pub text: String,
}

impl Input {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Input {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// What loading produced: containers, one-line errors, notes.
#[derive(Debug, Default)]
pub struct Loaded {
    pub containers: Vec<Container>,
    pub errors: Vec<InputError>,
    pub notes: Vec<String>,
}

impl Loaded {
    pub fn extend(&mut self, other: Loaded) {
        self.containers.extend(other.containers);
        self.errors.extend(other.errors);
        self.notes.extend(other.notes);
    }

    fn error(file: &str, line: Option<u32>, msg: impl Into<String>) -> Loaded {
        Loaded {
            errors: vec![InputError::new(file, line, msg)],
            ..Default::default()
        }
    }
}

/// The kinds of input `bulkhead runtime` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Compose,
    Oci,
    Inspect,
    /// Shell scripts, Makefiles, CI YAML and anything else scanned for run lines.
    Script,
}

fn file_name(name: &str) -> String {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase()
}

/// Is this file name one a directory walk should read?
pub fn wanted(name: &str) -> bool {
    let n = file_name(name);
    n.ends_with(".yml")
        || n.ends_with(".yaml")
        || n == "config.json"
        || n.ends_with("inspect.json")
        || n.starts_with("inspect")
        || n.ends_with(".sh")
        || n.ends_with(".bash")
        || n == "makefile"
        || n == "gnumakefile"
        || n.ends_with(".mk")
        || n == "jenkinsfile"
}

/// Which source an input is, by name and content. `None`: a YAML or JSON
/// file that is none of them (no compose `services`, no OCI `ociVersion`,
/// no inspect `HostConfig`): not a runtime input.
pub fn detect(name: &str, text: &str) -> Option<Kind> {
    let n = file_name(name);
    let head = text.trim_start();
    if head.starts_with('{') || head.starts_with('[') {
        let probe = &text[..text.len().min(1 << 16)];
        if probe.contains("\"ociVersion\"") {
            return Some(Kind::Oci);
        }
        if probe.contains("\"HostConfig\"") {
            return Some(Kind::Inspect);
        }
        if n.ends_with(".json") {
            return None;
        }
    }
    let is_yaml = n.ends_with(".yml") || n.ends_with(".yaml");
    // A `services:` key alone is not enough: GitLab CI has one too. Every
    // top-level key must be a Compose one.
    let top: Vec<&str> = text
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim_matches('"')))
        .collect();
    let looks_compose = n.contains("compose")
        || (top.contains(&"services")
            && top
                .iter()
                .all(|k| compose::TOP_LEVEL.contains(k) || k.starts_with("x-")));
    if is_yaml && looks_compose {
        return Some(Kind::Compose);
    }
    if n.ends_with(".json") {
        return None;
    }
    Some(Kind::Script)
}

/// Loads one input of any kind (a compose file alone; use
/// [`compose::load`] to merge several).
pub fn load(input: &Input, env: &compose::Env) -> Loaded {
    if input.text.len() > MAX_BYTES {
        return Loaded::error(
            &input.name,
            None,
            format!(
                "file is {} bytes, above the {MAX_BYTES}-byte limit for runtime inputs",
                input.text.len()
            ),
        );
    }
    match detect(&input.name, &input.text) {
        Some(Kind::Compose) => compose::load(std::slice::from_ref(input), env),
        Some(Kind::Oci) => oci::load(input),
        Some(Kind::Inspect) => inspect::load(input),
        Some(Kind::Script) => runline::load(input),
        None => Loaded {
            notes: vec![format!(
                "{}: not a compose file, OCI config or inspect output; skipped",
                input.name
            )],
            ..Default::default()
        },
    }
}

/// A positioned node that knows its file (an index into the caller's file table).
#[derive(Debug, Clone, PartialEq)]
pub struct T {
    pub v: V,
    pub file: usize,
    pub line: u32,
    pub col: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Null,
    /// Text and whether it was a plain (unquoted) scalar.
    Str(String, bool),
    Seq(Vec<T>),
    Map(Vec<(Key, T)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub file: usize,
    pub line: u32,
    pub col: u32,
}

impl T {
    pub fn from_node(n: &Node, file: usize) -> T {
        let v = match &n.value {
            Value::Null => V::Null,
            Value::Scalar { text, plain } => V::Str(text.clone(), *plain),
            Value::Seq(items) => V::Seq(items.iter().map(|i| T::from_node(i, file)).collect()),
            Value::Map(entries) => V::Map(
                entries
                    .iter()
                    .map(|e| {
                        let name = match &e.key.value {
                            Value::Scalar { text, .. } => text.clone(),
                            Value::Null => "null".to_string(),
                            _ => e.key.to_json_text().to_string(),
                        };
                        (
                            Key {
                                name,
                                file,
                                line: e.key.start.line,
                                col: e.key.start.col,
                            },
                            T::from_node(&e.value, file),
                        )
                    })
                    .collect(),
            ),
        };
        T {
            v,
            file,
            line: n.start.line,
            col: n.start.col,
        }
    }

    pub fn get(&self, key: &str) -> Option<&T> {
        self.entry(key)
            .map(|(_, v)| v)
            .filter(|v| !matches!(v.v, V::Null))
    }

    pub fn entry(&self, key: &str) -> Option<(&Key, &T)> {
        match &self.v {
            V::Map(e) => e.iter().find(|(k, _)| k.name == key).map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(Key, T)] {
        match &self.v {
            V::Map(e) => e,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[T] {
        match &self.v {
            V::Seq(v) => v,
            _ => &[],
        }
    }

    pub fn str(&self) -> Option<&str> {
        match &self.v {
            V::Str(s, _) => Some(s),
            _ => None,
        }
    }

    /// A boolean: `true`/`false` in any case, quoted or not (Compose and
    /// JSON both accept these; YAML 1.1 `yes`/`on` too, as go-yaml does for
    /// boolean fields).
    pub fn bool(&self) -> Option<bool> {
        match self.str()?.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" => Some(true),
            "false" | "no" | "off" => Some(false),
            _ => None,
        }
    }

    pub fn i64(&self) -> Option<i64> {
        self.str()?.trim().parse().ok()
    }

    pub fn is_map(&self) -> bool {
        matches!(self.v, V::Map(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.v, V::Seq(_))
    }
}

/// The file table and helpers to build [`At`]s.
#[derive(Debug, Clone, Default)]
pub struct Files {
    pub names: Vec<String>,
}

impl Files {
    pub fn add(&mut self, name: &str) -> usize {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return i;
        }
        self.names.push(name.to_string());
        self.names.len() - 1
    }

    pub fn name(&self, i: usize) -> &str {
        self.names.get(i).map_or("", String::as_str)
    }

    pub fn at(&self, t: &T, field: impl Into<String>) -> At {
        At {
            file: self.name(t.file).to_string(),
            line: t.line,
            col: t.col,
            field: field.into(),
        }
    }

    pub fn at_key(&self, k: &Key, field: impl Into<String>) -> At {
        At {
            file: self.name(k.file).to_string(),
            line: k.line,
            col: k.col,
            field: field.into(),
        }
    }
}

/// Parses one YAML/JSON document into a [`T`]; the error is one line.
pub fn parse_one(input: &Input, file: usize) -> Result<T, InputError> {
    let docs = yaml::parse(&input.text, yaml::Limits::default()).map_err(|e| {
        InputError::new(
            &input.name,
            Some(e.line),
            format!("invalid YAML/JSON: {}", e.message),
        )
    })?;
    let mut docs = docs.into_iter().filter(|d| !d.root.is_null());
    let Some(first) = docs.next() else {
        return Err(InputError::new(&input.name, None, "empty document"));
    };
    if let Some(second) = docs.next() {
        return Err(InputError::new(
            &input.name,
            Some(second.root.start.line),
            "more than one YAML document; expected one",
        ));
    }
    Ok(T::from_node(&first.root, file))
}

/// Environment for Compose interpolation.
pub type Vars = HashMap<String, String>;
