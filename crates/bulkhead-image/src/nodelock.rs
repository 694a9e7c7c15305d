//! Node lock files: `package-lock.json` / `npm-shrinkwrap.json` (lockfile
//! version 1 `dependencies` tree, versions 2 and 3 `packages` map),
//! `yarn.lock` (classic v1 and Berry v2+) and `pnpm-lock.yaml` (lockfile
//! versions 5.x, 6.x and 9.x).
//!
//! A lock file lists what an install of the project pulls in, so each
//! `name@version` it resolves becomes an npm package (once per lock file).
//! The project itself and its local members (npm workspace directories and
//! links, yarn `workspace:`/`link:`/`portal:`/`file:` entries, pnpm `file:`
//! and `link:` entries) are not packages. Lock files under `node_modules/`
//! are ignored: what is installed there is catalogued from its
//! `package.json`.

use crate::catalog::{language_package, purl_enc};
use bulkhead_core::yaml;
use bulkhead_core::{Ecosystem, Package};

const LOCK_FILES: [&str; 4] = [
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
];

/// A Node lock file outside `node_modules/`.
pub fn wants(path: &str) -> bool {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    LOCK_FILES.contains(&file) && !dir.split('/').any(|c| c == "node_modules")
}

/// The npm packages a lock file resolves, deduplicated by name and version.
pub fn parse(path: &str, data: &[u8]) -> Vec<Package> {
    let file = path.rsplit_once('/').map_or(path, |(_, f)| f);
    let mut found = Found::sized_for(data.len());
    match file {
        "package-lock.json" | "npm-shrinkwrap.json" => npm(data, &mut found),
        "yarn.lock" => yarn(&String::from_utf8_lossy(data), &mut found),
        "pnpm-lock.yaml" => pnpm(&String::from_utf8_lossy(data), &mut found),
        _ => {}
    }
    found
        .list
        .into_iter()
        .map(|(name, version)| {
            language_package(Ecosystem::Npm, &name, &version, &npm_purl_name(&name), path)
        })
        .collect()
}

/// `name@version` pairs in the order first seen, each held once (hashed
/// with foldhash: the keys are not attacker-chosen for collisions in any
/// way that matters to a one-shot scan, and SipHash was a tenth of the time).
#[derive(Default)]
struct Found {
    list: indexmap::IndexSet<(String, String), foldhash::fast::RandomState>,
}

impl Found {
    /// Room for about as many entries as a lock file of `bytes` can hold
    /// (an npm v3 entry is 100 to 400 bytes), so the set is not rehashed
    /// while a large file streams by.
    fn sized_for(bytes: usize) -> Self {
        Found {
            list: indexmap::IndexSet::with_capacity_and_hasher(
                (bytes / 256).min(1 << 22),
                foldhash::fast::RandomState::default(),
            ),
        }
    }

    fn add(&mut self, name: &str, version: &str) {
        let (name, version) = (name.trim(), version.trim());
        // A version with a ':' is a URL or a protocol (git, file, link), not
        // a registry version; whitespace means it was not parsed right.
        if name.is_empty()
            || version.is_empty()
            || version.contains(':')
            || version.contains(char::is_whitespace)
            || name.contains(char::is_whitespace)
        {
            return;
        }
        self.list.insert((name.to_string(), version.to_string()));
    }
}

/// The purl name of an npm package: `%40scope/name` for scoped ones.
fn npm_purl_name(name: &str) -> String {
    match name.split_once('/') {
        Some((scope, n)) if scope.starts_with('@') => {
            format!("{}/{}", purl_enc(scope), purl_enc(n))
        }
        _ => purl_enc(name),
    }
}

/// Splits `name@rest` (the name may be scoped: `@scope/name@rest`).
fn split_at_version(spec: &str) -> Option<(&str, &str)> {
    let at = spec.get(1..)?.find('@')? + 1;
    Some((spec.get(..at)?, spec.get(at + 1..)?))
}

