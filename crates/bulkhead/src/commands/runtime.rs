//! `bulkhead runtime`: Compose files, OCI `config.json`, `docker`/`podman
//! inspect` JSON and scripts with `docker run` lines → the runtime model →
//! the RT findings. Files named with `--file` are one Compose project,
//! merged in order as `docker compose -f a -f b config` merges them.

use crate::cli::ReportArgs;
use crate::commands::catalogue;
use crate::settings::Settings;
use anyhow::Result;
use bulkhead_core::source::{self, InputPath};
use bulkhead_core::{Report, Target};
use bulkhead_runtime::sources::compose::{self, Env};
use bulkhead_runtime::sources::{self as src, Input, Loaded};
use clap::Args;

#[derive(Args, Debug, Clone)]
pub struct RuntimeArgs {
    /// Compose files, OCI config.json, docker/podman inspect JSON, shell scripts, Makefiles
    /// or CI files with docker/podman run lines, or directories of them; - reads standard input.
    #[arg(required_unless_present = "file")]
    pub paths: Vec<String>,
    /// A Compose file of one project (repeatable, merged in order like
    /// `docker compose -f a.yml -f b.yml`; `-f` is --format here).
    #[arg(long = "file", value_name = "COMPOSE_FILE")]
    pub file: Vec<String>,
    #[command(flatten)]
    pub report: ReportArgs,
}

fn read(p: &InputPath, max: u64, errors: &mut Vec<bulkhead_core::InputError>) -> Option<Input> {
    match source::read_text(p, max) {
        Ok(text) => Some(Input::new(p.display(), text)),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

pub fn run(args: RuntimeArgs) -> Result<i32> {
    let catalogue = catalogue();
    let settings = Settings::resolve(&args.report, &catalogue, &bulkhead_runtime::rules())?;
    let env = Env::process();
    let mut loaded = Loaded::default();
    if !args.file.is_empty() {
        let (paths, errs) = source::collect(&args.file, &|_| true);
        loaded.errors.extend(errs);
        let inputs: Vec<Input> = paths
            .iter()
            .filter_map(|p| read(p, settings.max_bytes, &mut loaded.errors))
            .collect();
        if !inputs.is_empty() {
            loaded.extend(compose::load(&inputs, &env));
        }
    }
    let (paths, errs) = source::collect(&args.paths, &|p| src::wanted(&p.to_string_lossy()));
    loaded.errors.extend(errs);
    for p in &paths {
        if let Some(input) = read(p, settings.max_bytes, &mut loaded.errors) {
            loaded.extend(src::load(&input, &env));
        }
    }
    let mut report = Report::new("runtime");
    for c in &loaded.containers {
        report.targets.push(Target {
            file: c.at.file.clone(),
            name: format!("{} ({})", c.object(), c.source.as_str()),
            line: (c.at.line > 0).then_some(c.at.line),
        });
    }
    report.findings =
        bulkhead_runtime::rules::check(&loaded.containers, &|r| settings.selection.enabled(r));
    report.errors = loaded.errors;
    report.notes = loaded.notes;
    settings.apply_suppressions(&catalogue, &mut report);
    settings.finish(&mut report, Some("note(s) about the input"));
    let text = report.render(settings.format, &catalogue, settings.render);
    settings.emit(&text)?;
    Ok(report.exit_code(settings.fail_on))
}
