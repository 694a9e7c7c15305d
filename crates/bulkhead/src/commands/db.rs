//! `bulkhead db import SOURCE...` builds the vulnerability database file from
//! advisory sources (OSV JSON/YAML files, directories or `all.zip`; RustSec
//! advisory trees); `bulkhead db info` prints what a database holds. Scans
//! only read the database: nothing is downloaded behind the user's back.

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
        DbCommand::Import { sources, db: path } => {
            let path = path.resolve()?;
            let t = Instant::now();
            let im = bulkhead_vuln::import::import(&sources).map_err(|e| anyhow!("{e}"))?;
            let parsed = t.elapsed();
            for e in &im.errors {
                eprintln!("warning: skipped {e}");
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
