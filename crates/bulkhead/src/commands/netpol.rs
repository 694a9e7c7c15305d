//! `bulkhead netpol`: Namespaces, workloads, Services, Ingresses and
//! NetworkPolicies (manifests or a cluster dump) → the network model → the
//! NP findings (default), the connectivity list (`reach`), one connection
//! explained (`explain`), two inputs compared (`diff`) or a picture (`graph`).

use super::manifests::{emit, parse_size, read_objects, report_errors};
use crate::cli::ReportArgs;
use crate::commands::catalogue;
use crate::settings::Settings;
use anyhow::{Result, anyhow};
use bulkhead_core::{InputError, Report, Target};
use bulkhead_netpol::engine::HostNetwork;
use bulkhead_netpol::explain;
use bulkhead_netpol::output::{self, ReachFormat};
use bulkhead_netpol::{Engine, Model, Options, load};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct NetpolArgs {
    #[command(subcommand)]
    pub command: Option<NetpolCommand>,
    /// Files or directories with Namespaces, workloads, Services, Ingresses and
    /// NetworkPolicies (manifests or `kubectl get -A -o yaml` dumps); - reads standard input.
    #[arg(required = true)]
    pub paths: Vec<String>,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// The cases the NetworkPolicy API leaves to the network plugin.
#[derive(Args, Debug, Clone, Default)]
pub struct ModelArgs {
    /// hostNetwork pods: `pod` (like other pods, netpol-analyzer's view; default) or
    /// `node` (outside policy: never selected, matched only by peer-less rules).
    #[arg(long, default_value = "pod", value_parser = ["pod", "node"])]
    pub host_network: String,
    /// Let ipBlock peers match cluster pods too (some plugins do, for pod IPs inside the
    /// block); default: ipBlocks match external addresses only.
    #[arg(long)]
    pub ipblock_matches_pods: bool,
}

impl ModelArgs {
    fn options(&self) -> Options {
        Options {
            host_network: if self.host_network == "node" {
                HostNetwork::Node
            } else {
                HostNetwork::Pod
            },
            ipblock_matches_pods: self.ipblock_matches_pods,
        }
    }
}

#[derive(Subcommand, Debug, Clone)]
pub enum NetpolCommand {
    /// The connectivity list: every allowed connection, `SRC => DST : CONNS`
    /// (netpol-analyzer's syntax), or json, csv, md, dot, svg.
    Reach(ReachArgs),
    /// Why SRC can or cannot reach DST: the policies and rules that allow it, or
    /// which policy isolates which end and why none of its rules matches.
    Explain(ExplainArgs),
    /// Connections added, removed and changed between two sets of manifests.
    Diff(DiffArgs),
    /// A picture of namespaces, workloads and allowed connections (svg or dot).
    Graph(GraphArgs),
}

#[derive(Args, Debug, Clone)]
pub struct Common {
    /// Write the answer to FILE instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Largest input file, e.g. 20MiB (default), 500KB.
    #[arg(long, env = "BULKHEAD_MAX_FILE_SIZE")]
    pub max_file_size: Option<String>,
    #[command(flatten)]
    pub model: ModelArgs,
}

#[derive(Args, Debug, Clone)]
pub struct ReachArgs {
    /// Files or directories; - reads standard input.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// txt (default), json, csv, md, dot or svg.
    #[arg(long, short = 'f', default_value = "txt")]
    pub format: String,
    /// Only connections from or to these workloads (`name`, `ns/name`; repeatable).
    #[arg(long = "focus-workload", value_delimiter = ',')]
    pub focus: Vec<String>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args, Debug, Clone)]
pub struct ExplainArgs {
    /// Source: a workload (`name`, `ns/name`, `ns/name[Kind]`) or an IPv4 address or CIDR.
    pub src: String,
    /// Destination, same forms.
    pub dst: String,
    /// Files or directories; - reads standard input.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// One port: `80`, `TCP/80`, `udp/53`.
    #[arg(long)]
    pub port: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args, Debug, Clone)]
pub struct DiffArgs {
    /// The old manifests (file or directory).
    pub old: String,
    /// The new manifests (file or directory).
    pub new: String,
    /// txt (default) or json.
    #[arg(long, short = 'f', default_value = "txt", value_parser = ["txt", "json"])]
    pub format: String,
    /// Exit 1 when anything changed (for CI review gates).
    #[arg(long)]
    pub fail_on_change: bool,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args, Debug, Clone)]
pub struct GraphArgs {
    /// Files or directories; - reads standard input.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// svg (self-contained, default) or dot (Graphviz).
    #[arg(long, short = 'f', default_value = "svg", value_parser = ["svg", "dot"])]
    pub format: String,
    #[command(flatten)]
    pub common: Common,
}

/// The network model of `paths`, the input errors and notes, and every
/// object read (the report's targets: what the summary counts).
type LoadedModel = (Model, Vec<InputError>, Vec<String>, Vec<Target>);

fn load_model(paths: &[String], max_bytes: u64) -> Result<LoadedModel> {
    let (objects, mut errors, mut notes) = read_objects(paths, max_bytes, &|src| {
        let l = load::load_source(src);
        (l.objects, l.errors, l.notes)
    })?;
    let mut model = Model::build(objects.iter());
    errors.append(&mut model.errors);
    notes.append(&mut model.notes);
    let targets = objects.iter().map(|o| o.target()).collect();
    Ok((model, errors, notes, targets))
}

