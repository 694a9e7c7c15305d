//! `bulkhead image REF` (findings: secrets in every layer, config and
//! contents rules) and `bulkhead sbom REF` (the package inventory as
//! CycloneDX 1.6, SPDX 2.3, JSON or a table). REF: `oci:DIR[:tag|@digest]`,
//! `oci-archive:FILE[:tag]`, `docker-archive:FILE[:repo:tag]`, or a path.

use super::manifests::emit;
use crate::cli::ReportArgs;
use crate::commands::catalogue;
use crate::settings::Settings;
use anyhow::{Result, anyhow, bail};
use bulkhead_core::{Catalogue, Format, Report, Target};
use bulkhead_image::{Scan, sbom};
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

/// How to reach a registry.
#[derive(Args, Debug, Clone, Default)]
pub struct PullArgs {
    /// Plain HTTP to the registry (for loopback test registries).
    #[arg(long, env = "BULKHEAD_INSECURE")]
    pub insecure: bool,
    /// os/arch[/variant] to pick from a multi-platform index, e.g. linux/arm64
    /// (default: the host's).
    #[arg(long, value_parser = bulkhead_image::platform::parse)]
    pub platform: Option<String>,
    /// Refuse a layer that expands to more than this (B, KB, KiB, MB, MiB, GB, GiB,
    /// TB, TiB; default 64GiB): a decompression bomb stops with an error instead of
    /// running for hours.
    #[arg(long, value_parser = layer_size)]
    pub max_layer_size: Option<u64>,
}

/// A size as `--max-file-size` takes it; zero would refuse every layer.
fn layer_size(s: &str) -> Result<u64, String> {
    match crate::settings::parse_size(s) {
        Ok(0) => Err(format!("'{s}': not a usable size")),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// Where vulnerabilities come from.
#[derive(Args, Debug, Clone, Default)]
pub struct VulnArgs {
    /// Vulnerability database (default: $BULKHEAD_DB, else ~/.cache/bulkhead/vuln.db when
    /// it exists; build it with `bulkhead db import` or `bulkhead db update`).
    #[arg(long = "db")]
    pub db: Option<PathBuf>,
    /// Advisory sources imported in memory for this run instead of a database (as
    /// `db import` takes them: OSV files, directories, all.zip; RustSec trees; the Debian
    /// Security Tracker JSON; Alpine secdb files). Repeatable.
    #[arg(
        long = "advisories",
        env = "BULKHEAD_ADVISORIES",
        value_delimiter = ','
    )]
    pub advisories: Vec<PathBuf>,
    /// Leave out vulnerabilities that have no fixed version yet.
    #[arg(long)]
    pub ignore_unfixed: bool,
    /// OpenVEX documents: `not_affected` / `fixed` statements mark matching
    /// vulnerabilities suppressed (shown in JSON/SARIF with the reason). Repeatable.
    #[arg(long = "vex", value_delimiter = ',')]
    pub vex: Vec<PathBuf>,
    /// No vulnerability matching, even when a database is present.
    #[arg(long, conflicts_with_all = ["db", "advisories"])]
    pub skip_vulns: bool,
}

