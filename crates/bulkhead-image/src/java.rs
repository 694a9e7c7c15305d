//! Java archives (`.jar`, `.war`, `.ear`, Jenkins `.jpi`/`.hpi`): Maven
//! packages from the `META-INF/maven/<group>/<artifact>/pom.properties`
//! each archive carries (one per bundled or shaded artifact), else from
//! `META-INF/MANIFEST.MF` and the file name; licences from the manifest's
//! `Bundle-License`.
//!
//! Archives inside archives (`WEB-INF/lib/*.jar`, `BOOT-INF/lib/*.jar`, an
//! ear's wars and `lib/*.jar`, ...) are read from memory, down to
//! [`Limits::max_depth`] levels. Everything is read from the captured bytes
//! with bounds: a total budget of uncompressed bytes per image file (a
//! deflate bomb stops the reading and is recorded), a cap on the entries of
//! one archive, small caps on the metadata files. Entry names are never used
//! as file system paths; names that climb (`../`) or are absolute are
//! skipped and recorded. Packages found inside a nested archive have the
//! path `outer.war!/WEB-INF/lib/inner.jar`.

use crate::catalog::{language_package, purl_enc};
use bulkhead_core::{Ecosystem, Package};
use std::collections::HashSet;
use std::fmt::Display;
use std::io::{Cursor, Read};

const EXTENSIONS: [&str; 5] = ["jar", "war", "ear", "jpi", "hpi"];
/// Largest `MANIFEST.MF` or `pom.properties` read.
const MAX_META_FILE: u64 = 1 << 20;
/// Largest nested archive read (as large as a captured file may be).
const MAX_NESTED: u64 = crate::layers::MAX_CAPTURE;
/// Problems kept per image file (the rest are counted).
const MAX_PROBLEMS: usize = 64;

/// Bounds on the work one image file may cause.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Levels of archives read below the image file (its nested archives are level 1).
    pub max_depth: usize,
    /// Uncompressed bytes read from all the entries of one image file.
    pub max_uncompressed: u64,
    /// Central directory entries of one archive.
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 3,
            max_uncompressed: 256 << 20,
            max_entries: 500_000,
        }
    }
}

/// What one image file held: packages, and what could not be read.
#[derive(Debug, Default)]
pub struct JarScan {
    pub packages: Vec<Package>,
    /// `archive path: what went wrong`, at most [`MAX_PROBLEMS`] of them.
    pub problems: Vec<String>,
    /// Entries whose names climb out of the archive's root or are absolute
    /// (zip slip): `(archive path, entry name)`, at most [`MAX_PROBLEMS`].
    pub unsafe_entries: Vec<(String, String)>,
}

/// A Java archive, by file name extension.
pub fn wants(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e))
    })
}

/// The Maven packages of a Java archive at `path` (relative to the image root).
pub fn parse(path: &str, data: &[u8]) -> Vec<Package> {
    inspect(path, data, Limits::default()).packages
}

/// Reduces an archive to its packages as it streams by, so a layer scan
/// keeps a few hundred bytes per jar instead of the jar until the scan ends.
/// Also returns the archive's zip-slip entries (see [`JarScan::unsafe_entries`]).
pub fn summarise(path: &str, data: &[u8]) -> (Vec<u8>, Vec<(String, String)>) {
    let (summary, slips, _) = summarise_checked(path, data);
    (summary, slips)
}

/// [`summarise`] that also returns the problems that left packages unread
/// (too many entries, a deflate bomb, a damaged archive): the layer scan
/// reports them, so no package vanishes without a word.
pub fn summarise_checked(path: &str, data: &[u8]) -> (Vec<u8>, Vec<(String, String)>, Vec<String>) {
    let scan = inspect(path, data, Limits::default());
    (
        crate::catalog::summary(&scan.packages),
        scan.unsafe_entries,
        scan.problems,
    )
}

