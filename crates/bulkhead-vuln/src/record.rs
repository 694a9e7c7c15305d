//! The advisory model every importer produces and the database stores: one
//! [`Vuln`] per advisory id, and per (ecosystem, package) the list of
//! [`Affected`] entries that point back to it.

use crate::{pep440, semver};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// One advisory.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Vuln {
    pub id: String,
    /// Other ids of the same vulnerability (CVE, GHSA, PYSEC, RUSTSEC, GO, DEBIAN-CVE).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// CVSS vectors as the source gives them (v3.x or v4.0).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cvss: Vec<String>,
    /// The source's own rating ("HIGH", "moderate", ...), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<String>,
    /// RustSec informational kind (`unmaintained`, `unsound`, `notice`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub published: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
}

/// How an [`Affected`] entry's versions compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scheme {
    Dpkg,
    Semver,
    Pep440,
    Apk,
    Rpm,
    Maven,
    RubyGems,
}

impl Scheme {
    /// The scheme of an OSV ecosystem's `ECOSYSTEM` ranges; `None` for the
    /// ones not supported yet (their records are counted, not stored).
    pub fn of_ecosystem(eco: &str) -> Option<Scheme> {
        let base = eco.split(':').next().unwrap_or(eco);
        match base {
            "Debian" | "Ubuntu" => Some(Scheme::Dpkg),
            "PyPI" => Some(Scheme::Pep440),
            "Go" | "crates.io" | "npm" => Some(Scheme::Semver),
            "Alpine" => Some(Scheme::Apk),
            "Red Hat" | "Rocky Linux" | "AlmaLinux" | "openSUSE" | "SUSE" | "Mageia" => {
                Some(Scheme::Rpm)
            }
            "Maven" => Some(Scheme::Maven),
            "RubyGems" => Some(Scheme::RubyGems),
            _ => None,
        }
    }

    pub fn compare(self, a: &str, b: &str) -> Ordering {
        match self {
            Scheme::Dpkg => crate::dpkg::compare(a, b),
            Scheme::Semver => semver::compare(a, b),
            Scheme::Pep440 => pep440::compare(a, b),
            Scheme::Apk => crate::apk::compare(a, b),
            Scheme::Rpm => crate::rpm::compare(a, b),
            Scheme::Maven => crate::maven::compare(a, b),
            Scheme::RubyGems => crate::gem::compare(a, b),
        }
    }
}

/// One OSV range event, in the order the evaluation walks them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
}

impl Event {
    fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) => v,
        }
    }
}

/// One range: events sorted by version (`introduced: 0` first), and, when
/// the source wrote them in another order, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    pub scheme: Scheme,
    pub events: Vec<Event>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub as_written: Vec<Event>,
}

impl Range {
    pub fn new(scheme: Scheme, written: Vec<Event>) -> Range {
        let cmp = |a: &Event, b: &Event| {
            let (x, y) = (a.version(), b.version());
            match (x == "0", y == "0") {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => scheme.compare(x, y),
            }
        };
        // A stable insertion sort, not `sort_by`: Maven's order is not
        // transitive for some odd versions (`1-0.alpha < 1 < 1-sp < 1-0.alpha`),
        // and the standard sort may panic on such an order. Event lists are short.
        let mut events: Vec<Event> = Vec::with_capacity(written.len());
        for e in &written {
            let at = events
                .iter()
                .rposition(|x| cmp(x, e) != Ordering::Greater)
                .map_or(0, |i| i + 1);
            events.insert(at, e.clone());
        }
        let as_written = if written == events {
            Vec::new()
        } else {
            written
        };
        Range {
            scheme,
            events,
            as_written,
        }
    }

    /// Whether `v` is affected. On a match, the fixed version that ends the
    /// affected stretch (`None`: no fix).
    ///
    /// OSV's evaluation walks the events sorted by version. Some records
    /// (PYSEC among them) write overlapping `introduced`/`fixed` pairs, which
    /// the sorted walk cuts short (`[2.11, 2.11.7)` and `[0, 2.11.6)` leave
    /// 2.11.6 unaffected); so the pairs as written are also checked, and a
    /// version in either is affected.
    pub fn affects(&self, v: &str) -> Option<Option<String>> {
        self.sorted_walk(v).or_else(|| self.written_pairs(v))
    }

