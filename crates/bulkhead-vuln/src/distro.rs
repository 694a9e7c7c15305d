//! Distribution feeds that are not OSV: the Debian Security Tracker's JSON
//! (`security-tracker.debian.org/tracker/data/json`) and Alpine's secdb
//! (`secdb.alpinelinux.org/vX.Y/{main,community}.json`).
//!
//! Both become the same [`Vuln`] + [`Affected`] records the OSV importer
//! writes, keyed by the OSV ecosystem name of the release (`Debian:12`,
//! `Alpine:v3.20`) and the *source* package (Debian source package, Alpine
//! origin), so matching does not care which feed a record came from, and a
//! tracker CVE merges with an OSV `DEBIAN-CVE-…` record through its alias.
//!
//! Debian tracker semantics, per release entry of a CVE:
//! - `resolved` with `fixed_version` `"0"`: the release never shipped the
//!   vulnerable code — no record;
//! - `resolved` with a version: affected below it (`introduced 0`, `fixed V`);
//! - `open` or `undetermined`: affected, no fix yet;
//! - the `urgency` (`unimportant`, `low`, `medium`, `high`; a trailing `*`
//!   marks a guess) becomes the source's rating; `not yet assigned` and
//!   `end-of-life` give none.
//!
//! Alpine secdb: `secfixes` maps a fixed version to the ids it fixes; the
//! version `"0"` means "never affected in Alpine" — no record. An entry may
//! hold several ids separated by spaces.

use crate::record::{Affected, Event, Range, Scheme, Vuln, package_key};
use serde_json::Value;
use std::collections::BTreeMap;

/// Debian release codenames and their `VERSION_ID`s.
const DEBIAN_RELEASES: &[(&str, &str)] = &[
    ("jessie", "8"),
    ("stretch", "9"),
    ("buster", "10"),
    ("bullseye", "11"),
    ("bookworm", "12"),
    ("trixie", "13"),
    ("forky", "14"),
    ("duke", "15"),
];

/// One vulnerability with every package entry the feed gave it.
#[derive(Debug, Default)]
pub struct FeedRecord {
    pub vuln: Vuln,
    pub affected: Vec<(String, Affected)>,
}

/// True when `v` looks like the Debian Security Tracker's JSON: an object of
/// packages, each an object of issues with `releases`.
pub fn is_debian_tracker(v: &Value) -> bool {
    let Some(o) = v.as_object() else {
        return false;
    };
    !o.contains_key("id")
        && o.values()
            .filter_map(Value::as_object)
            .flat_map(|issues| issues.values())
            .take(8)
            .any(|i| i.get("releases").is_some_and(Value::is_object))
}

/// True when `v` looks like an Alpine secdb file.
pub fn is_alpine_secdb(v: &Value) -> bool {
    v.get("distroversion").is_some_and(Value::is_string) && v["packages"].is_array()
}

fn urgency_rank(u: &str) -> u8 {
    match u {
        "high" => 4,
        "medium" => 3,
        "low" => 2,
        "unimportant" => 1,
        _ => 0,
    }
}

/// Parses the Debian Security Tracker JSON.
pub fn debian_tracker(v: &Value) -> Result<Vec<FeedRecord>, String> {
    let pkgs = v
        .as_object()
        .ok_or("Debian tracker JSON: top level is not an object")?;
    let mut by_id: BTreeMap<String, FeedRecord> = BTreeMap::new();
    for (source, issues) in pkgs {
        let Some(issues) = issues.as_object() else {
            continue;
        };
        for (id, issue) in issues {
            let Some(releases) = issue["releases"].as_object() else {
                continue;
            };
            let mut affected = Vec::new();
            let mut rating: Option<&str> = None;
            for (codename, r) in releases {
                let Some((_, ver)) = DEBIAN_RELEASES.iter().find(|(c, _)| c == codename) else {
                    continue; // sid and experimental have no VERSION_ID to match
                };
                let fixed = r["fixed_version"].as_str();
                let events = match (r["status"].as_str(), fixed) {
                    (Some("resolved"), Some("0")) => continue,
                    (Some("resolved"), Some(f)) => {
                        vec![Event::Introduced("0".into()), Event::Fixed(f.to_string())]
                    }
                    (Some("open" | "undetermined"), _) => vec![Event::Introduced("0".into())],
                    _ => continue,
                };
                let urgency = r["urgency"].as_str().unwrap_or("").trim_end_matches('*');
                if urgency_rank(urgency) > rating.map_or(0, urgency_rank) {
                    rating = Some(urgency);
                }
                affected.push((
                    package_key(&format!("Debian:{ver}"), source),
                    Affected {
                        id: id.clone(),
                        ranges: vec![Range::new(Scheme::Dpkg, events)],
                        versions: Vec::new(),
                        cargo: None,
                    },
                ));
            }
            if affected.is_empty() {
                continue;
            }
            let rec = by_id.entry(id.clone()).or_insert_with(|| FeedRecord {
                vuln: Vuln {
                    id: id.clone(),
                    // OSV's Debian records are DEBIAN-CVE-…: name it, so the two merge.
                    aliases: if id.starts_with("CVE-") {
                        vec![format!("DEBIAN-{id}")]
                    } else {
                        Vec::new()
                    },
                    url: format!("https://security-tracker.debian.org/tracker/{id}"),
                    ..Default::default()
                },
                affected: Vec::new(),
            });
            if rec.vuln.summary.is_empty()
                && let Some(d) = issue["description"].as_str()
            {
                rec.vuln.summary = d.trim().chars().take(200).collect();
            }
            if let Some(r) = rating.filter(|r| urgency_rank(r) > 0)
                && urgency_rank(r) > rec.vuln.rating.as_deref().map_or(0, urgency_rank)
            {
                rec.vuln.rating = Some(r.to_string());
            }
            rec.affected.extend(affected);
        }
    }
    Ok(by_id.into_values().collect())
}

