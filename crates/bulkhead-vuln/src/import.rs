//! Advisory importers: OSV records (JSON or YAML; a file, a directory, or
//! an OSV `all.zip`), RustSec's native format (Markdown with a TOML front
//! matter), the Debian Security Tracker JSON and Alpine secdb files (see
//! [`crate::distro`]). Files are parsed in parallel; a record that does not parse is
//! reported with its file and skipped, withdrawn records are dropped, and
//! records of ecosystems without a version scheme yet are counted.

use crate::record::{Affected, CargoReqs, Event, Range, Scheme, Vuln, package_key};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Records larger than this are refused (no real advisory comes close).
pub const MAX_RECORD: u64 = 16 << 20;
/// A single file named on the command line may be a whole feed (the Debian
/// tracker's JSON is around 100 MB).
pub const MAX_FEED: u64 = 1 << 30;

/// What one input contributed.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SourceCount {
    pub source: String,
    pub records: usize,
    pub withdrawn: usize,
    /// Affected entries for ecosystems without a version scheme yet.
    pub unsupported: usize,
    pub errors: usize,
}

/// Everything imported, ready to be written to a database.
#[derive(Debug, Default)]
pub struct Import {
    pub vulns: HashMap<String, Vuln>,
    /// package key (see [`package_key`]) → entries.
    pub packages: HashMap<String, Vec<Affected>>,
    pub sources: Vec<SourceCount>,
    /// "file: problem" for every record that was skipped.
    pub errors: Vec<String>,
    /// Unsupported ecosystems and how many entries they had.
    pub unsupported: BTreeMap<String, usize>,
}

/// One parsed record.
struct Parsed {
    vuln: Vuln,
    affected: Vec<(String, Affected)>,
    unsupported: Vec<String>,
}

enum Outcome {
    Record(Box<Parsed>),
    /// A feed file holding many records (Debian tracker, Alpine secdb).
    Many(Vec<Parsed>),
    Withdrawn,
    Skip,
}

/// Imports every source (files, directories, zips) into one set.
pub fn import(sources: &[PathBuf]) -> Result<Import, String> {
    let mut out = Import::default();
    for src in sources {
        let meta = std::fs::metadata(src).map_err(|e| format!("{}: {e}", src.display()))?;
        let mut count = SourceCount {
            source: src.display().to_string(),
            ..Default::default()
        };
        let results: Vec<(String, Result<Outcome, String>)> = if meta.is_dir() {
            let mut files = Vec::new();
            walk(src, &mut files).map_err(|e| format!("{}: {e}", src.display()))?;
            files
                .par_iter()
                .map(|f| {
                    let name = f.display().to_string();
                    let r = std::fs::File::open(f)
                        .and_then(|h| {
                            let mut b = Vec::new();
                            h.take(MAX_RECORD + 1).read_to_end(&mut b)?;
                            Ok(b)
                        })
                        .map_err(|e| e.to_string())
                        .and_then(|b| parse_file(&name, &b, MAX_RECORD));
                    (name, r)
                })
                .collect()
        } else if has_ext(src, "zip") {
            let mut all = Vec::new();
            read_zip(src, &mut |batch| {
                let parsed: Vec<(String, Result<Outcome, String>)> = batch
                    .into_par_iter()
                    .map(|(name, bytes)| {
                        let r = parse_file(&name, &bytes, MAX_RECORD);
                        (format!("{}!{name}", src.display()), r)
                    })
                    .collect();
                all.extend(parsed);
            })?;
            all
        } else {
            if meta.len() > MAX_FEED {
                return Err(format!(
                    "{}: larger than {MAX_FEED} bytes: not an advisory file",
                    src.display()
                ));
            }
            let b = std::fs::read(src).map_err(|e| format!("{}: {e}", src.display()))?;
            let name = src.display().to_string();
            // A file named on its own must be advisories; in a tree, other
            // JSON (indexes) is passed over.
            let r = match parse_file(&name, &b, MAX_FEED) {
                Ok(Outcome::Skip) => Err("not an OSV record, RustSec advisory, Debian Security \
                     Tracker JSON or Alpine secdb file"
                    .to_string()),
                r => r,
            };
            vec![(name, r)]
        };
        for (name, r) in results {
            match r {
                Ok(Outcome::Record(mut p)) => {
                    count.records += 1;
                    count.unsupported += p.unsupported.len();
                    for e in std::mem::take(&mut p.unsupported) {
                        *out.unsupported.entry(e).or_default() += 1;
                    }
                    out.add(*p);
                }
                Ok(Outcome::Many(list)) => {
                    count.records += list.len();
                    for p in list {
                        out.add(p);
                    }
                }
                Ok(Outcome::Withdrawn) => count.withdrawn += 1,
                Ok(Outcome::Skip) => {}
                Err(e) => {
                    count.errors += 1;
                    out.errors.push(format!("{name}: {e}"));
                }
            }
        }
        out.sources.push(count);
    }
    Ok(out)
}

