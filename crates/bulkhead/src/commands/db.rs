//! `bulkhead db import SOURCE...` builds the vulnerability database file from
//! advisory sources (OSV JSON/YAML files, directories or `all.zip`; RustSec
//! advisory trees; the Debian Security Tracker JSON; Alpine secdb files);
//! `bulkhead db update --mirror URL` downloads `<URL>/<Ecosystem>/all.zip`
//! (resumable, checked) and imports them; `bulkhead db info` prints what a
//! database holds. Scans only read the database: nothing is downloaded
//! behind the user's back.

use anyhow::{Result, anyhow};
use bulkhead_vuln::db;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args, Debug, Clone)]
pub struct DbArgs {
    #[command(subcommand)]
    pub command: DbCommand,
}

#[derive(Subcommand, Debug, Clone)]
pub enum DbCommand {
    /// Build the database from local advisory sources: OSV, RustSec, Debian Security Tracker, Alpine secdb.
    ///
    /// The file is replaced atomically, and only when the import read every record (or
    /// --partial is given): a failed or empty import leaves the old database untouched.
    #[command(after_help = "Examples:
  bulkhead db import osv/all.zip rustsec/
  bulkhead db import debian-tracker.json alpine-v3.20-main.json alpine-v3.20-community.json
  bulkhead db import --db /srv/vuln.db osv/")]
    Import {
        /// Advisory sources: OSV records (JSON or YAML files, directories, all.zip), RustSec
        /// advisory trees, the Debian Security Tracker JSON (tracker/data/json), Alpine secdb
        /// files (vX.Y/main.json, community.json).
        #[arg(required = true)]
        sources: Vec<PathBuf>,
        /// Write the database even when some records could not be read (exit 1).
        /// Without it such an import leaves the existing database untouched (exit 2).
        #[arg(long)]
        partial: bool,
        #[command(flatten)]
        db: DbPath,
    },
    /// Download OSV archives (<MIRROR>/<Ecosystem>/all.zip) and rebuild the database from them.
    ///
    /// Debian and Alpine advisories come as OSV ecosystems of the mirror; the Debian
    /// Security Tracker JSON and Alpine secdb files can be added with --add.
    ///
    /// Downloads resume after an interruption, skip unchanged files (ETag),
    /// and are checked (published .sha256 when present, length, zip CRCs)
    /// before they replace the local copy.
    #[command(after_help = "Examples:
  bulkhead db update --mirror https://osv-mirror.corp.example
  bulkhead db update --mirror https://osv.corp.example -e Debian --add debian-tracker.json")]
    Update {
        /// Base URL of an OSV mirror (http or https).
        #[arg(long, required = true)]
        mirror: String,
        /// Ecosystems to fetch (repeatable; default: Go, PyPI, crates.io, npm, Maven, RubyGems, Debian, Alpine).
        #[arg(long = "ecosystem", short = 'e')]
        ecosystems: Vec<String>,
        /// Where the archives are kept between runs (default: beside the database, in osv/).
        #[arg(long)]
        downloads: Option<PathBuf>,
        /// More sources to import with the downloads (as `db import` takes them).
        #[arg(long = "add")]
        extra: Vec<PathBuf>,
        #[command(flatten)]
        db: DbPath,
    },
    /// Push the database to a registry as an OCI artifact (optionally signed).
    Push {
        /// Where: HOST[:PORT]/NAME:TAG or oci:DIR:TAG.
        reference: String,
        /// Sign the artifact with this private key (cosign.key) in the legacy layout.
        #[arg(long)]
        key: Option<PathBuf>,
        /// Plain HTTP to the registry (loopback test registries).
        #[arg(long, env = "BULKHEAD_INSECURE")]
        insecure: bool,
        #[command(flatten)]
        db: DbPath,
    },
    /// Pull the database from a registry: digest-checked, optionally signature-verified,
    /// checked to open, then swapped in atomically (the old one stays on any failure).
    Pull {
        /// Where: HOST[:PORT]/NAME[:TAG|@DIGEST] or oci:DIR[:TAG].
        reference: String,
        /// Require a signature that verifies with this public key (cosign.pub).
        #[arg(long)]
        key: Option<PathBuf>,
        /// Plain HTTP to the registry (loopback test registries).
        #[arg(long, env = "BULKHEAD_INSECURE")]
        insecure: bool,
        /// Largest database accepted (default 4GiB).
        #[arg(long)]
        max_size: Option<String>,
        #[command(flatten)]
        db: DbPath,
    },
    /// What the database holds: sources, record counts, build time.
    Info {
        #[command(flatten)]
        db: DbPath,
        /// table or json.
        #[arg(long, short = 'f', default_value = "table", value_parser = ["table", "json"])]
        format: String,
    },
}

