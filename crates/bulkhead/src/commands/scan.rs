//! `bulkhead scan PATH…`: every layer over a repository or a cluster dump,
//! joined (bulkhead-scan), into one report: the usual formats, plus
//! `policyreport` (wgpolicyk8s.io/v1alpha2 PolicyReports) and `html` (one
//! self-contained page).

use crate::cli::ReportArgs;
use crate::commands::catalogue;
use crate::commands::image::{PullArgs, VulnArgs, match_vulns};
use crate::settings::Settings;
use anyhow::Result;
use bulkhead_core::{Catalogue, Report};
use bulkhead_kube::analyze::Options as PssOptions;
use bulkhead_kube::pss::{Level, Version};
use clap::Args;
use std::sync::Mutex;

#[derive(Args, Debug, Clone)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ScanArgs {
    #[command(subcommand)]
    pub command: Option<ScanCommand>,
    /// Repositories, directories or files: Dockerfiles, Kubernetes manifests (and
    /// kustomize directories), Compose files, OCI configs, scripts with docker run lines.
    #[arg(required_unless_present = "images_from")]
    pub paths: Vec<String>,
    /// Also scan the images listed in FILE (one reference per line, # comments); with
    /// --shards, only this shard's part of the list.
    #[arg(long, value_name = "FILE")]
    pub images_from: Option<String>,
    /// Split the --images-from list into this many shards (the Job's completions).
    #[arg(long, env = "BULKHEAD_SHARDS", default_value_t = 1)]
    pub shards: u32,
    /// Which shard this process scans: 0 .. shards-1 (an Indexed Job sets
    /// JOB_COMPLETION_INDEX in each pod).
    #[arg(long, env = "JOB_COMPLETION_INDEX")]
    pub shard_index: Option<u32>,
    /// Scan every image the manifests reference (through --image-map where mapped, else
    /// by reference from its registry), once each, in parallel.
    #[arg(long)]
    pub images: bool,
    /// Manifest image → where to read it: REF=oci:DIR:TAG, REF=path/to/Dockerfile, ...
    /// or a YAML file mapping references to those (repeatable).
    #[arg(long = "image-map", value_name = "FILE|REF=SOURCE")]
    pub image_map: Vec<String>,
    /// PSS level for the workloads: privileged, baseline or restricted (default restricted).
    #[arg(long, env = "BULKHEAD_PSS")]
    pub pss: Option<String>,
    #[command(flatten)]
    pub pull: PullArgs,
    #[command(flatten)]
    pub vulns: VulnArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(clap::Subcommand, Debug, Clone)]
pub enum ScanCommand {
    /// Print the Kubernetes objects that scan a fleet's images on the cluster itself: a
    /// CronJob running an Indexed Job of N pods, each scanning its shard of an image list.
    Manifests(ManifestsArgs),
    /// Join the JSON reports of a sharded scan (`/reports/*.json`) into one report.
    Merge(MergeArgs),
}

#[derive(Args, Debug, Clone)]
pub struct ManifestsArgs {
    /// The bulkhead image the pods run, pinned by digest (NAME@sha256:...).
    #[arg(long)]
    pub image: String,
    /// The images to scan, one per line (written into the ConfigMap).
    #[arg(long, value_name = "FILE")]
    pub images_from: Option<String>,
    /// Pods per run.
    #[arg(long, default_value_t = 4)]
    pub shards: u32,
    /// The Namespace written for the CronJob, its ServiceAccount, ConfigMap and reports volume.
    #[arg(long, default_value = "bulkhead")]
    pub namespace: String,
    /// Cron schedule of the CronJob.
    #[arg(long, default_value = "0 3 * * *")]
    pub schedule: String,
    /// Size of the shared reports volume.
    #[arg(long, default_value = "1Gi")]
    pub storage: String,
    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct MergeArgs {
    /// The parts: JSON reports written by `scan -f json` (files or directories of *.json).
    #[arg(required = true)]
    pub parts: Vec<String>,
    #[command(flatten)]
    pub report: ReportArgs,
}

fn read_list(path: &str) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("{path}: {}", bulkhead_core::source::io_reason(&e)))
}