/// The package a specifier (`name@range`, `name@npm:range`) names, with the
/// range; an alias `alias@npm:real@range` names `real`.
fn spec_name(spec: &str) -> Option<(&str, &str)> {
    let (name, rest) = split_at_version(spec)?;
    if let Some(real) = rest.strip_prefix("npm:") {
        if let Some((n, r)) = split_at_version(real) {
            return Some((n, r));
        }
        if real.starts_with('@') && real.contains('/') {
            return Some((real, ""));
        }
    }
    Some((name, rest))
}

/// A version or range that points at the project's own files.
fn is_local(range: &str) -> bool {
    ["workspace:", "link:", "portal:", "file:"]
        .iter()
        .any(|p| range.starts_with(p))
}

// Lockfile v2/v3 is read with serde visitors instead of a `Value` tree: a
// million-entry `packages` map (130 MiB) then costs its strings, not the
// nested dependency maps of every entry. Every visitor accepts any JSON type
// where the lock format has a string, a bool or an object, and treats the
// unexpected as absent, as the tree-walking reader did.

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;

/// A JSON value where a string or a bool is expected; anything else is `Other`.
enum Scalar<'a> {
    Str(Cow<'a, str>),
    Bool(bool),
    Other,
}

impl<'de> de::Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(v)))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Scalar::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Scalar::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Scalar::Other)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Scalar::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// The fields of a `packages` entry that matter (a non-object entry is empty).
#[derive(Default)]
struct NpmEntry<'a> {
    name: Option<Cow<'a, str>>,
    version: Option<Cow<'a, str>>,
    link: bool,
}

impl<'de> de::Deserialize<'de> for NpmEntry<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NpmEntry<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a lock file entry")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut e = NpmEntry::default();
                while let Some(k) = m.next_key::<Cow<'de, str>>()? {
                    let v: Scalar<'de> = match k.as_ref() {
                        "name" | "version" | "link" => m.next_value()?,
                        _ => {
                            m.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    match (k.as_ref(), v) {
                        ("name", Scalar::Str(s)) => e.name = Some(s),
                        ("version", Scalar::Str(s)) => e.version = Some(s),
                        ("link", Scalar::Bool(b)) => e.link = b,
                        _ => {}
                    }
                }
                Ok(e)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(NpmEntry::default())
            }
            fn visit_borrowed_str<E>(self, _: &'de str) -> Result<Self::Value, E> {
                Ok(NpmEntry::default())
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(NpmEntry::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(NpmEntry::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(NpmEntry::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(NpmEntry::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(NpmEntry::default())
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(NpmEntry::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// Adds one `packages` entry: keyed by install path; keys outside
/// `node_modules/` are workspace members (the project), links are not
/// packages.
fn npm_entry(found: &mut Found, key: &str, entry: &NpmEntry) {
    if key.is_empty() || entry.link {
        return;
    }
    let Some(i) = key.rfind("node_modules/") else {
        return;
    };
    let from_key = &key[i + "node_modules/".len()..];
    let name = entry.name.as_deref().unwrap_or(from_key);
    if let Some(version) = entry.version.as_deref() {
        found.add(name, version);
    }
}

/// The `packages` object, streamed into [`Found`] entry by entry; `false`
/// when it is not an object.
struct PackagesSeed<'f>(&'f mut Found);

impl<'de> de::DeserializeSeed<'de> for PackagesSeed<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        struct V<'f>(&'f mut Found);
        impl<'de> Visitor<'de> for V<'_> {
            type Value = bool;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of install paths")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<bool, A::Error> {
                while let Some((k, e)) = m.next_entry::<Cow<'de, str>, NpmEntry<'de>>()? {
                    npm_entry(self.0, &k, &e);
                }
                Ok(true)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<bool, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(false)
            }
            fn visit_borrowed_str<E>(self, _: &'de str) -> Result<bool, E> {
                Ok(false)
            }
            fn visit_str<E>(self, _: &str) -> Result<bool, E> {
                Ok(false)
            }
            fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
                Ok(false)
            }
            fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
                Ok(false)
            }
            fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
                Ok(false)
            }
            fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
                Ok(false)
            }
            fn visit_unit<E>(self) -> Result<bool, E> {
                Ok(false)
            }
        }
        d.deserialize_any(V(self.0))
    }
}

/// The top level: streams every `packages` object into [`Found`]; `true`
/// when there was one (lockfile versions 2 and 3).
struct LockSeed<'f>(&'f mut Found);

