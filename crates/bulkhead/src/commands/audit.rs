//! `bulkhead audit`: Kubernetes audit logs → events → the AUD rules and the
//! PSS, hardening and RBAC rules on request objects → findings; `audit
//! summary` (who did what), `audit roles` (least privilege from observed
//! use) and `audit unused` (granted rights never used). The analysis is
//! `bulkhead-audit`'s; this module only wires it.

use crate::cli::ReportArgs;
use crate::commands::catalogue;
use crate::commands::manifests::read_objects;
use crate::settings::{Settings, parse_size};
use anyhow::{Context, Result, bail};
use bulkhead_audit::analyze::{Cidr, Collect, Judges, Options};
use bulkhead_audit::roles::{self, Generate, Subject};
use bulkhead_core::source::{self, InputPath};
use bulkhead_core::yaml::Limits;
use bulkhead_core::{Catalogue, Format, Report, RuleMeta, Target};
use bulkhead_kube::load;
use bulkhead_rbac::model::{Model, ModelOptions};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: Option<AuditCommand>,
    /// Audit logs: audit.k8s.io Event JSON lines (plain, gzip or zstd; `kubectl logs`
    /// output with --timestamps or --prefix too), or directories of them; - reads stdin.
    #[arg(required = true)]
    pub logs: Vec<String>,
    #[command(flatten)]
    pub window: WindowArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Args, Debug, Clone)]
pub struct WindowArgs {
    /// Only events at or after this time (RFC 3339, like 2026-11-30T10:00:00Z).
    #[arg(long)]
    pub since: Option<String>,
    /// Only events at or before this time (RFC 3339).
    #[arg(long)]
    pub until: Option<String>,
    /// The cluster's networks (pod, node, service CIDRs); service-account tokens used from
    /// elsewhere are AUD010 (repeatable; default: loopback, link-local, private ranges).
    #[arg(
        long = "cluster-cidr",
        value_name = "CIDR",
        env = "BULKHEAD_CLUSTER_CIDR",
        value_delimiter = ','
    )]
    pub cluster_cidr: Vec<String>,
    /// Refused requests of one subject that make AUD016 (enumeration).
    #[arg(long, default_value_t = 10)]
    pub forbidden_threshold: u32,
    /// Largest event (one line), e.g. 16MiB (default); longer lines are skipped and reported.
    #[arg(long, env = "BULKHEAD_MAX_EVENT_SIZE")]
    pub max_event_size: Option<String>,
    /// Image prefixes trusted in pods created in kube-system and kube-public (AUD013;
    /// repeatable).
    #[arg(
        long = "trusted-kube-image",
        value_name = "PREFIX",
        value_delimiter = ','
    )]
    pub trusted_kube_image: Vec<String>,
    /// PSS level the pods and workloads in the log are judged at.
    #[arg(long, default_value = "baseline", value_parser = ["baseline", "restricted"])]
    pub pss_level: String,
}

#[derive(Subcommand, Debug, Clone)]
pub enum AuditCommand {
    /// Activity per user and service account, an hourly timeline and the changes made.
    Summary(SummaryArgs),
    /// The Role/ClusterRole and bindings granting exactly what one subject was seen doing.
    Roles(RolesArgs),
    /// Rights granted by an RBAC dump that no request in the log used (AUD018).
    Unused(UnusedArgs),
}

#[derive(Args, Debug, Clone)]
pub struct SummaryArgs {
    /// Audit logs (plain, gzip or zstd), or directories of them; - reads standard input.
    #[arg(required = true)]
    pub logs: Vec<String>,
    #[command(flatten)]
    pub window: WindowArgs,
    /// table, json, sarif (the findings as results, the summary in the run's properties)
    /// or html (one self-contained page).
    #[arg(long, short = 'f', env = "BULKHEAD_FORMAT", default_value = "table")]
    pub format: String,
    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Changes listed in the timeline (the rest are counted).
    #[arg(long, default_value_t = 1000)]
    pub timeline_limit: usize,
}

