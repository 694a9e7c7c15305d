//! `admission serve`, `admission review`, `admission manifests`: wiring of
//! `bulkhead_admission` (engine, server, manifests) to the command line.

use super::catalogue;
use anyhow::{Context, Result, anyhow, bail};
use bulkhead_admission::engine::{self, Namespaces};
use bulkhead_admission::manifests::{self, ManifestOptions};
use bulkhead_admission::server::{self, ServeOptions};
use clap::{Args, Subcommand};
use std::io::Read as _;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args, Debug, Clone)]
pub struct AdmissionArgs {
    #[command(subcommand)]
    pub command: AdmissionCommand,
}

#[derive(Subcommand, Debug, Clone)]
pub enum AdmissionCommand {
    /// Serve admission.k8s.io/v1 AdmissionReviews over HTTPS on /validate and /mutate
    /// (plus /healthz, /readyz, /metrics). Certificate, key and policy are reloaded when
    /// their files change; SIGTERM drains accepted requests before exiting.
    Serve(ServeArgs),
    /// Judge AdmissionReview JSON files (or - for stdin) offline with the same policy and
    /// print each response, exactly what the server would answer.
    Review(ReviewArgs),
    /// Print the kustomize base that runs the server in a cluster (or write it with --dir).
    Manifests(ManifestsArgs),
    /// Run policy tests offline, in the formats users keep: Kyverno `kyverno-test.yaml`
    /// (the pod-security policies, each mapped to its PSS control) and Gatekeeper
    /// `suite.yaml`. Lists each case with its expected and actual outcome.
    Test(TestArgs),
}