/// Matches the inventory against the advisories the user chose; notes what was used.
/// Only the vulnerability rules the selection enables are run and reported.
/// Returns whether advisories were consulted (false: skipped, or no database).
pub(crate) fn match_vulns(
    args: &VulnArgs,
    inv: &bulkhead_core::Inventory,
    selection: &bulkhead_core::Selection,
    report: &mut Report,
) -> Result<bool> {
    let rules = bulkhead_vuln::rules();
    if args.skip_vulns || !rules.iter().any(|r| selection.enabled(r)) {
        return Ok(false);
    }
    let t = Instant::now();
    let opts = bulkhead_vuln::MatchOptions {
        ignore_unfixed: args.ignore_unfixed,
    };
    let found = if !args.advisories.is_empty() {
        let im = bulkhead_vuln::import::import(&args.advisories)
            .map_err(|e| anyhow!("--advisories: {e}"))?;
        for e in &im.errors {
            report.notes.push(format!("advisory skipped: {e}"));
        }
        report.notes.push(format!(
            "{} advisories imported for this run",
            im.vulns.len()
        ));
        bulkhead_vuln::match_inventory(&im, inv, opts)
    } else {
        let path = match &args.db {
            Some(p) => p.clone(),
            None => match bulkhead_vuln::db::default_path().filter(|p| p.is_file()) {
                Some(p) => p,
                None => {
                    report.notes.push(
                        "no vulnerability database: vulnerabilities not checked (`bulkhead db import SOURCE...` builds one)"
                            .into(),
                    );
                    return Ok(false);
                }
            },
        };
        let db = bulkhead_vuln::db::Db::open(&path).map_err(|e| anyhow!("{e}"))?;
        let info = db.info().map_err(|e| anyhow!("{e}"))?;
        report.notes.push(format!(
            "vulnerability database {} ({} vulnerabilities, built {})",
            path.display(),
            info.vulnerabilities,
            info.built
        ));
        bulkhead_vuln::match_inventory(&db, inv, opts)
    }
    .map_err(|e| anyhow!("{e}"))?;
    if std::env::var_os("BULKHEAD_TIMINGS").is_some() {
        eprintln!(
            "timing: vulnerabilities {:?} ({} found)",
            t.elapsed(),
            found.len()
        );
    }
    let mut found = found;
    found.retain(|f| {
        rules
            .iter()
            .find(|r| r.id == f.rule_id)
            .is_none_or(|r| selection.enabled(r))
    });
    if !args.vex.is_empty() {
        let statements = bulkhead_vuln::vex::load(&args.vex).map_err(|e| anyhow!("--vex: {e}"))?;
        let n = bulkhead_vuln::vex::apply(&statements, &mut found);
        report.notes.push(format!(
            "VEX: {} statement(s) read, {n} finding(s) marked not affected or fixed",
            statements.len()
        ));
    }
    report.findings.extend(found);
    Ok(true)
}

#[derive(Args, Debug, Clone)]
pub struct ImageArgs {
    /// The image: a registry reference as `docker pull` names it (nginx:latest, team/app:1.2,
    /// HOST[:PORT]/NAME[:TAG|@DIGEST]; no host means Docker Hub), oci:DIR[:TAG|@DIGEST],
    /// oci-archive:FILE[:TAG], docker-archive:FILE[:REPO:TAG], or a path to a layout or tar.
    pub reference: String,
    #[command(flatten)]
    pub pull: PullArgs,
    #[command(flatten)]
    pub vulns: VulnArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Args, Debug, Clone)]
pub struct FsArgs {
    /// A directory: an unpacked root filesystem or a project tree.
    pub dir: String,
    #[command(flatten)]
    pub vulns: VulnArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Args, Debug, Clone)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SbomArgs {
    #[command(subcommand)]
    pub command: Option<SbomCommand>,
    /// The image: a registry reference as `docker pull` names it (nginx:latest, team/app:1.2,
    /// HOST[:PORT]/NAME[:TAG|@DIGEST]; no host means Docker Hub), oci:DIR[:TAG|@DIGEST],
    /// oci-archive:FILE[:TAG], docker-archive:FILE[:REPO:TAG], or a path to a layout or tar.
    #[arg(required = true)]
    pub reference: Option<String>,
    #[command(flatten)]
    pub pull: PullArgs,
    /// cyclonedx (1.6 JSON, default), spdx (2.3 JSON), json (bulkhead's inventory) or table.
    #[arg(long, short = 'f', default_value = "cyclonedx", value_parser = ["cyclonedx", "spdx", "json", "table"])]
    pub format: String,
    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// CycloneDX output lists the vulnerabilities of the components when a
    /// database is present (SPDX 2.3 has no place for them).
    #[command(flatten)]
    pub vulns: VulnArgs,
}

#[derive(clap::Subcommand, Debug, Clone)]
pub enum SbomCommand {
    /// Match an existing CycloneDX or SPDX JSON SBOM (ours or another tool's) against
    /// the vulnerability database.
    Scan(Box<SbomScanArgs>),
}

#[derive(Args, Debug, Clone)]
pub struct SbomScanArgs {
    /// The SBOM file (CycloneDX 1.4-1.6 JSON or SPDX 2.x JSON), or - for stdin.
    pub file: String,
    #[command(flatten)]
    pub vulns: VulnArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// The rules of `image` and `fs`: contents and config, and the vulnerabilities.
pub(crate) fn image_rules() -> Vec<&'static bulkhead_core::RuleMeta> {
    let mut r = bulkhead_image::rules();
    r.extend(bulkhead_vuln::rules());
    r
}