/// [`parse`] with explicit limits, keeping the problems met.
pub fn inspect(path: &str, data: &[u8], limits: Limits) -> JarScan {
    let mut w = Walk {
        limits,
        left: limits.max_uncompressed,
        stopped: false,
        seen: HashSet::new(),
        dropped_problems: 0,
        out: JarScan::default(),
    };
    w.archive(path, data, 0);
    if w.dropped_problems > 0 {
        let n = w.dropped_problems;
        w.out.problems.push(format!("{path}: {n} more problems"));
    }
    w.out
}

struct Walk {
    limits: Limits,
    /// Uncompressed bytes left in the budget.
    left: u64,
    /// The budget ran out: nothing more is decompressed.
    stopped: bool,
    seen: HashSet<(String, String, String)>,
    dropped_problems: usize,
    out: JarScan,
}

/// An entry name that is absolute, climbs out, or hides control characters.
fn unsafe_name(name: &str) -> bool {
    name.starts_with(['/', '\\'])
        || name.split(['/', '\\']).any(|c| c == "..")
        || name.chars().any(char::is_control)
}

/// `META-INF/maven/<group>/<artifact>/pom.properties`.
fn pom_coordinates(name: &str) -> Option<(&str, &str)> {
    let rest = name.strip_prefix("META-INF/maven/")?;
    let mut parts = rest.split('/');
    let (Some(g), Some(a), Some("pom.properties"), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    Some((g, a))
}

/// A coordinate part that can go in a name and a purl: non-empty, no
/// whitespace, no unresolved `${property}`.
fn token(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty() && !s.contains(char::is_whitespace) && !s.contains("${")).then_some(s)
}

fn properties(text: &str) -> Vec<(&str, &str)> {
    text.lines()
        .map(str::trim_start)
        .filter(|l| !l.is_empty() && !l.starts_with(['#', '!']))
        .filter_map(|l| {
            let i = l.find(['=', ':'])?;
            Some((l[..i].trim(), l[i + 1..].trim()))
        })
        .collect()
}

/// The main section of a manifest: attributes with continuation lines joined.
fn manifest_main(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if let Some(more) = line.strip_prefix(' ') {
            if let Some(last) = out.last_mut() {
                last.1.push_str(more);
            }
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_string(), v.trim_start().to_string()));
        }
    }
    for a in &mut out {
        a.1 = a.1.trim_end().to_string();
    }
    out
}

fn attr<'a>(m: &'a [(String, String)], key: &str) -> Option<&'a str> {
    m.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// Splits an OSGi header at top-level commas (quoted strings may hold commas).
fn osgi_clauses(v: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in v.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&v[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&v[start..]);
    out
}

/// The value of a clause without its `;attribute=...` parameters.
fn clause_value(clause: &str) -> &str {
    let mut quoted = false;
    let end = clause
        .char_indices()
        .find(|&(_, c)| {
            if c == '"' {
                quoted = !quoted;
            }
            c == ';' && !quoted
        })
        .map_or(clause.len(), |(i, _)| i);
    clause[..end].trim().trim_matches('"').trim()
}

