//! Package catalogers: which files they need ([`wants`]) and how a file
//! becomes packages ([`parse`]). dpkg (`status` and distroless `status.d/`),
//! apk, os-release, Python (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO`),
//! Node (`node_modules/**/package.json`), Rust (`Cargo.lock`); Go binaries
//! through [`crate::gobin`] and Rust binaries built with cargo-auditable
//! through [`crate::auditable`] (both found by content, not by path).
//! Node lock files (`package-lock.json`, `yarn.lock`, `pnpm-lock.yaml`): [`crate::nodelock`].
//! Java archives (`.jar`, `.war`, `.ear`, `.jpi`, `.hpi`, nested ones too): [`crate::java`].

use bulkhead_core::{Ecosystem, OsRelease, Package};

pub fn wants(path: &str) -> bool {
    path == "var/lib/dpkg/status"
        || path.starts_with("var/lib/dpkg/status.d/")
        || path == "lib/apk/db/installed"
        || crate::rpmdb::wants(path)
        || path == "etc/os-release"
        || path == "usr/lib/os-release"
        || path.ends_with(".dist-info/METADATA")
        || path.ends_with(".egg-info/PKG-INFO")
        || (path.ends_with("/package.json") && path.contains("node_modules/"))
        || path.ends_with("Cargo.lock")
        || crate::nodelock::wants(path)
        || crate::java::wants(path)
}

/// How large a wanted file may be: package databases can be large (an rpm
/// Berkeley DB of a big RHEL image exceeds 100 MB); everything else is
/// capped at [`crate::layers::MAX_CAPTURE`]. A larger file is reported as
/// not catalogued, never dropped silently.
pub fn capture_limit(path: &str) -> u64 {
    if crate::rpmdb::wants(path) {
        1 << 30
    } else {
        crate::layers::MAX_CAPTURE
    }
}

/// Marks a captured file already reduced to its packages as it streamed by
/// (Java archives, cargo-auditable binaries): [`summary`] writes it and
/// [`parse`] reads it back, whatever the file's path.
const SUMMARY_MAGIC: &[u8] = b"\0bulkhead-packages\0";

/// What a layer scan keeps of a large file: its packages, not its bytes.
pub(crate) fn summary(packages: &[Package]) -> Vec<u8> {
    let mut out = SUMMARY_MAGIC.to_vec();
    // Serialising plain strings into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut out, packages);
    out
}

/// Percent-encodes a purl component (everything outside unreserved characters).
pub fn purl_enc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

pub fn parse_os_release(data: &[u8]) -> OsRelease {
    let text = String::from_utf8_lossy(data);
    let mut os = OsRelease::default();
    for line in text.lines() {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim().trim_matches('"').to_string();
        match k.trim() {
            "ID" => os.id = v,
            "VERSION_ID" => os.version_id = v,
            "PRETTY_NAME" => os.pretty_name = Some(v),
            _ => {}
        }
    }
    os
}

/// RFC 822-style paragraphs (dpkg status): fields of each, continuation lines dropped.
fn paragraphs(text: &str) -> Vec<Vec<(&str, &str)>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            cur.push((k, v.trim()));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn field<'a>(p: &[(&str, &'a str)], name: &str) -> Option<&'a str> {
    p.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
}

fn distro_q(os: Option<&OsRelease>) -> String {
    os.filter(|o| !o.id.is_empty())
        .map(|o| format!("&distro={}-{}", purl_enc(&o.id), purl_enc(&o.version_id)))
        .unwrap_or_default()
}

fn dpkg(text: &str, path: &str, os: Option<&OsRelease>, out: &mut Vec<Package>) {
    let ns = os.map_or("debian", |o| {
        if o.id.is_empty() {
            "debian"
        } else {
            o.id.as_str()
        }
    });
    for p in paragraphs(text) {
        let (Some(name), Some(version)) = (field(&p, "Package"), field(&p, "Version")) else {
            continue;
        };
        // status.d entries have no Status: installed by construction.
        if let Some(st) = field(&p, "Status")
            && !st.ends_with(" installed")
        {
            continue;
        }
        let arch = field(&p, "Architecture").map(str::to_string);
        let (source_name, source_version) = match field(&p, "Source") {
            Some(s) => match s.split_once(' ') {
                Some((n, v)) => (
                    n.to_string(),
                    Some(
                        v.trim()
                            .trim_start_matches('(')
                            .trim_end_matches(')')
                            .to_string(),
                    ),
                ),
                None => (s.to_string(), None),
            },
            None => (name.to_string(), None),
        };
        let mut purl = format!(
            "pkg:deb/{}/{}@{}?arch={}",
            purl_enc(ns),
            purl_enc(name),
            purl_enc(version),
            purl_enc(arch.as_deref().unwrap_or("all"))
        );
        if source_name != name || source_version.is_some() {
            purl.push_str(&format!(
                "&upstream={}",
                purl_enc(&match &source_version {
                    Some(v) => format!("{source_name}@{v}"),
                    None => source_name.clone(),
                })
            ));
        }
        purl.push_str(&distro_q(os));
        out.push(Package {
            ecosystem: Ecosystem::Deb,
            name: name.to_string(),
            version: version.to_string(),
            purl,
            source_name: Some(source_name),
            source_version,
            arch,
            licenses: Vec::new(),
            path: format!("/{path}"),
            layer: None,
        });
    }
}

