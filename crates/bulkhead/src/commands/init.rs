//! `bulkhead init [DIR]`: surveys the tree (bulkhead-scan's discovery) and
//! writes the commented `bulkhead.yaml` bulkhead-scan renders for it,
//! checked with the configuration loader before it is kept.

use anyhow::{Context, Result, bail};
use clap::Args;
use std::io::Write as _;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub struct InitArgs {
    /// The repository to survey; bulkhead.yaml is written at its top.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Replace an existing bulkhead.yaml (or .bulkhead.yaml).
    #[arg(long)]
    pub force: bool,
    /// Print the configuration instead of writing it.
    #[arg(long)]
    pub stdout: bool,
}

pub fn run(a: &InitArgs) -> Result<i32> {
    if !a.dir.is_dir() {
        bail!("{}: not a directory", a.dir.display());
    }
    let target = a.dir.join(bulkhead_core::config::FILE_NAMES[0]);
    if !a.stdout && !a.force {
        for name in bulkhead_core::config::FILE_NAMES {
            let existing = a.dir.join(name);
            if existing.symlink_metadata().is_ok() {
                bail!(
                    "{}: already exists; not overwritten (--force replaces it, --stdout prints the new one)",
                    existing.display()
                );
            }
        }
    }
    let root = a.dir.display().to_string();
    let survey = bulkhead_scan::init::survey(
        std::slice::from_ref(&root),
        bulkhead_core::source::DEFAULT_MAX_BYTES,
    );
    let shown = a
        .dir
        .canonicalize()
        .map_or_else(|_| root.clone(), |p| p.display().to_string());
    let text = bulkhead_scan::init::render(&shown, &survey);
    if a.stdout {
        outln!("{}", text.trim_end());
        return Ok(0);
    }
    // Written next to the target and renamed over it once it loads.
    let tmp = a.dir.join(".bulkhead.yaml.init-tmp");
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("{}: cannot write", tmp.display()));
    }
    if let Err(e) = bulkhead_core::config::load(&tmp) {
        let _ = std::fs::remove_file(&tmp);
        bail!("the generated configuration does not load ({e}); nothing written");
    }
    std::fs::rename(&tmp, &target)
        .with_context(|| format!("{}: cannot write", target.display()))?;
    eprintln!(
        "bulkhead: wrote {} ({} Dockerfile(s), {} manifest file(s), {} runtime file(s), {} image layout(s))",
        target.display(),
        survey.dockerfiles.len(),
        survey.manifest_files.len(),
        survey.runtime_files.len(),
        survey.layouts.len()
    );
    Ok(0)
}