#[derive(Args, Debug, Clone)]
pub struct TestArgs {
    /// Test files or directories (walked for kyverno-test.yaml and suite.yaml).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// table or json.
    #[arg(long, short = 'f', env = "BULKHEAD_FORMAT", default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
    /// Write the result to FILE instead of standard output.
    #[arg(long, short = 'o', env = "BULKHEAD_OUTPUT")]
    pub output: Option<PathBuf>,
    /// Print only the cases that did not pass, and the summary.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Where Gatekeeper templates are when a suite's `template:` is not beside it:
    /// DIR/<category>/<name>/template.yaml (the gatekeeper-library layout).
    #[arg(long, value_name = "DIR")]
    pub gatekeeper_templates: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct PolicyArgs {
    /// Policy file (the bulkhead.yaml schema; its `admission:` section). Default: the built-in
    /// policy (every enabled rule denies, PSS restricted).
    #[arg(long, env = "BULKHEAD_CONFIG")]
    pub config: Option<PathBuf>,
    /// Namespaces to learn labels from at start (a `kubectl get ns -o yaml` dump), for
    /// `pss: auto` and namespace selectors before the server sees those Namespaces.
    #[arg(long)]
    pub namespaces: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// PEM certificate chain (tls.crt).
    #[arg(long, env = "BULKHEAD_TLS_CERT")]
    pub cert: PathBuf,
    /// PEM private key (tls.key): PKCS#8, SEC1 or PKCS#1.
    #[arg(long, env = "BULKHEAD_TLS_KEY")]
    pub key: PathBuf,
    /// Address to listen on (port 0 picks a free port; the log line says which).
    #[arg(long, env = "BULKHEAD_LISTEN", default_value = "0.0.0.0:8443")]
    pub listen: String,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Largest request body, e.g. 3MiB (the API server sends at most 3 MiB objects).
    #[arg(long, default_value = "3MiB")]
    pub max_body: String,
    /// Most simultaneous connections; more are closed at accept (and counted).
    #[arg(long, default_value_t = 4096)]
    pub max_connections: usize,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// How long accepted requests may take at shutdown, in seconds.
    #[arg(long, default_value_t = 30)]
    pub drain_seconds: u64,
    /// Log only denials and warnings, not every review.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Args, Debug, Clone)]
pub struct ReviewArgs {
    /// AdmissionReview JSON files; - reads standard input.
    #[arg(required = true)]
    pub paths: Vec<String>,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Answer as /mutate does (with the JSON Patch of the fixes).
    #[arg(long)]
    pub mutate: bool,
}

#[derive(Args, Debug, Clone)]
pub struct ManifestsArgs {
    /// Namespace the server runs in (exempted from its own webhooks).
    #[arg(long, default_value = "bulkhead-system")]
    pub namespace: String,
    /// Container image of the server; pin it by digest (NAME@sha256:...).
    #[arg(long)]
    pub image: Option<String>,
    /// Replicas (at least 2).
    #[arg(long, default_value_t = 2)]
    pub replicas: u32,
    /// The webhooks' timeoutSeconds (1-30); the server's deadline is 500 ms below.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=30))]
    pub timeout_seconds: u32,
    /// failurePolicy of the validating webhook.
    #[arg(long, default_value = "Fail", value_parser = ["Fail", "Ignore"])]
    pub failure_policy: String,
    /// Write the base as files (kustomization.yaml and one file per part) into DIR.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// With --dir: overwrite files that exist.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: AdmissionArgs) -> Result<i32> {
    match args.command {
        AdmissionCommand::Serve(a) => serve(a),
        AdmissionCommand::Review(a) => review(a),
        AdmissionCommand::Manifests(a) => manifests_cmd(a),
        AdmissionCommand::Test(a) => test(a),
    }
}

fn serve(a: ServeArgs) -> Result<i32> {
    let listen = a
        .listen
        .parse()
        .map_err(|e| anyhow!("--listen {}: not ADDRESS:PORT ({e})", a.listen))?;
    let mut o = ServeOptions::new(listen, a.cert, a.key);
    o.config = a.policy.config;
    o.namespaces = a.policy.namespaces;
    o.max_body = usize::try_from(crate::settings::parse_size(&a.max_body)?)
        .map_err(|_| anyhow!("--max-body {} is too large", a.max_body))?;
    o.max_connections = a.max_connections.max(1);
    o.threads = a.threads;
    o.drain = std::time::Duration::from_secs(a.drain_seconds);
    o.log_all = !a.quiet;
    let prepared = server::prepare(o, Arc::new(catalogue())).map_err(|e| anyhow!(e))?;
    server::serve(prepared).map_err(|e| anyhow!(e))?;
    Ok(0)
}

fn review(a: ReviewArgs) -> Result<i32> {
    let policy = server::load_policy(a.policy.config.as_deref(), &Arc::new(catalogue()))
        .map_err(|e| anyhow!(e))?;
    let ns = Namespaces::default();
    if let Some(p) = &a.policy.namespaces {
        let text =
            std::fs::read_to_string(p).with_context(|| format!("{}: cannot read", p.display()))?;
        ns.load_text(&p.display().to_string(), text)
            .map_err(|e| anyhow!(e))?;
    }
    let mut denied = false;
    for path in &a.paths {
        let mut body = Vec::new();
        if path == "-" {
            std::io::stdin()
                .read_to_end(&mut body)
                .context("standard input")?;
        } else {
            body = std::fs::read(path).with_context(|| format!("{path}: cannot read"))?;
        }
        let req = engine::parse_review(&body).map_err(|e| anyhow!("{path}: {}", e.0))?;
        let d = engine::evaluate(&policy, &ns, &req, a.mutate);
        let resp = engine::response(&req, &d);
        denied |= resp["response"]["allowed"] == false;
        outln!("{}", serde_json::to_string_pretty(&resp)?);
    }
    Ok(i32::from(denied))
}

fn manifests_cmd(a: ManifestsArgs) -> Result<i32> {
    let mut o = ManifestOptions {
        namespace: a.namespace,
        replicas: a.replicas,
        timeout_seconds: a.timeout_seconds,
        failure_policy: a.failure_policy,
        ..ManifestOptions::default()
    };
    match a.image {
        Some(i) => o.image = i,
        None => eprintln!(
            "note: the Deployment runs {}; pin the image you built with --image NAME@sha256:... (or kustomize `images:`)",
            o.image
        ),
    }
    if !o.image.contains("@sha256:") {
        eprintln!("note: {} is not pinned by digest (K8S007)", o.image);
    }
    let Some(dir) = a.dir else {
        out!("{}", manifests::stream(&o));
        return Ok(0);
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let files = manifests::files(&o);
    if !a.force {
        for (name, _) in &files {
            let p = dir.join(name);
            if p.exists() {
                bail!("{}: exists (use --force to overwrite)", p.display());
            }
        }
    }
    for (name, text) in &files {
        let p = dir.join(name);
        std::fs::write(&p, text).with_context(|| format!("{}: cannot write", p.display()))?;
    }
    eprintln!("wrote {} files to {}", files.len(), dir.display());
    Ok(0)
}

fn test(a: TestArgs) -> Result<i32> {
    use bulkhead_admission::offline;
    let cat = Arc::new(catalogue());
    let files = offline::discover(&a.paths).map_err(|e| anyhow!(e))?;
    let mut cases = Vec::new();
    for f in &files {
        match offline::format_of(f).map_err(|e| anyhow!(e))? {
            "kyverno" => cases.extend(offline::kyverno_test(f, &cat).map_err(|e| anyhow!(e))?),
            _ => cases.extend(super::gatekeeper::suite(
                f,
                a.gatekeeper_templates.as_deref(),
            )?),
        }
    }
    let passed = cases.iter().filter(|c| c.passed).count();
    let skipped = cases.iter().filter(|c| c.actual == "unsupported").count();
    let failed = cases.len() - passed - skipped;
    let text = if a.format == "json" {
        let mut s = serde_json::to_string_pretty(&serde_json::json!({
            "schema_version": "1.0",
            "command": "admission test",
            "summary": {"cases": cases.len(), "passed": passed, "failed": failed, "unsupported": skipped, "files": files.len()},
            "cases": cases,
        }))?;
        s.push('\n');
        s
    } else {
        let mut s = String::new();
        for c in cases.iter().filter(|c| !a.quiet || !c.passed) {
            let mark = if c.passed {
                "ok  "
            } else if c.actual == "unsupported" {
                "skip"
            } else {
                "FAIL"
            };
            s.push_str(&format!(
                "{mark} {} {} {}: expected {}, got {} ({})\n",
                c.format, c.policy, c.case, c.expected, c.actual, c.detail
            ));
        }
        s.push_str(&format!(
            "{passed}/{} cases pass, {failed} fail, {skipped} unsupported, in {} file(s)\n",
            cases.len(),
            files.len()
        ));
        s
    };
    match &a.output {
        Some(p) => {
            std::fs::write(p, &text).with_context(|| format!("{}: cannot write", p.display()))?
        }
        None => out!("{text}"),
    }
    Ok(i32::from(failed > 0))
}