impl Import {
    fn add(&mut self, p: Parsed) {
        let id = p.vuln.id.clone();
        match self.vulns.get_mut(&id) {
            // The same id from two sources: one record, aliases merged.
            Some(v) => {
                for a in p.vuln.aliases {
                    if !v.aliases.contains(&a) {
                        v.aliases.push(a);
                    }
                }
            }
            None => {
                self.vulns.insert(id, p.vuln);
            }
        }
        for (key, a) in p.affected {
            let list = self.packages.entry(key).or_default();
            if !list.contains(&a) {
                list.push(a);
            }
        }
    }
}

fn has_ext(p: &Path, ext: &str) -> bool {
    p.extension().and_then(|e| e.to_str()) == Some(ext)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let t = e.file_type()?;
        let p = e.path();
        if t.is_dir() {
            walk(&p, out)?;
        } else if t.is_file() && ["json", "yaml", "yml", "md"].iter().any(|x| has_ext(&p, x)) {
            out.push(p);
        }
    }
    out.sort();
    Ok(())
}

/// Entry bytes held at once while a zip is read: entries are handed to
/// `batch` (parsed in parallel there) in groups of at most this many bytes,
/// never the whole archive (400 entries of 15 MiB once needed 6 GB).
const ZIP_BATCH_BYTES: u64 = 128 << 20;

/// Reads a zip's files in bounded batches. An entry is read through a
/// `take` of the record limit, so a declared size that lies (100 B declared,
/// 1 GiB inflated) is refused at the limit, not after inflating it all.
fn read_zip(path: &Path, batch: &mut dyn FnMut(Vec<(String, Vec<u8>)>)) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| format!("{}: not a readable zip: {e}", path.display());
    let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut z = zip::ZipArchive::new(std::io::BufReader::new(f)).map_err(|e| err(&e))?;
    let mut cur: Vec<(String, Vec<u8>)> = Vec::new();
    let mut held = 0u64;
    for i in 0..z.len() {
        let f = z.by_index(i).map_err(|e| err(&e))?;
        if !f.is_file() {
            continue;
        }
        let name = f.name().to_string();
        let too_big = || {
            format!(
                "{}!{name}: record larger than {MAX_RECORD} bytes",
                path.display()
            )
        };
        if f.size() > MAX_RECORD {
            return Err(too_big());
        }
        let mut b = Vec::with_capacity(f.size() as usize);
        f.take(MAX_RECORD + 1)
            .read_to_end(&mut b)
            .map_err(|e| err(&e))?;
        if b.len() as u64 > MAX_RECORD {
            return Err(too_big());
        }
        held += b.len() as u64;
        cur.push((name, b));
        if held >= ZIP_BATCH_BYTES {
            batch(std::mem::take(&mut cur));
            held = 0;
        }
    }
    if !cur.is_empty() {
        batch(cur);
    }
    Ok(())
}