fn apk(text: &str, path: &str, os: Option<&OsRelease>, out: &mut Vec<Package>) {
    let mut push = |f: &[(char, &str)]| {
        let get = |c: char| f.iter().find(|(k, _)| *k == c).map(|(_, v)| *v);
        let (Some(name), Some(version)) = (get('P'), get('V')) else {
            return;
        };
        let arch = get('A').map(str::to_string);
        out.push(Package {
            ecosystem: Ecosystem::Apk,
            name: name.to_string(),
            version: version.to_string(),
            purl: format!(
                "pkg:apk/alpine/{}@{}?arch={}{}",
                purl_enc(name),
                purl_enc(version),
                purl_enc(arch.as_deref().unwrap_or("noarch")),
                distro_q(os)
            ),
            source_name: Some(get('o').unwrap_or(name).to_string()),
            source_version: None,
            arch,
            licenses: get('L').map(|l| vec![l.to_string()]).unwrap_or_default(),
            path: format!("/{path}"),
            layer: None,
        });
    };
    let mut cur: Vec<(char, &str)> = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            push(&cur);
            cur.clear();
        } else if let Some((k, v)) = line.split_once(':')
            && let Some(c) = k.chars().next()
            && k.len() == 1
        {
            cur.push((c, v));
        }
    }
    push(&cur);
}

fn python(text: &str, path: &str, out: &mut Vec<Package>) {
    let mut name = None;
    let mut version = None;
    let mut license = None;
    for line in text.lines() {
        if line.is_empty() {
            break; // the body (description) follows the headers
        }
        if let Some(v) = line.strip_prefix("Name: ") {
            name = Some(v.trim());
        } else if let Some(v) = line.strip_prefix("Version: ") {
            version = Some(v.trim());
        } else if let Some(v) = line
            .strip_prefix("License-Expression: ")
            .or(line.strip_prefix("License: "))
            && license.is_none()
            && !v.trim().is_empty()
            && v.trim() != "UNKNOWN"
        {
            license = Some(v.trim());
        }
    }
    if let (Some(n), Some(v)) = (name, version) {
        let norm: String = n
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c == '_' || c == '.' { '-' } else { c })
            .collect();
        let mut p = language_package(Ecosystem::PyPI, n, v, &purl_enc(&norm), path);
        p.licenses = license.map(|l| vec![l.to_string()]).unwrap_or_default();
        out.push(p);
    }
}