#[derive(Args, Debug, Clone, Default)]
pub struct DbPath {
    /// The database file (default: $BULKHEAD_DB, else ~/.cache/bulkhead/vuln.db).
    #[arg(long = "db")]
    pub path: Option<PathBuf>,
}

impl DbPath {
    /// The explicit path, else the default one.
    pub fn resolve(&self) -> Result<PathBuf> {
        self.path
            .clone()
            .or_else(db::default_path)
            .ok_or_else(|| anyhow!("no database path: pass --db or set BULKHEAD_DB or HOME"))
    }
}

pub fn run(args: DbArgs) -> Result<i32> {
    match args.command {
        DbCommand::Import {
            sources,
            partial,
            db: path,
        } => {
            let path = path.resolve()?;
            // Refuse a device, FIFO or directory before the (long) parse.
            db::write_target(&path).map_err(|e| anyhow!("{e}"))?;
            let t = Instant::now();
            let im = bulkhead_vuln::import::import(&sources).map_err(|e| anyhow!("{e}"))?;
            let parsed = t.elapsed();
            for e in &im.errors {
                eprintln!("warning: skipped {e}");
            }
            if !im.errors.is_empty() && !partial {
                return Err(anyhow!(
                    "{}: {} record(s) could not be read; database not written{} (pass --partial to write the {} that were read)",
                    path.display(),
                    im.errors.len(),
                    db::unchanged_note(&path),
                    im.vulns.len()
                ));
            }
            let info = db::write(&path, &im).map_err(|e| anyhow!("{e}"))?;
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            print_info(&info);
            eprintln!(
                "{}: {:.1} MB written; parsed in {:.2} s, {:.2} s in all",
                path.display(),
                size as f64 / 1e6,
                parsed.as_secs_f64(),
                t.elapsed().as_secs_f64()
            );
            // Records that could not be read make the import incomplete.
            Ok(if im.errors.is_empty() { 0 } else { 1 })
        }
        DbCommand::Update {
            mirror,
            ecosystems,
            downloads,
            extra,
            db: path,
        } => update(&mirror, ecosystems, downloads, extra, &path.resolve()?),
        DbCommand::Push {
            reference,
            key,
            insecure,
            db: path,
        } => push(&reference, key.as_deref(), insecure, &path.resolve()?),
        DbCommand::Pull {
            reference,
            key,
            insecure,
            max_size,
            db: path,
        } => {
            let max = match max_size {
                Some(s) => crate::settings::parse_size(&s)?,
                None => 4 << 30,
            };
            pull(&reference, key.as_deref(), insecure, max, &path.resolve()?)
        }
        DbCommand::Info { db: path, format } => {
            let path = path.resolve()?;
            let t = Instant::now();
            let d = db::Db::open(&path).map_err(|e| anyhow!("{e}"))?;
            let info = d.info().map_err(|e| anyhow!("{e}"))?;
            let opened = t.elapsed();
            if format == "json" {
                outln!("{}", serde_json::to_string_pretty(&info)?);
            } else {
                outln!("database  {}", path.display());
                print_info(&info);
                outln!("opened in {:.2} ms", opened.as_secs_f64() * 1000.0);
            }
            Ok(0)
        }
    }
}

