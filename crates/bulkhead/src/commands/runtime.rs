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
use bulkhead_runtime::sources::live::{self, Host};
use bulkhead_runtime::sources::procfs::Fs;
use bulkhead_runtime::sources::{self as src, Input, Loaded, inside};
use clap::Args;

#[derive(Args, Debug, Clone)]
pub struct RuntimeArgs {
    /// Compose files, OCI config.json, docker/podman inspect JSON, shell scripts, Makefiles
    /// or CI files with docker/podman run lines, or directories of them; - reads standard input.
    /// With --live: container names or ids (none: every running container).
    #[arg(required_unless_present_any = ["file", "live", "self_"])]
    pub paths: Vec<String>,
    /// Read running containers from the host: the runc/crun state directories
    /// name each container's init PID, /proc and the cgroup files say what the
    /// kernel enforces. Run on the host, as root.
    #[arg(long, conflicts_with_all = ["file", "self_"])]
    pub live: bool,
    /// Report the container bulkhead runs in, from inside (namespaces, host
    /// mounts and escape preconditions are heuristics, named as such).
    #[arg(long = "self", id = "self_", conflicts_with = "file")]
    pub self_: bool,
    /// With --live: the host's root filesystem is mounted here (a DaemonSet
    /// with hostPID and / at /host); namespaces are compared with its PID 1.
    #[arg(long, value_name = "DIR", requires = "live")]
    pub host_root: Option<String>,
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

/// `--live`: discovery, selection, one host reading per container.
fn live(args: &RuntimeArgs, loaded: &mut Loaded) {
    let mut host = Host::system();
    if let Some(root) = &args.host_root {
        host.fs = Fs::new(root);
        host.reference = "1".into();
    }
    let d = live::discover(&host);
    loaded.errors.extend(d.errors);
    loaded.notes.extend(d.notes);
    let (found, errs) = live::select(d.found, &args.paths);
    loaded.errors.extend(errs);
    if found.is_empty() && args.paths.is_empty() {
        loaded.notes.push(format!(
            "no running container found in {}",
            host.state_roots.join(", ")
        ));
    }
    for f in &found {
        match live::read(&host, f) {
            Ok(c) => loaded.containers.push(c),
            Err(e) => loaded.errors.push(e),
        }
    }
    loaded
        .notes
        .push("live: published ports are not visible from /proc and are not checked".into());
}

fn self_view(loaded: &mut Loaded) {
    match inside::read(&Fs::new("/")) {
        Ok(v) => {
            loaded.containers.push(v.container);
            loaded.notes.extend(v.notes);
            loaded.notes.extend(
                v.preconditions
                    .into_iter()
                    .map(|p| format!("escape precondition: {p}")),
            );
        }
        Err(e) => loaded.errors.push(e),
    }
}

pub fn run(args: RuntimeArgs) -> Result<i32> {
    let catalogue = catalogue();
    let settings = Settings::resolve(&args.report, &catalogue, &bulkhead_runtime::rules())?;
    let env = Env::process();
    let mut loaded = Loaded::default();
    if args.live {
        live(&args, &mut loaded);
    } else if args.self_ {
        self_view(&mut loaded);
    }
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
    let paths = if args.live {
        Vec::new()
    } else {
        let (paths, errs) = source::collect(&args.paths, &|p| src::wanted(&p.to_string_lossy()));
        loaded.errors.extend(errs);
        paths
    };
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
