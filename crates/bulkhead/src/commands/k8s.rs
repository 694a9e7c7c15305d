//! `bulkhead k8s`: Kubernetes manifests → objects → PSS + hardening → report.

use crate::cli::K8sArgs;
use crate::commands::catalogue;
use crate::settings::Settings;
use anyhow::{Result, bail};
use bulkhead_core::source::{self, InputPath};
use bulkhead_core::yaml::Limits;
use bulkhead_core::{Catalogue, Finding, PatchOp, Report};
use bulkhead_kube::analyze::{Options, analyze_object};
use bulkhead_kube::fix;
use bulkhead_kube::load::{self, Object, Source};
use bulkhead_kube::path::FieldPath;
use bulkhead_kube::pss::{Level, Version};
use rayon::prelude::*;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

use super::manifests::is_manifest;

/// What one input produced.
struct FileResult {
    input: InputPath,
    source: Option<Arc<Source>>,
    loaded: load::Loaded,
}

fn load_input(input: InputPath, max_bytes: u64, targets: &[String]) -> FileResult {
    match source::read_text(&input, max_bytes) {
        // Named on the command line and empty (`helm template … | bulkhead k8s -`
        // after helm failed): an input error, as an empty directory is.
        Ok(text) if source::is_blank_yaml(&text) && source::named(&input, targets) => FileResult {
            loaded: load::Loaded {
                objects: Vec::new(),
                errors: vec![source::empty_input(&input, "YAML documents")],
                notes: Vec::new(),
            },
            input,
            source: None,
        },
        Ok(text) => {
            let src = Arc::new(Source::new(input.display(), text));
            let loaded = load::load(src.clone(), Limits::default());
            FileResult {
                input,
                source: Some(src),
                loaded,
            }
        }
        Err(e) => FileResult {
            input,
            source: None,
            loaded: load::Loaded {
                objects: Vec::new(),
                errors: vec![e],
                notes: Vec::new(),
            },
        },
    }
}

/// The PSS level and version each namespace enforces through its
/// `pod-security.kubernetes.io/enforce[-version]` labels (Namespaces in the input).
fn namespace_levels(files: &[FileResult], default: &Options) -> HashMap<String, Options> {
    let mut out = HashMap::new();
    for o in files
        .iter()
        .flat_map(|f| f.loaded.objects.iter())
        .filter(|o| o.kind == "Namespace")
    {
        let labels = o.metadata().and_then(|m| m.get("labels"));
        let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(|v| v.as_str());
        let level =
            label("pod-security.kubernetes.io/enforce").and_then(|l| l.parse::<Level>().ok());
        let version = label("pod-security.kubernetes.io/enforce-version")
            .and_then(|v| v.parse::<Version>().ok());
        if let Some(level) = level {
            out.insert(
                o.name.clone(),
                Options {
                    level,
                    version: version.unwrap_or(default.version),
                },
            );
        }
    }
    out
}

fn analyze(
    files: &[FileResult],
    opts: &Options,
    auto: bool,
    settings: &Settings,
    catalogue: &Catalogue,
    report: &mut Report,
) {
    let enabled = |r: &bulkhead_core::RuleMeta| settings.selection.enabled(r);
    let per_ns = if auto {
        namespace_levels(files, opts)
    } else {
        HashMap::new()
    };
    let results: Vec<_> = files
        .par_iter()
        .flat_map_iter(|f| {
            f.loaded.objects.iter().map(|o| {
                let o_opts = o
                    .namespace
                    .as_ref()
                    .and_then(|ns| per_ns.get(ns))
                    .unwrap_or(opts);
                analyze_object(o, o_opts, &enabled, catalogue)
            })
        })
        .collect();
    for r in results {
        report.targets.extend(r.target);
        report.findings.extend(r.findings);
    }
    for f in files {
        report.errors.extend(f.loaded.errors.iter().cloned());
        report.notes.extend(f.loaded.notes.iter().cloned());
    }
}

