//! `bulkhead rbac`: Roles, ClusterRoles and bindings (manifests or a
//! cluster dump) → the RBAC model → dangerous-rights findings (default),
//! `who-can`, `can` (one subject's access matrix) or `graph`.

use super::manifests::{emit, parse_size, read_objects, report_errors};
use crate::cli::ReportArgs;
use crate::commands::catalogue;
use crate::settings::Settings;
use anyhow::Result;
use bulkhead_core::yaml::Limits;
use bulkhead_core::{InputError, Report, Target};
use bulkhead_kube::load;
use bulkhead_rbac::access::{self, MATRIX_VERBS};
use bulkhead_rbac::analyze::{Analysis, Options};
use bulkhead_rbac::authz::{Authorizer, WhoRow};
use bulkhead_rbac::graph;
use bulkhead_rbac::model::{Model, ModelOptions, SubjectKind};
use clap::{Args, Subcommand};
use serde_json::json;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct RbacArgs {
    #[command(subcommand)]
    pub command: Option<RbacCommand>,
    /// Files or directories with Roles, ClusterRoles, bindings, service accounts and workloads
    /// (manifests or `kubectl get -o yaml` dumps; *.yaml, *.yml, *.json); - reads standard input.
    #[arg(required = true)]
    pub paths: Vec<String>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Also report Kubernetes' own subjects (system: users and groups) and bootstrap bindings.
    #[arg(long)]
    pub include_system: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Add Kubernetes' default ClusterRoleBindings (system:masters is cluster-admin, every
    /// authenticated user may discover the API, ...), as a live cluster has them.
    #[arg(long, env = "BULKHEAD_RBAC_BOOTSTRAP")]
    pub bootstrap: bool,
    /// Do not resolve references to Kubernetes' default ClusterRoles (cluster-admin, admin,
    /// edit, view, system:*) that are missing from the input.
    #[arg(long)]
    pub no_builtin_roles: bool,
}

#[derive(Subcommand, Debug, Clone)]
pub enum RbacCommand {
    /// Which subjects can VERB RESOURCE (like kubectl-who-can and rbac-tool who-can).
    /// RESOURCE is a resource (pods, po, deployments.apps), RESOURCE/NAME, or a URL (/healthz).
    WhoCan(WhoCanArgs),
    /// What one subject can do: its bindings, its rules and an access matrix (like rakkess).
    /// SUBJECT: User:jane (or jane), Group:dev, ServiceAccount:NAMESPACE:NAME.
    Can(CanArgs),
    /// Graph of subjects → roles → dangerous rights, as Graphviz DOT or SVG.
    Graph(GraphArgs),
}

#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    /// Output format: table or json.
    #[arg(long, short = 'f', default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
    /// Write the answer to FILE instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Largest input file, e.g. 20MiB (default), 500KB, 1048576.
    #[arg(long, env = "BULKHEAD_MAX_FILE_SIZE")]
    pub max_file_size: Option<String>,
    #[command(flatten)]
    pub input: InputArgs,
}

impl CommonArgs {
    /// Reads and models `paths` with these options (who-can, can).
    fn load(&self, paths: &[String]) -> Result<Loaded> {
        load_inputs(
            paths,
            parse_size(self.max_file_size.as_deref())?,
            &self.input,
        )
    }
}

#[derive(Args, Debug, Clone)]
pub struct WhoCanArgs {
    /// get, list, watch, create, update, patch, delete, impersonate, bind, escalate, ...
    pub verb: String,
    /// pods, po, deployments.apps, secrets/NAME, /healthz
    pub resource: String,
    /// Files or directories; - reads standard input.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Only in this namespace (ClusterRoleBindings and this namespace's RoleBindings);
    /// default: cluster-wide and in any namespace, with the scope of each grant.
    #[arg(long, short = 'n')]
    pub namespace: Option<String>,
    /// The object's name (resourceNames rules match only named requests).
    #[arg(long)]
    pub name: Option<String>,
    /// Subresource, e.g. exec, log, proxy, token, scale.
    #[arg(long)]
    pub subresource: Option<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug, Clone)]
pub struct CanArgs {
    /// User:jane (or jane), Group:dev, ServiceAccount:NAMESPACE:NAME or system:serviceaccount:NS:NAME.
    pub subject: String,
    /// Files or directories; - reads standard input.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// The matrix for this namespace (default: cluster-wide grants only).
    #[arg(long, short = 'n')]
    pub namespace: Option<String>,
    /// Groups of a User subject (repeatable); system:authenticated is implied.
    #[arg(long = "group", value_delimiter = ',')]
    pub groups: Vec<String>,
    /// Show every known resource, not only those with a granted verb.
    #[arg(long)]
    pub all_resources: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug, Clone)]