/// `Bundle-License: Apache-2.0;link="...", "MIT License"`.
fn bundle_licenses(v: &str) -> Vec<String> {
    osgi_clauses(v)
        .into_iter()
        .map(clause_value)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// `name-1.2.3` → (`name`, `1.2.3`): the version starts at the first `-` followed by a digit.
fn split_file_stem(stem: &str) -> Option<(&str, &str)> {
    let b = stem.as_bytes();
    let i = (2..b.len()).find(|&i| b[i - 1] == b'-' && b[i].is_ascii_digit())?;
    Some((&stem[..i - 1], &stem[i..]))
}

fn plausible_version(v: &str) -> Option<&str> {
    token(v).filter(|v| v.chars().any(|c| c.is_ascii_digit()))
}

impl Walk {
    fn problem(&mut self, at: &str, what: impl Display) {
        if self.out.problems.len() < MAX_PROBLEMS {
            self.out.problems.push(format!("{at}: {what}"));
        } else {
            self.dropped_problems += 1;
        }
    }

    /// Decompresses entry `i` if the budget and `cap` allow it.
    fn read_entry(
        &mut self,
        zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
        i: usize,
        at: &str,
        cap: u64,
    ) -> Option<Vec<u8>> {
        if self.stopped {
            return None;
        }
        let mut f = match zip.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                self.problem(at, format_args!("cannot read: {e}"));
                return None;
            }
        };
        let budget_bound = self.left <= cap;
        let limit = cap.min(self.left);
        let declared = f.size();
        if declared > limit {
            drop(f);
            self.over(at, declared, budget_bound);
            return None;
        }
        let mut buf = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
        let r = (&mut f).take(limit + 1).read_to_end(&mut buf);
        drop(f);
        self.left = self.left.saturating_sub(buf.len() as u64);
        if buf.len() as u64 > limit {
            self.problem(
                at,
                format_args!("expands beyond its declared {declared} bytes"),
            );
            self.over(at, buf.len() as u64, budget_bound);
            return None;
        }
        if let Err(e) = r {
            self.problem(at, format_args!("cannot read: {e}"));
            return None;
        }
        Some(buf)
    }

    fn over(&mut self, at: &str, size: u64, budget_bound: bool) {
        if budget_bound {
            self.stopped = true;
            let budget = self.limits.max_uncompressed;
            self.problem(
                at,
                format_args!(
                    "{size} uncompressed bytes exceed what is left of the {budget}-byte budget: reading stopped"
                ),
            );
        } else {
            self.problem(at, format_args!("too large ({size} bytes): skipped"));
        }
    }

    fn push(&mut self, group: Option<&str>, artifact: &str, version: &str, path: &str) -> bool {
        let (name, purl_name) = match group {
            Some(g) => (
                format!("{g}:{artifact}"),
                format!("{}/{}", purl_enc(g), purl_enc(artifact)),
            ),
            None => (artifact.to_string(), purl_enc(artifact)),
        };
        let key = (name.clone(), version.to_string(), path.to_string());
        if !self.seen.insert(key) {
            return false;
        }
        self.out.packages.push(language_package(
            Ecosystem::Maven,
            &name,
            version,
            &purl_name,
            path,
        ));
        true
    }

    fn archive(&mut self, path: &str, data: &[u8], depth: usize) {
        // The zip crate keeps a record per central directory entry, and each
        // starts with this signature: bound them before it parses any.
        let headers = memchr::memmem::find_iter(data, b"PK\x01\x02").count();
        if headers > self.limits.max_entries {
            let max = self.limits.max_entries;
            self.problem(path, format_args!("more than {max} entries: not read"));
            return;
        }
        let mut zip = match zip::ZipArchive::new(Cursor::new(data)) {
            Ok(z) => z,
            Err(e) => {
                self.problem(path, format_args!("not a readable archive: {e}"));
                return;
            }
        };
        let mut poms = Vec::new();
        let mut manifest = None;
        let mut nested = Vec::new();
        let mut unsafe_names = Vec::new();
        for i in 0..zip.len() {
            let Some(name) = zip.name_for_index(i) else {
                continue;
            };
            if name.ends_with('/') {
                continue;
            }
            if unsafe_name(name) {
                unsafe_names.push(name.to_string());
            } else if pom_coordinates(name).is_some() {
                poms.push((i, name.to_string()));
            } else if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
                manifest.get_or_insert(i);
            } else if wants(name) {
                nested.push((i, name.to_string()));
            }
        }
        for n in unsafe_names {
            if self.out.unsafe_entries.len() < MAX_PROBLEMS {
                self.out.unsafe_entries.push((path.to_string(), n.clone()));
            }
            self.problem(
                path,
                format_args!("entry {n:?} has an unsafe name: skipped"),
            );
        }
        let manifest = manifest
            .and_then(|i| {
                self.read_entry(
                    &mut zip,
                    i,
                    &format!("{path}!/META-INF/MANIFEST.MF"),
                    MAX_META_FILE,
                )
            })
            .map(|b| manifest_main(&String::from_utf8_lossy(&b)))
            .unwrap_or_default();
        let start = self.out.packages.len();
        let mut from_pom = false;
        for (i, name) in &poms {
            let Some(b) = self.read_entry(&mut zip, *i, &format!("{path}!/{name}"), MAX_META_FILE)
            else {
                continue;
            };
            let text = String::from_utf8_lossy(&b);
            let props = properties(&text);
            let prop = |k: &str| props.iter().find(|(pk, _)| *pk == k).map(|(_, v)| *v);
            let (pg, pa) = pom_coordinates(name).unwrap_or_default();
            let group = prop("groupId").and_then(token).or(token(pg));
            let artifact = prop("artifactId").and_then(token).or(token(pa));
            let version = prop("version").and_then(plausible_version);
            if let (Some(g), Some(a), Some(v)) = (group, artifact, version) {
                self.push(Some(g), a, v, path);
                from_pom = true;
            }
        }
        let file = path.rsplit(['/', '!']).next().unwrap_or(path);
        let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
        if !from_pom {
            self.manifest_package(&manifest, stem, path);
        }
        if let Some(lic) = attr(&manifest, "Bundle-License") {
            self.license(start, bundle_licenses(lic), &manifest, stem, from_pom);
        }
        if nested.is_empty() {
            return;
        }
        if depth >= self.limits.max_depth {
            let (n, max) = (nested.len(), self.limits.max_depth);
            self.problem(
                path,
                format_args!("{n} nested archives beyond depth {max}: not read"),
            );
            return;
        }
        for (i, name) in nested {
            if self.stopped {
                break;
            }
            let inner = format!("{path}!/{name}");
            if let Some(buf) = self.read_entry(&mut zip, i, &inner, MAX_NESTED) {
                self.archive(&inner, &buf, depth + 1);
            }
        }
    }

    /// No pom.properties: the manifest's `Implementation-*` and `Bundle-*`
    /// attributes, and the file name (`name-1.2.3.jar`).
    fn manifest_package(&mut self, m: &[(String, String)], stem: &str, path: &str) {
        let from_name = split_file_stem(stem);
        let Some(version) = attr(m, "Implementation-Version")
            .and_then(plausible_version)
            .or_else(|| attr(m, "Bundle-Version").and_then(plausible_version))
            .or_else(|| from_name.and_then(|(_, v)| plausible_version(v)))
        else {
            return;
        };
        let bsn = attr(m, "Bundle-SymbolicName").and_then(|b| token(clause_value(b)));
        // The file name is the artifact when it ends with the version; a title
        // is often a display name ("Apache Commons Lang"), kept only as a token.
        let artifact = stem
            .strip_suffix(version)
            .and_then(|s| s.strip_suffix('-'))
            .and_then(token)
            .or_else(|| attr(m, "Implementation-Title").and_then(token))
            .or(bsn)
            .or_else(|| from_name.and_then(|(a, _)| token(a)))
            .or_else(|| token(stem));
        let Some(artifact) = artifact else {
            return;
        };
        let group = attr(m, "Implementation-Vendor-Id").and_then(token);
        self.push(group, artifact, version, path);
    }

    /// Gives the manifest's licences to the archive's own packages (from
    /// `start` on): the one made from the manifest, or those from
    /// pom.properties that the manifest or the file name names (a shaded
    /// artifact is not the archive and keeps no licence).
    fn license(
        &mut self,
        start: usize,
        licenses: Vec<String>,
        m: &[(String, String)],
        stem: &str,
        from_pom: bool,
    ) {
        let Some(own) = self.out.packages.get_mut(start..) else {
            return;
        };
        let names: Vec<&str> = [
            split_file_stem(stem).map(|(a, _)| a),
            Some(stem),
            attr(m, "Implementation-Title"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let bsn = attr(m, "Bundle-SymbolicName").map(clause_value);
        for p in own {
            let (group, artifact) = p.name.split_once(':').unwrap_or(("", &p.name));
            let named = names.contains(&artifact)
                || bsn.is_some_and(|b| {
                    b == artifact
                        || b == group
                        || b.strip_prefix(group)
                            .and_then(|r| r.strip_prefix('.'))
                            .is_some_and(|r| r == artifact)
                });
            if !from_pom || named {
                p.licenses.clone_from(&licenses);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn build_with(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default()
            .compression_method(method)
            .large_file(false);
        for (name, data) in entries {
            w.start_file(*name, opts).expect("start");
            w.write_all(data).expect("write");
        }
        w.finish().expect("finish").into_inner()
    }

    fn build(entries: &[(&str, &[u8])]) -> Vec<u8> {
        build_with(entries, zip::CompressionMethod::Deflated)
    }

    fn pom(g: &str, a: &str, v: &str) -> Vec<u8> {
        format!("#Generated by Maven\n#Tue Jun 13 10:00:00 UTC 2023\ngroupId={g}\nartifactId={a}\nversion={v}\n")
            .into_bytes()
    }

    fn summary(s: &JarScan) -> Vec<(String, String, String)> {
        s.packages
            .iter()
            .map(|p| (p.name.clone(), p.version.clone(), p.path.clone()))
            .collect()
    }

    #[test]
    fn a_summary_parses_like_the_archive() {
        let jar = build(&[(
            "META-INF/maven/org.example/lib/pom.properties",
            &pom("org.example", "lib", "1.2.3"),
        )]);
        let direct = parse("srv/app.jar", &jar);
        assert_eq!(direct.len(), 1);
        let (s, unsafe_entries) = summarise("srv/app.jar", &jar);
        assert!(unsafe_entries.is_empty());
        assert!(s.len() < jar.len());
        assert_eq!(crate::catalog::parse("srv/app.jar", &s, None), direct);
    }

    #[test]
    fn wants_java_archives() {
        for p in [
            "app/app.jar",
            "usr/share/java/x.JAR",
            "opt/a.war",
            "a.ear",
            "var/jenkins_home/plugins/git.jpi",
            "p/x.hpi",
        ] {
            assert!(wants(p), "{p}");
        }
        for p in ["app/jar", "app/.jar", "x.jar.sha1", "x.zip", "a/b.jarx"] {
            assert!(!wants(p), "{p}");
        }
    }

    #[test]
    fn pom_properties_with_shaded_artifacts_and_license() {
        let jar = build(&[
            (
                "META-INF/MANIFEST.MF",
                b"Manifest-Version: 1.0\r\nBundle-SymbolicName: com.fasterxml.jackson.core.jac\r\n kson-databind\r\nBundle-License: \"Apache License, Version 2.0\";link=\"ht\r\n tps://www.apache.org/licenses/LICENSE-2.0.txt\", MIT\r\nImplementation-Title: jackson-databind\r\n\r\nName: x\r\nBundle-License: nope\r\n",
            ),
            (
                "META-INF/maven/com.fasterxml.jackson.core/jackson-databind/pom.properties",
                &pom("com.fasterxml.jackson.core", "jackson-databind", "2.15.2"),
            ),
            (
                "META-INF/maven/org.shaded/dep/pom.properties",
                b"version = 1.0\nartifactId: dep\n",
            ),
            (
                "META-INF/maven/org.x/noversion/pom.properties",
                b"groupId=org.x\nartifactId=noversion\n",
            ),
            ("com/fasterxml/A.class", b"\xca\xfe\xba\xbe"),
        ]);
        let s = inspect(
            "app/lib/jackson-databind-2.15.2.jar",
            &jar,
            Limits::default(),
        );
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(s.packages.len(), 2);
        let p = &s.packages[0];
        assert_eq!(p.name, "com.fasterxml.jackson.core:jackson-databind");
        assert_eq!(
            p.purl,
            "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2"
        );
        assert_eq!(p.ecosystem, Ecosystem::Maven);
        assert_eq!(p.path, "/app/lib/jackson-databind-2.15.2.jar");
        assert_eq!(p.licenses, ["Apache License, Version 2.0", "MIT"]);
        let q = &s.packages[1];
        assert_eq!(
            (q.name.as_str(), q.version.as_str()),
            ("org.shaded:dep", "1.0")
        );
        assert!(q.licenses.is_empty());
    }

    #[test]
    fn manifest_and_file_name_fallbacks() {
        type Case<'a> = (&'a str, &'a [u8], Option<(&'a str, &'a str, &'a str)>);
        let cases: [Case; 6] = [
            (
                "usr/share/java/commons-lang3-3.12.0.jar",
                b"Manifest-Version: 1.0\nImplementation-Title: Apache Commons Lang\nImplementation-Version: 3.12.0\nImplementation-Vendor-Id: org.apache.commons\nBundle-SymbolicName: org.apache.commons.lang3\nBundle-License: https://www.apache.org/licenses/LICENSE-2.0.txt\n",
                Some((
                    "org.apache.commons:commons-lang3",
                    "3.12.0",
                    "pkg:maven/org.apache.commons/commons-lang3@3.12.0",
                )),
            ),
            (
                "opt/app.jar",
                b"Manifest-Version: 1.0\nImplementation-Title: my-service\nImplementation-Version: 2.0.1\n",
                Some(("my-service", "2.0.1", "pkg:maven/my-service@2.0.1")),
            ),
            (
                "opt/bundle.jar",
                b"Manifest-Version: 1.0\nBundle-SymbolicName: org.example.bundle;singleton:=true\nBundle-Version: 1.4.0.v2023\nImplementation-Vendor-Id: org.example\n",
                Some((
                    "org.example:org.example.bundle",
                    "1.4.0.v2023",
                    "pkg:maven/org.example/org.example.bundle@1.4.0.v2023",
                )),
            ),
            (
                "opt/lib/guava-31.1-jre.jar",
                b"Manifest-Version: 1.0\n",
                Some(("guava", "31.1-jre", "pkg:maven/guava@31.1-jre")),
            ),
            ("opt/lib/plain.jar", b"Manifest-Version: 1.0\n", None),
            (
                "opt/lib/x-1.0.jar",
                b"Manifest-Version: 1.0\nImplementation-Version: ${project.version}\n",
                Some(("x", "1.0", "pkg:maven/x@1.0")),
            ),
        ];
        for (path, mf, want) in cases {
            let jar = build(&[("META-INF/MANIFEST.MF", mf)]);
            let s = inspect(path, &jar, Limits::default());
            let got = s
                .packages
                .first()
                .map(|p| (p.name.as_str(), p.version.as_str(), p.purl.as_str()));
            assert_eq!(got, want, "{path}");
            assert!(s.packages.len() <= 1);
        }
        let s = parse(
            "usr/share/java/commons-lang3-3.12.0.jar",
            &build(&[("META-INF/MANIFEST.MF", cases[0].1)]),
        );
        assert_eq!(
            s[0].licenses,
            ["https://www.apache.org/licenses/LICENSE-2.0.txt"]
        );
    }

    #[test]
    fn nested_war_ear_and_boot_jars() {
        let inner = build(&[(
            "META-INF/maven/org.slf4j/slf4j-api/pom.properties",
            &pom("org.slf4j", "slf4j-api", "2.0.7"),
        )]);
        let deeper = build(&[(
            "META-INF/maven/io.netty/netty-common/pom.properties",
            &pom("io.netty", "netty-common", "4.1.94.Final"),
        )]);
        let middle = build(&[
            (
                "META-INF/maven/org.example/lib/pom.properties",
                &pom("org.example", "lib", "1.0"),
            ),
            ("lib/netty-common.jar", &deeper),
        ]);
        // Nested jars are usually stored, not deflated.
        let war = build_with(
            &[
                ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
                ("WEB-INF/lib/slf4j-api-2.0.7.jar", &inner),
                ("WEB-INF/lib/lib-1.0.jar", &middle),
                ("WEB-INF/lib/broken.jar", b"PK\x03\x04 not really"),
                ("WEB-INF/classes/app/Main.class", b"\xca\xfe\xba\xbe"),
            ],
            zip::CompressionMethod::Stored,
        );
        let ear = build(&[("web.war", &war), ("lib/slf4j-api-2.0.7.jar", &inner)]);
        let s = inspect("srv/app.ear", &ear, Limits::default());
        let got = summary(&s);
        let want = [
            (
                "org.slf4j:slf4j-api",
                "2.0.7",
                "/srv/app.ear!/web.war!/WEB-INF/lib/slf4j-api-2.0.7.jar",
            ),
            (
                "org.example:lib",
                "1.0",
                "/srv/app.ear!/web.war!/WEB-INF/lib/lib-1.0.jar",
            ),
            (
                "io.netty:netty-common",
                "4.1.94.Final",
                "/srv/app.ear!/web.war!/WEB-INF/lib/lib-1.0.jar!/lib/netty-common.jar",
            ),
            (
                "org.slf4j:slf4j-api",
                "2.0.7",
                "/srv/app.ear!/lib/slf4j-api-2.0.7.jar",
            ),
        ];
        let want: Vec<(String, String, String)> = want
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect();
        assert_eq!(got, want);
        assert_eq!(s.problems.len(), 1, "{:?}", s.problems);
        assert!(
            s.problems[0].starts_with(
                "srv/app.ear!/web.war!/WEB-INF/lib/broken.jar: not a readable archive"
            )
        );

        // One level less: the netty jar (level 3) is not read, and that is recorded.
        let s = inspect(
            "srv/app.ear",
            &ear,
            Limits {
                max_depth: 2,
                ..Limits::default()
            },
        );
        assert_eq!(s.packages.len(), 3);
        assert!(
            s.problems
                .iter()
                .any(|p| p.contains("lib-1.0.jar: 1 nested archives beyond depth 2")),
            "{:?}",
            s.problems
        );
    }

    #[test]
    fn hostile_archives() {
        let good = build(&[("META-INF/maven/g/a/pom.properties", &pom("g", "a", "1"))]);
        // Truncated anywhere: no panic, at most what could be read.
        for cut in [0, 1, 4, 10, 22, good.len() / 2, good.len() - 1] {
            let s = inspect("t.jar", &good[..cut], Limits::default());
            assert!(s.packages.is_empty());
            assert_eq!(s.problems.len(), 1);
        }
        // Garbage and a lone end-of-central-directory record.
        let mut eocd = b"PK\x05\x06".to_vec();
        eocd.extend_from_slice(&[
            0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0,
        ]);
        for data in [&b"not a zip"[..], &eocd] {
            assert!(parse("g.jar", data).is_empty());
        }

        // `../` and absolute names are skipped, never followed.
        let evil = build(&[
            ("../../etc/evil.jar", &good),
            (
                "/abs/META-INF/maven/g/b/pom.properties",
                &pom("g", "b", "2"),
            ),
            ("META-INF/maven/../../x/pom.properties", &pom("g", "c", "3")),
            ("META-INF/maven/g/a/pom.properties", &pom("g", "a", "1")),
        ]);
        let s = inspect("e.jar", &evil, Limits::default());
        assert_eq!(
            summary(&s),
            [("g:a".to_string(), "1".to_string(), "/e.jar".to_string())]
        );
        assert_eq!(s.problems.len(), 3, "{:?}", s.problems);

        // A deflate bomb: 8 MiB of zeros in a nested jar, against a 1 MiB budget.
        let zeros = vec![0u8; 8 << 20];
        let bomb = build(&[
            ("META-INF/maven/g/a/pom.properties", &pom("g", "a", "1")),
            ("BOOT-INF/lib/bomb.jar", &zeros),
            ("BOOT-INF/lib/z-after.jar", &good),
        ]);
        assert!(bomb.len() < 64 << 10);
        let small = Limits {
            max_uncompressed: 1 << 20,
            ..Limits::default()
        };
        let s = inspect("b.jar", &bomb, small);
        assert_eq!(s.packages.len(), 1);
        assert_eq!(s.problems.len(), 1, "{:?}", s.problems);
        assert!(s.problems[0].contains("bomb.jar: 8388608 uncompressed bytes exceed"));

        // The same bomb lying about its size in both headers: reading stops at the budget.
        let lying = lie_about_sizes(bomb, "BOOT-INF/lib/bomb.jar", 100);
        let s = inspect("b.jar", &lying, small);
        assert_eq!(s.packages.len(), 1);
        assert!(
            s.problems
                .iter()
                .any(|p| p.contains("expands beyond its declared 100 bytes")),
            "{:?}",
            s.problems
        );
        assert!(
            s.problems.iter().any(|p| p.contains("reading stopped")),
            "{:?}",
            s.problems
        );

        // A manifest bomb is capped at the metadata size.
        let mf_bomb = build(&[("META-INF/MANIFEST.MF", &zeros)]);
        let s = inspect("m-1.0.jar", &mf_bomb, Limits::default());
        assert_eq!(s.problems.len(), 1);
        assert!(s.problems[0].contains("too large"));
        assert_eq!(
            summary(&s),
            [("m".to_string(), "1.0".to_string(), "/m-1.0.jar".to_string())]
        );

        // Too many entries for the limit.
        let many: Vec<(String, Vec<u8>)> = (0..20).map(|i| (format!("f{i}"), Vec::new())).collect();
        let refs: Vec<(&str, &[u8])> = many
            .iter()
            .map(|(n, d)| (n.as_str(), d.as_slice()))
            .collect();
        let s = inspect(
            "many.jar",
            &build(&refs),
            Limits {
                max_entries: 10,
                ..Limits::default()
            },
        );
        assert!(s.problems[0].contains("more than 10 entries"));
    }

    /// Rewrites the uncompressed size of `name` in its local and central headers.
    fn lie_about_sizes(mut zip: Vec<u8>, name: &str, size: u32) -> Vec<u8> {
        let n = name.as_bytes();
        let mut i = 0;
        while let Some(off) = memchr::memmem::find(&zip[i..], n) {
            let at = i + off;
            // Local header: name at 30, size at 22. Central: name at 46, size at 24.
            if at >= 30 && zip[at - 30..at - 26] == *b"PK\x03\x04" {
                zip[at - 8..at - 4].copy_from_slice(&size.to_le_bytes());
            } else if at >= 46 && zip[at - 46..at - 42] == *b"PK\x01\x02" {
                zip[at - 22..at - 18].copy_from_slice(&size.to_le_bytes());
            }
            i = at + n.len();
        }
        zip
    }

    #[test]
    fn manifest_parsing() {
        let m = manifest_main("A: 1\r\nLong: ab\r\n cd\r\n\r\nB: 2\r\n");
        assert_eq!(attr(&m, "long"), Some("abcd"));
        assert_eq!(attr(&m, "B"), None);
        assert_eq!(
            bundle_licenses("Apache-2.0;link=\"x;y\", \"EPL, 2\";description=z,"),
            ["Apache-2.0", "EPL, 2"]
        );
        assert_eq!(
            split_file_stem("log4j-api-2.20.0"),
            Some(("log4j-api", "2.20.0"))
        );
        assert_eq!(split_file_stem("-1"), None);
    }
}
