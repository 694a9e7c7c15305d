//! `bulkhead scan PATH…`: every layer over a repository or a cluster dump,
//! joined (bulkhead-scan), into one report: the usual formats, plus
//! `policyreport` (wgpolicyk8s.io/v1alpha2 PolicyReports) and `html` (one
//! self-contained page).

use crate::cli::ReportArgs;
use crate::commands::catalogue;
use crate::commands::image::{PullArgs, VulnArgs, match_vulns};
use crate::settings::Settings;
use anyhow::Result;
use bulkhead_core::Report;
use bulkhead_kube::analyze::Options as PssOptions;
use bulkhead_kube::pss::{Level, Version};
use clap::Args;
use std::sync::Mutex;

#[derive(Args, Debug, Clone)]
pub struct ScanArgs {
    /// Repositories, directories or files: Dockerfiles, Kubernetes manifests (and
    /// kustomize directories), Compose files, OCI configs, scripts with docker run lines.
    #[arg(required = true)]
    pub paths: Vec<String>,
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

pub fn run(args: ScanArgs) -> Result<i32> {
    let catalogue = catalogue();
    // `policyreport` is this command's own format; the rest are the shared ones.
    let wanted = args
        .report
        .format
        .clone()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let policyreport = wanted == "policyreport";
    let html = wanted == "html";
    let mut report_args = args.report.clone();
    if policyreport || html {
        report_args.format = Some("json".into());
    }
    let settings = Settings::resolve(&report_args, &catalogue, &[])?;
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
        settings.selection.enabled(r)
            || (r.default_enabled
                && !settings
                    .selection
                    .ignore
                    .iter()
                    .any(|s| bulkhead_core::select::matches(s, r)))
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
    let out = bulkhead_scan::run::scan(&args.paths, &opts);
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
    let text = if policyreport {
        bulkhead_scan::policyreport::render(&report, &catalogue)
    } else if html {
        bulkhead_scan::html::render(&report, &catalogue, &out.images, &out.graphs)
    } else {
        report.render(settings.format, &catalogue, settings.render)
    };
    settings.emit(&text)?;
    Ok(report.exit_code(settings.fail_on))
}