pub fn run(args: K8sArgs) -> Result<i32> {
    let catalogue = catalogue();
    let settings = Settings::resolve(&args.report, &catalogue, &bulkhead_kube::rules())?;
    let kcfg = &settings.config.kubernetes;
    let level_arg = args
        .pss
        .clone()
        .or_else(|| kcfg.pss.clone())
        .unwrap_or_else(|| "restricted".into());
    // `auto`: each namespace's `pod-security.kubernetes.io/enforce` label, as admission would.
    let auto = level_arg.eq_ignore_ascii_case("auto");
    let level: Level = if auto {
        Level::Restricted
    } else {
        level_arg.parse().map_err(anyhow::Error::msg)?
    };
    let version: Version = args
        .pss_version
        .clone()
        .or_else(|| kcfg.pss_version.clone())
        .unwrap_or_else(|| "latest".into())
        .parse()
        .map_err(anyhow::Error::msg)?;
    let version_warning = version.requested().map_err(anyhow::Error::msg)?;
    if let Some(w) = &version_warning {
        eprintln!("bulkhead: warning: {w}");
    }
    let opts = Options { level, version };
    let timings = std::env::var_os("BULKHEAD_TIMINGS").is_some();

    let (inputs, mut input_errors) = source::collect(&args.paths, &is_manifest);
    if inputs.is_empty() && input_errors.is_empty() {
        bail!(
            "no manifests (*.yaml, *.yml, *.json) found in {}",
            args.paths.join(", ")
        );
    }
    let stdin_count = inputs.iter().filter(|i| **i == InputPath::Stdin).count();
    if stdin_count > 1 {
        bail!("- (standard input) given more than once");
    }
    let t0 = std::time::Instant::now();
    let files: Vec<FileResult> = inputs
        .into_par_iter()
        .map(|i| load_input(i, settings.max_bytes, &args.paths))
        .collect();
    if timings {
        eprintln!("timing: read+parse {:?}", t0.elapsed());
    }

    if args.parse_only {
        let objects: usize = files.iter().map(|f| f.loaded.objects.len()).sum();
        let errors: usize =
            files.iter().map(|f| f.loaded.errors.len()).sum::<usize>() + input_errors.len();
        outln!(
            "parsed {objects} objects from {} files ({errors} errors)",
            files.len()
        );
        return Ok(if errors > 0 { 2 } else { 0 });
    }

    let mut report = Report::new("k8s");
    report.settings.insert(
        "pss_level".into(),
        if auto {
            "auto (namespace enforce labels; default restricted)".to_string()
        } else {
            level.to_string()
        },
    );
    report.settings.insert(
        "pss_version".into(),
        version.min(bulkhead_kube::pss::LATEST).to_string(),
    );
    let t1 = std::time::Instant::now();
    analyze(&files, &opts, auto, &settings, &catalogue, &mut report);
    if timings {
        eprintln!(
            "timing: analyze {:?} ({} findings)",
            t1.elapsed(),
            report.findings.len()
        );
    }
    report.errors.append(&mut input_errors);
    report.notes.extend(version_warning);
    settings.apply_suppressions(&catalogue, &mut report);

    let mut code_override = None;
    if let Some(mode) = &args.fix {
        match mode.as_str() {
            "inplace" => {
                let outcome = fix_in_place(&files, &report.findings)?;
                let skipped: usize = files.iter().map(|f| f.loaded.notes.len()).sum();
                if !settings.quiet {
                    eprintln!("bulkhead: {}", outcome.summary(skipped));
                }
                let FixOutcome {
                    written: fixed_files,
                    notes,
                    ..
                } = outcome;
                // Re-analyse what was written so the report shows what remains.
                let refreshed: Vec<FileResult> = files
                    .iter()
                    .map(|f| match fixed_files.iter().find(|(i, _)| *i == f.input) {
                        Some((_, text)) => {
                            let src = Arc::new(Source::new(f.input.display(), text.clone()));
                            let loaded = load::load(src.clone(), Limits::default());
                            FileResult {
                                input: f.input.clone(),
                                source: Some(src),
                                loaded,
                            }
                        }
                        None => FileResult {
                            input: f.input.clone(),
                            source: f.source.clone(),
                            loaded: load::load(
                                f.source.clone().unwrap_or_else(|| {
                                    Arc::new(Source::new(f.input.display(), String::new()))
                                }),
                                Limits::default(),
                            ),
                        },
                    })
                    .filter(|f| f.source.is_some())
                    .collect();
                let errors = std::mem::take(&mut report.errors);
                let mut fresh = Report::new("k8s");
                fresh.settings = report.settings.clone();
                analyze(&refreshed, &opts, auto, &settings, &catalogue, &mut fresh);
                fresh.errors = errors;
                fresh.errors.dedup();
                // The fixes are on stderr already; the table's one collapsed
                // line counts skipped documents only, --verbose and the
                // machine formats list the fixes with the other notes.
                if settings.verbose || settings.format != bulkhead_core::Format::Table {
                    fresh.notes.extend(notes);
                }
                settings.apply_suppressions(&catalogue, &mut fresh);
                report = fresh;
            }
            "patch" | "merge" => {
                let text = render_patches(&files, &report.findings, mode == "merge");
                settings.emit(&text)?;
                settings.finish(&mut report, None);
                code_override = Some(report.exit_code(settings.fail_on));
            }
            _ => unreachable!("clap restricts --fix values"),
        }
    }
    if let Some(code) = code_override {
        return Ok(code);
    }

    let t2 = std::time::Instant::now();
    settings.finish(&mut report, Some("document(s) skipped or noted"));
    let stdin_fixed =
        args.fix.as_deref() == Some("inplace") && files.iter().any(|f| f.input == InputPath::Stdin);
    let text = report.render(settings.format, &catalogue, settings.render);
    if timings {
        eprintln!(
            "timing: sort+render {:?} ({} bytes)",
            t2.elapsed(),
            text.len()
        );
    }
    if stdin_fixed && settings.output.is_none() {
        eprint!("{text}");
    } else {
        settings.emit(&text)?;
    }
    let code = report.exit_code(settings.fail_on);
    // The process ends here: skip freeing every YAML node and finding one by
    // one (a measurable share of a run over thousands of files).
    std::mem::forget(report);
    std::mem::forget(files);
    Ok(code)
}

