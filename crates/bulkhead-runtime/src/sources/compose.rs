//! Compose files (the Compose Specification) → the runtime model.
//!
//! What `docker compose config` does before it runs anything, in order:
//! each file is parsed (anchors and `<<` merge keys by `bulkhead_core::yaml`,
//! bounded), checked for unknown top-level keys (`x-` extensions are
//! allowed), interpolated (`$VAR`, `${VAR}`, `${VAR:-default}`,
//! `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`,
//! `${VAR+alt}`, `$$`, nested), its `extends` resolved (same file or
//! `file:`), then the files are merged in order (`-f a -f b`: mappings
//! recursively, `volumes` and `devices` by target, `command`/`entrypoint`/
//! `healthcheck.test` replaced, other sequences appended without duplicates,
//! scalars overridden). Every node keeps its own file and line.

use super::{Files, Input, Key, Loaded, MAX_BYTES, T, V, Vars, parse_one};
use crate::model::{At, Container, Fact, Mount, MountKind, Ns, NsMode, Port, SourceKind, norm_cap};
use bulkhead_core::InputError;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The top-level keys of the Compose Specification.
pub const TOP_LEVEL: &[&str] = &[
    "version", "name", "services", "networks", "volumes", "configs", "secrets", "include", "models",
];

/// How deep `extends` chains may go.
const MAX_EXTENDS: usize = 32;

/// Variables for interpolation.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub vars: Vars,
    /// Also read `.env` next to the first compose file (variables already set win).
    pub dotenv: bool,
}

impl Env {
    /// The process environment, plus `.env` as Compose reads it.
    pub fn process() -> Env {
        Env {
            vars: std::env::vars().collect(),
            dotenv: true,
        }
    }

    /// Exactly these variables, no `.env` (for tests).
    pub fn with(vars: &[(&str, &str)]) -> Env {
        Env {
            vars: vars
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
            dotenv: false,
        }
    }
}

/// Parses a `.env` file: `KEY=VALUE`, `export KEY=VALUE`, quotes stripped, `#` comments.
pub fn parse_dotenv(text: &str) -> Vars {
    let mut out = Vars::new();
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let l = l.strip_prefix("export ").unwrap_or(l);
        let Some((k, v)) = l.split_once('=') else {
            continue;
        };
        let v = v.trim();
        let v = if v.len() >= 2
            && ((v.starts_with('"') && v.ends_with('"'))
                || (v.starts_with('\'') && v.ends_with('\'')))
        {
            &v[1..v.len() - 1]
        } else {
            v.split(" #").next().unwrap_or(v).trim_end()
        };
        out.insert(k.trim().to_string(), v.to_string());
    }
    out
}