fn parse_file(name: &str, bytes: &[u8], limit: u64) -> Result<Outcome, String> {
    if bytes.len() as u64 > limit {
        return Err(format!("record larger than {limit} bytes"));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())?;
    if name.ends_with(".md") {
        return rustsec(text);
    }
    let v: Value = if name.ends_with(".json") {
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?
    } else {
        let docs = bulkhead_core::yaml::parse(text, Default::default())
            .map_err(|e| format!("invalid YAML: {e}"))?;
        match docs.first() {
            Some(d) => d.root.to_json_text(),
            None => return Ok(Outcome::Skip),
        }
    };
    let feed = |recs: Vec<crate::distro::FeedRecord>| {
        Outcome::Many(
            recs.into_iter()
                .map(|r| Parsed {
                    vuln: r.vuln,
                    affected: r.affected,
                    unsupported: Vec::new(),
                })
                .collect(),
        )
    };
    if crate::distro::is_alpine_secdb(&v) {
        return crate::distro::alpine_secdb(&v).map(feed);
    }
    if crate::distro::is_debian_tracker(&v) {
        return crate::distro::debian_tracker(&v).map(feed);
    }
    if !v.is_object() || v.get("id").is_none() {
        // Index files and the like sit beside records in some trees.
        return Ok(Outcome::Skip);
    }
    osv(&v)
}

fn strings(v: &Value) -> impl Iterator<Item = String> + '_ {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
}

fn summary(v: &Value) -> String {
    let s = v["summary"]
        .as_str()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| v["details"].as_str().and_then(|d| d.lines().next()))
        .unwrap_or("");
    let s = s.trim();
    match s.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// One OSV record (schema 1.x).
fn osv(v: &Value) -> Result<Outcome, String> {
    if v.get("withdrawn").is_some_and(|w| !w.is_null()) {
        return Ok(Outcome::Withdrawn);
    }
    let id = v["id"].as_str().ok_or("OSV record without a string id")?;
    let mut aliases: Vec<String> = strings(&v["aliases"])
        .chain(strings(&v["upstream"]))
        .filter(|a| a != id)
        .collect();
    aliases.sort();
    aliases.dedup();
    let mut cvss: Vec<String> = Vec::new();
    let mut sev = |s: &Value| {
        for x in s.as_array().into_iter().flatten() {
            if let Some(score) = x["score"].as_str()
                && score.starts_with("CVSS:")
                && !cvss.iter().any(|c| c == score)
            {
                cvss.push(score.to_string());
            }
        }
    };
    sev(&v["severity"]);
    for a in v["affected"].as_array().into_iter().flatten() {
        sev(&a["severity"]);
    }
    let rating = v["database_specific"]["severity"]
        .as_str()
        .map(str::to_string);
    let url = v["references"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["type"].as_str() == Some("ADVISORY"))
        .or_else(|| v["references"].get(0))
        .and_then(|r| r["url"].as_str())
        .or(v["database_specific"]["url"].as_str())
        .unwrap_or("")
        .to_string();
    let vuln = Vuln {
        id: id.to_string(),
        aliases,
        summary: summary(v),
        cvss,
        rating,
        informational: None,
        published: v["published"].as_str().unwrap_or("").to_string(),
        url,
    };
    let mut affected = Vec::new();
    let mut unsupported = Vec::new();
    for a in v["affected"].as_array().into_iter().flatten() {
        let (Some(eco), Some(name)) = (
            a["package"]["ecosystem"].as_str(),
            a["package"]["name"].as_str(),
        ) else {
            continue;
        };
        let Some(scheme) = Scheme::of_ecosystem(eco) else {
            unsupported.push(eco.split(':').next().unwrap_or(eco).to_string());
            continue;
        };
        let mut ranges = Vec::new();
        for r in a["ranges"].as_array().into_iter().flatten() {
            let scheme = match r["type"].as_str() {
                Some("SEMVER") => Scheme::Semver,
                Some("ECOSYSTEM") => scheme,
                _ => continue, // GIT ranges name commits, not versions
            };
            let mut events = Vec::new();
            for e in r["events"].as_array().into_iter().flatten() {
                if let Some(i) = e["introduced"].as_str() {
                    events.push(Event::Introduced(i.to_string()));
                } else if let Some(f) = e["fixed"].as_str() {
                    events.push(Event::Fixed(f.to_string()));
                } else if let Some(l) = e["last_affected"].as_str() {
                    events.push(Event::LastAffected(l.to_string()));
                }
            }
            if !events.is_empty() {
                ranges.push(Range::new(scheme, events));
            }
        }
        let versions: Vec<String> = strings(&a["versions"]).collect();
        if ranges.is_empty() && versions.is_empty() {
            continue;
        }
        affected.push((
            package_key(eco, name),
            Affected {
                id: id.to_string(),
                ranges,
                versions,
                cargo: None,
            },
        ));
    }
    Ok(Outcome::Record(Box::new(Parsed {
        vuln,
        affected,
        unsupported,
    })))
}