fn manifests(a: ManifestsArgs) -> Result<i32> {
    if a.shards == 0 || a.shards > 10_000 {
        anyhow::bail!("--shards {}: between 1 and 10000", a.shards);
    }
    if !a.image.contains("@sha256:") {
        anyhow::bail!(
            "--image {}: pin the bulkhead image by digest (NAME@sha256:...): a tag can change under a running CronJob",
            a.image
        );
    }
    let images = match &a.images_from {
        Some(p) => bulkhead_scan::manifests::shard(&read_list(p)?, 0, 1),
        None => Vec::new(),
    };
    let text = bulkhead_scan::manifests::render(&bulkhead_scan::manifests::Spec {
        namespace: a.namespace,
        image: a.image,
        shards: a.shards,
        schedule: a.schedule,
        images,
        storage: a.storage,
    });
    super::manifests::emit(&a.output, &text)?;
    Ok(0)
}

/// The formats only `scan` and `scan merge` write, beside the shared ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OwnFormat {
    PolicyReport,
    Html,
}

/// The shared settings, with `--format policyreport|html` taken out first
/// (the shared resolver knows only table, json, sarif and junit).
fn resolve(args: &ReportArgs, catalogue: &Catalogue) -> Result<(Option<OwnFormat>, Settings)> {
    let own = match args
        .format
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("policyreport") => Some(OwnFormat::PolicyReport),
        Some("html") => Some(OwnFormat::Html),
        _ => None,
    };
    let mut shared = args.clone();
    if own.is_some() {
        shared.format = Some("json".into());
    }
    Ok((own, Settings::resolve(&shared, catalogue, &[])?))
}

fn merge(a: MergeArgs) -> Result<i32> {
    let catalogue = catalogue();
    let (own, settings) = resolve(&a.report, &catalogue)?;
    let (inputs, mut errors) =
        bulkhead_core::source::collect(&a.parts, &|p| p.extension().is_some_and(|e| e == "json"));
    if inputs.is_empty() && errors.is_empty() {
        anyhow::bail!("no parts (*.json) in {}", a.parts.join(", "));
    }
    let mut parts = Vec::new();
    for i in &inputs {
        match bulkhead_core::source::read_text(i, settings.max_bytes) {
            Ok(t) => parts.push((i.display(), t)),
            Err(e) => errors.push(e),
        }
    }
    let mut report = bulkhead_scan::merge::merge(&parts);
    report.errors.extend(errors);
    settings.apply_suppressions(&catalogue, &mut report);
    settings.finish(&mut report, Some("note(s) from the parts"));
    bulkhead_scan::run::add_breakdown(&mut report);
    let text = match own {
        Some(OwnFormat::PolicyReport) => bulkhead_scan::policyreport::render(&report, &catalogue),
        Some(OwnFormat::Html) => {
            bulkhead_scan::html::render(&report, &catalogue, &[], &Default::default())
        }
        None => report.render(settings.format, &catalogue, settings.render),
    };
    settings.emit(&text)?;
    Ok(report.exit_code(settings.fail_on))
}