pub struct GraphArgs {
    /// Files or directories; - reads standard input.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// dot (Graphviz) or svg (self-contained, no Graphviz needed).
    #[arg(long, short = 'f', default_value = "svg", value_parser = ["dot", "svg"])]
    pub format: String,
    /// Write the graph to FILE instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Also draw Kubernetes' own subjects and bootstrap bindings.
    #[arg(long)]
    pub include_system: bool,
    /// Largest input file, e.g. 20MiB (default).
    #[arg(long, env = "BULKHEAD_MAX_FILE_SIZE")]
    pub max_file_size: Option<String>,
    #[command(flatten)]
    pub input: InputArgs,
}

/// Reads and parses the inputs in parallel, then builds the model.
struct Loaded {
    model: Model,
    errors: Vec<InputError>,
    notes: Vec<String>,
    /// Every object read (the report's targets: what the summary counts).
    targets: Vec<Target>,
}

impl Loaded {
    /// Every input failed: there is no answer to print, only the errors.
    fn nothing_read(&self) -> bool {
        !self.errors.is_empty() && self.model.roles.is_empty() && self.model.bindings.is_empty()
    }
}

fn load_inputs(paths: &[String], max_bytes: u64, input: &InputArgs) -> Result<Loaded> {
    let (objects, mut errors, _) = read_objects(paths, max_bytes, &|src| {
        let l = load::load(src, Limits::default());
        (l.objects, l.errors, Vec::new())
    })?;
    let targets = objects.iter().map(|o| o.target()).collect();
    let mut model = Model::build(
        objects,
        ModelOptions {
            bootstrap_bindings: input.bootstrap,
            builtin_roles: !input.no_builtin_roles,
        },
    );
    errors.append(&mut model.errors);
    let notes = std::mem::take(&mut model.notes);
    Ok(Loaded {
        model,
        errors,
        notes,
        targets,
    })
}

pub fn run(args: RbacArgs) -> Result<i32> {
    match args.command {
        Some(RbacCommand::WhoCan(a)) => who_can(a),
        Some(RbacCommand::Can(a)) => can(a),
        Some(RbacCommand::Graph(a)) => graph_cmd(a),
        None => findings(args),
    }
}

fn findings(args: RbacArgs) -> Result<i32> {
    let catalogue = catalogue();
    let settings = Settings::resolve(&args.report, &catalogue, &bulkhead_rbac::rules())?;
    let timings = std::env::var_os("BULKHEAD_TIMINGS").is_some();
    let t0 = std::time::Instant::now();
    let Loaded {
        model,
        errors,
        notes,
        targets,
    } = load_inputs(&args.paths, settings.max_bytes, &args.input)?;
    if timings {
        eprintln!("timing: read+parse+model {:?}", t0.elapsed());
    }
    let model = &model;
    let mut report = Report::new("rbac");
    report.settings.insert(
        "bootstrap_bindings".into(),
        args.input.bootstrap.to_string(),
    );
    report.settings.insert(
        "builtin_roles".into(),
        (!args.input.no_builtin_roles).to_string(),
    );
    report
        .settings
        .insert("include_system".into(), args.include_system.to_string());
    // Every object read (service accounts and workloads too), not only the
    // roles and bindings: the summary counts what the analysis looked at.
    report.targets = targets;
    let t1 = std::time::Instant::now();
    let analysis = Analysis::new(
        model,
        Options {
            include_system: args.include_system,
        },
    );
    report.findings = analysis.findings(&|r| settings.selection.enabled(r));
    if timings {
        eprintln!(
            "timing: analyze {:?} ({} findings)",
            t1.elapsed(),
            report.findings.len()
        );
    }
    report.errors = errors;
    report.notes = notes;
    settings.apply_suppressions(&catalogue, &mut report);
    settings.finish(&mut report, Some("note(s) about the input"));
    let text = report.render(settings.format, &catalogue, settings.render);
    settings.emit(&text)?;
    let code = report.exit_code(settings.fail_on);
    // The process ends here: skip freeing the model and findings one by one.
    std::mem::forget(analysis);
    std::mem::forget(report);
    Ok(code)
}