pub fn run(args: NetpolArgs) -> Result<i32> {
    match args.command {
        Some(NetpolCommand::Reach(a)) => reach(a),
        Some(NetpolCommand::Explain(a)) => explain_cmd(a),
        Some(NetpolCommand::Diff(a)) => diff(a),
        Some(NetpolCommand::Graph(a)) => graph(a),
        None => findings(args),
    }
}

fn findings(args: NetpolArgs) -> Result<i32> {
    let catalogue = catalogue();
    let settings = Settings::resolve(&args.report, &catalogue, &bulkhead_netpol::rules())?;
    let (model, errors, notes, targets) = load_model(&args.paths, settings.max_bytes)?;
    let opts = args.model.options();
    let engine = Engine::new(&model, opts);
    let mut report = Report::new("netpol");
    for (k, v) in opts.describe() {
        report.settings.insert(k, v);
    }
    // Every object read, not only the policies: the summary's "in N objects
    // from M files" is what the analysis looked at.
    report.targets = targets;
    report.findings = bulkhead_netpol::rules::check(&engine, &|r| settings.selection.enabled(r));
    report.errors = errors;
    report.notes = notes;
    settings.apply_suppressions(&catalogue, &mut report);
    settings.finish(&mut report, Some("note(s) about the input"));
    let text = report.render(settings.format, &catalogue, settings.render);
    settings.emit(&text)?;
    Ok(report.exit_code(settings.fail_on))
}

/// The switches for the undefined cases, printed with every answer (on
/// stderr for machine formats, so their output stays parseable).
fn print_assumptions(opts: &Options, to_stdout: bool) -> String {
    let mut s = String::new();
    for (k, v) in opts.describe() {
        s.push_str(&format!("# {k}: {v}\n"));
    }
    if to_stdout {
        s
    } else {
        eprint!("{s}");
        String::new()
    }
}

fn reach(a: ReachArgs) -> Result<i32> {
    let format: ReachFormat = a.format.parse().map_err(|e: String| anyhow!(e))?;
    let (model, errors, _, _) =
        load_model(&a.paths, parse_size(a.common.max_file_size.as_deref())?)?;
    let opts = a.common.model.options();
    let engine = Engine::new(&model, opts);
    for f in &a.focus {
        engine
            .find_workload(f)
            .map_err(|e| anyhow!("--focus-workload: {e}"))?;
    }
    let conns = engine.connlist(&a.focus);
    let mut text = String::new();
    if format == ReachFormat::Txt {
        text.push_str(&print_assumptions(&opts, false));
    } else {
        print_assumptions(&opts, false);
    }
    text.push_str(&output::render(&conns, format, &opts.describe()));
    emit(&a.common.output, &text)?;
    Ok(report_errors(&errors))
}

fn explain_cmd(a: ExplainArgs) -> Result<i32> {
    let (model, errors, _, _) =
        load_model(&a.paths, parse_size(a.common.max_file_size.as_deref())?)?;
    let opts = a.common.model.options();
    let engine = Engine::new(&model, opts);
    let src = engine
        .parse_peer(&a.src)
        .map_err(|e| anyhow!("source {}: {e}", a.src))?;
    let dst = engine
        .parse_peer(&a.dst)
        .map_err(|e| anyhow!("destination {}: {e}", a.dst))?;
    let port = match &a.port {
        Some(p) => Some(explain::parse_port(p).map_err(|e| anyhow!("--port {p}: {e}"))?),
        None => None,
    };
    let mut text = print_assumptions(&opts, true);
    text.push_str(&explain::explain(&engine, src, dst, port));
    emit(&a.common.output, &text)?;
    Ok(report_errors(&errors))
}

fn diff(a: DiffArgs) -> Result<i32> {
    let max = parse_size(a.common.max_file_size.as_deref())?;
    let (m1, mut errors, _, _) = load_model(std::slice::from_ref(&a.old), max)?;
    let (m2, e2, _, _) = load_model(std::slice::from_ref(&a.new), max)?;
    errors.extend(e2);
    // A side that was not read whole would show its policies as added or
    // removed: no diff at all rather than a wrong one.
    if !errors.is_empty() {
        return Ok(report_errors(&errors));
    }
    let opts = a.common.model.options();
    let (mut e1, mut e2) = (Engine::new(&m1, opts), Engine::new(&m2, opts));
    explain::share_atoms(&mut e1, &mut e2);
    let (old, new) = (e1.connlist(&[]), e2.connlist(&[]));
    let lines = explain::diff(&old, &new);
    let text = if a.format == "json" {
        let v: Vec<serde_json::Value> = lines
            .iter()
            .map(|l| {
                serde_json::json!({"change": l.kind, "src": l.src, "dst": l.dst, "old": l.old, "new": l.new})
            })
            .collect();
        format!("{}\n", serde_json::to_string_pretty(&v)?)
    } else {
        print_assumptions(&a.common.model.options(), true) + &explain::diff_text(&lines)
    };
    emit(&a.common.output, &text)?;
    let code = report_errors(&errors);
    Ok(if code == 0 && a.fail_on_change && !lines.is_empty() {
        1
    } else {
        code
    })
}

fn graph(a: GraphArgs) -> Result<i32> {
    let (model, errors, _, _) =
        load_model(&a.paths, parse_size(a.common.max_file_size.as_deref())?)?;
    let opts = a.common.model.options();
    let engine = Engine::new(&model, opts);
    let format = if a.format == "dot" {
        ReachFormat::Dot
    } else {
        ReachFormat::Svg
    };
    let text = output::render(&engine.connlist(&[]), format, &opts.describe());
    emit(&a.common.output, &text)?;
    Ok(report_errors(&errors))
}
