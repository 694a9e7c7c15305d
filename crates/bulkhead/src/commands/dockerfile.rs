//! `bulkhead dockerfile`: Dockerfiles → parse → rules → report. Reads
//! `.hadolint.yaml` (ignored, override, trustedRegistries, failure-threshold)
//! when no bulkhead configuration exists, so hadolint users keep their setup.

use crate::cli::DockerfileArgs;
use crate::commands::catalogue;
use crate::settings::Settings;
use anyhow::{Result, bail};
use bulkhead_core::source::{self, InputPath};
use bulkhead_core::yaml;
use bulkhead_core::{Report, Severity};
use bulkhead_dockerfile::analyze::{analyze, fix_diff};
use bulkhead_dockerfile::rules::Config;
use rayon::prelude::*;
use std::path::Path;

/// Files a directory walk picks up: Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*.
fn is_dockerfile(p: &Path) -> bool {
    let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
}

/// The parts of `.hadolint.yaml` bulkhead understands.
#[derive(Default)]
struct Hadolint {
    ignored: Vec<String>,
    trusted: Vec<String>,
    threshold: Option<Severity>,
    overrides: Vec<(String, Severity)>,
    path: Option<String>,
}

fn hadolint_severity(s: &str) -> Option<Severity> {
    Some(match s.to_ascii_lowercase().as_str() {
        "error" => Severity::High,
        "warning" => Severity::Medium,
        "info" => Severity::Low,
        "style" => Severity::Info,
        "ignore" | "none" => return None,
        _ => return None,
    })
}

