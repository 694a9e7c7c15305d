//! The scan pipeline: discover → each layer once → join → XL rules → one
//! report with a breakdown per layer and per workload.

use crate::discover::{self, Inputs, is_dockerfile};
use crate::join::{self, Context, ImageInfo, Images, User};
use bulkhead_core::yaml::Limits;
use bulkhead_core::{Catalogue, Finding, InputError, Inventory, Report, RuleMeta, Target};
use bulkhead_kube::analyze::{self as kube, analyze_object};
use bulkhead_kube::load::{self, Object};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Vulnerability matching for a scanned image's inventory (the caller
/// decides the database; `None` in [`Options`]: not matched).
pub type VulnMatcher<'a> = dyn Fn(&Inventory) -> Result<Vec<Finding>, String> + Sync + 'a;

pub struct Options<'a> {
    pub pss: kube::Options,
    pub max_bytes: u64,
    /// Manifest image reference → a Dockerfile path (the Dockerfile that
    /// builds it) or an image to scan (`oci:DIR:TAG`, `oci-archive:FILE`,
    /// `docker-archive:FILE`, a directory, a registry reference).
    pub image_map: Vec<(String, String)>,
    /// Scan every image the manifests reference (mapped ones through the
    /// map, the others by their reference).
    pub scan_images: bool,
    /// Images to scan besides those the manifests reference (`--images-from`,
    /// one shard of a fleet list).
    pub extra_images: Vec<String>,
    /// Draw the NetworkPolicy and RBAC graphs (for the HTML report).
    pub graphs: bool,
    pub open: bulkhead_image::source::OpenOptions,
    pub vulns: Option<&'a VulnMatcher<'a>>,
    pub enabled: &'a (dyn Fn(&RuleMeta) -> bool + Sync),
    /// The rules whose findings the join reads as facts (host access on a
    /// workload, an image's secrets and vulnerabilities) even when the
    /// report does not show them: usually every default rule not ignored.
    pub facts: &'a (dyn Fn(&RuleMeta) -> bool + Sync),
    pub catalogue: &'a Catalogue,
}

/// One image the scan read, for the inventory in the report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImageRow {
    /// The reference manifests use.
    pub reference: String,
    pub origin: String,
    pub user: String,
    pub digest: Option<String>,
    pub findings: usize,
    /// Workloads running it.
    pub workloads: Vec<String>,
}

pub struct Outcome {
    pub report: Report,
    pub graphs: crate::html::Graphs,
    pub images: Vec<ImageRow>,
    pub workloads: usize,
}

/// Base images that run as root unless a USER says otherwise: the Docker
/// official images, distroless without a `nonroot` tag, UBI.
fn base_user(base: &str) -> Option<(bool, String)> {
    let b = join::normalize(base);
    if b == "scratch" {
        return Some((true, "FROM scratch: no user database, uid 0".into()));
    }
    let (name, tag) = match b.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, t),
        _ => (b.as_str(), ""),
    };
    let name = name.split('@').next().unwrap_or(name);
    if tag.contains("nonroot") || name.ends_with("-nonroot") {
        return Some((false, format!("base image {base} runs as nonroot")));
    }
    const ROOT: [&str; 27] = [
        "alpine",
        "debian",
        "ubuntu",
        "busybox",
        "centos",
        "fedora",
        "rockylinux",
        "almalinux",
        "amazonlinux",
        "python",
        "node",
        "golang",
        "ruby",
        "php",
        "openjdk",
        "eclipse-temurin",
        "amazoncorretto",
        "rust",
        "perl",
        "nginx",
        "httpd",
        "redis",
        "postgres",
        "mysql",
        "mariadb",
        "mongo",
        "maven",
    ];
    let root = ROOT.contains(&name)
        || name.starts_with("gcr.io/distroless/")
        || name.starts_with("registry.access.redhat.com/ubi");
    root.then(|| (true, format!("no USER; base image {base} runs as root")))
}

fn dockerfile_info(name: &str, text: &str) -> Result<ImageInfo, InputError> {
    let f = bulkhead_dockerfile::facts::facts(text).map_err(|(line, m)| {
        InputError::new(name, Some(line), format!("invalid Dockerfile: {m}"))
    })?;
    let user = match &f.user {
        Some((line, u)) => User::from_value(u, format!("{name}:{line} USER {u}")),
        None => match base_user(&f.base) {
            Some((true, why)) => User::Root {
                user: "root".into(),
                from: format!("{name}: {why}"),
            },
            Some((false, why)) => User::NonRoot {
                user: "nonroot".into(),
                from: format!("{name}: {why}"),
            },
            None => User::Unknown,
        },
    };
    Ok(ImageInfo {
        origin: format!("Dockerfile {name}"),
        user,
        digest: None,
        exposed: f
            .exposed
            .iter()
            .map(|(_, p, pr)| (*p, pr.clone()))
            .collect(),
        findings: Vec::new(),
    })
}