/// Ops of active findings, grouped by the object they belong to.
fn ops_by_object<'a>(
    files: &'a [FileResult],
    findings: &'a [Finding],
) -> Vec<(&'a FileResult, &'a Object, Vec<&'a PatchOp>)> {
    let mut out = Vec::new();
    for f in files {
        for obj in &f.loaded.objects {
            let name = obj.display();
            let ops: Vec<&PatchOp> = findings
                .iter()
                .filter(|x| !x.is_suppressed())
                .filter(|x| {
                    x.location.file == obj.source.name
                        && x.location.document == Some(obj.doc)
                        && x.location.object.as_deref() == Some(name.as_str())
                })
                .filter_map(|x| x.fix.as_ref())
                .flat_map(|fx| fx.ops.iter())
                .collect();
            if !ops.is_empty() {
                out.push((f, obj, ops));
            }
        }
    }
    out
}

/// A rewritten input and its new text.
type FixedFile = (InputPath, String);

/// What `--fix` did.
#[derive(Default)]
struct FixOutcome {
    written: Vec<FixedFile>,
    /// One per file: fixed (how many objects) or not fixed (why).
    notes: Vec<String>,
    /// Objects fixed, over every file written.
    objects: usize,
    /// Files that had fixes but could not be rewritten.
    failed: usize,
}

fn plural(n: usize, one: &str) -> String {
    format!("{n} {one}{}", if n == 1 { "" } else { "s" })
}