/// `bulkhead sbom scan FILE`.
fn run_sbom_scan(args: SbomScanArgs) -> Result<i32> {
    let catalogue = catalogue();
    let settings = Settings::resolve(&args.report, &catalogue, &bulkhead_vuln::rules())?;
    // Matching is all `sbom scan` does: without advisories it would report a
    // clean SBOM it never checked. Trivy (`--skip-db-update` on a first run) and
    // Grype (no database, updates off) fail here too rather than pass.
    if !args.vulns.skip_vulns
        && args.vulns.advisories.is_empty()
        && args.vulns.db.is_none()
        && bulkhead_vuln::db::default_path().is_none_or(|p| !p.is_file())
    {
        bail!(
            "no vulnerability database: `sbom scan` only matches vulnerabilities, so it has nothing to check {} against; \
             build one with `bulkhead db update` or `bulkhead db import SOURCE...`, or pass --db FILE or --advisories SOURCE",
            args.file
        );
    }
    let bytes = if args.file == "-" {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut b)?;
        b
    } else {
        std::fs::read(&args.file).map_err(|e| anyhow!("{}: {e}", args.file))?
    };
    let read = bulkhead_image::sbom_read::read(&bytes, &args.file).map_err(|e| anyhow!("{e}"))?;
    let mut report = Report::new("sbom scan");
    report.targets.push(Target {
        file: args.file.clone(),
        name: args.file.clone(),
        line: None,
    });
    match_vulns(
        &args.vulns,
        &read.inventory,
        &settings.selection,
        &mut report,
    )?;
    report.notes.push(format!(
        "{} SBOM: {} package(s){}{}",
        read.format,
        read.inventory.packages.len(),
        read.inventory
            .os
            .as_ref()
            .map(|o| format!(", {} {}", o.id, o.version_id))
            .unwrap_or_default(),
        if read.skipped > 0 {
            format!(
                "; {} component(s) without a known purl skipped",
                read.skipped
            )
        } else {
            String::new()
        }
    ));
    report_tail(&settings, &catalogue, report)
}

/// Layer bytes read, reported to a terminal bar.
pub(crate) struct LayerBar(pub(crate) indicatif::ProgressBar);

impl bulkhead_image::source::Progress for LayerBar {
    fn add_total(&self, bytes: u64) {
        self.0.inc_length(bytes);
    }
    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }
}

/// Reads an image or a directory; `sbom_only` leaves out the secret scan.
fn scan(reference: &str, pull: &PullArgs, sbom_only: bool) -> Result<Scan> {
    let t = Instant::now();
    let bar = super::byte_bar("layers");
    let opts = bulkhead_image::source::OpenOptions {
        insecure: pull.insecure,
        platform: pull.platform.clone(),
        skip_secrets: sbom_only,
        progress: bar
            .clone()
            .map(|b| bulkhead_image::source::ProgressHandle(std::sync::Arc::new(LayerBar(b)))),
        max_layer_bytes: pull.max_layer_size,
    };
    let p = std::path::Path::new(reference);
    let s = if p.is_dir() && !p.join("index.json").exists() {
        bulkhead_image::scan_dir(p)
    } else {
        bulkhead_image::scan_image_with(reference, &opts)
    }
    .map_err(|e| anyhow!("{e}"));
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let s = s?;
    for l in &s.layers {
        for u in &l.uncatalogued {
            eprintln!(
                "warning: layer {}: {u}: not catalogued, its packages are missing",
                l.index + 1
            );
        }
    }
    if std::env::var_os("BULKHEAD_TIMINGS").is_some() {
        let bytes: u64 = s.layers.iter().map(|l| l.uncompressed_bytes).sum();
        eprintln!(
            "timing: scan {:?} ({} layers, {bytes} uncompressed bytes, {} packages)",
            t.elapsed(),
            s.layers.len(),
            s.inventory.packages.len()
        );
    }
    Ok(s)
}