fn row_json(
    model: &Model,
    analysis_via: &dyn Fn(&WhoRow) -> String,
    r: &WhoRow,
) -> serde_json::Value {
    let b = model.bindings.get(r.grant.binding as usize);
    json!({
        "kind": r.subject.kind.as_str(),
        "name": r.subject.name,
        "namespace": if r.subject.kind == SubjectKind::ServiceAccount { Some(&r.subject.namespace) } else { None },
        "scope": r.scope.to_string(),
        "via": analysis_via(r),
        "file": b.map(|b| b.origin.file().to_string()),
        "line": b.and_then(|b| b.origin.source.as_ref().map(|_| b.origin.start.line)),
    })
}

fn via(model: &Model, r: &WhoRow) -> String {
    let b = model
        .bindings
        .get(r.grant.binding as usize)
        .map(|b| b.display())
        .unwrap_or_default();
    let role = model
        .roles
        .get(r.grant.role as usize)
        .map(|x| x.display())
        .unwrap_or_default();
    if r.grant.rule.0 == r.grant.role {
        format!("{b} → {role} rules[{}]", r.grant.rule.1)
    } else {
        let from = model
            .roles
            .get(r.grant.rule.0 as usize)
            .map(|x| x.display())
            .unwrap_or_default();
        format!(
            "{b} → {role} (aggregated from {from} rules[{}])",
            r.grant.rule.1
        )
    }
}

fn table(rows: &[Vec<String>]) -> String {
    let n = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..n)
        .map(|i| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut s = String::new();
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths.get(i).copied().unwrap_or(0)))
            .collect();
        let _ = writeln!(s, "{}", line.join("  ").trim_end());
    }
    s
}

fn who_can(a: WhoCanArgs) -> Result<i32> {
    let loaded = a.common.load(&a.paths)?;
    if loaded.nothing_read() {
        return Ok(report_errors(&loaded.errors));
    }
    let model = &loaded.model;
    access::check_verb(model, &a.verb).map_err(anyhow::Error::msg)?;
    let q = access::who_can_query(
        model,
        &a.verb,
        &a.resource,
        a.namespace.as_deref(),
        a.name.as_deref(),
        a.subresource.as_deref(),
    );
    let az = Authorizer::new(model);
    let mut w = az.who_can(&q.attrs, a.namespace.as_deref(), q.namespaced);
    let key = |r: &WhoRow| (r.subject.clone(), r.scope.clone());
    w.rows.sort_by_key(key);
    w.rows.dedup_by(|x, y| key(x) == key(y));
    w.ineffective.sort_by_key(key);
    w.ineffective.dedup_by(|x, y| key(x) == key(y));
    let scope = match &a.namespace {
        Some(ns) if q.namespaced => format!("in namespace {ns}"),
        _ if q.namespaced => "cluster-wide or in any namespace".to_string(),
        _ => "cluster-wide".to_string(),
    };
    let text = if a.common.format == "json" {
        let v = json!({
            "query": q.described,
            "scope": scope,
            "subjects": w.rows.iter().map(|r| row_json(model, &|r| via(model, r), r)).collect::<Vec<_>>(),
            "ineffective": w.ineffective.iter().map(|r| row_json(model, &|r| via(model, r), r)).collect::<Vec<_>>(),
            "notes": q.notes,
        });
        format!("{}\n", serde_json::to_string_pretty(&v)?)
    } else {
        let mut s = format!(
            "who can {} {scope}: {} subject(s)\n\n",
            q.described,
            w.subjects().len()
        );
        let mut rows = vec![vec![
            "KIND".to_string(),
            "SUBJECT".into(),
            "NAMESPACE".into(),
            "SCOPE".into(),
            "VIA".into(),
        ]];
        for r in &w.rows {
            rows.push(vec![
                r.subject.kind.as_str().to_string(),
                r.subject.name.clone(),
                if r.subject.kind == SubjectKind::ServiceAccount {
                    r.subject.namespace.clone()
                } else {
                    String::new()
                },
                r.scope.to_string(),
                via(model, r),
            ]);
        }
        s.push_str(&table(&rows));
        if !w.ineffective.is_empty() {
            let _ = writeln!(
                s,
                "\nnot granted (a RoleBinding never grants cluster-scoped resources or URLs):"
            );
            for r in &w.ineffective {
                let _ = writeln!(s, "  {} via {}", r.subject.display(), via(model, r));
            }
        }
        for n in &q.notes {
            let _ = writeln!(s, "\nnote: {n}");
        }
        s
    };
    emit(&a.common.output, &text)?;
    Ok(report_errors(&loaded.errors))
}

