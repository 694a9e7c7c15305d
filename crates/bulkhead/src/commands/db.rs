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
    /// Build the database from advisory sources (replaces the file atomically).
    Import {
        /// OSV records (JSON or YAML: files, directories, all.zip) and RustSec advisory trees.
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
    /// Downloads resume after an interruption, skip unchanged files (ETag),
    /// and are checked (published .sha256 when present, length, zip CRCs)
    /// before they replace the local copy.
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
        DbCommand::Info { db: path, format } => {
            let path = path.resolve()?;
            let t = Instant::now();
            let d = db::Db::open(&path).map_err(|e| anyhow!("{e}"))?;
            let info = d.info().map_err(|e| anyhow!("{e}"))?;
            let opened = t.elapsed();
            if format == "json" {
                println!("{}", serde_json::to_string_pretty(&info)?);
            } else {
                println!("database  {}", path.display());
                print_info(&info);
                println!("opened in {:.2} ms", opened.as_secs_f64() * 1000.0);
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
    println!("schema    {}", info.schema);
    println!("built     {}", info.built);
    println!(
        "holds     {} vulnerabilities for {} packages",
        info.vulnerabilities, info.packages
    );
    println!("SOURCE  RECORDS  WITHDRAWN  UNSUPPORTED  ERRORS");
    for s in &info.sources {
        println!(
            "{}  {}  {}  {}  {}",
            s.source, s.records, s.withdrawn, s.unsupported, s.errors
        );
    }
    if !info.unsupported.is_empty() {
        let list: Vec<String> = info
            .unsupported
            .iter()
            .map(|(e, n)| format!("{e} ({n})"))
            .collect();
        println!("not matched yet (no version scheme): {}", list.join(", "));
    }
}
