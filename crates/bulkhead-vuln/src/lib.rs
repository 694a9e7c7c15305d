//! Vulnerability database and matching, exact per ecosystem.
//!
//! Pipeline: importers ([`import`]: OSV JSON/YAML/zip, RustSec) → one
//! database file ([`db`]) → matching an [`Inventory`] ([`match_inventory`])
//! with each ecosystem's own version order ([`dpkg`], [`semver`],
//! [`pep440`]) → findings (VULN001 vulnerabilities, VULN002 RustSec
//! informational advisories such as unmaintained crates).
//!
//! Debian packages are matched by their *source* package (dpkg `Source:`,
//! with its own version when dpkg records one), language packages by
//! ecosystem and name (PyPI names normalised), Go modules by module path and
//! the Go standard library (`stdlib`) by the binary's Go version. Hits for
//! one package from advisories that alias each other (CVE ↔ GHSA ↔ PYSEC ↔
//! RUSTSEC ↔ GO ↔ DEBIAN-CVE) become one finding listing every id.

pub mod apk;
pub mod cvss;
pub mod db;
pub mod distro;
pub mod dpkg;
pub mod gem;
pub mod import;
pub mod maven;
pub mod mirror;
pub mod pep440;
pub mod record;
pub mod rpm;
pub mod semver;
pub mod vex;

use bulkhead_core::rule::eq;
use bulkhead_core::{Ecosystem, Finding, Inventory, Location, Package, RuleMeta, Severity};
use db::Lookup;
use record::{Hit, Scheme, Vuln, package_key};
use std::cmp::Ordering;
use std::collections::BTreeMap;

pub static VULNERABLE_PACKAGE: RuleMeta = RuleMeta {
    id: "VULN001",
    slug: "vulnerable-package",
    title: "Installed package has a known vulnerability",
    severity: Severity::Medium,
    layer: "image",
    tags: &["image", "vulnerability"],
    default_enabled: true,
    what: "An installed package's version is inside an advisory's affected range, compared with its ecosystem's own version order (Debian: matched by source package). Severity comes from the advisory's CVSS v3.x or v4.0 base score (the highest), else its own rating, else Medium.",
    why: "Published vulnerabilities come with public details and often exploits; an image that ships the affected version gives an attacker a known way in (remote code execution, privilege escalation, data disclosure) until it is rebuilt.",
    fix: "Upgrade to the fixed version the finding names (`apt-get upgrade` or a newer base pinned by digest for OS packages; a new lock file for language packages) and rebuild. Without a fix yet: judge exposure, and record the decision in an ignore file or a VEX document.",
    example: include_str!("../fixtures/VULN001/fail.json"),
    example_fixed: include_str!("../fixtures/VULN001/pass.json"),
    equivalents: &[
        eq("Trivy", "vulnerability scanning"),
        eq("Grype", "match"),
        eq("cargo-audit", "vulnerability"),
    ],
    references: &[
        "https://ossf.github.io/osv-schema/",
        "https://www.first.org/cvss/v3.1/specification-document",
    ],
};

pub static INFORMATIONAL_ADVISORY: RuleMeta = RuleMeta {
    id: "VULN002",
    slug: "informational-advisory",
    title: "Package has an informational advisory (unmaintained, unsound)",
    severity: Severity::Low,
    layer: "image",
    tags: &["image", "vulnerability", "rust"],
    default_enabled: true,
    what: "A RustSec informational advisory applies to an installed crate version: the crate is unmaintained, unsound, or the subject of a notice.",
    why: "An unmaintained dependency gets no fixes: the next vulnerability in it stays open. Unsound code can corrupt memory from safe callers; it is a vulnerability waiting for a trigger.",
    fix: "Move to the alternative the advisory names, or to a version outside its range, and rebuild.",
    example: include_str!("../fixtures/VULN002/fail.json"),
    example_fixed: include_str!("../fixtures/VULN002/pass.json"),
    equivalents: &[eq("cargo-audit", "warning")],
    references: &["https://rustsec.org/"],
};