#[derive(Args, Debug, Clone)]
pub struct RolesArgs {
    /// Audit logs (plain, gzip or zstd), or directories of them; - reads standard input.
    #[arg(required = true)]
    pub logs: Vec<String>,
    /// The user whose requests the roles must allow.
    #[arg(
        long,
        conflicts_with = "serviceaccount",
        required_unless_present = "serviceaccount"
    )]
    pub user: Option<String>,
    /// The service account (NAMESPACE:NAME) whose requests the roles must allow.
    #[arg(long)]
    pub serviceaccount: Option<String>,
    /// Exactly the requests seen: no verb expansion, no promotion of resources seen in
    /// several namespaces to the ClusterRole.
    #[arg(long)]
    pub exact: bool,
    #[command(flatten)]
    pub window: WindowArgs,
    /// Write the YAML to FILE instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct UnusedArgs {
    /// The audit log (or - for stdin).
    pub log: String,
    /// Roles, ClusterRoles and bindings (manifests or `kubectl get -o yaml` dumps).
    #[arg(required = true)]
    pub rbac: Vec<String>,
    /// Also judge bootstrap bindings and system: subjects.
    #[arg(long)]
    pub include_system: bool,
    #[command(flatten)]
    pub window: WindowArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

fn time(flag: &str, s: &Option<String>) -> Result<Option<jiff::Timestamp>> {
    s.as_deref()
        .map(|t| {
            t.parse::<jiff::Timestamp>().map_err(|e| {
                anyhow::anyhow!(
                    "{flag} {t:?}: not an RFC 3339 time like 2026-11-30T10:00:00Z ({e})"
                )
            })
        })
        .transpose()
}

fn options(w: &WindowArgs) -> Result<Options> {
    let mut o = Options {
        since: time("--since", &w.since)?,
        until: time("--until", &w.until)?,
        forbidden_threshold: w.forbidden_threshold.max(1),
        ..Options::default()
    };
    if let (Some(s), Some(u)) = (o.since, o.until)
        && s > u
    {
        bail!("--since is after --until");
    }
    if !w.cluster_cidr.is_empty() {
        o.internal = w
            .cluster_cidr
            .iter()
            .map(|c| {
                c.parse::<Cidr>()
                    .map_err(|e| anyhow::anyhow!("--cluster-cidr {e}"))
            })
            .collect::<Result<_>>()?;
    }
    if let Some(s) = &w.max_event_size {
        o.max_event = usize::try_from(parse_size(s)?).unwrap_or(usize::MAX);
    }
    o.trusted_kube_images = w.trusted_kube_image.clone();
    if w.pss_level == "restricted" {
        o.pss.level = bulkhead_kube::pss::Level::Restricted;
    }
    Ok(o)
}

fn inputs(logs: &[String]) -> Result<(Vec<InputPath>, Vec<bulkhead_core::InputError>)> {
    let (paths, errors) = source::collect(logs, &|_| true);
    if paths.iter().filter(|p| **p == InputPath::Stdin).count() > 1 {
        bail!("- (standard input) given more than once");
    }
    if paths.is_empty() && errors.is_empty() {
        bail!("no audit log found in {}", logs.join(", "));
    }
    Ok((paths, errors))
}

/// The rules an audit run uses beside the AUD rules: the PSS controls of the
/// level, the hardening rules about host mounts and secrets in the spec,
/// and the RBAC rules — unless the selection names others.
fn object_rule(settings: &Settings, r: &RuleMeta) -> bool {
    if !settings.selection.enabled(r) {
        return false;
    }
    if !settings.selection.select.is_empty() {
        return true;
    }
    r.id.starts_with("PSS") || r.id.starts_with("RBAC") || matches!(r.id, "K8S008" | "K8S011")
}

fn analyse(
    logs: &[String],
    opts: &Options,
    settings: &Settings,
    catalogue: &Catalogue,
) -> Result<bulkhead_audit::Analysis> {
    let (paths, errors) = inputs(logs)?;
    let audit = |r: &RuleMeta| settings.selection.enabled(r);
    let objects = |r: &RuleMeta| object_rule(settings, r);
    let judges = Judges {
        audit: &audit,
        objects: &objects,
        catalogue,
    };
    let mut a = bulkhead_audit::run(&paths, opts, &judges);
    let mut all = errors;
    all.append(&mut a.errors);
    a.errors = all;
    Ok(a)
}

pub(crate) fn own_rules() -> Vec<&'static RuleMeta> {
    let mut r = bulkhead_audit::rules();
    r.extend(bulkhead_kube::rules());
    r.extend(bulkhead_rbac::rules());
    r
}

fn report_of(a: bulkhead_audit::Analysis, command: &str) -> Report {
    let mut report = Report::new(command);
    for i in &a.inputs {
        report.targets.push(Target {
            file: i.clone(),
            name: "audit log".into(),
            line: None,
        });
    }
    report
        .settings
        .insert("events".into(), a.events.to_string());
    report.settings.insert("lines".into(), a.lines.to_string());
    report
        .settings
        .insert("subjects".into(), a.summary.subjects.len().to_string());
    report.findings = a.findings;
    report.errors = a.errors;
    report.notes = a.notes;
    report
}