fn update(
    mirror: &str,
    ecosystems: Vec<String>,
    downloads: Option<PathBuf>,
    extra: Vec<PathBuf>,
    path: &std::path::Path,
) -> Result<i32> {
    use bulkhead_vuln::mirror;
    if !(mirror.starts_with("http://") || mirror.starts_with("https://")) {
        return Err(anyhow!("--mirror {mirror}: not an http:// or https:// URL"));
    }
    // Refuse a device, FIFO or directory before anything is downloaded.
    db::write_target(path).map_err(|e| anyhow!("{e}"))?;
    let named = !ecosystems.is_empty();
    let ecosystems: Vec<String> = if named {
        ecosystems
    } else {
        mirror::DEFAULT_ECOSYSTEMS
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let dir = match downloads {
        Some(d) => d,
        None => path
            .parent()
            .map(|p| p.join("osv"))
            .ok_or_else(|| anyhow!("{}: no parent directory", path.display()))?,
    };
    let t = Instant::now();
    let mut sources = Vec::new();
    let mut failed = 0;
    let mut missing = 0;
    for eco in &ecosystems {
        let bar = Progress::new(eco);
        let r = mirror::fetch(mirror, eco, &dir, &mut |done, total| bar.set(done, total));
        bar.finish();
        // An ecosystem the user named must be there; a default one may be absent.
        let r = match r {
            Ok(f) if f.outcome == mirror::Outcome::NotOnMirror && named => {
                Err(format!("{}: not found on the mirror (404)", f.url))
            }
            r => r,
        };
        let local = mirror::archive_path(&dir, eco);
        match r {
            Ok(f) => {
                let how = match f.outcome {
                    mirror::Outcome::NotOnMirror => {
                        eprintln!("{eco}: not on this mirror, skipped");
                        continue;
                    }
                    mirror::Outcome::NotModified => "unchanged (not downloaded again)".to_string(),
                    mirror::Outcome::Downloaded {
                        bytes,
                        resumed_from: 0,
                    } => format!("{:.1} MB downloaded", bytes as f64 / 1e6),
                    mirror::Outcome::Downloaded {
                        bytes,
                        resumed_from,
                    } => format!(
                        "{:.1} MB, resumed at {:.1} MB",
                        bytes as f64 / 1e6,
                        resumed_from as f64 / 1e6
                    ),
                };
                let sum = if f.sha256_checked {
                    ", SHA-256 checked"
                } else {
                    ""
                };
                eprintln!("{eco}: {how}{sum}");
                sources.push(f.path);
            }
            Err(e) => {
                failed += 1;
                if local.exists() {
                    eprintln!(
                        "error: {e}\n  using the previous download {}",
                        local.display()
                    );
                    sources.push(local);
                } else {
                    missing += 1;
                    eprintln!("error: {e}");
                }
            }
        }
    }
    // A failure with an earlier download still gives a complete database
    // (older for that ecosystem); one without would silently lose records.
    if missing > 0 {
        return Err(anyhow!(
            "{missing} ecosystem(s) could not be fetched and have no earlier download: database not rebuilt"
        ));
    }
    if sources.is_empty() {
        return Err(anyhow!(
            "{mirror}: none of the ecosystems is on this mirror"
        ));
    }
    sources.extend(extra);
    let im = bulkhead_vuln::import::import(&sources).map_err(|e| anyhow!("{e}"))?;
    for e in &im.errors {
        eprintln!("warning: skipped {e}");
    }
    let info = db::write(path, &im).map_err(|e| anyhow!("{e}"))?;
    print_info(&info);
    eprintln!(
        "{}: rebuilt in {:.2} s",
        path.display(),
        t.elapsed().as_secs_f64()
    );
    Ok(if failed == 0 && im.errors.is_empty() {
        0
    } else {
        1
    })
}

/// A byte progress bar on a terminal; nothing otherwise.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(label: &str) -> Progress {
        Progress(super::byte_bar(label))
    }

    fn set(&self, done: u64, total: Option<u64>) {
        if let Some(b) = &self.0 {
            if let Some(t) = total {
                b.set_length(t);
            }
            b.set_position(done);
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

fn print_info(info: &db::Info) {
    outln!("schema    {}", info.schema);
    outln!("built     {}", info.built);
    outln!(
        "holds     {} vulnerabilities for {} packages",
        info.vulnerabilities,
        info.packages
    );
    outln!("SOURCE  RECORDS  WITHDRAWN  UNSUPPORTED  ERRORS");
    for s in &info.sources {
        outln!(
            "{}  {}  {}  {}  {}",
            s.source,
            s.records,
            s.withdrawn,
            s.unsupported,
            s.errors
        );
    }
    if !info.unsupported.is_empty() {
        let list: Vec<String> = info
            .unsupported
            .iter()
            .map(|(e, n)| format!("{e} ({n})"))
            .collect();
        outln!("not matched yet (no version scheme): {}", list.join(", "));
    }
}

fn push(
    reference: &str,
    key: Option<&std::path::Path>,
    insecure: bool,
    path: &std::path::Path,
) -> Result<i32> {
    use bulkhead_sign::{artifact, sign};
    // Only a database that opens is pushed.
    let info = db::Db::open(path)
        .and_then(|d| d.info())
        .map_err(|e| anyhow!("{e}"))?;
    let key = key.map(super::sign::private_key).transpose()?;
    let bytes = std::fs::read(path).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let (store, tag) =
        bulkhead_sign::store::open(reference, insecure).map_err(|e| anyhow!("{e}"))?;
    if tag.starts_with("sha256:") {
        return Err(anyhow!("{reference}: push needs a tag, not a digest"));
    }
    let t = Instant::now();
    let digest = artifact::push(
        store.as_ref(),
        &tag,
        &bytes,
        artifact::DB_ARTIFACT_TYPE,
        artifact::DB_LAYER_TYPE,
        "vuln.db",
    )
    .map_err(|e| anyhow!("{e}"))?;
    outln!(
        "pushed {} ({:.1} MB, {} vulnerabilities) to {}:{tag}@{digest}",
        path.display(),
        bytes.len() as f64 / 1e6,
        info.vulnerabilities,
        store.describe()
    );
    if let Some(k) = key {
        let opts = sign::SignOptions {
            layout: sign::Layout::Legacy,
            annotations: Vec::new(),
            recursive: false,
        };
        let s = sign::sign(
            store.as_ref(),
            &digest,
            &k,
            &sign::Attachment::Signature,
            &opts,
        )
        .map_err(|e| anyhow!("{e}"))?;
        for x in s {
            outln!("signed {} -> {}", x.digest, x.at);
        }
    }
    eprintln!(
        "in {:.2} s, {} request(s)",
        t.elapsed().as_secs_f64(),
        store.requests()
    );
    Ok(0)
}

fn pull(
    reference: &str,
    key: Option<&std::path::Path>,
    insecure: bool,
    max: u64,
    path: &std::path::Path,
) -> Result<i32> {
    use bulkhead_sign::{artifact, verify};
    let target = db::write_target(path).map_err(|e| anyhow!("{e}"))?;
    let key = key.map(super::sign::public_key).transpose()?;
    let (store, r) = bulkhead_sign::store::open(reference, insecure).map_err(|e| anyhow!("{e}"))?;
    let t = Instant::now();
    let (manifest, layer, size) =
        artifact::locate(store.as_ref(), &r, artifact::DB_ARTIFACT_TYPE, max)
            .map_err(|e| anyhow!("{e}"))?;
    if let Some(k) = &key {
        let opts = verify::VerifyOptions {
            annotations: Vec::new(),
            recursive: false,
            all: false,
            predicate_type: None,
        };
        let v = verify::verify(store.as_ref(), &manifest, reference, k, &opts)
            .map_err(|e| anyhow!("{e}"))?;
        if !v.iter().all(|x| x.verified()) {
            let reasons: Vec<String> = v
                .iter()
                .flat_map(|x| x.candidates.iter())
                .map(|c| format!("{} {}: {:?}", c.layout, c.source, c.outcome))
                .collect();
            return Err(anyhow!(
                "{reference}@{manifest}: no signature verifies with the key ({}); database not replaced",
                if reasons.is_empty() {
                    "unsigned".to_string()
                } else {
                    reasons.join("; ")
                }
            ));
        }
    }
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| anyhow!("{}: {e}", dir.display()))?;
    let tmp = dir.join(format!(
        ".{}.pull-{}",
        target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    artifact::download(store.as_ref(), &layer, size, &tmp)
        .map_err(|e| anyhow!("{e}; database not replaced"))?;
    let info = match db::Db::open(&tmp).and_then(|d| d.info()) {
        Ok(i) => i,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(anyhow!(
                "{reference}: the pulled file is not a bulkhead database ({e}); database not replaced"
            ));
        }
    };
    std::fs::rename(&tmp, &target).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        anyhow!("{}: {e}", target.display())
    })?;
    print_info(&info);
    eprintln!(
        "{}: {:.1} MB pulled from {}@{manifest}{} in {:.2} s",
        target.display(),
        size as f64 / 1e6,
        store.describe(),
        if key.is_some() {
            ", signature verified"
        } else {
            ""
        },
        t.elapsed().as_secs_f64()
    );
    Ok(0)
}