pub fn run(args: ScanArgs) -> Result<i32> {
    match args.command {
        Some(ScanCommand::Manifests(a)) => return manifests(a),
        Some(ScanCommand::Merge(a)) => return merge(a),
        None => {}
    }
    if args.shards == 0 {
        anyhow::bail!("--shards 0: at least one shard");
    }
    let index = args.shard_index.unwrap_or(0);
    if index >= args.shards {
        anyhow::bail!(
            "shard index {index} (--shard-index or JOB_COMPLETION_INDEX) is not below --shards {}",
            args.shards
        );
    }
    let extra_images = match &args.images_from {
        Some(p) => bulkhead_scan::manifests::shard(&read_list(p)?, index, args.shards),
        None => Vec::new(),
    };
    let catalogue = catalogue();
    let (own, settings) = resolve(&args.report, &catalogue)?;
    let html = own == Some(OwnFormat::Html);
    let level: Level = args
        .pss
        .clone()
        .or_else(|| settings.config.kubernetes.pss.clone())
        .unwrap_or_else(|| "restricted".into())
        .parse()
        .map_err(anyhow::Error::msg)?;
    let version: Version = settings
        .config
        .kubernetes
        .pss_version
        .clone()
        .unwrap_or_else(|| "latest".into())
        .parse()
        .map_err(anyhow::Error::msg)?;
    let map = bulkhead_scan::imagemap::read(&args.image_map).map_err(anyhow::Error::msg)?;
    let vuln_notes: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let selection = settings.selection.clone();
    let vulns_args = args.vulns.clone();
    let matcher = |inv: &bulkhead_core::Inventory| -> Result<Vec<bulkhead_core::Finding>, String> {
        let mut r = Report::default();
        match_vulns(&vulns_args, inv, &selection, &mut r).map_err(|e| e.to_string())?;
        if let Ok(mut n) = vuln_notes.lock() {
            for note in r.notes {
                if !n.contains(&note) {
                    n.push(note);
                }
            }
        }
        Ok(r.findings)
    };
    let enabled = |r: &bulkhead_core::RuleMeta| settings.selection.enabled(r);
    // What the join reads as facts: every default rule the user did not ignore.
    let facts = |r: &bulkhead_core::RuleMeta| {
        settings.selection.enabled(r) || (r.default_enabled && !settings.selection.ignores(r))
    };
    // Layer bytes of every image read, on a terminal only.
    let bar = (args.images || !args.image_map.is_empty())
        .then(|| super::byte_bar("images"))
        .flatten();
    let opts = bulkhead_scan::run::Options {
        pss: PssOptions { level, version },
        max_bytes: settings.max_bytes,
        image_map: map,
        scan_images: args.images,
        extra_images,
        graphs: html,
        open: bulkhead_image::source::OpenOptions {
            insecure: args.pull.insecure,
            platform: args.pull.platform.clone(),
            skip_secrets: false,
            progress: bar.clone().map(|b| {
                bulkhead_image::source::ProgressHandle(std::sync::Arc::new(super::image::LayerBar(
                    b,
                )))
            }),
            max_layer_bytes: args.pull.max_layer_size,
        },
        vulns: if args.vulns.skip_vulns {
            None
        } else {
            Some(&matcher)
        },
        enabled: &enabled,
        facts: &facts,
        catalogue: &catalogue,
    };
    let timings = std::env::var_os("BULKHEAD_TIMINGS").is_some();
    let t0 = std::time::Instant::now();
    let out = bulkhead_scan::run::scan(&args.paths, &opts);
    if timings {
        eprintln!("timing: scan {:?}", t0.elapsed());
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let mut report = out.report;
    drop(opts);
    if let Ok(n) = vuln_notes.lock() {
        report.notes.extend(n.iter().cloned());
    }
    report
        .settings
        .insert("pss_level".into(), level.to_string());
    report.settings.insert(
        "workloads".into(),
        format!(
            "{} workload(s), {} image reference(s)",
            out.workloads,
            out.images.len()
        ),
    );
    settings.apply_suppressions(&catalogue, &mut report);
    settings.finish(&mut report, Some("note(s) about the inputs"));
    bulkhead_scan::run::add_breakdown(&mut report);
    let text = match own {
        Some(OwnFormat::PolicyReport) => bulkhead_scan::policyreport::render(&report, &catalogue),
        Some(OwnFormat::Html) => {
            bulkhead_scan::html::render(&report, &catalogue, &out.images, &out.graphs)
        }
        None => report.render(settings.format, &catalogue, settings.render),
    };
    if timings {
        eprintln!(
            "timing: report rendered {:?} ({} findings, {} bytes)",
            t0.elapsed(),
            report.findings.len(),
            text.len()
        );
    }
    settings.emit(&text)?;
    if timings {
        eprintln!("timing: written {:?}", t0.elapsed());
    }
    let code = report.exit_code(settings.fail_on);
    // The process ends here: skip freeing every finding one by one.
    std::mem::forget(report);
    std::mem::forget(text);
    Ok(code)
}
