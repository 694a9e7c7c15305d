//! One function per command; each wires a source, analyzers and a reporter.

pub mod admission;
pub mod audit;
pub mod db;
mod dockerfile;
mod gatekeeper;
pub mod image;
pub mod init;
mod k8s;
mod manifests;
pub mod manual;
pub mod netpol;
pub mod rbac;
pub mod runtime;
pub mod scan;
pub mod sign;

use crate::cli::{Cli, Command, RulesArgs};
use anyhow::{Result, bail};
use bulkhead_core::{Catalogue, RuleMeta, Selection};
use serde_json::json;
use std::fmt::Write as _;

/// A byte progress bar labelled `prefix`, on a terminal only (never in CI
/// logs or pipes): for `db update` downloads and image layers.
pub(crate) fn byte_bar(prefix: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{prefix:>10} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(prefix.to_string());
    Some(bar)
}

/// The whole rule catalogue, every layer.
pub fn catalogue() -> Catalogue {
    let mut c = Catalogue::new();
    c.extend(&bulkhead_kube::rules());
    c.extend(&bulkhead_dockerfile::rules::rules());
    c.extend(&bulkhead_rbac::rules());
    c.extend(&bulkhead_netpol::rules());
    c.extend(&bulkhead_image::rules());
    c.extend(&bulkhead_vuln::rules());
    c.extend(&bulkhead_sign::rules());
    c.extend(&bulkhead_admission::rules());
    c.extend(&bulkhead_runtime::rules());
    c.extend(&bulkhead_audit::rules());
    c.extend(&bulkhead_scan::rules());
    c
}

/// The rules the findings command at `path` (`k8s`, `audit unused`) runs,
/// which its `--select` picks from: for its help text.
pub fn command_rules(path: &str) -> Option<Vec<&'static RuleMeta>> {
    Some(match path {
        "k8s" => bulkhead_kube::rules(),
        "dockerfile" => bulkhead_dockerfile::rules::rules(),
        "rbac" => bulkhead_rbac::rules(),
        "netpol" => bulkhead_netpol::rules(),
        "runtime" => bulkhead_runtime::rules(),
        "audit" => audit::own_rules(),
        "audit unused" => bulkhead_audit::rules(),
        "image" | "fs" => image::image_rules(),
        "sbom scan" => bulkhead_vuln::rules(),
        "verify" | "verify-attestation" | "verify-blob" => bulkhead_sign::rules(),
        "scan" | "scan merge" => catalogue().rules().to_vec(),
        _ => return None,
    })
}

pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::K8s(args) => k8s::run(*args),
        Command::Dockerfile(args) => dockerfile::run(*args),
        Command::Rbac(args) => rbac::run(*args),
        Command::Netpol(args) => netpol::run(*args),
        Command::Runtime(args) => runtime::run(*args),
        Command::Audit(args) => audit::run(*args),
        Command::Scan(args) => scan::run(*args),
        Command::Image(args) => image::run_image(*args),
        Command::Sbom(args) => image::run_sbom(*args),
        Command::Fs(args) => image::run_fs(*args),
        Command::Db(args) => db::run(*args),
        Command::Sign(args) => sign::run_sign(*args),
        Command::Verify(args) => sign::run_verify(*args),
        Command::Attest(args) => sign::run_attest(*args),
        Command::VerifyAttestation(args) => sign::run_verify_attestation(*args),
        Command::VerifyBlob(args) => sign::run_verify_blob(*args),
        Command::Admission(args) => admission::run(*args),
        Command::Completions(args) => manual::completions(&args),
        Command::Man(args) => manual::man(&args),
        Command::Init(args) => init::run(&args),
        Command::Rules(args) => rules(&args),
        Command::Explain { rule } => {
            let c = catalogue();
            match c.get(&rule) {
                Some(r) => {
                    out!("{}", r.explain());
                    Ok(0)
                }
                None => bail!("unknown rule '{rule}' (see `bulkhead rules`)"),
            }
        }
    }
}

fn rules(args: &RulesArgs) -> Result<i32> {
    let c = catalogue();
    let sel = Selection::new(args.select.clone(), Vec::new());
    let unknown = sel.unknown(&c);
    if !unknown.is_empty() {
        bail!("unknown rule selector(s) {}", unknown.join(", "));
    }
    let list: Vec<_> = c
        .rules()
        .iter()
        .filter(|r| {
            sel.select.is_empty()
                || sel
                    .select
                    .iter()
                    .any(|s| bulkhead_core::select::matches(s, r))
        })
        .collect();
    let out =
        match args.format.as_str() {
            "markdown" | "md" => {
                let mut sub = Catalogue::new();
                sub.extend(&list.iter().map(|r| **r).collect::<Vec<_>>());
                sub.markdown()
            }
            "json" => {
                let v: Vec<_> = list
                .iter()
                .map(|r| json!({
                    "id": r.id, "slug": r.slug, "title": r.title, "severity": r.severity,
                    "layer": r.layer, "tags": r.tags, "default_enabled": r.default_enabled,
                    "what": r.what, "why": r.why, "fix": r.fix, "equivalents": r.equivalents,
                    "references": r.references,
                }))
                .collect();
                format!("{}\n", serde_json::to_string_pretty(&v)?)
            }
            "table" => {
                let mut s = String::new();
                for r in &list {
                    let _ = writeln!(
                        s,
                        "{:<8} {:<9} {:<34} {}{}",
                        r.id,
                        r.severity.as_str(),
                        r.slug,
                        r.title,
                        if r.default_enabled {
                            ""
                        } else {
                            " (off by default)"
                        }
                    );
                }
                let _ = writeln!(s, "{} rules", list.len());
                s
            }
            f => bail!("unknown format '{f}' for rules (expected table, json or markdown)"),
        };
    out!("{out}");
    Ok(0)
}