impl FixOutcome {
    /// One line for stderr: objects fixed, in which files, what was left alone.
    fn summary(&self, skipped_documents: usize) -> String {
        const NAMED: usize = 10;
        let mut s = if self.written.is_empty() {
            "--fix: nothing fixed (no active finding has an automatic fix)".to_string()
        } else {
            let names: Vec<String> = self
                .written
                .iter()
                .take(NAMED)
                .map(|(i, _)| match i {
                    InputPath::Stdin => "standard input (fixed YAML on standard output)".into(),
                    InputPath::File(p) => p.display().to_string(),
                })
                .collect();
            let more = self.written.len().saturating_sub(NAMED);
            format!(
                "--fix: fixed {} in {}: {}{}",
                plural(self.objects, "object"),
                plural(self.written.len(), "file"),
                names.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            )
        };
        if self.failed > 0 {
            s.push_str(&format!(
                "; {} not fixed (see above)",
                plural(self.failed, "file")
            ));
        }
        if skipped_documents > 0 {
            s.push_str(&format!(
                "; {} skipped (--verbose lists them)",
                plural(skipped_documents, "document")
            ));
        }
        s
    }
}

fn fix_in_place(files: &[FileResult], findings: &[Finding]) -> Result<FixOutcome> {
    let groups = ops_by_object(files, findings);
    let mut out = FixOutcome::default();
    for f in files {
        let Some(src) = &f.source else { continue };
        let wants: Vec<(&Object, fix::Want)> = groups
            .iter()
            .filter(|(g, _, _)| std::ptr::eq(*g, f))
            .filter_map(|(_, o, ops)| fix::want_for(o, ops).map(|w| (*o, w)))
            .collect();
        if wants.is_empty() {
            continue;
        }
        let result = if src.is_json() {
            fix_json(&src.text, &wants)
        } else {
            fix::fix_yaml(&src.text, &wants).map_err(|e| e.0)
        };
        let text = match result {
            Ok(t) => t,
            Err(e) => {
                let msg = format!("{}: not fixed: {e}", src.name);
                eprintln!("bulkhead: {msg}");
                out.notes.push(msg);
                out.failed += 1;
                continue;
            }
        };
        match &f.input {
            InputPath::Stdin => out!("{text}"),
            InputPath::File(p) => {
                std::fs::write(p, &text).map_err(|e| {
                    anyhow::anyhow!("{}: cannot write fixed file: {e}", p.display())
                })?;
            }
        }
        out.notes.push(format!(
            "{}: fixed {}",
            src.name,
            plural(wants.len(), "object")
        ));
        out.objects += wants.len();
        out.written.push((f.input.clone(), text));
    }
    Ok(out)
}

fn fix_json(text: &str, wants: &[(&Object, fix::Want)]) -> Result<String, String> {
    let mut doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("cannot re-read JSON: {e}"))?;
    for (obj, want) in wants {
        let ptr = obj.base.pointer();
        let Some(target) = doc.pointer_mut(&ptr) else {
            return Err(format!("object at {ptr} not found"));
        };
        fix::apply_json(target, want);
    }
    let mut s = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    s.push('\n');
    Ok(s)
}

fn render_patches(files: &[FileResult], findings: &[Finding], merge: bool) -> String {
    let groups = ops_by_object(files, findings);
    if merge {
        let mut out = String::new();
        for (_, obj, ops) in &groups {
            if let Some(w) = fix::want_for(obj, ops) {
                out.push_str("---\n");
                out.push_str(&fix::to_yaml(&fix::merge_patch(obj, &w)));
            }
        }
        return out;
    }
    let list: Vec<serde_json::Value> = groups
        .iter()
        .filter_map(|(_, obj, ops)| {
            let w = fix::want_for(obj, ops)?;
            let mut patch = Vec::new();
            fix::json_patch(Some(&obj.root), &w, &FieldPath::root(), &mut patch);
            Some(json!({
                "file": obj.source.name,
                "document": obj.doc,
                "path": obj.base.pointer(),
                "object": obj.display(),
                "patch": patch,
            }))
        })
        .collect();
    format!(
        "{}\n",
        serde_json::to_string_pretty(&list).unwrap_or_default()
    )
}