/// The string values of top-level `keys` of a JSON object, read without
/// recursion: a package.json nested past serde_json's depth limit (128) or
/// otherwise unusual still names its package. Values that are not strings
/// are left out. Hand-rolled because only three top-level fields matter and
/// the point is to not build (or recurse into) the rest.
fn top_level_strings(data: &[u8], keys: &[&str]) -> Vec<Option<String>> {
    let mut out = vec![None; keys.len()];
    let (mut depth, mut i) = (0usize, 0usize);
    let mut last_key: Option<String> = None;
    let mut expect_value = false;
    let read_string = |i: &mut usize| -> Option<String> {
        // data[*i] == b'"'
        let start = *i + 1;
        let mut j = start;
        while j < data.len() {
            match data[j] {
                b'\\' => j += 2,
                b'"' => {
                    // Past the string first, whatever it holds: a string that
                    // is not UTF-8 once left the scan looping on it forever
                    // (found by the `catalogers` fuzz target).
                    *i = j + 1;
                    let raw = std::str::from_utf8(&data[start..j]).ok()?;
                    return serde_json::from_str::<String>(&format!("\"{raw}\"")).ok();
                }
                _ => j += 1,
            }
        }
        *i = data.len();
        None
    };
    while i < data.len() {
        match data[i] {
            b'{' | b'[' => {
                depth += 1;
                expect_value = false;
                i += 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'"' => {
                let s = read_string(&mut i);
                if depth == 1 {
                    if expect_value {
                        if let (Some(k), Some(v)) = (last_key.take(), s)
                            && let Some(slot) = keys.iter().position(|x| *x == k)
                            && out[slot].is_none()
                        {
                            out[slot] = Some(v);
                        }
                        expect_value = false;
                    } else {
                        last_key = s;
                    }
                }
            }
            b':' if depth == 1 => {
                expect_value = true;
                i += 1;
            }
            b',' if depth == 1 => {
                expect_value = false;
                last_key = None;
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

fn node(data: &[u8], path: &str, out: &mut Vec<Package>) {
    // A UTF-8 byte-order mark is not JSON, but npm accepts it.
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    let v = match serde_json::from_slice::<serde_json::Value>(data) {
        Ok(v) => v,
        Err(_) => {
            let f = top_level_strings(data, &["name", "version", "license"]);
            let mut m = serde_json::Map::new();
            for (k, v) in ["name", "version", "license"].iter().zip(f) {
                if let Some(v) = v {
                    m.insert((*k).to_string(), serde_json::Value::String(v));
                }
            }
            serde_json::Value::Object(m)
        }
    };
    let (Some(name), Some(version)) = (v["name"].as_str(), v["version"].as_str()) else {
        return;
    };
    let purl_name = match name.split_once('/') {
        Some((scope, n)) if scope.starts_with('@') => {
            format!("{}/{}", purl_enc(scope), purl_enc(n))
        }
        _ => purl_enc(name),
    };
    let mut p = language_package(Ecosystem::Npm, name, version, &purl_name, path);
    p.licenses = v["license"]
        .as_str()
        .map(|l| vec![l.to_string()])
        .unwrap_or_default();
    out.push(p);
}

fn cargo_lock(text: &str, path: &str, out: &mut Vec<Package>) {
    let mut name: Option<String> = None;
    let mut version: Option<String> = None;
    let mut registry = false;
    let mut flush =
        |name: &mut Option<String>, version: &mut Option<String>, registry: &mut bool| {
            if let (Some(n), Some(v)) = (name.take(), version.take())
                && *registry
            {
                out.push(language_package(
                    Ecosystem::CratesIo,
                    &n,
                    &v,
                    &purl_enc(&n),
                    path,
                ));
            }
            *registry = false;
        };
    for line in text.lines() {
        let l = line.trim();
        if l == "[[package]]" {
            flush(&mut name, &mut version, &mut registry);
        } else if let Some(v) = l.strip_prefix("name = ") {
            name = Some(v.trim_matches('"').to_string());
        } else if let Some(v) = l.strip_prefix("version = ") {
            version = Some(v.trim_matches('"').to_string());
        } else if let Some(v) = l.strip_prefix("source = ") {
            // Only registry crates are crates.io packages; path/git members are the project itself.
            registry = v.trim_matches('"').starts_with("registry+");
        }
    }
    flush(&mut name, &mut version, &mut registry);
}

/// A language package (no source package, no arch): the purl is
/// `pkg:TYPE/{purl_name}@{version}`, with `purl_name` already encoded.
pub(crate) fn language_package(
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
    purl_name: &str,
    path: &str,
) -> Package {
    Package {
        ecosystem,
        name: name.to_string(),
        version: version.to_string(),
        purl: format!(
            "pkg:{}/{purl_name}@{}",
            ecosystem.purl_type(),
            purl_enc(version)
        ),
        source_name: None,
        source_version: None,
        arch: None,
        licenses: Vec::new(),
        path: format!("/{path}"),
        layer: None,
    }
}

/// Packages described by one captured file.
pub fn parse(path: &str, data: &[u8], os: Option<&OsRelease>) -> Vec<Package> {
    let mut out = Vec::new();
    let text = || String::from_utf8_lossy(data);
    if data.starts_with(crate::gobin::MAGIC) {
        return crate::gobin::packages(path, data);
    }
    if let Some(json) = data.strip_prefix(SUMMARY_MAGIC) {
        return serde_json::from_slice(json).unwrap_or_default();
    }
    if path == "var/lib/dpkg/status" || path.starts_with("var/lib/dpkg/status.d/") {
        dpkg(&text(), path, os, &mut out);
    } else if path == "lib/apk/db/installed" {
        apk(&text(), path, os, &mut out);
    } else if crate::rpmdb::wants(path) {
        out = crate::rpmdb::packages(path, data, os);
    } else if path.ends_with(".dist-info/METADATA") || path.ends_with(".egg-info/PKG-INFO") {
        python(&text(), path, &mut out);
    } else if path.ends_with("/package.json") {
        node(data, path, &mut out);
    } else if path.ends_with("Cargo.lock") {
        cargo_lock(&text(), path, &mut out);
    } else if crate::nodelock::wants(path) {
        out = crate::nodelock::parse(path, data);
    } else if crate::java::wants(path) {
        out = crate::java::parse(path, data);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hostile-input issue, item 12: a BOM or nesting past 128 levels made
    /// the package vanish without a word.
    #[test]
    fn package_json_with_a_bom_or_deep_nesting_still_counts() {
        let path = "app/node_modules/left-pad/package.json";
        let bom = b"\xef\xbb\xbf{\"name\": \"left-pad\", \"version\": \"1.3.0\"}";
        let p = parse(path, bom, None);
        assert_eq!(p.len(), 1);
        assert_eq!(
            (p[0].name.as_str(), p[0].version.as_str()),
            ("left-pad", "1.3.0")
        );
        let deep = format!(
            "{{\"config\": {}1{}, \"name\": \"left-pad\", \"version\": \"1.3.0\", \"license\": \"WTFPL\"}}",
            "[".repeat(130),
            "]".repeat(130)
        );
        let p = parse(path, deep.as_bytes(), None);
        assert_eq!(p.len(), 1, "nested 130 deep");
        assert_eq!(p[0].version, "1.3.0");
        assert_eq!(p[0].licenses, ["WTFPL"]);
        // Keys and values inside nested objects are not taken for the top level.
        let tricky = "{\"x\": {\"name\": \"inner\", \"version\": \"0\"}, \"name\": \"outer\", \"version\": \"2.0.0\", \"deep\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}";
        let p = parse(path, tricky.as_bytes(), None);
        assert_eq!(p.len(), 1);
        assert_eq!(
            (p[0].name.as_str(), p[0].version.as_str()),
            ("outer", "2.0.0")
        );
        // Found by the fuzz target: a string with invalid UTF-8 in a file that
        // is not JSON ended the scan never.
        let bad = b"{\"x\": \"a\xff\xfe\", \"name\": \"n\", \"version\": \"1\", \xff\xff\xff\x00 ]";
        let p = parse(path, bad, None);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].name, "n");
    }

    #[test]
    fn dpkg_status_with_sources_and_states() {
        let s = "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.15-1~deb12u1\nDescription: x\n more\n\nPackage: gone\nStatus: deinstall ok config-files\nVersion: 1\n\nPackage: bsdutils\nStatus: install ok installed\nArchitecture: amd64\nSource: util-linux (2.38.1-5)\nVersion: 1:2.38.1-5+deb12u1\n";
        let os = OsRelease {
            id: "debian".into(),
            version_id: "12".into(),
            pretty_name: None,
        };
        let p = parse("var/lib/dpkg/status", s.as_bytes(), Some(&os));
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].source_name.as_deref(), Some("openssl"));
        assert_eq!(
            p[0].purl,
            "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&upstream=openssl&distro=debian-12"
        );
        assert_eq!(p[1].source_version.as_deref(), Some("2.38.1-5"));
        assert!(p[1].purl.contains("@1%3A2.38.1-5%2Bdeb12u1"));
    }

    #[test]
    fn language_packages() {
        let py = parse("usr/lib/python3/site-packages/Flask_Cors-4.0.0.dist-info/METADATA", b"Metadata-Version: 2.1\nName: Flask_Cors\nVersion: 4.0.0\nLicense: MIT\n\nName: not-this\n", None);
        assert_eq!(py[0].purl, "pkg:pypi/flask-cors@4.0.0");
        let n = parse(
            "app/node_modules/@scope/x/package.json",
            br#"{"name":"@scope/x","version":"1.0.0","license":"MIT"}"#,
            None,
        );
        assert_eq!(n[0].purl, "pkg:npm/%40scope/x@1.0.0");
        let c = parse("src/Cargo.lock", b"[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"smallvec\"\nversion = \"1.6.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n", None);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].name, "smallvec");
        let a = parse("lib/apk/db/installed", b"C:Q1x\nP:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\n\nP:busybox\nV:1.36.1-r15\no:busybox\n", None);
        assert_eq!(a.len(), 2);
    }
}
