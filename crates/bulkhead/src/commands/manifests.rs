//! Reading Kubernetes manifests for the cluster-wide analyzers (RBAC,
//! NetworkPolicy): every file parsed in parallel into objects, then handed
//! to one model. Also the small output helpers those commands share.

use anyhow::{Context, Result, bail};
use bulkhead_core::InputError;
use bulkhead_core::source::{self, InputPath};
use bulkhead_kube::load::{Object, Source};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn is_manifest(p: &Path) -> bool {
    matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("yaml" | "yml" | "json")
    )
}

pub fn parse_size(s: Option<&str>) -> Result<u64> {
    match s {
        Some(s) => crate::settings::parse_size(s),
        None => Ok(source::DEFAULT_MAX_BYTES),
    }
}

/// What one file yields: objects, errors, notes.
pub type Parsed = (Vec<Object>, Vec<InputError>, Vec<String>);

/// Collects `paths` (files, directories, `-`), reads and parses each with
/// `parse` in parallel. Unreadable inputs become input errors; no input at
/// all is an error.
pub fn read_objects(
    paths: &[String],
    max_bytes: u64,
    parse: &(dyn Fn(Arc<Source>) -> Parsed + Sync),
) -> Result<Parsed> {
    let (inputs, mut errors) = source::collect(paths, &is_manifest);
    if inputs.is_empty() && errors.is_empty() {
        bail!(
            "no manifests (*.yaml, *.yml, *.json) found in {}",
            paths.join(", ")
        );
    }
    if inputs.iter().filter(|i| **i == InputPath::Stdin).count() > 1 {
        bail!("- (standard input) given more than once");
    }
    let loaded: Vec<Parsed> = inputs
        .into_par_iter()
        .map(|i| match source::read_text(&i, max_bytes) {
            Ok(text) if source::is_blank_yaml(&text) && source::named(&i, paths) => (
                Vec::new(),
                vec![source::empty_input(&i, "YAML documents")],
                Vec::new(),
            ),
            Ok(text) => parse(Arc::new(Source::new(i.display(), text))),
            Err(e) => (Vec::new(), vec![e], Vec::new()),
        })
        .collect();
    let (mut objects, mut notes) = (Vec::new(), Vec::new());
    for (o, e, n) in loaded {
        objects.extend(o);
        errors.extend(e);
        notes.extend(n);
    }
    Ok((objects, errors, notes))
}

/// Writes `text` to the file or standard output.
pub fn emit(output: &Option<PathBuf>, text: &str) -> Result<()> {
    match output {
        Some(p) => {
            std::fs::write(p, text).with_context(|| format!("{}: cannot write", p.display()))
        }
        None => {
            use std::io::Write;
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            Ok(())
        }
    }
}

/// Prints input errors; the exit code they imply (2 if any).
pub fn report_errors(errors: &[InputError]) -> i32 {
    for e in errors {
        eprintln!("bulkhead: {e}");
    }
    if errors.is_empty() { 0 } else { 2 }
}