/// Numeric identifiers of any length, by value (leading zeros ignored):
/// shared by the version orders.
pub(crate) fn cmp_digits(a: &[u8], b: &[u8]) -> Ordering {
    let trim = |x: &[u8]| -> usize { x.iter().take_while(|&&c| c == b'0').count() };
    let (a, b) = (&a[trim(a)..], &b[trim(b)..]);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Compares two versions given their parses; text that does not parse
/// sorts below every version that does (and among itself as text), so a
/// bad record never matches by accident in the middle of a range.
pub(crate) fn compare_parsed<T: Ord>(a: &str, b: &str, x: Option<T>, y: Option<T>) -> Ordering {
    match (x, y) {
        (Some(x), Some(y)) => x.cmp(&y),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// The property every version order's proptest checks: antisymmetric,
/// reflexive, transitive.
#[cfg(test)]
pub(crate) fn check_total_order(
    cmp: fn(&str, &str) -> Ordering,
    a: &str,
    b: &str,
    c: &str,
) -> Result<(), proptest::test_runner::TestCaseError> {
    proptest::prop_assert_eq!(cmp(a, b), cmp(b, a).reverse());
    proptest::prop_assert_eq!(cmp(a, a), Ordering::Equal);
    if cmp(a, b) != Ordering::Greater && cmp(b, c) != Ordering::Greater {
        proptest::prop_assert_ne!(cmp(a, c), Ordering::Greater);
    }
    Ok(())
}

pub fn rules() -> Vec<&'static RuleMeta> {
    vec![&VULNERABLE_PACKAGE, &INFORMATIONAL_ADVISORY]
}

/// Matching switches.
#[derive(Debug, Clone, Copy, Default)]
pub struct MatchOptions {
    /// Leave out vulnerabilities without a fixed version.
    pub ignore_unfixed: bool,
}

/// The advisory key, version and version order for one installed package;
/// `None` for packages no importer covers yet.
pub fn query(p: &Package, inv: &Inventory) -> Option<(String, String, Scheme)> {
    let (eco, name, version) = match p.ecosystem {
        Ecosystem::Deb => {
            let os = inv.os.as_ref()?;
            let eco = match os.id.as_str() {
                "debian" => format!("Debian:{}", os.version_id.split('.').next()?),
                // OSV names Ubuntu releases `Ubuntu:22.04:LTS` (LTS) or `Ubuntu:23.10`;
                // os-release says LTS in its pretty name.
                "ubuntu" if os.pretty_name.as_deref().is_some_and(|p| p.contains("LTS")) => {
                    format!("Ubuntu:{}:LTS", os.version_id)
                }
                "ubuntu" => format!("Ubuntu:{}", os.version_id),
                _ => return None,
            };
            (
                eco,
                p.source_name.as_deref().unwrap_or(&p.name),
                p.source_version.as_deref().unwrap_or(&p.version),
            )
        }
        // Alpine's secdb and OSV records name the origin (source) package,
        // and the release as `v3.20`.
        Ecosystem::Apk => {
            let os = inv.os.as_ref()?;
            if os.id != "alpine" {
                return None;
            }
            let mut parts = os.version_id.split('.');
            let eco = format!("Alpine:v{}.{}", parts.next()?, parts.next()?);
            (
                eco,
                p.source_name.as_deref().unwrap_or(&p.name),
                p.version.as_str(),
            )
        }
        Ecosystem::PyPI => ("PyPI".to_string(), p.name.as_str(), p.version.as_str()),
        Ecosystem::Npm => ("npm".to_string(), p.name.as_str(), p.version.as_str()),
        Ecosystem::CratesIo => ("crates.io".to_string(), p.name.as_str(), p.version.as_str()),
        Ecosystem::Go => ("Go".to_string(), p.name.as_str(), p.version.as_str()),
        Ecosystem::Maven => ("Maven".to_string(), p.name.as_str(), p.version.as_str()),
        Ecosystem::RubyGems => ("RubyGems".to_string(), p.name.as_str(), p.version.as_str()),
        // AlmaLinux and Rocky Linux publish OSV records per major release,
        // naming binary packages, with `[epoch:]version-release` versions.
        Ecosystem::Rpm => {
            let os = inv.os.as_ref()?;
            let major = os.version_id.split('.').next()?;
            let eco = match os.id.as_str() {
                "almalinux" => format!("AlmaLinux:{major}"),
                "rocky" => format!("Rocky Linux:{major}"),
                _ => return None,
            };
            (eco, p.name.as_str(), p.version.as_str())
        }
    };
    let scheme = Scheme::of_ecosystem(&eco)?;
    Some((package_key(&eco, name), version.to_string(), scheme))
}

/// The severity of an advisory: the highest CVSS v3.x/v4.0 base score among
/// its vectors, else its source's rating; `None` when it has neither.
pub fn severity(v: &Vuln) -> Option<(Severity, String)> {
    if let Some((score, vector)) = best_cvss(v) {
        return Some((cvss::rating(score), format!("CVSS {score:.1} ({vector})")));
    }
    v.rating
        .as_deref()
        .and_then(|r| cvss::from_words(r).map(|s| (s, format!("rated {r} by the source"))))
}

/// The highest-scoring CVSS vector of an advisory, with its base score.
pub fn best_cvss(v: &Vuln) -> Option<(f64, &str)> {
    v.cvss
        .iter()
        .filter_map(|c| cvss::base_score(c).map(|s| (s, c.as_str())))
        .max_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(Ordering::Equal))
}

/// Groups the ids of one package's hits that alias each other.
fn alias_groups(hits: &[(Hit, Vuln)]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..hits.len()).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while p[r] != r {
            r = p[r];
        }
        p[i] = r;
        r
    }
    let mut by_name: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, (_, v)) in hits.iter().enumerate() {
        for name in std::iter::once(&v.id).chain(&v.aliases) {
            if let Some(&j) = by_name.get(name.as_str()) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[a] = b;
            } else {
                by_name.insert(name, i);
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..hits.len() {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    groups.into_values().collect()
}

/// Matches an inventory: one finding per (vulnerability, installed package),
/// aliases merged.
pub fn match_inventory(
    lookup: &dyn Lookup,
    inv: &Inventory,
    opts: MatchOptions,
) -> Result<Vec<Finding>, String> {
    let mut out = Vec::new();
    for p in &inv.packages {
        let Some((key, version, scheme)) = query(p, inv) else {
            continue;
        };
        let mut hits = Vec::new();
        for a in lookup.affected(&key)? {
            if let Some(h) = a.affects(&version, scheme) {
                let v = lookup.vuln(&h.id)?.unwrap_or_else(|| Vuln {
                    id: h.id.clone(),
                    ..Default::default()
                });
                hits.push((h, v));
            }
        }
        for group in alias_groups(&hits) {
            if let Some(f) = finding(p, &version, scheme, &hits, &group, opts) {
                out.push(f);
            }
        }
    }
    Ok(out)
}

fn finding(
    p: &Package,
    version: &str,
    scheme: Scheme,
    hits: &[(Hit, Vuln)],
    group: &[usize],
    opts: MatchOptions,
) -> Option<Finding> {
    let mut ids: Vec<&str> = group
        .iter()
        .flat_map(|&i| std::iter::once(&hits[i].1.id).chain(&hits[i].1.aliases))
        .map(String::as_str)
        .collect();
    ids.sort();
    ids.dedup();
    let primary = ids
        .iter()
        .find(|x| x.starts_with("CVE-"))
        .or_else(|| ids.first())
        .copied()
        .unwrap_or("");
    let fixes: Vec<&str> = group
        .iter()
        .filter_map(|&i| hits[i].0.fixed.as_deref())
        .collect();
    // The lowest fix that any source names.
    let fixed = fixes.iter().copied().min_by(|a, b| scheme.compare(a, b));
    if opts.ignore_unfixed && fixed.is_none() {
        return None;
    }
    let vulns: Vec<&Vuln> = group.iter().map(|&i| &hits[i].1).collect();
    let informational = vulns.iter().find_map(|v| v.informational.clone());
    let rule = if informational.is_some() {
        &INFORMATIONAL_ADVISORY
    } else {
        &VULNERABLE_PACKAGE
    };
    let sev = vulns
        .iter()
        .filter_map(|v| severity(v))
        .max_by_key(|(s, _)| *s);
    let summary = vulns
        .iter()
        .map(|v| v.summary.as_str())
        .find(|s| !s.is_empty())
        .unwrap_or("");
    let src = match (&p.source_name, p.ecosystem) {
        (Some(s), Ecosystem::Deb) if s != &p.name || version != p.version => {
            format!(" (source {s} {version})")
        }
        _ => String::new(),
    };
    let tail = match (&informational, fixed) {
        (Some(kind), _) => format!(", {kind}"),
        (None, Some(f)) => format!(", fixed in {f}"),
        (None, None) => ", no fix yet".to_string(),
    };
    let mut f = Finding::new(
        rule,
        Location {
            file: p.path.clone(),
            layer: p.layer.clone(),
            object: Some(p.purl.clone()),
            ..Default::default()
        },
        format!("{primary} in {} {}{src}{tail}", p.name, p.version),
    );
    if informational.is_none()
        && let Some((s, _)) = &sev
    {
        f.severity = *s;
    }
    f.evidence.insert("vulnerability", primary.to_string());
    let others: Vec<&str> = ids.iter().copied().filter(|x| *x != primary).collect();
    f.evidence.insert("aliases", others.join(","));
    f.evidence.insert("package", p.name.clone());
    f.evidence.insert("installed", p.version.clone());
    if !src.is_empty() {
        f.evidence.insert(
            "source",
            format!("{} {version}", p.source_name.as_deref().unwrap_or("")),
        );
    }
    f.evidence.insert("fixed", fixed.unwrap_or("").to_string());
    f.evidence.insert(
        "severity_from",
        sev.map_or(
            "no score or rating in the advisory: rule default".into(),
            |s| s.1,
        ),
    );
    if let Some((score, vector)) = vulns
        .iter()
        .filter_map(|v| best_cvss(v))
        .max_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(Ordering::Equal))
    {
        f.evidence.insert("cvss_score", format!("{score:.1}"));
        f.evidence.insert("cvss_vector", vector.to_string());
    }
    if let Some(r) = vulns.iter().find_map(|v| v.rating.as_deref()) {
        f.evidence.insert("source_rating", r.to_string());
    }
    if !summary.is_empty() {
        f.evidence.insert("summary", summary.to_string());
    }
    if let Some(url) = vulns.iter().map(|v| v.url.as_str()).find(|u| !u.is_empty()) {
        f.evidence.insert("url", url.to_string());
    }
    Some(f)
}