#[derive(serde::Deserialize)]
struct RustsecFront {
    advisory: RustsecAdvisory,
    #[serde(default)]
    versions: RustsecVersions,
}

#[derive(serde::Deserialize)]
struct RustsecAdvisory {
    id: String,
    package: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    cvss: Option<String>,
    #[serde(default)]
    date: Option<toml::Value>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    informational: Option<String>,
    #[serde(default)]
    withdrawn: Option<toml::Value>,
}

#[derive(serde::Deserialize, Default)]
struct RustsecVersions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

/// One RustSec advisory: a ```` ```toml ```` front matter, then Markdown
/// whose first `# ` heading is the title.
fn rustsec(text: &str) -> Result<Outcome, String> {
    let body = text
        .trim_start()
        .strip_prefix("```toml")
        .ok_or("RustSec advisory without a ```toml front matter")?;
    let (front, rest) = body
        .split_once("\n```")
        .ok_or("RustSec front matter is not closed with ```")?;
    let f: RustsecFront =
        toml::from_str(front).map_err(|e| format!("invalid RustSec front matter: {e}"))?;
    if f.advisory.withdrawn.is_some() {
        return Ok(Outcome::Withdrawn);
    }
    for r in f.versions.patched.iter().chain(&f.versions.unaffected) {
        ::semver::VersionReq::parse(r).map_err(|e| format!("version requirement '{r}': {e}"))?;
    }
    let title = rest
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .unwrap_or("")
        .trim()
        .to_string();
    let id = f.advisory.id;
    let mut aliases = f.advisory.aliases;
    aliases.sort();
    aliases.dedup();
    let vuln = Vuln {
        id: id.clone(),
        aliases,
        summary: title,
        cvss: f.advisory.cvss.into_iter().collect(),
        rating: None,
        informational: f.advisory.informational,
        published: f
            .advisory
            .date
            .map(|d| match d {
                toml::Value::Datetime(d) => d.to_string(),
                toml::Value::String(s) => s,
                _ => String::new(),
            })
            .unwrap_or_default(),
        url: f.advisory.url.unwrap_or_default(),
    };
    let affected = vec![(
        package_key("crates.io", &f.advisory.package),
        Affected {
            id,
            ranges: Vec::new(),
            versions: Vec::new(),
            cargo: Some(CargoReqs {
                patched: f.versions.patched,
                unaffected: f.versions.unaffected,
            }),
        },
    )];
    Ok(Outcome::Record(Box::new(Parsed {
        vuln,
        affected,
        unsupported: Vec::new(),
    })))
}

#[cfg(test)]
mod tests {