/// `bulkhead fs DIR`: the image analyzers on a directory.
pub fn run_fs(args: FsArgs) -> Result<i32> {
    match std::fs::metadata(&args.dir) {
        Err(e) => {
            return Err(anyhow!(
                "{}: {}",
                args.dir,
                bulkhead_core::source::io_reason(&e)
            ));
        }
        Ok(m) if !m.is_dir() => return Err(anyhow!("{}: not a directory", args.dir)),
        Ok(_) => {}
    }
    run_image(ImageArgs {
        reference: args.dir,
        pull: PullArgs::default(),
        vulns: args.vulns,
        report: args.report,
    })
}

pub fn run_image(args: ImageArgs) -> Result<i32> {
    let catalogue = catalogue();
    let settings = Settings::resolve(&args.report, &catalogue, &image_rules())?;
    let s = scan(&args.reference, &args.pull, false)?;
    let mut report = Report::new("image");
    report.targets.push(Target {
        file: s.reference.clone(),
        name: s
            .manifest_digest
            .clone()
            .unwrap_or_else(|| s.reference.clone()),
        line: None,
    });
    report.findings = s.findings(&|r| settings.selection.enabled(r));
    // A directory read without permission is an input error, not a clean scan.
    for l in &s.layers {
        for u in &l.unreadable {
            let (path, why) = u.split_once(": ").unwrap_or((u.as_str(), "not read"));
            report
                .errors
                .push(bulkhead_core::InputError::new(path, None, why));
        }
    }
    match_vulns(&args.vulns, &s.inventory, &settings.selection, &mut report)?;
    let (binary, large): (u64, u64) = s.layers.iter().fold((0, 0), |(b, l), x| {
        (b + x.skipped_binary, l + x.skipped_large)
    });
    report.notes.push(format!(
        "{} layer(s), {} package(s){}; secret scan skipped {binary} binary and {large} large file(s)",
        s.layers.len(),
        s.inventory.packages.len(),
        s.inventory
            .os
            .as_ref()
            .map(|o| format!(", {} {}", o.id, o.version_id))
            .unwrap_or_default()
    ));
    report_tail(&settings, &catalogue, report)
}

/// Suppressions, order and filters, then the report; the notes are the scan
/// summary, shown unless --quiet. Returns the exit code.
fn report_tail(settings: &Settings, catalogue: &Catalogue, mut report: Report) -> Result<i32> {
    settings.apply_suppressions(catalogue, &mut report);
    settings.finish(&mut report, None);
    if settings.quiet && settings.format == Format::Table {
        report.notes.clear();
    }
    let text = report.render(settings.format, catalogue, settings.render);
    settings.emit(&text)?;
    Ok(report.exit_code(settings.fail_on))
}

pub fn run_sbom(args: SbomArgs) -> Result<i32> {
    if let Some(SbomCommand::Scan(a)) = args.command {
        return run_sbom_scan(*a);
    }
    let reference = args
        .reference
        .ok_or_else(|| anyhow!("sbom: an image reference or directory is required"))?;
    let s = scan(&reference, &args.pull, true)?;
    let inv = &s.inventory;
    let text = match args.format.as_str() {
        "spdx" => format!(
            "{}\n",
            serde_json::to_string_pretty(&sbom::spdx(&s.reference, inv))?
        ),
        "json" => format!("{}\n", serde_json::to_string_pretty(inv)?),
        "table" => {
            let mut t = String::from("ECOSYSTEM  NAME  VERSION  SOURCE  LAYER  PATH\n");
            for p in &inv.packages {
                t.push_str(&format!(
                    "{}  {}  {}  {}  {}  {}\n",
                    p.ecosystem,
                    p.name,
                    p.version,
                    p.source_name.as_deref().unwrap_or("-"),
                    p.layer.as_deref().map_or("-", |l| &l[..l.len().min(19)]),
                    p.path
                ));
            }
            t
        }
        _ => {
            let mut bom = sbom::cyclonedx(&s.reference, s.manifest_digest.as_deref(), inv);
            let mut found = Report::default();
            let checked = match_vulns(
                &args.vulns,
                inv,
                &bulkhead_core::Selection::default(),
                &mut found,
            )?;
            for n in &found.notes {
                eprintln!("note: {n}");
            }
            if checked {
                sbom::cyclonedx_add_vulnerabilities(&mut bom, inv, &found.findings);
            }
            format!("{}\n", serde_json::to_string_pretty(&bom)?)
        }
    };
    emit(&args.output, &text)?;
    Ok(0)
}