pub fn run(args: AuditArgs) -> Result<i32> {
    match args.command {
        Some(AuditCommand::Summary(a)) => summary(a),
        Some(AuditCommand::Roles(a)) => roles_cmd(a),
        Some(AuditCommand::Unused(a)) => unused(a),
        None => findings(args),
    }
}

fn findings(args: AuditArgs) -> Result<i32> {
    let catalogue = catalogue();
    let settings = Settings::resolve(&args.report, &catalogue, &own_rules())?;
    let opts = options(&args.window)?;
    let a = analyse(&args.logs, &opts, &settings, &catalogue)?;
    let mut report = report_of(a, "audit");
    settings.apply_suppressions(&catalogue, &mut report);
    settings.finish(&mut report, None);
    let text = report.render(settings.format, &catalogue, settings.render);
    settings.emit(&text)?;
    Ok(report.exit_code(settings.fail_on))
}

fn write_out(output: &Option<PathBuf>, text: &str) -> Result<()> {
    match output {
        Some(p) => {
            std::fs::write(p, text).with_context(|| format!("{}: cannot write", p.display()))
        }
        None => {
            out!("{text}");
            Ok(())
        }
    }
}

fn quiet_settings(catalogue: &Catalogue) -> Result<Settings> {
    let args = ReportArgs {
        format: None,
        output: None,
        severity: Vec::new(),
        fail_on: None,
        select: Vec::new(),
        ignore: Vec::new(),
        config: None,
        no_config: true,
        quiet: true,
        verbose: false,
        no_color: true,
        show_suppressed: false,
        max_file_size: None,
    };
    Settings::resolve(&args, catalogue, &[])
}

fn summary(args: SummaryArgs) -> Result<i32> {
    let catalogue = catalogue();
    let settings = quiet_settings(&catalogue)?;
    let mut opts = options(&args.window)?;
    opts.timeline_limit = args.timeline_limit;
    let wanted = args.format.to_ascii_lowercase();
    let format: Option<Format> = match wanted.as_str() {
        "html" => None,
        f => Some(f.parse().map_err(anyhow::Error::msg)?),
    };
    let a = analyse(&args.logs, &opts, &settings, &catalogue)?;
    for e in &a.errors {
        eprintln!("bulkhead: {e}");
    }
    // The findings as a report, for the SARIF and HTML forms of the summary.
    let as_report = |a: &bulkhead_audit::Analysis| {
        let mut r = Report::new("audit summary");
        r.findings = a.findings.clone();
        r.errors = a.errors.clone();
        r.notes = a.notes.clone();
        r.settings.insert("events".into(), a.events.to_string());
        r.settings
            .insert("subjects".into(), a.summary.subjects.len().to_string());
        r.sort();
        r
    };
    let text = match format {
        None => {
            let mut r = as_report(&a);
            r.group_by("subject", |f| f.evidence.get("user").cloned());
            let sections = [bulkhead_scan::html::Section {
                id: "activity".into(),
                title: "Activity per subject".into(),
                html: a.summary.render_html(),
            }];
            bulkhead_scan::html::render_with(
                &r,
                &catalogue,
                &[],
                &Default::default(),
                &sections,
                "bulkhead audit summary",
            )
        }
        Some(Format::Sarif) => {
            // SARIF has no table: the findings are results, the summary the run's properties.
            let r = as_report(&a);
            let mut doc: serde_json::Value =
                serde_json::from_str(&r.render(Format::Sarif, &catalogue, Default::default()))
                    .context("SARIF")?;
            if let Some(run) = doc.pointer_mut("/runs/0").and_then(|v| v.as_object_mut()) {
                let props = run
                    .entry("properties")
                    .or_insert_with(|| serde_json::json!({}));
                if let Some(p) = props.as_object_mut() {
                    p.insert("events".into(), serde_json::json!(a.events));
                    p.insert("lines".into(), serde_json::json!(a.lines));
                    p.insert("summary".into(), serde_json::to_value(&a.summary)?);
                }
            }
            serde_json::to_string_pretty(&doc).context("cannot render SARIF")? + "\n"
        }
        Some(Format::Table) => {
            let mut t = a.summary.render_table();
            for n in &a.notes {
                t.push_str(&format!("note: {n}\n"));
            }
            t.push_str(&format!(
                "{} event(s) from {} line(s), {} subject(s), {} finding(s) (see `bulkhead audit`)\n",
                a.events,
                a.lines,
                a.summary.subjects.len(),
                a.findings.len()
            ));
            t
        }
        Some(Format::Json) => {
            let doc = serde_json::json!({
                "schema_version": "1",
                "command": "audit summary",
                "events": a.events,
                "lines": a.lines,
                "findings": a.findings.len(),
                "summary": a.summary,
                "errors": a.errors,
                "notes": a.notes,
            });
            serde_json::to_string_pretty(&doc).context("cannot render JSON")? + "\n"
        }
        Some(Format::Junit) => bail!(
            "--format junit: the summary is table, json, sarif or html; JUnit findings come from `bulkhead audit`"
        ),
    };
    write_out(&args.output, &text)?;
    Ok(if a.errors.is_empty() { 0 } else { 2 })
}

