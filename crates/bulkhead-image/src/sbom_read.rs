//! SBOM readers: an existing CycloneDX (1.4–1.6 JSON) or SPDX (2.2/2.3
//! JSON) document back into an [`Inventory`], ours or another tool's
//! (Trivy's source-package properties are understood), so `bulkhead sbom
//! scan` can match it against the vulnerability database.
//!
//! Packages come from purls (`pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS`,
//! percent-decoded); the distribution from a component of type
//! `operating-system` or a purl's `distro` qualifier (`debian-12`,
//! `debian-12.5`); a Debian package's source from its `upstream` qualifier
//! or the source-name/-version properties. Packages without a purl, or of
//! types bulkhead does not know, are counted and skipped.

use bulkhead_core::{Ecosystem, Inventory, OsRelease, Package};
use serde_json::Value;

/// What a document gave, and what it held that could not be used.
#[derive(Debug, Default)]
pub struct Read {
    pub inventory: Inventory,
    pub format: &'static str,
    pub skipped: usize,
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A parsed purl.
#[derive(Debug, Default, PartialEq)]
pub struct Purl {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: String,
    pub qualifiers: Vec<(String, String)>,
}

impl Purl {
    pub fn qualifier(&self, k: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(q, _)| q == k)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses a purl; `None` when it is not one.
pub fn parse_purl(s: &str) -> Option<Purl> {
    let rest = s.strip_prefix("pkg:")?;
    let rest = rest.split('#').next().unwrap_or(rest);
    let (rest, quals) = match rest.split_once('?') {
        Some((r, q)) => (r, q),
        None => (rest, ""),
    };
    let (path, version) = match rest.rsplit_once('@') {
        Some((p, v)) if !p.is_empty() => (p, decode(v)),
        _ => (rest, String::new()),
    };
    let path = path.trim_matches('/');
    let (kind, path) = path.split_once('/')?;
    let (namespace, name) = match path.rsplit_once('/') {
        Some((ns, n)) => (
            Some(ns.split('/').map(decode).collect::<Vec<_>>().join("/")),
            decode(n),
        ),
        None => (None, decode(path)),
    };
    if name.is_empty() {
        return None;
    }
    let qualifiers = quals
        .split('&')
        .filter_map(|q| q.split_once('='))
        .map(|(k, v)| (k.to_ascii_lowercase(), decode(v)))
        .collect();
    Some(Purl {
        kind: kind.to_ascii_lowercase(),
        namespace,
        name,
        version,
        qualifiers,
    })
}

fn ecosystem(kind: &str) -> Option<Ecosystem> {
    Some(match kind {
        "deb" => Ecosystem::Deb,
        "apk" => Ecosystem::Apk,
        "rpm" => Ecosystem::Rpm,
        "pypi" => Ecosystem::PyPI,
        "npm" => Ecosystem::Npm,
        "golang" => Ecosystem::Go,
        "cargo" => Ecosystem::CratesIo,
        "maven" => Ecosystem::Maven,
        "gem" => Ecosystem::RubyGems,
        _ => return None,
    })
}

/// `debian-12.5` → (debian, 12.5)
fn distro(q: &str) -> Option<OsRelease> {
    let (id, version) = q.rsplit_once('-')?;
    Some(OsRelease {
        id: id.to_string(),
        version_id: version.to_string(),
        pretty_name: None,
    })
}

fn package(
    purl_s: &str,
    props: &[(String, String)],
    path: &str,
    os: &mut Option<OsRelease>,
) -> Option<Package> {
    let p = parse_purl(purl_s)?;
    let eco = ecosystem(&p.kind)?;
    let prop = |names: &[&str]| {
        props
            .iter()
            .find(|(k, _)| names.contains(&k.as_str()))
            .map(|(_, v)| v.clone())
    };
    if os.is_none()
        && let Some(d) = p.qualifier("distro")
    {
        *os = distro(d);
    }
    let name = match (eco, &p.namespace) {
        // Go module paths, npm scopes and Maven groups are part of the name.
        (Ecosystem::Go, Some(ns)) => format!("{ns}/{}", p.name),
        (Ecosystem::Npm, Some(ns)) => format!("{ns}/{}", p.name),
        (Ecosystem::Maven, Some(ns)) => format!("{ns}:{}", p.name),
        _ => p.name.clone(),
    };
    let (source_name, source_version) = if eco == Ecosystem::Deb {
        let (upstream_name, upstream_version) = match p.qualifier("upstream") {
            Some(u) => match u.split_once('@') {
                Some((n, v)) => (Some(n.to_string()), Some(v.to_string())),
                None => (Some(u.to_string()), None),
            },
            None => (None, None),
        };
        // Trivy splits the source version: SrcEpoch, SrcVersion, SrcRelease.
        let trivy_version = prop(&["aquasecurity:trivy:SrcVersion"]).map(|v| {
            let epoch = prop(&["aquasecurity:trivy:SrcEpoch"])
                .filter(|e| !e.is_empty() && e != "0")
                .map_or(String::new(), |e| format!("{e}:"));
            let release = prop(&["aquasecurity:trivy:SrcRelease"])
                .filter(|r| !r.is_empty())
                .map_or(String::new(), |r| format!("-{r}"));
            format!("{epoch}{v}{release}")
        });
        (
            prop(&["bulkhead:package:source-name", "aquasecurity:trivy:SrcName"]).or(upstream_name),
            prop(&["bulkhead:package:source-version"])
                .or(trivy_version)
                .or(upstream_version),
        )
    } else {
        (None, None)
    };
    Some(Package {
        ecosystem: eco,
        name,
        version: p.version.clone(),
        purl: purl_s.to_string(),
        source_name,
        source_version,
        arch: p.qualifier("arch").map(str::to_string),
        licenses: Vec::new(),
        path: prop(&["bulkhead:package:path", "aquasecurity:trivy:FilePath"])
            .unwrap_or_else(|| path.to_string()),
        layer: prop(&["bulkhead:layer:digest", "aquasecurity:trivy:LayerDigest"]),
    })
}

fn props_of(c: &Value) -> Vec<(String, String)> {
    c["properties"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((
                p["name"].as_str()?.to_string(),
                p["value"].as_str()?.to_string(),
            ))
        })
        .collect()
}

/// Reads a CycloneDX or SPDX JSON document; `name` is used in errors and
/// as the packages' location when the document records none.
pub fn read(bytes: &[u8], name: &str) -> Result<Read, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("{name}: not JSON: {e}"))?;
    let mut out = Read::default();
    let mut os = None;
    if v["bomFormat"] == "CycloneDX" {
        out.format = "CycloneDX";
        // Components nest; walk them all.
        let mut stack: Vec<&Value> = v["components"].as_array().into_iter().flatten().collect();
        while let Some(c) = stack.pop() {
            stack.extend(c["components"].as_array().into_iter().flatten());
            if c["type"] == "operating-system" {
                if let (Some(id), Some(ver)) = (c["name"].as_str(), c["version"].as_str()) {
                    os = Some(OsRelease {
                        id: id.to_ascii_lowercase(),
                        version_id: ver.to_string(),
                        pretty_name: c["description"].as_str().map(str::to_string),
                    });
                }
                continue;
            }
            match c["purl"]
                .as_str()
                .and_then(|p| package(p, &props_of(c), name, &mut os))
            {
                Some(p) => out.inventory.packages.push(p),
                None => out.skipped += 1,
            }
        }
        out.inventory.packages.reverse();
    } else if v["spdxVersion"]
        .as_str()
        .is_some_and(|s| s.starts_with("SPDX-2"))
    {
        out.format = "SPDX";
        for p in v["packages"].as_array().into_iter().flatten() {
            let purl = p["externalRefs"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["referenceType"] == "purl")
                .and_then(|r| r["referenceLocator"].as_str());
            let Some(purl) = purl else {
                // The document's own subject (an image, a directory) has none.
                if p["primaryPackagePurpose"] != "CONTAINER"
                    && p["primaryPackagePurpose"] != "OPERATING-SYSTEM"
                {
                    out.skipped += 1;
                }
                continue;
            };
            match package(purl, &[], name, &mut os) {
                Some(pk) => out.inventory.packages.push(pk),
                None => out.skipped += 1,
            }
        }
    } else {
        return Err(format!(
            "{name}: neither a CycloneDX (bomFormat) nor an SPDX 2.x (spdxVersion) JSON document"
        ));
    }
    out.inventory.os = os;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls() {
        let p = parse_purl(
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl&distro=debian-12",
        )
        .expect("purl");
        assert_eq!(
            (p.kind.as_str(), p.name.as_str(), p.version.as_str()),
            ("deb", "libssl3", "3.0.11-1~deb12u2")
        );
        assert_eq!(p.qualifier("upstream"), Some("openssl"));
        let g = parse_purl("pkg:golang/github.com/foo/bar@v1.2.3").expect("purl");
        assert_eq!(g.namespace.as_deref(), Some("github.com/foo"));
        let n = parse_purl("pkg:npm/%40scope/x@1.0.0").expect("purl");
        assert_eq!(n.namespace.as_deref(), Some("@scope"));
        assert_eq!(
            parse_purl("pkg:deb/debian/bsdutils@1%3A2.38.1-5")
                .expect("purl")
                .version,
            "1:2.38.1-5"
        );
        assert!(parse_purl("not a purl").is_none());
        assert!(parse_purl("pkg:").is_none());
    }

    #[test]
    fn roundtrip_through_our_writers() {
        let inv = Inventory {
            os: Some(OsRelease { id: "debian".into(), version_id: "12".into(), pretty_name: None }),
            packages: vec![
                Package {
                    ecosystem: Ecosystem::Deb,
                    name: "bsdutils".into(),
                    version: "1:2.38.1-5+deb12u1".into(),
                    purl: "pkg:deb/debian/bsdutils@1%3A2.38.1-5%2Bdeb12u1?arch=amd64&upstream=util-linux&distro=debian-12".into(),
                    source_name: Some("util-linux".into()),
                    source_version: Some("2.38.1-5".into()),
                    arch: Some("amd64".into()),
                    licenses: Vec::new(),
                    path: "/var/lib/dpkg/status".into(),
                    layer: Some("sha256:aa".into()),
                },
                Package {
                    ecosystem: Ecosystem::Go,
                    name: "golang.org/x/net".into(),
                    version: "v0.17.0".into(),
                    purl: "pkg:golang/golang.org/x/net@v0.17.0".into(),
                    source_name: None,
                    source_version: None,
                    arch: None,
                    licenses: Vec::new(),
                    path: "/usr/bin/app".into(),
                    layer: None,
                },
            ],
        };
        let cdx = crate::sbom::cyclonedx("img", None, &inv);
        let r = read(cdx.to_string().as_bytes(), "x.cdx.json").expect("reads");
        assert_eq!(r.format, "CycloneDX");
        assert_eq!(r.inventory.os, inv.os);
        assert_eq!(r.inventory.packages, inv.packages);
        let spdx = crate::sbom::spdx("img", &inv);
        let r = read(spdx.to_string().as_bytes(), "x.spdx.json").expect("reads");
        assert_eq!(r.format, "SPDX");
        assert_eq!(r.inventory.packages.len(), 2);
        assert_eq!(
            r.inventory.packages[0].source_name.as_deref(),
            Some("util-linux")
        );
        assert_eq!(r.inventory.packages[1].name, "golang.org/x/net");
        assert!(
            read(b"{}", "e.json")
                .expect_err("refused")
                .contains("e.json")
        );
        assert!(
            read(b"[", "t.json")
                .expect_err("refused")
                .contains("not JSON")
        );
    }
}