/// Interpolates one string. Unset variables without a default become empty
/// and are added to `unset`; `${VAR:?msg}` on an unset variable is an error.
pub fn interpolate(s: &str, vars: &Vars, unset: &mut BTreeSet<String>) -> Result<String, String> {
    if !s.contains('$') {
        return Ok(s.to_string());
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut lit = 0;
    while i < b.len() {
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        out.push_str(&s[lit..i]);
        match b.get(i + 1) {
            Some(b'$') => {
                out.push('$');
                i += 2;
            }
            Some(b'{') => {
                // Find the matching brace, allowing nested ${...}.
                let mut depth = 1;
                let mut j = i + 2;
                while j < b.len() && depth > 0 {
                    match b[j] {
                        b'{' if b[j - 1] == b'$' => depth += 1,
                        b'}' => depth -= 1,
                        _ => {}
                    }
                    j += 1;
                }
                if depth > 0 {
                    return Err(format!("unclosed '${{' in {s:?}"));
                }
                out.push_str(&expand(&s[i + 2..j - 1], vars, unset)?);
                i = j;
            }
            Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                let mut j = i + 1;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                    j += 1;
                }
                let name = &s[i + 1..j];
                match vars.get(name) {
                    Some(v) => out.push_str(v),
                    None => {
                        unset.insert(name.to_string());
                    }
                }
                i = j;
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
        lit = i;
    }
    out.push_str(&s[lit..]);
    Ok(out)
}

/// The inside of `${...}`.
fn expand(inner: &str, vars: &Vars, unset: &mut BTreeSet<String>) -> Result<String, String> {
    let name_end = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let name = &inner[..name_end];
    if name.is_empty() {
        return Err(format!("invalid interpolation '${{{inner}}}'"));
    }
    let rest = &inner[name_end..];
    let val = vars.get(name);
    let (op, word) = if let Some(w) = rest.strip_prefix(":-") {
        (":-", w)
    } else if let Some(w) = rest.strip_prefix(":?") {
        (":?", w)
    } else if let Some(w) = rest.strip_prefix(":+") {
        (":+", w)
    } else if let Some(w) = rest.strip_prefix('-') {
        ("-", w)
    } else if let Some(w) = rest.strip_prefix('?') {
        ("?", w)
    } else if let Some(w) = rest.strip_prefix('+') {
        ("+", w)
    } else if rest.is_empty() {
        ("", "")
    } else {
        return Err(format!("invalid interpolation '${{{inner}}}'"));
    };
    let empty = val.is_none_or(|v| v.is_empty());
    Ok(match op {
        ":-" if empty => interpolate(word, vars, unset)?,
        "-" if val.is_none() => interpolate(word, vars, unset)?,
        ":?" if empty => {
            return Err(format!(
                "required variable {name} is missing a value: {word}"
            ));
        }
        "?" if val.is_none() => {
            return Err(format!(
                "required variable {name} is missing a value: {word}"
            ));
        }
        ":+" => {
            if empty {
                String::new()
            } else {
                interpolate(word, vars, unset)?
            }
        }
        "+" => {
            if val.is_none() {
                String::new()
            } else {
                interpolate(word, vars, unset)?
            }
        }
        _ => match val {
            Some(v) => v.clone(),
            None => {
                unset.insert(name.to_string());
                String::new()
            }
        },
    })
}

fn interpolate_tree(
    t: &mut T,
    vars: &Vars,
    unset: &mut BTreeSet<String>,
) -> Result<(), (u32, String)> {
    match &mut t.v {
        V::Str(s, _) => {
            *s = interpolate(s, vars, unset).map_err(|e| (t.line, e))?;
        }
        V::Seq(items) => {
            for i in items {
                interpolate_tree(i, vars, unset)?;
            }
        }
        V::Map(entries) => {
            for (_, v) in entries {
                interpolate_tree(v, vars, unset)?;
            }
        }
        V::Null => {}
    }
    Ok(())
}

/// A canonical text of a value, for duplicate detection in merges.
fn text_key(t: &T) -> String {
    match &t.v {
        V::Null => "~".into(),
        V::Str(s, _) => s.clone(),
        V::Seq(i) => format!("[{}]", i.iter().map(text_key).collect::<Vec<_>>().join(",")),
        V::Map(e) => format!(
            "{{{}}}",
            e.iter()
                .map(|(k, v)| format!("{}:{}", k.name, text_key(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

/// The container path of a volume or device entry (short or long syntax).
fn entry_target(t: &T, key: &str) -> Option<String> {
    match &t.v {
        V::Str(s, _) => {
            if key == "devices" {
                let parts: Vec<&str> = s.split(':').collect();
                Some(parts.get(1).copied().unwrap_or(parts[0]).to_string())
            } else {
                Some(split_volume(s).1)
            }
        }
        V::Map(_) => t.get("target").and_then(T::str).map(str::to_string),
        _ => None,
    }
}

/// Merges `over` onto `base` the way `docker compose config` merges files.
pub fn merge(base: T, over: T, key: &str) -> T {
    match (base.v, over.v) {
        (V::Map(mut b), V::Map(o)) => {
            for (k, v) in o {
                if let Some(pos) = b.iter().position(|(bk, _)| bk.name == k.name) {
                    let (bk, bv) = b.remove(pos);
                    let merged = merge(bv, v, &k.name);
                    b.insert(pos, (bk, merged));
                } else {
                    b.push((k, v));
                }
            }
            T {
                v: V::Map(b),
                file: over.file,
                line: over.line,
                col: over.col,
            }
        }
        (V::Seq(mut b), V::Seq(o)) if !matches!(key, "command" | "entrypoint" | "test") => {
            if matches!(key, "volumes" | "devices") {
                for item in o {
                    let tgt = entry_target(&item, key);
                    if let Some(pos) = b
                        .iter()
                        .position(|x| tgt.is_some() && entry_target(x, key) == tgt)
                    {
                        b[pos] = item;
                    } else {
                        b.push(item);
                    }
                }
            } else {
                for item in o {
                    let k = text_key(&item);
                    if !b.iter().any(|x| text_key(x) == k) {
                        b.push(item);
                    }
                }
            }
            T {
                v: V::Seq(b),
                file: over.file,
                line: over.line,
                col: over.col,
            }
        }
        (_, ov) => T {
            v: ov,
            file: over.file,
            line: over.line,
            col: over.col,
        },
    }
}

struct Project {
    files: Files,
    vars: Vars,
    /// Parsed, checked and interpolated roots by file index.
    roots: HashMap<usize, T>,
    notes: Vec<String>,
}

impl Project {
    /// Parses, checks and interpolates one file.
    fn prepare(&mut self, input: &Input) -> Result<usize, InputError> {
        let idx = self.files.add(&input.name);
        if self.roots.contains_key(&idx) {
            return Ok(idx);
        }
        if input.text.len() > MAX_BYTES {
            return Err(InputError::new(
                &input.name,
                None,
                format!(
                    "file is {} bytes, above the {MAX_BYTES}-byte limit",
                    input.text.len()
                ),
            ));
        }
        let mut root = parse_one(input, idx)?;
        if !root.is_map() {
            return Err(InputError::new(
                &input.name,
                Some(root.line),
                "a compose file must be a mapping (with `services:`)",
            ));
        }
        for (k, _) in root.entries() {
            if !TOP_LEVEL.contains(&k.name.as_str()) && !k.name.starts_with("x-") {
                return Err(InputError::new(
                    &input.name,
                    Some(k.line),
                    format!(
                        "unknown top-level key '{}' (Compose allows {}, and x- extensions)",
                        k.name,
                        TOP_LEVEL.join(", ")
                    ),
                ));
            }
        }
        if let Some(s) = root.get("services")
            && !s.is_map()
        {
            return Err(InputError::new(
                &input.name,
                Some(s.line),
                "`services` must be a mapping of service names",
            ));
        }
        let mut unset = BTreeSet::new();
        interpolate_tree(&mut root, &self.vars, &mut unset)
            .map_err(|(line, e)| InputError::new(&input.name, Some(line), e))?;
        if !unset.is_empty() {
            self.notes.push(format!(
                "{}: variable(s) not set, substituted with an empty string: {}",
                input.name,
                unset.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        self.roots.insert(idx, root);
        Ok(idx)
    }

    fn load_path(&mut self, path: &Path) -> Result<usize, InputError> {
        let name = path.display().to_string();
        if let Some(i) = self.files.names.iter().position(|n| *n == name)
            && self.roots.contains_key(&i)
        {
            return Ok(i);
        }
        let meta = std::fs::metadata(path)
            .map_err(|e| InputError::new(&name, None, format!("cannot read: {e}")))?;
        if meta.len() > MAX_BYTES as u64 {
            return Err(InputError::new(&name, None, "file above the size limit"));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| InputError::new(&name, None, format!("cannot read: {e}")))?;
        self.prepare(&Input::new(name, text))
    }

    /// A service with its `extends` chain applied.
    fn resolve(
        &mut self,
        file: usize,
        name: &str,
        stack: &mut Vec<(usize, String)>,
    ) -> Result<T, InputError> {
        let fname = self.files.name(file).to_string();
        if stack.iter().any(|(f, n)| *f == file && n == name) {
            return Err(InputError::new(
                &fname,
                None,
                format!("`extends` cycle through service '{name}'"),
            ));
        }
        if stack.len() >= MAX_EXTENDS {
            return Err(InputError::new(
                &fname,
                None,
                format!("`extends` chain deeper than {MAX_EXTENDS}"),
            ));
        }
        let svc = self
            .roots
            .get(&file)
            .and_then(|r| r.get("services"))
            .and_then(|s| s.get(name))
            .cloned();
        let Some(mut svc) = svc else {
            return Err(InputError::new(
                &fname,
                None,
                format!("`extends` names service '{name}', which this file does not define"),
            ));
        };
        let Some(ext) = svc.get("extends").cloned() else {
            return Ok(svc);
        };
        if let V::Map(e) = &mut svc.v {
            e.retain(|(k, _)| k.name != "extends");
        }
        let (base_name, base_file) = match &ext.v {
            V::Str(s, _) => (s.clone(), None),
            V::Map(_) => (
                ext.get("service")
                    .and_then(T::str)
                    .map(str::to_string)
                    .ok_or_else(|| {
                        InputError::new(&fname, Some(ext.line), "`extends` needs `service:`")
                    })?,
                ext.get("file").and_then(T::str).map(str::to_string),
            ),
            _ => {
                return Err(InputError::new(
                    &fname,
                    Some(ext.line),
                    "`extends` must be a service name or a mapping",
                ));
            }
        };
        let bfile = match base_file {
            None => file,
            Some(f) => {
                let dir = Path::new(&fname)
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                let p: PathBuf = dir.join(&f);
                self.load_path(&p).map_err(|e| {
                    InputError::new(
                        &fname,
                        Some(ext.line),
                        format!("`extends` file {f}: {}", e.message),
                    )
                })?
            }
        };
        stack.push((file, name.to_string()));
        let base = self.resolve(bfile, &base_name, stack);
        stack.pop();
        Ok(merge(base?, svc, ""))
    }
}

/// How deep `include` may nest.
const MAX_INCLUDE: usize = 16;

/// Loads a Compose project from one or more files (`-f a.yml -f b.yml`),
/// merged in order; top-level `include:` entries are loaded as projects of
/// their own (paths relative to the including file, `env_file` read for
/// their interpolation) and their services joined in, a service name defined
/// on both sides being an error as in `docker compose`.
pub fn load(inputs: &[Input], env: &Env) -> Loaded {
    let mut stack: Vec<PathBuf> = inputs
        .iter()
        .filter_map(|i| std::fs::canonicalize(&i.name).ok())
        .collect();
    load_nested(inputs, env, &mut stack)
}

/// One `include:` entry: the files of the included project and its env files.
fn include_entry(item: &T) -> Result<(Vec<String>, Vec<String>), String> {
    let strs = |t: &T| -> Result<Vec<String>, String> {
        match &t.v {
            V::Str(s, _) => Ok(vec![s.clone()]),
            V::Seq(items) => items
                .iter()
                .map(|i| {
                    i.str()
                        .map(str::to_string)
                        .ok_or_else(|| "expected a path".to_string())
                })
                .collect(),
            _ => Err("expected a path or a list of paths".into()),
        }
    };
    match &item.v {
        V::Str(s, _) => Ok((vec![s.clone()], Vec::new())),
        V::Map(_) => {
            let path = item
                .get("path")
                .ok_or_else(|| "an include entry needs `path:`".to_string())?;
            let env = item
                .get("env_file")
                .map(strs)
                .transpose()?
                .unwrap_or_default();
            Ok((strs(path)?, env))
        }
        _ => Err("an include entry is a path or a mapping with `path:`".into()),
    }
}

fn read_bounded(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > MAX_BYTES as u64 {
        return Err(format!("file above the {MAX_BYTES}-byte limit"));
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))
}

/// The services of the projects `root`'s `include:` names.
fn load_includes(
    root: &T,
    files: &Files,
    env: &Env,
    stack: &mut Vec<PathBuf>,
    out: &mut Loaded,
) -> Vec<Container> {
    let mut got = Vec::new();
    let Some(inc) = root.get("include") else {
        return got;
    };
    let here = files.name(inc.file).to_string();
    if !inc.is_seq() {
        out.errors.push(InputError::new(
            &here,
            Some(inc.line),
            "`include` must be a list",
        ));
        return got;
    }
    for item in inc.items() {
        let file = files.name(item.file).to_string();
        let err = |m: String| InputError::new(&file, Some(item.line), format!("`include`: {m}"));
        let (paths, env_files) = match include_entry(item) {
            Ok(x) => x,
            Err(m) => {
                out.errors.push(err(m));
                continue;
            }
        };
        let dir = Path::new(&file)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        if stack.len() >= MAX_INCLUDE {
            out.errors
                .push(err(format!("nested deeper than {MAX_INCLUDE} levels")));
            continue;
        }
        let mut sub_env = env.clone();
        let mut failed = false;
        for e in &env_files {
            match read_bounded(&dir.join(e)) {
                Ok(t) => sub_env.vars.extend(parse_dotenv(&t)),
                Err(m) => {
                    out.errors.push(err(format!("env_file {e}: {m}")));
                    failed = true;
                }
            }
        }
        let mut inputs = Vec::new();
        for rel in &paths {
            let p = dir.join(rel);
            let canon = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
            if stack.contains(&canon) {
                out.errors.push(err(format!("{rel}: include cycle")));
                failed = true;
                continue;
            }
            match read_bounded(&p) {
                Ok(t) => inputs.push((canon, Input::new(p.display().to_string(), t))),
                Err(m) => {
                    out.errors.push(err(format!("{rel}: {m}")));
                    failed = true;
                }
            }
        }
        if failed || inputs.is_empty() {
            continue;
        }
        let pushed = inputs.len();
        stack.extend(inputs.iter().map(|(c, _)| c.clone()));
        let ins: Vec<Input> = inputs.into_iter().map(|(_, i)| i).collect();
        let sub = load_nested(&ins, &sub_env, stack);
        stack.truncate(stack.len() - pushed);
        out.errors.extend(sub.errors);
        out.notes.extend(sub.notes);
        got.extend(sub.containers);
    }
    got
}

fn load_nested(inputs: &[Input], env: &Env, stack: &mut Vec<PathBuf>) -> Loaded {
    let mut vars = env.vars.clone();
    if env.dotenv
        && let Some(first) = inputs.first()
    {
        let dir = Path::new(&first.name)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        if let Ok(text) = std::fs::read_to_string(dir.join(".env")) {
            for (k, v) in parse_dotenv(&text) {
                vars.entry(k).or_insert(v);
            }
        }
    }
    let mut p = Project {
        files: Files::default(),
        vars,
        roots: HashMap::new(),
        notes: Vec::new(),
    };
    let mut out = Loaded::default();
    let mut merged: Option<T> = None;
    for input in inputs {
        let idx = match p.prepare(input) {
            Ok(i) => i,
            Err(e) => {
                out.errors.push(e);
                continue;
            }
        };
        // Resolve extends of every service of this file.
        let names: Vec<String> = p
            .roots
            .get(&idx)
            .and_then(|r| r.get("services"))
            .map(|s| {
                s.entries()
                    .iter()
                    .filter(|(_, v)| v.get("extends").is_some())
                    .map(|(k, _)| k.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        let mut resolved = HashMap::new();
        let mut failed = false;
        for n in &names {
            match p.resolve(idx, n, &mut Vec::new()) {
                Ok(t) => {
                    resolved.insert(n.clone(), t);
                }
                Err(e) => {
                    out.errors.push(e);
                    failed = true;
                }
            }
        }
        if failed {
            continue;
        }
        let Some(mut root) = p.roots.get(&idx).cloned() else {
            continue;
        };
        if let V::Map(entries) = &mut root.v {
            for (k, v) in entries.iter_mut() {
                if k.name == "services"
                    && let V::Map(svcs) = &mut v.v
                {
                    for (sk, sv) in svcs.iter_mut() {
                        if let Some(t) = resolved.remove(&sk.name) {
                            *sv = t;
                        }
                    }
                }
            }
        }
        merged = Some(match merged {
            None => root,
            Some(b) => merge(b, root, ""),
        });
    }
    out.notes.append(&mut p.notes);
    let Some(root) = merged else {
        return out;
    };
    let included = load_includes(&root, &p.files, env, stack, &mut out);
    let Some(services) = root.get("services") else {
        if included.is_empty() {
            out.notes.push(format!(
                "{}: no services",
                inputs.first().map_or("", |i| i.name.as_str())
            ));
        }
        out.containers.extend(included);
        return out;
    };
    for (k, svc) in services.entries() {
        if let Some(other) = included.iter().find(|c| c.name == k.name) {
            out.errors.push(InputError::new(
                p.files.name(k.file),
                Some(k.line),
                format!(
                    "service '{}' is also defined by the included file {} (Compose refuses the conflict)",
                    k.name, other.at.file
                ),
            ));
            continue;
        }
        match service(&p.files, k, svc) {
            Ok(c) => out.containers.push(c),
            Err(e) => out.errors.push(e),
        }
    }
    out.containers.extend(included);
    out
}

/// Splits short volume syntax `[SOURCE:]TARGET[:MODE]` into (source, target, mode).
pub fn split_volume(s: &str) -> (String, String, String) {
    let parts: Vec<&str> = s.split(':').collect();
    match parts.as_slice() {
        [t] => (String::new(), (*t).to_string(), String::new()),
        [src, t] => ((*src).to_string(), (*t).to_string(), String::new()),
        [src, t, mode] => ((*src).to_string(), (*t).to_string(), (*mode).to_string()),
        // A Windows drive letter (`C:\data:/data:ro`) or more colons: the
        // target is the first part that starts with `/`, after the first.
        _ => {
            let ti = parts
                .iter()
                .enumerate()
                .skip(1)
                .find(|(_, p)| p.starts_with('/'))
                .map_or(1, |(i, _)| i);
            (
                parts[..ti].join(":"),
                parts[ti].to_string(),
                parts[ti + 1..].join(":"),
            )
        }
    }
}

/// Is a short-syntax volume source a host path (not a named volume)?
pub fn is_host_path(src: &str) -> bool {
    src.starts_with('/')
        || src.starts_with('.')
        || src.starts_with('~')
        || src.contains('/')
        || src.contains('\\')
        || (src.len() >= 2 && src.as_bytes()[1] == b':')
}

const PROPAGATIONS: &[&str] = &[
    "shared", "slave", "private", "rshared", "rslave", "rprivate",
];

/// A short-syntax volume string (Compose `volumes:` and `docker run -v`).
pub fn short_volume(s: &str, at: At) -> Mount {
    let (src, target, mode) = split_volume(s);
    let mut read_only = false;
    let mut propagation = None;
    for m in mode.split(',') {
        match m.trim() {
            "ro" | "readonly" => read_only = true,
            "rw" => read_only = false,
            p if PROPAGATIONS.contains(&p) => propagation = Some(p.to_string()),
            _ => {}
        }
    }
    let kind = if src.is_empty() || !is_host_path(&src) {
        MountKind::Volume
    } else {
        MountKind::Bind
    };
    Mount {
        kind,
        source: src,
        target,
        read_only,
        propagation,
        at,
    }
}

/// `host`, `private`, `none`, `service:x`, `container:x`, `shareable`, ...
pub fn ns_mode(s: &str) -> NsMode {
    match s.trim() {
        "host" => NsMode::Host,
        "" | "private" | "default" | "bridge" | "shareable" => NsMode::Private,
        other => NsMode::Joined(other.to_string()),
    }
}

/// Is a limit value "no limit"?
pub fn unlimited(s: &str) -> bool {
    matches!(s.trim(), "" | "0" | "-1" | "0.0" | "max")
}

/// One `security_opt` / `--security-opt` entry into the container.
pub fn security_opt(c: &mut Container, raw: &str, at: At) {
    let s = raw.trim();
    let (k, v) = match s.find([':', '=']) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    match k {
        "no-new-privileges" => {
            let on = !matches!(v, "false" | "0");
            c.no_new_privs = Some(Fact::new(on, at));
        }
        "seccomp" => c.seccomp = Some(Fact::new(v.to_string(), at)),
        "apparmor" => c.apparmor = Some(Fact::new(v.to_string(), at)),
        "label" => {
            // `label=disable`, `label:type:spc_t`, ...; the last wins.
            c.selinux = Some(Fact::new(v.to_string(), at));
        }
        _ => {}
    }
}

/// A published port in short syntax: `[[IP:]HOST:]CONTAINER[/PROTO]`.
pub fn short_port(s: &str, at: At) -> Port {
    let (spec, proto) = match s.rsplit_once('/') {
        Some((a, p)) => (a, p.to_string()),
        None => (s, "tcp".to_string()),
    };
    let (ip, rest) = if let Some(r) = spec.strip_prefix('[') {
        match r.split_once(']') {
            Some((ip, rest)) => (
                Some(ip.to_string()),
                rest.trim_start_matches(':').to_string(),
            ),
            None => (None, spec.to_string()),
        }
    } else {
        (None, spec.to_string())
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let (host_ip, published, target) = match (ip, parts.as_slice()) {
        (Some(ip), [h, t]) => (Some(ip), Some((*h).to_string()), (*t).to_string()),
        (Some(ip), [t]) => (Some(ip), None, (*t).to_string()),
        (None, [t]) => (None, None, (*t).to_string()),
        (None, [h, t]) => (None, Some((*h).to_string()), (*t).to_string()),
        (None, [ip, h, t]) => (
            Some((*ip).to_string()),
            Some((*h).to_string()),
            (*t).to_string(),
        ),
        (_, many) if many.len() > 3 => {
            let n = many.len();
            (
                Some(many[..n - 2].join(":")),
                Some(many[n - 2].to_string()),
                many[n - 1].to_string(),
            )
        }
        _ => (None, None, rest.clone()),
    };
    Port {
        host_ip,
        published: published.filter(|p| !p.is_empty()),
        target,
        protocol: proto,
        at,
    }
}

fn service(files: &Files, k: &Key, svc: &T) -> Result<Container, InputError> {
    let name = &k.name;
    let base = format!("services.{name}");
    let mut c = Container::new(
        SourceKind::Compose,
        name.clone(),
        files.at_key(k, base.clone()),
    );
    if !svc.is_map() {
        return Err(InputError::new(
            files.name(k.file),
            Some(k.line),
            format!("service '{name}' must be a mapping"),
        ));
    }
    let f = |key: &str| format!("{base}.{key}");
    let at = |t: &T, field: String| files.at(t, field);
    if let Some(u) = svc.get("user").and_then(T::str) {
        let t = svc.get("user").unwrap_or(svc);
        c.user = Some(Fact::new(u.to_string(), at(t, f("user"))));
    }
    if let Some(t) = svc.get("privileged")
        && let Some(b) = t.bool()
    {
        c.privileged = Some(Fact::new(b, at(t, f("privileged"))));
    }
    if let Some(t) = svc.get("read_only")
        && let Some(b) = t.bool()
    {
        c.read_only = Some(Fact::new(b, at(t, f("read_only"))));
    }
    for (key, list) in [("cap_add", &mut c.cap_add), ("cap_drop", &mut c.cap_drop)] {
        if let Some(t) = svc.get(key) {
            for (i, item) in t.items().iter().enumerate() {
                if let Some(s) = item.str() {
                    list.push(Fact::new(
                        norm_cap(s),
                        at(item, format!("{base}.{key}[{i}]")),
                    ));
                }
            }
        }
    }
    if let Some(t) = svc.get("security_opt") {
        for (i, item) in t.items().iter().enumerate() {
            if let Some(s) = item.str() {
                security_opt(&mut c, s, at(item, format!("{base}.security_opt[{i}]")));
            }
        }
    }
    if let Some(t) = svc.get("volumes") {
        for (i, item) in t.items().iter().enumerate() {
            let a = at(item, format!("{base}.volumes[{i}]"));
            match &item.v {
                V::Str(s, _) => c.mounts.push(short_volume(s, a)),
                V::Map(_) => {
                    let ty = item.get("type").and_then(T::str).unwrap_or("volume");
                    let source = item
                        .get("source")
                        .and_then(T::str)
                        .unwrap_or("")
                        .to_string();
                    let kind = match ty {
                        "bind" => MountKind::Bind,
                        "volume" => MountKind::Volume,
                        "tmpfs" => MountKind::Tmpfs,
                        o => MountKind::Other(o.to_string()),
                    };
                    c.mounts.push(Mount {
                        kind,
                        source,
                        target: item
                            .get("target")
                            .and_then(T::str)
                            .unwrap_or("")
                            .to_string(),
                        read_only: item.get("read_only").and_then(T::bool).unwrap_or(false),
                        propagation: item
                            .get("bind")
                            .and_then(|b| b.get("propagation"))
                            .and_then(T::str)
                            .map(str::to_string),
                        at: a,
                    });
                }
                _ => {}
            }
        }
    }
    if let Some(t) = svc.get("devices") {
        for (i, item) in t.items().iter().enumerate() {
            let a = at(item, format!("{base}.devices[{i}]"));
            let src = match &item.v {
                V::Str(s, _) => s.split(':').next().map(str::to_string),
                V::Map(_) => item.get("source").and_then(T::str).map(str::to_string),
                _ => None,
            };
            if let Some(s) = src {
                c.devices.push(Fact::new(s, a));
            }
        }
    }
    for (key, ns) in [
        ("pid", Ns::Pid),
        ("network_mode", Ns::Net),
        ("ipc", Ns::Ipc),
        ("uts", Ns::Uts),
        ("userns_mode", Ns::User),
        ("cgroup", Ns::Cgroup),
    ] {
        if let Some(t) = svc.get(key)
            && let Some(s) = t.str()
        {
            c.set_ns(ns, Fact::new(ns_mode(s), at(t, f(key))));
        }
    }
    let limits = svc
        .get("deploy")
        .and_then(|d| d.get("resources"))
        .and_then(|r| r.get("limits"));
    let limit = |own: &[&str], deploy: &str| -> Option<Fact<String>> {
        for k in own {
            if let Some(t) = svc.get(k)
                && let Some(s) = t.str()
                && !unlimited(s)
            {
                return Some(Fact::new(s.to_string(), at(t, f(k))));
            }
        }
        let t = limits?.get(deploy)?;
        let s = t.str()?;
        (!unlimited(s)).then(|| {
            Fact::new(
                s.to_string(),
                at(t, format!("{base}.deploy.resources.limits.{deploy}")),
            )
        })
    };
    c.memory = limit(&["mem_limit"], "memory");
    c.cpus = limit(&["cpus", "cpu_quota"], "cpus");
    c.pids = limit(&["pids_limit"], "pids");
    if let Some(t) = svc.get("sysctls") {
        match &t.v {
            V::Map(e) => {
                for (sk, sv) in e {
                    c.sysctls.push(Fact::new(
                        (sk.name.clone(), sv.str().unwrap_or("").to_string()),
                        files.at_key(sk, format!("{base}.sysctls.{}", sk.name)),
                    ));
                }
            }
            V::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(s) = item.str() {
                        let (a, b) = s.split_once('=').unwrap_or((s, ""));
                        c.sysctls.push(Fact::new(
                            (a.to_string(), b.to_string()),
                            at(item, format!("{base}.sysctls[{i}]")),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(t) = svc.get("ports") {
        for (i, item) in t.items().iter().enumerate() {
            let a = at(item, format!("{base}.ports[{i}]"));
            match &item.v {
                V::Str(s, _) => c.ports.push(short_port(s, a)),
                V::Map(_) => {
                    let published = item.get("published").and_then(T::str).map(str::to_string);
                    c.ports.push(Port {
                        host_ip: item.get("host_ip").and_then(T::str).map(str::to_string),
                        published,
                        target: item
                            .get("target")
                            .and_then(T::str)
                            .unwrap_or("")
                            .to_string(),
                        protocol: item
                            .get("protocol")
                            .and_then(T::str)
                            .unwrap_or("tcp")
                            .to_string(),
                        at: a,
                    });
                }
                _ => {}
            }
        }
    }
    Ok(c)
}