fn can(a: CanArgs) -> Result<i32> {
    let loaded = a.common.load(&a.paths)?;
    if loaded.nothing_read() {
        return Ok(report_errors(&loaded.errors));
    }
    let model = &loaded.model;
    let p = access::parse_subject(&a.subject, &a.groups).map_err(anyhow::Error::msg)?;
    let acc = access::access(model, &p, a.namespace.as_deref());
    let rule_rows: Vec<serde_json::Value> = acc
        .rules
        .iter()
        .filter_map(|r| {
            let rule = model.rule(r.rule)?;
            let b = model.bindings.get(r.binding as usize)?;
            let role = model.roles.get(r.role as usize)?;
            let list = |v: &[bulkhead_rbac::model::Item]| {
                v.iter().map(|i| i.value.clone()).collect::<Vec<_>>()
            };
            Some(json!({
                "scope": r.scope.to_string(),
                "verbs": list(&rule.verbs),
                "apiGroups": list(&rule.api_groups),
                "resources": list(&rule.resources),
                "resourceNames": list(&rule.resource_names),
                "nonResourceURLs": list(&rule.non_resource_urls),
                "via": format!("{} → {} rules[{}]", b.display(), role.display(), r.rule.1),
            }))
        })
        .collect();
    let matrix: Vec<_> = acc
        .matrix
        .iter()
        .filter(|m| a.all_resources || m.allowed.iter().any(|x| *x))
        .collect();
    let who = match p.as_service_account() {
        Some((ns, n)) => format!("ServiceAccount {ns}/{n}"),
        None if p.name.is_empty() => format!("Group {}", p.groups.join(",")),
        None => format!("User {} (groups {})", p.name, p.groups.join(", ")),
    };
    let where_ = match &a.namespace {
        Some(ns) => format!("in namespace {ns}"),
        None => "cluster-wide (ClusterRoleBindings)".to_string(),
    };
    let text = if a.common.format == "json" {
        let v = json!({
            "subject": who,
            "matrix_scope": where_,
            "rules": rule_rows,
            "matrix": matrix.iter().map(|m| json!({
                "group": m.group, "resource": m.resource, "namespaced": m.namespaced,
                "verbs": MATRIX_VERBS.iter().zip(&m.allowed).filter(|(_, ok)| **ok).map(|(v, _)| *v).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        });
        format!("{}\n", serde_json::to_string_pretty(&v)?)
    } else {
        let mut s = format!("{who}: {} rule(s) from its bindings\n\n", rule_rows.len());
        let mut rows = vec![vec![
            "SCOPE".to_string(),
            "VERBS".into(),
            "API GROUPS".into(),
            "RESOURCES / URLS".into(),
            "NAMES".into(),
            "VIA".into(),
        ]];
        let j = |v: &serde_json::Value| {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default()
        };
        for r in &rule_rows {
            let res = if j(&r["nonResourceURLs"]).is_empty() {
                j(&r["resources"])
            } else {
                j(&r["nonResourceURLs"])
            };
            rows.push(vec![
                r["scope"].as_str().unwrap_or("").to_string(),
                j(&r["verbs"]),
                j(&r["apiGroups"]).replace("\"\"", "core"),
                res,
                j(&r["resourceNames"]),
                r["via"].as_str().unwrap_or("").to_string(),
            ]);
        }
        s.push_str(&table(&rows));
        let _ = writeln!(s, "\naccess matrix {where_}:\n");
        let mut rows = vec![
            std::iter::once("RESOURCE".to_string())
                .chain(MATRIX_VERBS.iter().map(|v| v.to_ascii_uppercase()))
                .collect::<Vec<_>>(),
        ];
        for m in &matrix {
            let name = if m.group.is_empty() {
                m.resource.clone()
            } else {
                format!("{}.{}", m.resource, m.group)
            };
            rows.push(
                std::iter::once(name)
                    .chain(
                        m.allowed
                            .iter()
                            .map(|ok| if *ok { "✔" } else { "✖" }.to_string()),
                    )
                    .collect(),
            );
        }
        s.push_str(&table(&rows));
        s
    };
    emit(&a.common.output, &text)?;
    Ok(report_errors(&loaded.errors))
}

fn graph_cmd(a: GraphArgs) -> Result<i32> {
    let loaded = load_inputs(&a.paths, parse_size(a.max_file_size.as_deref())?, &a.input)?;
    let analysis = Analysis::new(
        &loaded.model,
        Options {
            include_system: a.include_system,
        },
    );
    let g = graph::build(&analysis);
    let text = if a.format == "dot" { g.dot() } else { g.svg() };
    emit(&a.output, &text)?;
    Ok(report_errors(&loaded.errors))
}