    /// The hostile-input issue, item 8: an entry declaring 100 bytes that
    /// inflates to 64 MiB is refused at the record limit; many large entries
    /// are read in bounded batches, not all at once.
    #[test]
    fn zip_entries_that_lie_about_their_size_are_refused() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("all.zip");
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("GHSA-bomb.json", opts).unwrap();
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..64 {
            w.write_all(&zeros).unwrap();
        }
        let mut bytes = w.finish().unwrap().into_inner();
        // Rewrite the declared uncompressed size (local header and central
        // directory) to 100.
        let declared = (64u32 << 20).to_le_bytes();
        let mut patched = 0;
        for k in 0..bytes.len().saturating_sub(4) {
            if bytes[k..k + 4] == declared {
                bytes[k..k + 4].copy_from_slice(&100u32.to_le_bytes());
                patched += 1;
            }
        }
        assert!(patched >= 1);
        std::fs::write(&path, &bytes).unwrap();
        let t = std::time::Instant::now();
        let r = import(&[path]);
        let e = r.err().unwrap_or_default();
        assert!(!e.is_empty(), "a lying entry was imported");
        assert!(!e.contains('\n'), "{e}");
        assert!(
            t.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            t.elapsed()
        );
    }
    use super::*;

    #[test]
    fn osv_yaml_and_json_give_the_same_record() {
        let yaml = "id: PYSEC-1\naliases: [CVE-1]\nsummary: s\naffected:\n- package: {name: Req_Uests, ecosystem: PyPI}\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: '0'\n    - fixed: 2.31.0\n";
        let json = r#"{"id":"PYSEC-1","aliases":["CVE-1"],"summary":"s","affected":[{"package":{"name":"Req_Uests","ecosystem":"PyPI"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.31.0"}]}]}]}"#;
        let (Ok(Outcome::Record(a)), Ok(Outcome::Record(b))) = (
            parse_file("x.yaml", yaml.as_bytes(), MAX_RECORD),
            parse_file("x.json", json.as_bytes(), MAX_RECORD),
        ) else {
            panic!("both parse");
        };
        assert_eq!(a.vuln, b.vuln);
        assert_eq!(a.affected, b.affected);
        assert_eq!(a.affected[0].0, "PyPI\u{0}req-uests");
    }

    #[test]
    fn withdrawn_bad_and_unsupported() {
        let w = r#"{"id":"X","withdrawn":"2024-01-01T00:00:00Z","affected":[]}"#;
        assert!(matches!(
            parse_file("w.json", w.as_bytes(), MAX_RECORD),
            Ok(Outcome::Withdrawn)
        ));
        assert!(parse_file("b.json", b"{\"id\": ", MAX_RECORD).is_err());
        let m = r#"{"id":"M","affected":[{"package":{"name":"A.B","ecosystem":"NuGet"},"versions":["1"]}]}"#;
        let Ok(Outcome::Record(p)) = parse_file("m.json", m.as_bytes(), MAX_RECORD) else {
            panic!("parses");
        };
        assert!(p.affected.is_empty());
        assert_eq!(p.unsupported, vec!["NuGet".to_string()]);
    }

    #[test]
    fn rustsec_front_matter() {
        let md = "```toml\n[advisory]\nid = \"RUSTSEC-2021-0003\"\npackage = \"smallvec\"\naliases = [\"CVE-2021-25900\"]\ncvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"\ndate = 2021-01-08\n\n[versions]\npatched = [\"^0.6.14\", \">= 1.6.1\"]\nunaffected = [\"< 0.3.0\"]\n```\n\n# Buffer overflow in SmallVec::insert_many\n\nText.\n";
        let Ok(Outcome::Record(p)) = rustsec(md) else {
            panic!("parses");
        };
        assert_eq!(p.vuln.summary, "Buffer overflow in SmallVec::insert_many");
        assert_eq!(p.vuln.published, "2021-01-08");
        let a = &p.affected[0].1;
        assert!(a.affects("1.6.0", Scheme::Semver).is_some());
        assert!(a.affects("1.6.1", Scheme::Semver).is_none());
        assert!(rustsec("# no front matter").is_err());
        assert!(rustsec("```toml\n[advisory]\nid = 1\n```\n").is_err());
    }
}
