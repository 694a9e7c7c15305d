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
    /// Print the minimal Compose edits as a unified diff (cap_drop: [ALL],
    /// no-new-privileges, read_only with a /tmp tmpfs, user, limits); comments
    /// and layout are kept. The diff goes to stdout (apply with `patch -p0`),
    /// the report to stderr.
    #[arg(long, conflicts_with_all = ["live", "self_"])]
    pub fix: bool,
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

/// The unified diffs of the Compose fixes of unsuppressed findings, one per
/// file that defines the services; a file the edits cannot be applied to
/// (flow-style collections, overlapping edits) gets a note instead.
fn compose_fixes(findings: &[bulkhead_core::Finding], notes: &mut Vec<String>) -> String {
    use bulkhead_kube::fix::{Want, fix_nodes};
    use bulkhead_kube::path::FieldPath;
    let mut by_file: std::collections::BTreeMap<&str, Vec<&bulkhead_core::PatchOp>> =
        std::collections::BTreeMap::new();
    for f in findings.iter().filter(|f| !f.is_suppressed()) {
        if let (Some(file), Some(fix)) = (f.evidence.get("fix_file"), &f.fix) {
            by_file
                .entry(file.as_str())
                .or_default()
                .extend(fix.ops.iter());
        }
    }
    let mut out = String::new();
    for (file, ops) in by_file {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                notes.push(format!("{file}: not fixed: {e}"));
                continue;
            }
        };
        let docs = match bulkhead_core::yaml::parse(&text, bulkhead_core::yaml::Limits::default()) {
            Ok(d) => d,
            Err(e) => {
                notes.push(format!("{file}: not fixed: {e}"));
                continue;
            }
        };
        let Some(doc) = docs.first() else { continue };
        let mut want = Want::Map(Default::default());
        for op in ops {
            want.add(&FieldPath::from_pointer(op.path()).0, op);
        }
        match fix_nodes(&text, &[(&doc.root, &want)]) {
            Ok(new) => out.push_str(&bulkhead_core::diff::unified(file, &text, &new)),
            Err(e) => notes.push(format!("{file}: not fixed: {}", e.0)),
        }
    }
    out
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
    if args.fix {
        let diffs = compose_fixes(&report.findings, &mut report.notes);
        settings.finish(&mut report, None);
        settings.emit(&diffs)?;
        eprint!(
            "{}",
            report.render(bulkhead_core::Format::Table, &catalogue, settings.render)
        );
        return Ok(report.exit_code(settings.fail_on));
    }
    settings.finish(&mut report, Some("note(s) about the input"));
    let text = report.render(settings.format, &catalogue, settings.render);
    settings.emit(&text)?;
    Ok(report.exit_code(settings.fail_on))
}