fn load_hadolint() -> Result<Hadolint> {
    let Ok(cwd) = std::env::current_dir() else {
        return Ok(Hadolint::default());
    };
    let mut dir = Some(cwd.as_path());
    while let Some(d) = dir {
        for name in [".hadolint.yaml", ".hadolint.yml"] {
            let p = d.join(name);
            if !p.is_file() {
                continue;
            }
            let shown = p.display().to_string();
            let text = std::fs::read_to_string(&p)
                .map_err(|e| anyhow::anyhow!("{shown}: cannot read: {e}"))?;
            let docs = yaml::parse(&text, yaml::Limits::default())
                .map_err(|e| anyhow::anyhow!("{shown}:{}: invalid YAML: {}", e.line, e.message))?;
            let mut h = Hadolint {
                path: Some(shown),
                ..Default::default()
            };
            let Some(root) = docs.into_iter().next().map(|d| d.root) else {
                return Ok(h);
            };
            let list = |key: &str| -> Vec<String> {
                root.get(key)
                    .map(|n| {
                        n.items()
                            .iter()
                            .filter_map(|i| i.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            h.ignored = list("ignored");
            h.trusted = list("trustedRegistries");
            h.threshold = root
                .get("failure-threshold")
                .and_then(|n| n.as_str())
                .and_then(hadolint_severity);
            if let Some(o) = root.get("override") {
                for e in o.entries() {
                    let Some(sev) = e.key.as_str().and_then(hadolint_severity) else {
                        continue;
                    };
                    for id in e.value.items().iter().filter_map(|i| i.as_str()) {
                        h.overrides.push((id.to_string(), sev));
                    }
                }
            }
            return Ok(h);
        }
        dir = d.parent();
    }
    Ok(Hadolint::default())
}

/// Our rules that are equivalent to a hadolint id.
fn rules_for(cat: &bulkhead_core::Catalogue, id: &str) -> Vec<&'static str> {
    cat.rules()
        .iter()
        .filter(|r| {
            r.equivalents
                .iter()
                .any(|e| e.tool == "hadolint" && e.id.split(" / ").any(|x| x == id))
        })
        .map(|r| r.id)
        .collect()
}

/// A Dockerfile's text and analysis, or why it could not be read.
type FileOutcome =
    Result<(String, bulkhead_dockerfile::analyze::Output), bulkhead_core::InputError>;

pub fn run(args: DockerfileArgs) -> Result<i32> {
    let catalogue = catalogue();
    let mut settings = Settings::resolve(
        &args.report,
        &catalogue,
        &bulkhead_dockerfile::rules::rules(),
    )?;
    let mut config = Config {
        trusted_registries: settings.config.dockerfile.trusted_registries.clone(),
        minimal_bases: settings.config.dockerfile.minimal_bases.clone(),
        pins: Vec::new(),
    };
    config
        .trusted_registries
        .extend(args.trusted_registry.iter().cloned());
    for p in &args.pin {
        let Some((image, digest)) = p.rsplit_once('=') else {
            bail!("--pin {p}: expected IMAGE=DIGEST (e.g. python:3.12-slim=sha256:...)");
        };
        if !digest.starts_with("sha256:")
            || digest.len() != 71
            || !digest[7..].bytes().all(|b| b.is_ascii_hexdigit())
        {
            bail!("--pin {p}: the digest must be sha256: followed by 64 hex digits");
        }
        config.pins.push((image.to_string(), digest.to_string()));
    }
    let hadolint = if settings.config_path.is_none() && !args.report.no_config {
        load_hadolint()?
    } else {
        Hadolint::default()
    };
    // hadolint's `ignored` (by hadolint id) become ignores of the equivalent rules, unless one
    // of our own ids says otherwise.
    for id in &hadolint.ignored {
        let ours = rules_for(&catalogue, id);
        if ours.is_empty()
            && let Some(r) = catalogue.get(id)
        {
            settings.selection.ignore.push(r.id.to_string());
        }
        settings
            .selection
            .ignore
            .extend(ours.into_iter().map(str::to_string));
    }
    if config.trusted_registries.is_empty() {
        config.trusted_registries = hadolint.trusted.clone();
    }
    if args.report.fail_on.is_none()
        && settings.config.fail_on.is_none()
        && let Some(t) = hadolint.threshold
    {
        settings.fail_on = Some(t);
    }

    let (inputs, mut input_errors) = source::collect(&args.paths, &is_dockerfile);
    if inputs.is_empty() && input_errors.is_empty() {
        bail!(
            "no Dockerfiles (Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*) found in {}",
            args.paths.join(", ")
        );
    }
    let enabled = |r: &bulkhead_core::RuleMeta| settings.selection.enabled(r);
    let results: Vec<(InputPath, FileOutcome)> = inputs
        .into_par_iter()
        .map(|input| {
            let r = source::read_text(&input, settings.max_bytes).and_then(|text| {
                let name = input.display();
                if let Some(pos) = text.find('\0') {
                    let line = text[..pos].matches('\n').count() as u32 + 1;
                    return Err(bulkhead_core::InputError::new(
                        name,
                        Some(line),
                        "binary file (NUL byte), not a Dockerfile",
                    ));
                }
                analyze(&name, &text, &config, &enabled, &catalogue).map(|o| (text, o))
            });
            (input, r)
        })
        .collect();
    let mut report = Report::new("dockerfile");
    if let Some(p) = &hadolint.path {
        report.settings.insert("hadolint_config".into(), p.clone());
    }
    if !config.trusted_registries.is_empty() {
        report.settings.insert(
            "trusted_registries".into(),
            config.trusted_registries.join(","),
        );
    }
    let mut diffs = String::new();
    for (input, r) in &results {
        match r {
            Ok((text, o)) => {
                report.findings.extend(o.findings.iter().cloned());
                report.targets.extend(o.targets.iter().cloned());
                report.notes.extend(o.notes.iter().cloned());
                if args.fix
                    && let Some(d) = fix_diff(&input.display(), text, &o.findings)
                {
                    diffs.push_str(&d);
                }
            }
            Err(e) => report.errors.push(e.clone()),
        }
    }
    report.errors.append(&mut input_errors);
    for f in &mut report.findings {
        if let Some(id) = f.evidence.get("hadolint")
            && let Some((_, sev)) = hadolint.overrides.iter().find(|(h, _)| h == id)
        {
            f.severity = *sev;
        }
    }
    settings.apply_suppressions(&catalogue, &mut report);
    if args.fix {
        settings.finish(&mut report, None);
        // The diff is the output; the report goes to stderr.
        settings.emit(&diffs)?;
        eprint!(
            "{}",
            report.render(bulkhead_core::Format::Table, &catalogue, settings.render)
        );
        return Ok(report.exit_code(settings.fail_on));
    }
    settings.finish(&mut report, Some("parser warning(s)"));
    let text = report.render(settings.format, &catalogue, settings.render);
    settings.emit(&text)?;
    Ok(report.exit_code(settings.fail_on))
}