    fn written_pairs(&self, v: &str) -> Option<Option<String>> {
        let mut start: Option<&str> = None;
        let at_or_after = |s: &str| s == "0" || self.scheme.compare(v, s) != Ordering::Less;
        for e in &self.as_written {
            match e {
                Event::Introduced(i) => start = Some(i),
                Event::Fixed(f) => {
                    if start.take().is_some_and(at_or_after)
                        && self.scheme.compare(v, f) == Ordering::Less
                    {
                        return Some(Some(f.clone()));
                    }
                }
                Event::LastAffected(l) => {
                    if start.take().is_some_and(at_or_after)
                        && self.scheme.compare(v, l) != Ordering::Greater
                    {
                        return Some(None);
                    }
                }
            }
        }
        start.is_some_and(at_or_after).then_some(None)
    }

    fn sorted_walk(&self, v: &str) -> Option<Option<String>> {
        let mut affected = false;
        let mut fixed = None;
        for e in &self.events {
            match e {
                Event::Introduced(i) => {
                    if i == "0" || self.scheme.compare(v, i) != Ordering::Less {
                        affected = true;
                        fixed = None;
                    }
                }
                Event::Fixed(f) => {
                    if self.scheme.compare(v, f) != Ordering::Less {
                        affected = false;
                    } else if affected && fixed.is_none() {
                        fixed = Some(f.clone());
                    }
                }
                Event::LastAffected(l) => {
                    if self.scheme.compare(v, l) == Ordering::Greater {
                        affected = false;
                    }
                }
            }
        }
        affected.then_some(fixed)
    }
}

/// RustSec's own version requirements: affected unless a patched or
/// unaffected requirement (Cargo syntax) matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CargoReqs {
    pub patched: Vec<String>,
    pub unaffected: Vec<String>,
}

impl CargoReqs {
    /// On a match, the lowest version a patched requirement starts at above `v`.
    pub fn affects(&self, v: &str) -> Option<Option<String>> {
        let ver = ::semver::Version::parse(v.trim_start_matches('v')).ok()?;
        let hit = |reqs: &[String]| {
            reqs.iter().any(|r| {
                ::semver::VersionReq::parse(r)
                    .map(|q| q.matches(&ver))
                    .unwrap_or(false)
            })
        };
        if hit(&self.patched) || hit(&self.unaffected) {
            return None;
        }
        // The fix to name: the patched requirement with the lowest bound above v.
        let fix = self
            .patched
            .iter()
            .filter_map(|r| {
                let q = ::semver::VersionReq::parse(r).ok()?;
                let c = q.comparators.first()?;
                let low =
                    ::semver::Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0));
                (low > ver).then_some(low)
            })
            .min()
            .map(|v| v.to_string());
        Some(fix)
    }
}

/// What one advisory says about one package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cargo: Option<CargoReqs>,
}

/// A match: the package is affected; `fixed` is the first fixed version
/// (or patched requirement) above it, `None` when there is no fix.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    pub fixed: Option<String>,
}

impl Affected {
    pub fn affects(&self, v: &str, scheme: Scheme) -> Option<Hit> {
        let hit = |fixed| Hit {
            id: self.id.clone(),
            fixed,
        };
        if let Some(c) = &self.cargo {
            return c.affects(v).map(hit);
        }
        let mut found: Option<Option<String>> = None;
        for r in &self.ranges {
            if let Some(f) = r.affects(v) {
                // Several ranges may hold v: name the lowest fix.
                found = Some(match (found.flatten(), f) {
                    (Some(a), Some(b)) => Some(if scheme.compare(&a, &b) == Ordering::Greater {
                        b
                    } else {
                        a
                    }),
                    (a, b) => a.or(b),
                });
            }
        }
        if found.is_none()
            && self
                .versions
                .iter()
                .any(|x| scheme.compare(x, v) == Ordering::Equal)
        {
            found = Some(None);
        }
        found.map(hit)
    }
}