/// Parses one Alpine secdb file.
pub fn alpine_secdb(v: &Value) -> Result<Vec<FeedRecord>, String> {
    let dv = v["distroversion"]
        .as_str()
        .ok_or("Alpine secdb: no distroversion")?;
    // "v3.20" as OSV names Alpine releases; older files may lack the "v".
    let eco = format!("Alpine:v{}", dv.trim_start_matches('v'));
    let mut by_id: BTreeMap<String, FeedRecord> = BTreeMap::new();
    for p in v["packages"].as_array().into_iter().flatten() {
        let pkg = &p["pkg"];
        let Some(name) = pkg["name"].as_str() else {
            continue;
        };
        let Some(fixes) = pkg["secfixes"].as_object() else {
            continue;
        };
        for (fixed, ids) in fixes {
            if fixed == "0" {
                continue;
            }
            let ids = ids
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .flat_map(str::split_whitespace)
                .filter(|i| !i.is_empty());
            for id in ids {
                let rec = by_id.entry(id.to_string()).or_insert_with(|| FeedRecord {
                    vuln: Vuln {
                        id: id.to_string(),
                        url: format!("https://security.alpinelinux.org/vuln/{id}"),
                        ..Default::default()
                    },
                    affected: Vec::new(),
                });
                rec.affected.push((
                    package_key(&eco, name),
                    Affected {
                        id: id.to_string(),
                        ranges: vec![Range::new(
                            Scheme::Apk,
                            vec![Event::Introduced("0".into()), Event::Fixed(fixed.clone())],
                        )],
                        versions: Vec::new(),
                        cargo: None,
                    },
                ));
            }
        }
    }
    Ok(by_id.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn debian_tracker_states() {
        let v = json!({
            "openssl": {
                "CVE-2024-1": {"description": "Bad thing", "scope": "remote", "releases": {
                    "bookworm": {"status": "resolved", "fixed_version": "3.0.15-1~deb12u1",
                                 "urgency": "medium", "repositories": {"bookworm": "3.0.11-1~deb12u2"}},
                    "bullseye": {"status": "open", "urgency": "low*", "repositories": {}},
                    "trixie": {"status": "resolved", "fixed_version": "0", "urgency": "not yet assigned"},
                    "sid": {"status": "resolved", "fixed_version": "3.1", "urgency": "medium"}
                }},
                "TEMP-0000000-AB": {"releases": {"bookworm": {"status": "undetermined", "urgency": "unimportant"}}}
            },
            "zlib": {"CVE-2024-1": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "0"}}}}
        });
        assert!(is_debian_tracker(&v));
        assert!(!is_alpine_secdb(&v));
        let recs = debian_tracker(&v).unwrap();
        assert_eq!(recs.len(), 2);
        let cve = &recs[0];
        assert_eq!(cve.vuln.id, "CVE-2024-1");
        assert_eq!(cve.vuln.aliases, vec!["DEBIAN-CVE-2024-1"]);
        assert_eq!(cve.vuln.rating.as_deref(), Some("medium"));
        assert_eq!(cve.vuln.summary, "Bad thing");
        let keys: Vec<&str> = cve.affected.iter().map(|a| a.0.as_str()).collect();
        assert_eq!(keys, vec!["Debian:12\u{0}openssl", "Debian:11\u{0}openssl"]);
        let bookworm = &cve.affected[0].1;
        let hit = bookworm.affects("3.0.11-1~deb12u2", Scheme::Dpkg).unwrap();
        assert_eq!(hit.fixed.as_deref(), Some("3.0.15-1~deb12u1"));
        assert!(bookworm.affects("3.0.15-1~deb12u1", Scheme::Dpkg).is_none());
        let bullseye = &cve.affected[1].1;
        assert_eq!(
            bullseye
                .affects("1.1.1w-0+deb11u1", Scheme::Dpkg)
                .unwrap()
                .fixed,
            None
        );
        assert_eq!(recs[1].vuln.id, "TEMP-0000000-AB");
        assert_eq!(recs[1].vuln.rating.as_deref(), Some("unimportant"));
        assert!(debian_tracker(&json!([1])).is_err());
    }

    #[test]
    fn alpine_secdb_entries() {
        let v = json!({
            "distroversion": "v3.20", "reponame": "main", "archs": ["x86_64"],
            "packages": [
                {"pkg": {"name": "openssl", "secfixes": {
                    "3.3.2-r0": ["CVE-2024-6119"],
                    "3.1.4-r1": ["CVE-2023-5363 CVE-2023-5678"],
                    "0": ["CVE-2022-0001"]
                }}},
                {"pkg": {"name": "busybox"}}
            ]
        });
        assert!(is_alpine_secdb(&v));
        assert!(!is_debian_tracker(&v));
        let recs = alpine_secdb(&v).unwrap();
        let ids: Vec<&str> = recs.iter().map(|r| r.vuln.id.as_str()).collect();
        assert_eq!(ids, vec!["CVE-2023-5363", "CVE-2023-5678", "CVE-2024-6119"]);
        let (key, a) = &recs[2].affected[0];
        assert_eq!(key, "Alpine:v3.20\u{0}openssl");
        assert_eq!(a.ranges[0].events[1], Event::Fixed("3.3.2-r0".into()));
    }
}