impl<'de> de::DeserializeSeed<'de> for LockSeed<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        struct V<'f>(&'f mut Found);
        impl<'de> Visitor<'de> for V<'_> {
            type Value = bool;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a lock file object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<bool, A::Error> {
                let mut any = false;
                while let Some(k) = m.next_key::<Cow<'de, str>>()? {
                    if k == "packages" {
                        any |= m.next_value_seed(PackagesSeed(&mut *self.0))?;
                    } else {
                        m.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(any)
            }
        }
        d.deserialize_map(V(self.0))
    }
}

fn npm(data: &[u8], found: &mut Found) {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_slice(data);
    match LockSeed(found).deserialize(&mut de) {
        // Lockfile versions 2 and 3 (what a truncated file held up to the
        // cut is kept, as the cut is reported by the file's size check).
        Ok(true) => {}
        // Lockfile version 1, read again as a tree: it nests.
        Ok(false) => {
            if let Ok(doc) = serde_json::from_slice::<serde_json::Value>(data)
                && let Some(deps) = doc.get("dependencies")
            {
                npm_v1(deps, found);
            }
        }
        Err(_) => {}
    }
}

/// Lockfile version 1: `dependencies` nested by install location.
fn npm_v1(deps: &serde_json::Value, found: &mut Found) {
    let Some(deps) = deps.as_object() else {
        return;
    };
    for (name, entry) in deps {
        if let Some(version) = entry.get("version").and_then(|v| v.as_str()) {
            // An alias is written `npm:real-name@version`.
            match version.strip_prefix("npm:").and_then(split_at_version) {
                Some((real, v)) => found.add(real, v),
                None => found.add(name, version),
            }
        }
        if let Some(nested) = entry.get("dependencies") {
            npm_v1(nested, found);
        }
    }
}

/// The value of `key` on a field line of a yarn entry: `key "value"`
/// (classic) or `key: value` (Berry).
fn yarn_field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(key)?;
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    if !rest.starts_with(' ') {
        return None;
    }
    Some(rest.trim().trim_matches('"'))
}

fn yarn(text: &str, found: &mut Found) {
    struct Entry<'a> {
        specs: Vec<&'a str>,
        version: Option<&'a str>,
        resolution: Option<&'a str>,
    }
    fn flush(e: Option<Entry<'_>>, found: &mut Found) {
        let Some(e) = e else {
            return;
        };
        let Some(version) = e.version else {
            return;
        };
        // Berry's `resolution` names the package actually installed.
        let Some((name, range)) = e
            .resolution
            .and_then(spec_name)
            .or_else(|| e.specs.first().and_then(|s| spec_name(s)))
        else {
            return;
        };
        if is_local(range) || version == "0.0.0-use.local" {
            return;
        }
        found.add(name, version);
    }
    let mut cur: Option<Entry<'_>> = None;
    for line in text.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !line.starts_with([' ', '\t']) {
            flush(cur.take(), found);
            let Some(key) = line.trim_end().strip_suffix(':') else {
                continue;
            };
            let specs: Vec<&str> = key
                .split(',')
                .map(|s| s.trim().trim_matches('"').trim())
                .filter(|s| !s.is_empty())
                .collect();
            if specs.first() == Some(&"__metadata") {
                continue;
            }
            cur = Some(Entry {
                specs,
                version: None,
                resolution: None,
            });
        } else if let Some(field) = line.strip_prefix("  ")
            && !field.starts_with([' ', '\t'])
            && let Some(e) = cur.as_mut()
        {
            if let Some(v) = yarn_field(field, "version") {
                e.version = Some(v);
            } else if let Some(v) = yarn_field(field, "resolution") {
                e.resolution = Some(v);
            }
        }
    }
    flush(cur.take(), found);
}