/// The key packages are stored under: PyPI names normalised as PEP 503
/// says (lowercase, runs of `-_.` become `-`); other ecosystems as written.
pub fn package_key(ecosystem: &str, name: &str) -> String {
    let name = if ecosystem == "PyPI" {
        let mut o = String::with_capacity(name.len());
        let mut sep = false;
        for c in name.chars() {
            if matches!(c, '-' | '_' | '.') {
                sep = true;
            } else {
                if sep && !o.is_empty() {
                    o.push('-');
                }
                sep = false;
                o.push(c.to_ascii_lowercase());
            }
        }
        o
    } else {
        name.to_string()
    };
    format!("{ecosystem}\u{0}{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_sort_without_panicking_on_a_maven_cycle() {
        // Maven's own pairwise answers form a cycle here.
        let written = vec![
            Event::Introduced("1-0.alpha".into()),
            Event::Fixed("1".into()),
            Event::Introduced("1-sp".into()),
            Event::Fixed("1-0.alpha".into()),
            Event::Introduced("0".into()),
        ];
        let r = Range::new(Scheme::Maven, written);
        assert_eq!(r.events.len(), 5);
        assert_eq!(r.events[0], Event::Introduced("0".into()));
    }

    fn range(scheme: Scheme, ev: &[(&str, &str)]) -> Range {
        Range::new(
            scheme,
            ev.iter()
                .map(|(k, v)| match *k {
                    "i" => Event::Introduced(v.to_string()),
                    "f" => Event::Fixed(v.to_string()),
                    _ => Event::LastAffected(v.to_string()),
                })
                .collect(),
        )
    }

    #[test]
    fn osv_range_evaluation() {
        // Unsorted pairs, as PYSEC records write them.
        let r = range(
            Scheme::Pep440,
            &[("i", "3.9.0"), ("f", "3.19.1"), ("i", "0"), ("f", "3.8.1")],
        );
        assert_eq!(r.affects("3.0"), Some(Some("3.8.1".into())));
        assert_eq!(r.affects("3.8.1"), None);
        assert_eq!(r.affects("3.8.5"), None);
        assert_eq!(r.affects("3.9.0"), Some(Some("3.19.1".into())));
        assert_eq!(r.affects("3.19.1"), None);
        let open = range(Scheme::Semver, &[("i", "1.2.0")]);
        assert_eq!(open.affects("1.1.9"), None);
        assert_eq!(open.affects("9.0.0"), Some(None));
        // Overlapping pairs (PYSEC-2021-114): 2.11.6 is in [2.11, 2.11.7).
        let overlap = range(
            Scheme::Pep440,
            &[("i", "2.11"), ("f", "2.11.7"), ("i", "0"), ("f", "2.11.6")],
        );
        assert_eq!(overlap.affects("2.11.6"), Some(Some("2.11.7".into())));
        assert_eq!(overlap.affects("2.10"), Some(Some("2.11.6".into())));
        assert_eq!(overlap.affects("2.11.7"), None);
        let last = range(Scheme::Dpkg, &[("i", "0"), ("l", "1.0-2")]);
        assert_eq!(last.affects("1.0-2"), Some(None));
        assert_eq!(last.affects("1.0-3"), None);
    }

    #[test]
    fn rustsec_requirements() {
        let c = CargoReqs {
            patched: vec![">= 0.6.3".into(), "^0.3.4".into(), "^0.5.1".into()],
            unaffected: vec!["< 0.3.2".into()],
        };
        assert_eq!(c.affects("0.3.1"), None);
        assert_eq!(c.affects("0.3.3"), Some(Some("0.3.4".into())));
        assert_eq!(c.affects("0.3.9"), None);
        assert_eq!(c.affects("0.4.0"), Some(Some("0.5.1".into())));
        assert_eq!(c.affects("0.6.2"), Some(Some("0.6.3".into())));
        assert_eq!(c.affects("1.6.0"), None);
    }

    #[test]
    fn pypi_names_are_normalised() {
        assert_eq!(package_key("PyPI", "Flask_Cors"), "PyPI\u{0}flask-cors");
        assert_eq!(
            package_key("PyPI", "zope.interface"),
            "PyPI\u{0}zope-interface"
        );
        assert_eq!(package_key("Go", "github.com/A/b"), "Go\u{0}github.com/A/b");
    }

    #[test]
    fn schemes_of_os_and_language_ecosystems() {
        for (eco, scheme) in [
            ("Alpine:v3.20", Scheme::Apk),
            ("Red Hat:enterprise_linux:9::appstream", Scheme::Rpm),
            ("Rocky Linux:9", Scheme::Rpm),
            ("AlmaLinux:8", Scheme::Rpm),
            ("openSUSE:Leap 15.5", Scheme::Rpm),
            ("SUSE:Linux Enterprise Server 15 SP5", Scheme::Rpm),
            ("Mageia:9", Scheme::Rpm),
            ("Maven", Scheme::Maven),
            ("RubyGems", Scheme::RubyGems),
        ] {
            assert_eq!(Scheme::of_ecosystem(eco), Some(scheme), "{eco}");
        }
        assert_eq!(Scheme::Apk.compare("1.0_rc1-r0", "1.0-r0"), Ordering::Less);
        assert_eq!(Scheme::Rpm.compare("1:1.0-1", "2.0-1"), Ordering::Greater);
        assert_eq!(Scheme::Maven.compare("1.0-SNAPSHOT", "1.0"), Ordering::Less);
        assert_eq!(Scheme::RubyGems.compare("1.0.a", "1.0"), Ordering::Less);
        // Stored as the variant's name: earlier databases still read.
        assert_eq!(
            serde_json::to_string(&Scheme::RubyGems).ok().as_deref(),
            Some("\"RubyGems\"")
        );
    }
}