fn roles_cmd(args: RolesArgs) -> Result<i32> {
    let catalogue = catalogue();
    let settings = quiet_settings(&catalogue)?;
    let subject = match (&args.user, &args.serviceaccount) {
        (Some(u), _) => Subject::User(u.clone()),
        (None, Some(sa)) => Subject::service_account(sa).map_err(anyhow::Error::msg)?,
        (None, None) => bail!("--user or --serviceaccount is required"),
    };
    let mut opts = options(&args.window)?;
    opts.collect = Collect::Subjects(vec![subject.username()]);
    // The rules are not needed to find what a subject did.
    let none = |_: &RuleMeta| false;
    let (paths, mut errors) = inputs(&args.logs)?;
    let judges = Judges {
        audit: &none,
        objects: &none,
        catalogue: &catalogue,
    };
    let mut a = bulkhead_audit::run(&paths, &opts, &judges);
    errors.append(&mut a.errors);
    for e in &errors {
        eprintln!("bulkhead: {e}");
    }
    let _ = settings;
    let Some(st) = a.summary.subjects.get(&subject.username()) else {
        bail!(
            "{} made no request in {} ({} event(s) read)",
            subject.username(),
            args.logs.join(", "),
            a.events
        );
    };
    let groups: Vec<String> = st.groups.iter().cloned().collect();
    let g = roles::generate(
        &subject,
        &groups,
        &st.requests,
        if args.exact {
            Generate::exact()
        } else {
            Generate::default()
        },
    );
    let text = roles::to_yaml(&subject, &g, &args.logs.join(", "));
    write_out(&args.output, &text)?;
    Ok(if errors.is_empty() { 0 } else { 2 })
}

fn unused(args: UnusedArgs) -> Result<i32> {
    let catalogue = catalogue();
    let settings = Settings::resolve(&args.report, &catalogue, &bulkhead_audit::rules())?;
    let mut opts = options(&args.window)?;
    opts.collect = Collect::All;
    let none = |_: &RuleMeta| false;
    let (paths, mut errors) = inputs(std::slice::from_ref(&args.log))?;
    let judges = Judges {
        audit: &none,
        objects: &none,
        catalogue: &catalogue,
    };
    let a = bulkhead_audit::run(&paths, &opts, &judges);
    errors.extend(a.errors.iter().cloned());
    let (objects, mut rbac_errors, _) = read_objects(&args.rbac, settings.max_bytes, &|src| {
        let l = load::load(src, Limits::default());
        (l.objects, l.errors, Vec::new())
    })?;
    errors.append(&mut rbac_errors);
    let mut model = Model::build(
        objects,
        ModelOptions {
            bootstrap_bindings: false,
            builtin_roles: true,
        },
    );
    errors.append(&mut model.errors);
    let (found, totals) = bulkhead_audit::unused::check(&model, &a.summary, args.include_system);
    let mut report = Report::new("audit unused");
    report.targets.push(Target {
        file: args.log.clone(),
        name: "audit log".into(),
        line: None,
    });
    report
        .settings
        .insert("events".into(), a.events.to_string());
    report.findings = found
        .into_iter()
        .filter(|f| {
            settings.selection.enabled(&bulkhead_audit::unused::RULE) || f.rule_id.is_empty()
        })
        .collect();
    report.errors = errors;
    report.notes = a.notes;
    report.notes.push(format!(
        "{} of {} granted rule(s) never used, in {} binding subject(s)",
        totals.unused, totals.rules, totals.bindings
    ));
    settings.apply_suppressions(&catalogue, &mut report);
    settings.finish(&mut report, None);
    let text = report.render(settings.format, &catalogue, settings.render);
    settings.emit(&text)?;
    Ok(report.exit_code(settings.fail_on))
}