fn pnpm(text: &str, found: &mut Found) {
    let Ok(docs) = yaml::parse(text, yaml::Limits::default()) else {
        return;
    };
    // pnpm 9+ may put a document for its config dependencies first.
    for doc in &docs {
        let major: u32 = doc
            .root
            .get("lockfileVersion")
            .and_then(|v| v.as_str())
            .and_then(|v| v.split('.').next())
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(9);
        let Some(packages) = doc.root.get("packages") else {
            continue;
        };
        for e in packages.entries() {
            let Some(key) = e.key.as_str() else {
                continue;
            };
            if key.contains("file:") || key.contains("link:") {
                continue;
            }
            let from_key = pnpm_key(key, major);
            let field = |f: &str| e.value.get(f).and_then(|v| v.as_str());
            let name = field("name").or(from_key.map(|(n, _)| n));
            let version = field("version").or(from_key.map(|(_, v)| v));
            if let (Some(name), Some(version)) = (name, version) {
                found.add(name, version);
            }
        }
    }
}

/// Name and version from a pnpm `packages` key, peer suffixes dropped:
/// `/name/1.0.0_peer@2.0.0` (5.x), `/name@1.0.0(peer@2.0.0)` (6.x),
/// `name@1.0.0` (9.x); names may be scoped.
fn pnpm_key(key: &str, major: u32) -> Option<(&str, &str)> {
    let (name, version) = if major < 6 {
        key.strip_prefix('/')?.rsplit_once('/')?
    } else {
        split_at_version(key.strip_prefix('/').unwrap_or(key))?
    };
    // Peer suffixes: `_react@18.2.0` (5.x, also a hash) or `(react@18.2.0)`.
    // Neither `_` nor `(` can appear in a semver version.
    let end = version.find(['(', '_']).unwrap_or(version.len());
    Some((name, &version[..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(path: &str, text: &str) -> Vec<(String, String)> {
        parse(path, text.as_bytes())
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect()
    }

    fn has(list: &[(String, String)], name: &str, version: &str) -> bool {
        list.iter().any(|(n, v)| n == name && v == version)
    }

    #[test]
    fn npm_v3_fields_of_the_wrong_type_are_absent_not_fatal() {
        let lock = r#"{"lockfileVersion":3,"packages":{
            "": {"name": "app", "version": "1.0.0"},
            "node_modules/a": {"name": 7, "version": "1.0.0", "dependencies": {"x": "^1"}},
            "node_modules/b": {"version": ["2.0.0"]},
            "node_modules/c": "not an entry",
            "node_modules/d": {"version": "4.0.0", "link": "yes"},
            "node_modules/e": {"version": "5.0.0", "link": true},
            "node_modules/f": {"version": "6.0.\u0030"}
        }}"#;
        let got = pairs("package-lock.json", lock);
        assert_eq!(
            got,
            vec![
                ("a".to_string(), "1.0.0".to_string()),
                ("d".to_string(), "4.0.0".to_string()),
                ("f".to_string(), "6.0.0".to_string()),
            ]
        );
        // `packages` that is not an object falls back to the v1 tree.
        let v1 = r#"{"packages": [1, 2], "dependencies": {"g": {"version": "7.0.0"}}}"#;
        assert_eq!(
            pairs("package-lock.json", v1),
            vec![("g".to_string(), "7.0.0".to_string())]
        );
        // Not JSON, or not an object: nothing, and no panic.
        for bad in [
            "",
            "[]",
            "{\"packages\": {\"node_modules/h\": {\"version\": \"1",
            "\u{0}",
        ] {
            let _ = pairs("package-lock.json", bad);
        }
    }

    #[test]
    fn wants_lock_files_outside_node_modules() {
        assert!(wants("app/package-lock.json"));
        assert!(wants("package-lock.json"));
        assert!(wants("srv/web/yarn.lock"));
        assert!(wants("pnpm-lock.yaml"));
        assert!(wants("app/npm-shrinkwrap.json"));
        assert!(!wants("app/node_modules/.package-lock.json"));
        assert!(!wants("app/node_modules/foo/package-lock.json"));
        assert!(!wants("node_modules/foo/yarn.lock"));
        assert!(!wants(
            "app/node_modules/@s/x/node_modules/y/pnpm-lock.yaml"
        ));
        assert!(!wants("app/my-package-lock.json"));
        assert!(wants("my_node_modules/yarn.lock"));
    }

    #[test]
    fn package_lock_v3_packages_map() {
        let lock = r#"{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {"name": "app", "version": "1.0.0", "dependencies": {"express": "^4.18.2"}},
    "node_modules/express": {"version": "4.18.2", "resolved": "https://registry.npmjs.org/express/-/express-4.18.2.tgz", "license": "MIT"},
    "node_modules/@babel/core": {"version": "7.22.5", "dev": true},
    "node_modules/express/node_modules/debug": {"version": "2.6.9"},
    "node_modules/a/node_modules/@types/node": {"version": "20.4.1"},
    "node_modules/debug": {"version": "2.6.9"},
    "node_modules/string-width-cjs": {"name": "string-width", "version": "4.2.3"},
    "node_modules/my-lib": {"resolved": "packages/my-lib", "link": true},
    "packages/my-lib": {"name": "my-lib", "version": "0.1.0"},
    "node_modules/gitdep": {"version": "git+ssh://git@github.com/o/r.git#abc"}
  }
}"#;
        let p = parse("app/package-lock.json", lock.as_bytes());
        let got: Vec<(&str, &str)> = p
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("express", "4.18.2"),
                ("@babel/core", "7.22.5"),
                ("debug", "2.6.9"),
                ("@types/node", "20.4.1"),
                ("string-width", "4.2.3"),
            ]
        );
        assert_eq!(p[1].purl, "pkg:npm/%40babel/core@7.22.5");
        assert_eq!(p[0].purl, "pkg:npm/express@4.18.2");
        assert_eq!(p[0].path, "/app/package-lock.json");
        assert_eq!(p[0].ecosystem, Ecosystem::Npm);
    }

    #[test]
    fn package_lock_v2_prefers_packages_over_dependencies() {
        let lock = r#"{"lockfileVersion": 2,
  "packages": {"": {"name": "x"}, "node_modules/ms": {"version": "2.1.3"}},
  "dependencies": {"ms": {"version": "2.1.3"}, "only-in-v1-section": {"version": "1.0.0"}}}"#;
        assert_eq!(
            pairs("package-lock.json", lock),
            [("ms".to_string(), "2.1.3".to_string())]
        );
    }

    #[test]
    fn package_lock_v1_dependency_tree() {
        let lock = r#"{
  "name": "app", "version": "1.0.0", "lockfileVersion": 1, "requires": true,
  "dependencies": {
    "@babel/code-frame": {"version": "7.12.13", "dev": true, "requires": {"@babel/highlight": "^7.12.13"}},
    "express": {
      "version": "4.17.1",
      "dependencies": {
        "debug": {"version": "2.6.9", "dependencies": {"ms": {"version": "2.0.0"}}},
        "ms": {"version": "2.0.0"}
      }
    },
    "ms": {"version": "2.1.3"},
    "local": {"version": "file:../local"},
    "cjs": {"version": "npm:string-width@4.2.3"}
  }
}"#;
        let got = pairs("srv/npm-shrinkwrap.json", lock);
        assert_eq!(got.len(), 6, "{got:?}");
        for (n, v) in [
            ("@babel/code-frame", "7.12.13"),
            ("express", "4.17.1"),
            ("debug", "2.6.9"),
            ("ms", "2.0.0"),
            ("ms", "2.1.3"),
            ("string-width", "4.2.3"),
        ] {
            assert!(has(&got, n, v), "{n}@{v} in {got:?}");
        }
    }

    #[test]
    fn yarn_classic() {
        let lock = r#"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc826beef65e75c50e21d3837d7d95798dd658"
  integrity sha512-HV1Cm0Q3ZrpCR93tkWOYiuYIgLxZXZFVG2VgK+MBWjUqZTundupbfx2aXarXuw5Ko5aMcjtJgbSs4vUGBS5v6g==
  dependencies:
    "@babel/highlight" "^7.12.13"

lodash@^4.17.20, lodash@^4.17.21:
  version "4.17.21"
  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.21.tgz#679591c564c3bffaae8454cf0b3df370c3d6911c"

lodash@^3.0.0:
  version "3.10.1"

"string-width-cjs@npm:string-width@^4.2.0":
  version "4.2.3"
  dependencies:
    version "9.9.9"

"local@file:../local":
  version "1.0.0"

lodash@4.17.21:
  version "4.17.21"
"#;
        let got = pairs("app/yarn.lock", lock);
        assert_eq!(
            got,
            [
                ("@babel/code-frame".to_string(), "7.12.13".to_string()),
                ("lodash".to_string(), "4.17.21".to_string()),
                ("lodash".to_string(), "3.10.1".to_string()),
                ("string-width".to_string(), "4.2.3".to_string()),
            ]
        );
    }

    #[test]
    fn yarn_berry() {
        let lock = "# This file is generated by running \"yarn install\" inside your project.\r
# Manual changes might be lost - proceed with caution!\r
\r
__metadata:\r
  version: 8\r
  cacheKey: 10c0\r
\r
\"@babel/core@npm:^7.12.3, @babel/core@npm:^7.22.5\":\r
  version: 7.22.5\r
  resolution: \"@babel/core@npm:7.22.5\"\r
  dependencies:\r
    \"@babel/code-frame\": \"npm:^7.22.5\"\r
  checksum: 10c0/abc\r
  languageName: node\r
  linkType: hard\r
\r
\"lodash@npm:^4.17.21\":\r
  version: 4.17.21\r
  resolution: \"lodash@npm:4.17.21\"\r
  languageName: node\r
  linkType: hard\r
\r
\"string-width-cjs@npm:string-width@^4.2.0\":\r
  version: 4.2.3\r
  resolution: \"string-width@npm:4.2.3\"\r
\r
\"resolve@patch:resolve@npm%3A^1.20.0#optional!builtin<compat/resolve>\":\r
  version: 1.22.8\r
  resolution: \"resolve@patch:resolve@npm%3A1.22.8#optional!builtin<compat/resolve>::version=1.22.8&hash=c3c19d\"\r
\r
\"resolve@npm:^1.20.0\":\r
  version: 1.22.8\r
  resolution: \"resolve@npm:1.22.8\"\r
\r
\"my-app@workspace:.\":\r
  version: 0.0.0-use.local\r
  resolution: \"my-app@workspace:.\"\r
  languageName: unknown\r
  linkType: soft\r
\r
\"pkg@workspace:packages/pkg\":\r
  version: 2.0.0\r
  resolution: \"pkg@workspace:packages/pkg\"\r
";
        let p = parse("app/yarn.lock", lock.as_bytes());
        let got: Vec<(&str, &str)> = p
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("@babel/core", "7.22.5"),
                ("lodash", "4.17.21"),
                ("string-width", "4.2.3"),
                ("resolve", "1.22.8"),
            ]
        );
        assert_eq!(p[0].purl, "pkg:npm/%40babel/core@7.22.5");
    }

    #[test]
    fn pnpm_v5() {
        let lock = r#"lockfileVersion: 5.4

specifiers:
  react-dom: ^18.2.0

dependencies:
  react-dom: 18.2.0_react@18.2.0

packages:

  /@babel/code-frame/7.18.6:
    resolution: {integrity: sha512-TDCmlK5eOvH+eH7cdAFlNXeVJqWIQ7gW9tY1GJIpUtFb6CmjVyq2VM3u71bOyR8CRihcCgMUYoDNyLXao3+70Q==}
    engines: {node: '>=6.9.0'}
    dev: true

  /react-dom/18.2.0_react@18.2.0:
    resolution: {integrity: sha512-x}
    peerDependencies:
      react: ^18.2.0

  /@types/react-dom/18.0.11_@types+react@18.0.28:
    resolution: {integrity: sha512-y}

  /react/18.2.0:
    resolution: {integrity: sha512-z}

  /hashed/1.0.0_3fcdbc5b1ad8a3f2c4a6e4d1f0b5c9a7:
    resolution: {integrity: sha512-h}

  github.com/o/r/0123456789abcdef:
    resolution: {tarball: https://codeload.github.com/o/r/tar.gz/0123456789abcdef}
    name: gitpkg
    version: 0.3.0

  file:packages/local:
    resolution: {directory: packages/local, type: directory}
    name: local
    version: 1.0.0
"#;
        let got = pairs("app/pnpm-lock.yaml", lock);
        assert_eq!(
            got,
            [
                ("@babel/code-frame".to_string(), "7.18.6".to_string()),
                ("react-dom".to_string(), "18.2.0".to_string()),
                ("@types/react-dom".to_string(), "18.0.11".to_string()),
                ("react".to_string(), "18.2.0".to_string()),
                ("hashed".to_string(), "1.0.0".to_string()),
                ("gitpkg".to_string(), "0.3.0".to_string()),
            ]
        );
    }

    #[test]
    fn pnpm_v6() {
        let lock = r#"lockfileVersion: '6.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

dependencies:
  react-dom:
    specifier: ^18.2.0
    version: 18.2.0(react@18.2.0)

packages:

  /@babel/core@7.22.5:
    resolution: {integrity: sha512-a}
    engines: {node: '>=6.9.0'}
    dev: true

  /react-dom@18.2.0(react@18.2.0):
    resolution: {integrity: sha512-b}
    peerDependencies:
      react: ^18.2.0

  /react-dom@18.2.0(react@18.3.0):
    resolution: {integrity: sha512-b}

  /@tanstack/react-query@4.29.19(react-dom@18.2.0)(react@18.2.0):
    resolution: {integrity: sha512-c}

  /react@18.2.0:
    resolution: {integrity: sha512-d}
"#;
        let got = pairs("pnpm-lock.yaml", lock);
        assert_eq!(
            got,
            [
                ("@babel/core".to_string(), "7.22.5".to_string()),
                ("react-dom".to_string(), "18.2.0".to_string()),
                ("@tanstack/react-query".to_string(), "4.29.19".to_string()),
                ("react".to_string(), "18.2.0".to_string()),
            ]
        );
    }

    #[test]
    fn pnpm_v9_with_config_document() {
        let lock = r#"---
lockfileVersion: '9.0'

importers:

  .:
    configDependencies: {}
    packageManagerDependencies:
      pnpm:
        specifier: 10.0.0
        version: 10.0.0

packages:

  pnpm@10.0.0:
    resolution: {integrity: sha512-p}
    hasBin: true

---
lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      react-dom:
        specifier: ^18.2.0
        version: 18.2.0(react@18.2.0)

packages:

  '@babel/core@7.24.0':
    resolution: {integrity: sha512-a}
    engines: {node: '>=6.9.0'}

  react-dom@18.2.0:
    resolution: {integrity: sha512-b}
    peerDependencies:
      react: ^18.2.0

  react@18.2.0:
    resolution: {integrity: sha512-d}

  tarball-dep@https://example.com/tarball-dep-1.0.0.tgz:
    resolution: {tarball: https://example.com/tarball-dep-1.0.0.tgz}
    version: 1.0.0

  local@file:packages/local:
    resolution: {directory: packages/local, type: directory}
    version: 1.0.0

snapshots:

  '@babel/core@7.24.0': {}

  react-dom@18.2.0(react@18.2.0):
    dependencies:
      react: 18.2.0

  react@18.2.0: {}
"#;
        let p = parse("web/pnpm-lock.yaml", lock.as_bytes());
        let got: Vec<(&str, &str)> = p
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("pnpm", "10.0.0"),
                ("@babel/core", "7.24.0"),
                ("react-dom", "18.2.0"),
                ("react", "18.2.0"),
                ("tarball-dep", "1.0.0"),
            ]
        );
        assert_eq!(p[1].purl, "pkg:npm/%40babel/core@7.24.0");
        assert_eq!(p[1].path, "/web/pnpm-lock.yaml");
    }

    #[test]
    fn garbage_is_no_packages() {
        for path in ["package-lock.json", "yarn.lock", "pnpm-lock.yaml"] {
            for data in [
                &b""[..],
                b"\xff\xfe\x00garbage",
                b"{",
                b"packages: [1, 2",
                b"[1,2,3]",
                b"\"x@\":\n  version \"\"\n",
                b"@:\n  version: 1\n",
            ] {
                assert!(parse(path, data).is_empty(), "{path} {data:?}");
            }
        }
        // Deep nesting stops at serde_json's recursion limit, not the stack.
        let deep = format!(
            "{}{}",
            "{\"dependencies\":{\"a\":".repeat(10_000),
            "}".repeat(20_000)
        );
        assert!(parse("package-lock.json", deep.as_bytes()).is_empty());
    }
}