fn scanned_info(reference: &str, o: &Options<'_>) -> Result<(ImageInfo, Vec<Finding>), InputError> {
    let p = Path::new(reference);
    let s = if p.is_dir() && !p.join("index.json").exists() {
        bulkhead_image::scan_dir(p)
    } else {
        bulkhead_image::scan_image_with(reference, &o.open)
    }
    .map_err(|e| InputError::new(reference, None, format!("image not scanned: {e}")))?;
    let mut findings = s.findings(&|r| (o.enabled)(r) || (o.facts)(r));
    if let Some(m) = o.vulns {
        findings.extend(m(&s.inventory).map_err(|e| InputError::new(reference, None, e))?);
    }
    let cfg = s.config.get("config");
    let user = cfg
        .and_then(|c| c.get("User"))
        .and_then(|u| u.as_str())
        .unwrap_or("");
    let exposed = cfg
        .and_then(|c| c.get("ExposedPorts"))
        .and_then(|e| e.as_object())
        .map(|m| {
            m.keys()
                .filter_map(|k| {
                    let (p, pr) = k.split_once('/').unwrap_or((k.as_str(), "tcp"));
                    Some((p.parse().ok()?, pr.to_ascii_lowercase()))
                })
                .collect()
        })
        .unwrap_or_default();
    let origin = format!("image {reference}");
    Ok((
        ImageInfo {
            user: User::from_value(user, format!("config of image {reference}")),
            origin,
            digest: s.manifest_digest.clone(),
            exposed,
            findings: findings
                .iter()
                .filter(|f| !f.is_suppressed() && f.severity >= bulkhead_core::Severity::High)
                .cloned()
                .collect(),
        },
        findings,
    ))
}

/// One image read for the scan: the map value or reference, and what came of it.
struct ScanResult {
    source: String,
    result: Result<(ImageInfo, Vec<Finding>), InputError>,
}

/// The last path component of a reference's repository: `adservice` for
/// `gcr.io/x/adservice:v1`.
fn repo_leaf(reference: &str) -> &str {
    let r = reference.split('@').next().unwrap_or(reference);
    let leaf = r.rsplit('/').next().unwrap_or(r);
    leaf.split(':').next().unwrap_or(leaf)
}

