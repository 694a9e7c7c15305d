//! Vulnerability matching against OSV advisories, exact per ecosystem.
//!
//! This first part covers Debian: advisories are keyed by *source* package
//! (dpkg `Source:`, with its own version when dpkg records one) and compared
//! with dpkg's version order ([`dpkg`]). Advisory files are read directly
//! (a directory of OSV JSON, or single files); the single-file database,
//! the other version schemes and ecosystems are still to come.

pub mod dpkg;

use bulkhead_core::rule::eq;
use bulkhead_core::{Ecosystem, Finding, Inventory, Location, RuleMeta, Severity};
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::Path;

pub static VULNERABLE_PACKAGE: RuleMeta = RuleMeta {
    id: "VULN001",
    slug: "vulnerable-package",
    title: "Installed package has a known vulnerability",
    severity: Severity::Medium,
    layer: "image",
    tags: &["image", "vulnerability"],
    default_enabled: true,
    what: "An installed package's version is inside an advisory's affected range (Debian: matched by source package with dpkg's version order).",
    why: "Published vulnerabilities come with public details and often exploits; an image that ships the affected version gives an attacker a known way in (remote code execution, privilege escalation, data disclosure) until it is rebuilt.",
    fix: "Rebuild on a base with the fixed version (`apt-get upgrade` in the build, or a newer base tag pinned by digest); the finding names the fixed version.",
    example: "libssl3 3.0.11-1~deb12u2 (source openssl), fixed in 3.0.15-1~deb12u1",
    example_fixed: "libssl3 3.0.15-1~deb12u1",
    equivalents: &[eq("Trivy", "vulnerability scanning"), eq("Grype", "match")],
    references: &["https://ossf.github.io/osv-schema/"],
};

pub fn rules() -> Vec<&'static RuleMeta> {
    vec![&VULNERABLE_PACKAGE]
}

/// One advisory range for one package.
#[derive(Debug, Clone)]
pub struct Affected {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: String,
    /// Sorted (introduced, fixed / last_affected) pairs.
    pub events: Vec<(String, String)>,
    pub versions: Vec<String>,
}

/// Advisories indexed by (OSV ecosystem, package name).
#[derive(Debug, Default)]
pub struct Advisories {
    pub by_package: HashMap<(String, String), Vec<Affected>>,
    pub records: usize,
    pub withdrawn: usize,
}

impl Advisories {
    /// Loads OSV JSON records from files or directories (recursively).
    pub fn load(paths: &[&Path]) -> Result<Advisories, String> {
        let mut a = Advisories::default();
        let mut stack: Vec<std::path::PathBuf> = paths.iter().map(|p| p.to_path_buf()).collect();
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                let rd = std::fs::read_dir(&p).map_err(|e| format!("{}: {e}", p.display()))?;
                stack.extend(rd.flatten().map(|e| e.path()));
                continue;
            }
            if p.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let bytes = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            let v: Value = serde_json::from_slice(&bytes)
                .map_err(|e| format!("{}: invalid OSV JSON: {e}", p.display()))?;
            a.add(&v);
        }
        Ok(a)
    }

    /// Adds one OSV record (withdrawn records are dropped).
    pub fn add(&mut self, v: &Value) {
        if v.get("withdrawn").is_some_and(|w| !w.is_null()) {
            self.withdrawn += 1;
            return;
        }
        let Some(id) = v["id"].as_str() else {
            return;
        };
        self.records += 1;
        let mut aliases: Vec<String> = ["aliases", "upstream"]
            .iter()
            .flat_map(|k| v[*k].as_array().into_iter().flatten())
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect();
        aliases.sort();
        aliases.dedup();
        for aff in v["affected"].as_array().into_iter().flatten() {
            let (Some(eco), Some(name)) = (
                aff["package"]["ecosystem"].as_str(),
                aff["package"]["name"].as_str(),
            ) else {
                continue;
            };
            let mut events = Vec::new();
            for r in aff["ranges"].as_array().into_iter().flatten() {
                if r["type"].as_str() != Some("ECOSYSTEM") {
                    continue;
                }
                let mut intro: Option<String> = None;
                for e in r["events"].as_array().into_iter().flatten() {
                    if let Some(i) = e["introduced"].as_str() {
                        intro = Some(i.to_string());
                    } else if let Some(f) = e["fixed"].as_str().or(e["last_affected"].as_str()) {
                        let last = e.get("last_affected").is_some();
                        events.push((
                            intro.take().unwrap_or_else(|| "0".into()),
                            if last {
                                format!("<={f}")
                            } else {
                                f.to_string()
                            },
                        ));
                    }
                }
                if let Some(i) = intro {
                    events.push((i, String::new())); // open-ended
                }
            }
            let versions = aff["versions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect();
            self.by_package
                .entry((eco.to_string(), name.to_string()))
                .or_default()
                .push(Affected {
                    id: id.to_string(),
                    aliases: aliases.clone(),
                    summary: v["summary"].as_str().unwrap_or("").to_string(),
                    events,
                    versions,
                });
        }
    }
}

/// Whether `v` is affected; returns the fixed version ("" when none).
fn affected(a: &Affected, v: &str, cmp: fn(&str, &str) -> Ordering) -> Option<String> {
    if a.versions.iter().any(|x| cmp(x, v) == Ordering::Equal) {
        return Some(String::new());
    }
    for (intro, end) in &a.events {
        let after = intro == "0" || cmp(v, intro) != Ordering::Less;
        let before = if end.is_empty() {
            true
        } else if let Some(last) = end.strip_prefix("<=") {
            cmp(v, last) != Ordering::Greater
        } else {
            cmp(v, end) == Ordering::Less
        };
        if after && before {
            return Some(if end.starts_with("<=") {
                String::new()
            } else {
                end.clone()
            });
        }
    }
    None
}

/// Matches an inventory: one finding per (advisory, installed package).
pub fn match_inventory(adv: &Advisories, inv: &Inventory) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(os) = &inv.os else {
        return out;
    };
    let eco = match os.id.as_str() {
        "debian" => format!("Debian:{}", os.version_id.split('.').next().unwrap_or("")),
        _ => return out,
    };
    for p in inv
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Deb)
    {
        let src = p.source_name.as_deref().unwrap_or(&p.name);
        let ver = p.source_version.as_deref().unwrap_or(&p.version);
        let Some(list) = adv.by_package.get(&(eco.clone(), src.to_string())) else {
            continue;
        };
        for a in list {
            let Some(fixed) = affected(a, ver, dpkg::compare) else {
                continue;
            };
            let shown = a
                .aliases
                .iter()
                .find(|x| x.starts_with("CVE-"))
                .cloned()
                .unwrap_or_else(|| a.id.clone());
            let mut f = Finding::new(
                &VULNERABLE_PACKAGE,
                Location {
                    file: p.path.clone(),
                    layer: p.layer.clone(),
                    object: Some(p.purl.clone()),
                    ..Default::default()
                },
                format!(
                    "{shown} in {} {} (source {src} {ver}){}",
                    p.name,
                    p.version,
                    if fixed.is_empty() {
                        ", no fix yet".to_string()
                    } else {
                        format!(", fixed in {fixed}")
                    }
                ),
            );
            f.evidence.insert("vulnerability", a.id.clone());
            f.evidence.insert("aliases", a.aliases.join(","));
            f.evidence.insert("package", p.name.clone());
            f.evidence.insert("installed", p.version.clone());
            f.evidence.insert("source", format!("{src} {ver}"));
            f.evidence.insert("fixed", fixed);
            out.push(f);
        }
    }
    out
}