/// Links referenced images to Dockerfiles by directory or file name
/// (`src/adservice/Dockerfile`, `adservice.Dockerfile`), when exactly one
/// Dockerfile matches.
fn link_by_name<'d>(
    reference: &str,
    dockerfiles: &'d [(String, String)],
) -> Result<Option<&'d (String, String)>, Vec<&'d str>> {
    let leaf = repo_leaf(reference).to_ascii_lowercase();
    if leaf.is_empty() {
        return Ok(None);
    }
    let hits: Vec<&(String, String)> = dockerfiles
        .iter()
        .filter(|(name, _)| {
            let p = Path::new(name);
            let file = p
                .file_name()
                .map(|f| f.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            let dir = p
                .parent()
                .and_then(|d| d.file_name())
                .map(|d| d.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            (matches!(file.as_str(), "dockerfile" | "containerfile") && dir == leaf)
                || file == format!("{leaf}.dockerfile")
                || file == format!("dockerfile.{leaf}")
        })
        .collect();
    match hits.len() {
        0 => Ok(None),
        1 => Ok(hits.first().copied()),
        _ => Err(hits.iter().map(|(n, _)| n.as_str()).collect()),
    }
}

/// Runs every layer over `paths` and joins them.
pub fn scan(paths: &[String], o: &Options<'_>) -> Outcome {
    let Inputs {
        dockerfiles,
        manifests,
        runtime,
        layouts,
        errors,
        notes,
        skipped,
    } = {
        let t = std::time::Instant::now();
        let d = discover::discover(paths, o.max_bytes);
        if std::env::var_os("BULKHEAD_TIMINGS").is_some() {
            eprintln!("timing: discover+read {:?}", t.elapsed());
        }
        d
    };
    let timings = std::env::var_os("BULKHEAD_TIMINGS").is_some();
    let t0 = std::time::Instant::now();
    let lap = |what: &str| {
        if timings {
            eprintln!("timing: {what} {:?}", t0.elapsed());
        }
    };
    lap("discover");
    let mut report = Report::new("scan");
    report.errors = errors;
    report.notes = notes;
    let enabled = o.enabled;

    // Kubernetes objects, parsed once for every Kubernetes layer.
    let loaded: Vec<load::Loaded> = manifests
        .par_iter()
        .map(|s| load::load(s.clone(), Limits::default()))
        .collect();
    let mut objects: Vec<Object> = Vec::new();
    for l in loaded {
        objects.extend(l.objects);
        report.errors.extend(l.errors);
        report.notes.extend(l.notes);
    }
    let refs: Vec<&Object> = objects.iter().collect();
    lap("parse");

    // Each layer once, in parallel: PSS/hardening, RBAC, NetworkPolicy,
    // Dockerfiles, runtime inputs.
    let ((kube_out, (rbac_model, rbac_findings)), (((np_model, np_findings), df_out), rt_out)) =
        rayon::join(
            || {
                rayon::join(
                    || {
                        refs.par_iter()
                            .map(|obj| {
                                analyze_object(
                                    obj,
                                    &o.pss,
                                    &|r| {
                                        enabled(r)
                                            || ((o.facts)(r)
                                                && join::HOST_ACCESS_RULES.contains(&r.id))
                                    },
                                    o.catalogue,
                                )
                            })
                            .collect::<Vec<_>>()
                    },
                    || {
                        let model = bulkhead_rbac::model::Model::build_from(
                            refs.iter().copied(),
                            bulkhead_rbac::model::ModelOptions {
                                bootstrap_bindings: false,
                                builtin_roles: true,
                            },
                        );
                        let findings = bulkhead_rbac::analyze::Analysis::new(
                            &model,
                            bulkhead_rbac::analyze::Options::default(),
                        )
                        .findings(&|r| enabled(r));
                        (model, findings)
                    },
                )
            },
            || {
                rayon::join(
                    || {
                        (
                            {
                                // The NetworkPolicy rules are the heaviest layer: run
                                // them here, beside the others, on an engine of their own.
                                let m = bulkhead_netpol::model::Model::build(refs.iter().copied());
                                let e =
                                    bulkhead_netpol::engine::Engine::new(&m, Default::default());
                                let f = bulkhead_netpol::rules::check(&e, &|r| enabled(r));
                                drop(e);
                                (m, f)
                            },
                            dockerfiles
                                .par_iter()
                                .map(|(name, text)| {
                                    bulkhead_dockerfile::analyze::analyze(
                                        name,
                                        text,
                                        &bulkhead_dockerfile::rules::Config::default(),
                                        &|r| enabled(r),
                                        o.catalogue,
                                    )
                                })
                                .collect::<Vec<_>>(),
                        )
                    },
                    || {
                        let env = bulkhead_runtime::sources::compose::Env::process();
                        let mut l = bulkhead_runtime::Loaded::default();
                        for i in &runtime {
                            l.extend(bulkhead_runtime::load(i, &env));
                        }
                        let f = bulkhead_runtime::rules::check(&l.containers, &|r| enabled(r));
                        (l, f)
                    },
                )
            },
        );
    lap("layers");
    let mut kube_findings = Vec::with_capacity(kube_out.iter().map(|r| r.findings.len()).sum());
    for r in kube_out {
        report.targets.extend(r.target);
        kube_findings.extend(r.findings);
    }
    lap("kube collected");
    let mut rbac_model = rbac_model;
    report.errors.append(&mut rbac_model.errors);
    report.notes.append(&mut rbac_model.notes);
    for r in rbac_model
        .roles
        .iter()
        .filter(|r| r.origin.source.is_some())
    {
        report.targets.push(Target {
            file: r.origin.file().to_string(),
            name: r.display(),
            line: Some(r.origin.start.line),
        });
    }
    lap("kube+rbac collected");
    let mut np_model = np_model;
    report.errors.append(&mut np_model.errors);
    report.notes.append(&mut np_model.notes);
    let engine = bulkhead_netpol::engine::Engine::new(&np_model, Default::default());
    lap("netpol engine");
    for p in &np_model.policies {
        report.targets.push(Target {
            file: p.file.clone(),
            name: format!("NetworkPolicy/{}", p.id()),
            line: Some(p.line),
        });
    }
    for d in df_out {
        match d {
            Ok(out) => {
                report.targets.extend(out.targets);
                report.findings.extend(out.findings);
                report.notes.extend(out.notes);
            }
            Err(e) => report.errors.push(e),
        }
    }
    let (rt_loaded, rt_findings) = rt_out;
    for c in &rt_loaded.containers {
        report.targets.push(Target {
            file: c.at.file.clone(),
            name: format!("{} ({})", c.object(), c.source.as_str()),
            line: (c.at.line > 0).then_some(c.at.line),
        });
    }
    report.errors.extend(rt_loaded.errors);
    report.notes.extend(rt_loaded.notes);
    report.findings.extend(rt_findings);
    report.findings.extend(rbac_findings);
    report.findings.extend(np_findings);

    let shown = |f: &Finding| o.catalogue.get(&f.rule_id).is_none_or(enabled);

    // Images: every reference the workloads run, linked to a Dockerfile or scanned.
    let mut referenced: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for obj in &refs {
        if let Some(pod) = bulkhead_kube::pod::pod_template(obj) {
            for c in &pod.containers {
                if let Some(img) = c
                    .node
                    .get("image")
                    .and_then(bulkhead_core::yaml::Node::as_str)
                {
                    referenced
                        .entry(img.to_string())
                        .or_default()
                        .insert(obj.display());
                }
            }
        }
    }
    let mapped = |r: &str| {
        let n = join::normalize(r);
        o.image_map
            .iter()
            .find(|(k, _)| {
                join::normalize(k) == n
                    || join::normalize(k) == join::normalize(r.split('@').next().unwrap_or(r))
            })
            .map(|(_, v)| v.clone())
    };
    let mut images = Images::default();
    let mut to_scan: Vec<(String, String)> = Vec::new();
    for r in referenced.keys() {
        match mapped(r) {
            Some(v) if is_dockerfile(Path::new(&v)) => {
                let text = std::fs::read_to_string(&v);
                match text {
                    Ok(t) => match dockerfile_info(&v, &t) {
                        Ok(info) => images.insert(r, info),
                        Err(e) => report.errors.push(e),
                    },
                    Err(e) => report.errors.push(InputError::new(
                        &v,
                        None,
                        format!("image map: {}", bulkhead_core::source::io_reason(&e)),
                    )),
                }
            }
            Some(v) => to_scan.push((r.clone(), v)),
            None => {
                match link_by_name(r, &dockerfiles) {
                    Ok(Some((name, text))) => {
                        if let Ok(info) = dockerfile_info(name, text) {
                            report.notes.push(format!(
                                "image {r} joined to {name} (directory name; map it with --image-map to override)"
                            ));
                            images.insert(r, info);
                        }
                    }
                    Ok(None) => {}
                    Err(many) => report.notes.push(format!(
                        "image {r}: several Dockerfiles match its name ({}); not joined (map it with --image-map)",
                        many.join(", ")
                    )),
                }
                if o.scan_images {
                    to_scan.push((r.clone(), r.clone()));
                }
            }
        }
    }
    for r in &o.extra_images {
        if !referenced.contains_key(r) {
            let v = mapped(r).unwrap_or_else(|| r.clone());
            to_scan.push((r.clone(), v));
            referenced.insert(r.clone(), BTreeSet::new());
        }
    }
    // With --images, the OCI layouts found in the tree are images too, even
    // when no manifest names them.
    if o.scan_images {
        for l in &layouts {
            let r = format!("oci:{}", l.display());
            if !to_scan.iter().any(|(_, v)| v.starts_with(&r)) {
                to_scan.push((r.clone(), r.clone()));
                referenced.entry(r).or_default();
            }
        }
    }
    if !layouts.is_empty() && !o.scan_images {
        // A layout --image-map points a reference at is scanned: no note.
        for l in layouts.iter().filter(|l| {
            let r = format!("oci:{}", l.display());
            !to_scan.iter().any(|(_, v)| {
                v == &r || v.starts_with(&format!("{r}:")) || v.starts_with(&format!("{r}@"))
            })
        }) {
            report.notes.push(format!(
                "{}: OCI image layout not scanned (map manifest references to it with --image-map, or pass --images)",
                l.display()
            ));
        }
    }
    // Each distinct image once, in parallel; every reference mapped to it shares the result.
    let distinct: Vec<&String> = to_scan
        .iter()
        .map(|(_, v)| v)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let scanned: Vec<ScanResult> = distinct
        .par_iter()
        .map(|v| ScanResult {
            source: (*v).clone(),
            result: scanned_info(v, o),
        })
        .collect();
    let mut image_findings: BTreeMap<String, usize> = BTreeMap::new();
    for s in scanned {
        match s.result {
            Ok((info, findings)) => {
                report.targets.push(Target {
                    file: s.source.clone(),
                    name: info.digest.clone().unwrap_or_else(|| s.source.clone()),
                    line: None,
                });
                for (r, _) in to_scan.iter().filter(|(_, v)| *v == s.source) {
                    image_findings.insert(r.clone(), findings.len());
                    images.insert(r, info.clone());
                }
                report
                    .findings
                    .extend(findings.into_iter().filter(|f| shown(f)));
            }
            Err(e) => report.errors.push(e),
        }
    }

    // Pictures for the HTML report, bounded: a graph of thousands of edges helps nobody.
    let mut graphs = crate::html::Graphs::default();
    if o.graphs {
        const MAX_EDGES: usize = 2000;
        // Every pair is a connection candidate: past a few hundred workloads
        // the picture is unreadable and the list quadratic; say so instead.
        const MAX_PEERS: usize = 300;
        let conns = if np_model.workloads.len() <= MAX_PEERS {
            engine.connlist(&[])
        } else {
            report.notes.push(format!(
                "NetworkPolicy graph not drawn: {} workloads (more than {MAX_PEERS}); `bulkhead netpol reach -f svg --focus-workload NAME` draws a part",
                np_model.workloads.len()
            ));
            Vec::new()
        };
        if conns.len() <= MAX_EDGES && !conns.is_empty() {
            graphs.netpol = Some(bulkhead_netpol::output::svg(&conns));
        } else if !conns.is_empty() {
            report.notes.push(format!(
                "NetworkPolicy graph not drawn: {} connections (more than {MAX_EDGES}); `bulkhead netpol graph` draws it alone",
                conns.len()
            ));
        }
        let analysis = bulkhead_rbac::analyze::Analysis::new(
            &rbac_model,
            bulkhead_rbac::analyze::Options::default(),
        );
        let g = bulkhead_rbac::graph::build(&analysis);
        if g.subjects.len() + g.roles.len() <= MAX_EDGES && !g.subjects.is_empty() {
            graphs.rbac = Some(g.svg());
        }
    }

    // The join and the cross-layer rules.
    let ctx = Context {
        netpol_index: join::netpol_index(&engine),
        netpol: Some(&engine),
        rbac: Some(&rbac_model),
        services: join::services(&refs),
    };
    lap("images");
    let joined = join::join(&refs, &kube_findings, images, &ctx);
    lap("join");
    let xl = crate::rules::check(&joined, &|r| enabled(r));
    lap("xl rules");
    report
        .findings
        .extend(kube_findings.into_iter().filter(|f| shown(f)));
    report.findings.extend(xl);
    let mut rows: Vec<ImageRow> = referenced
        .iter()
        .map(|(r, wl)| {
            let info = joined.images.get(r);
            ImageRow {
                reference: r.clone(),
                origin: info.map_or_else(|| "not joined".to_string(), |i| i.origin.clone()),
                user: match info.map(|i| &i.user) {
                    Some(User::Root { user, .. } | User::NonRoot { user, .. }) => user.clone(),
                    _ => "unknown".into(),
                },
                digest: info.and_then(|i| i.digest.clone()),
                findings: image_findings.get(r).copied().unwrap_or(0),
                workloads: wl.iter().cloned().collect(),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.reference.cmp(&b.reference));
    if skipped > 0 {
        report.notes.push(format!(
            "{skipped} YAML/JSON file(s) read by no layer (not Kubernetes, Compose, OCI config or inspect output)"
        ));
    }
    let workloads = joined.workloads.len();
    // Freeing every YAML node of a large tree one by one is a measurable share
    // of a run: hand the trees to a thread (a CLI exits before it finishes;
    // a long-running caller frees them in the background).
    drop(joined);
    drop(refs);
    drop(engine);
    let manifest_files = manifests.len();
    std::thread::spawn(move || drop((objects, manifests, np_model, rbac_model)));
    report.settings.insert(
        "inputs".into(),
        format!(
            "{} Dockerfile(s), {} manifest file(s), {} runtime file(s), {} image(s)",
            dockerfiles.len(),
            manifest_files,
            runtime.len(),
            image_findings.len()
        ),
    );
    Outcome {
        report,
        graphs,
        images: rows,
        workloads,
    }
}

/// The breakdowns of a scan report: per layer (rule family) and per
/// workload (the object a finding names, or its file).
pub fn add_breakdown(report: &mut Report) {
    report.group_by("layer", |f| Some(crate::family(&f.rule_id).to_string()));
    report.group_by("workload", |f| {
        f.location.object.as_deref().and_then(crate::workload_key)
    });
}
