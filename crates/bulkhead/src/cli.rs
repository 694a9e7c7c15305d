//! Command-line definition. Every option that shapes a report has a
//! `BULKHEAD_*` environment variable; flags beat environment, which beats
//! `bulkhead.yaml`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "bulkhead",
    version,
    about = "Secure the whole container lifecycle: Kubernetes manifests, Pod Security Standards and hardening, with one rule catalogue",
    after_help = "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check Kubernetes manifests (files, directories, or - for stdin) against
    /// the Pod Security Standards and hardening rules.
    K8s(Box<K8sArgs>),
    /// Lint Dockerfiles (files, directories, or - for stdin) with a BuildKit-exact
    /// parser: base images, users, secrets, supply chain, hygiene.
    Dockerfile(Box<DockerfileArgs>),
    /// Analyse RBAC (Roles, ClusterRoles, bindings; manifests or a cluster dump):
    /// dangerous rights and escalation paths, who-can, one subject's access, a graph.
    Rbac(Box<crate::commands::rbac::RbacArgs>),
    /// Analyse NetworkPolicies: who can talk to whom (reach), why (explain), what a change
    /// does (diff), a picture (graph), and findings such as namespaces without default deny.
    Netpol(Box<crate::commands::netpol::NetpolArgs>),
    /// Check how containers run: Compose files (--file to merge several), OCI config.json,
    /// docker/podman inspect output, docker/podman run lines in scripts, Makefiles and CI files.
    Runtime(Box<crate::commands::runtime::RuntimeArgs>),
    /// Analyse Kubernetes audit logs: detections (exec, secrets, privileged pods, cluster-admin
    /// bindings, stolen tokens, ...), who did what, least-privilege roles, unused rights.
    Audit(Box<crate::commands::audit::AuditArgs>),
    /// Scan a repository or cluster dump across every layer (Dockerfiles, images,
    /// manifests, RBAC, NetworkPolicies, compose files), joined: cross-layer rules and
    /// attack paths, one report (also as PolicyReports).
    Scan(Box<crate::commands::scan::ScanArgs>),
    /// Scan a container image (OCI layout, oci-archive, docker-archive): secrets in every
    /// layer (also deleted ones), config and contents rules.
    Image(Box<crate::commands::image::ImageArgs>),
    /// Write an image's package inventory as CycloneDX 1.6 or SPDX 2.3 JSON.
    Sbom(Box<crate::commands::image::SbomArgs>),
    /// The image analyzers on a directory (an unpacked rootfs or a project tree):
    /// packages, secrets, contents rules.
    Fs(Box<crate::commands::image::FsArgs>),
    /// The vulnerability database: import advisories (OSV, RustSec) into one local file, info.
    Db(Box<crate::commands::db::DbArgs>),
    /// Sign an image (cosign-compatible: legacy .sig tag or an OCI 1.1 Sigstore bundle);
    /// `sign keygen` writes a cosign-format key pair.
    Sign(Box<crate::commands::sign::SignArgs>),
    /// Verify an image's signatures with a public key, offline but for the registry:
    /// both layouts, every candidate's outcome, findings for unsigned or bad signatures.
    Verify(Box<crate::commands::sign::VerifyArgs>),
    /// Attach a signed in-toto attestation (an SBOM, a scan, provenance) to an image.
    Attest(Box<crate::commands::sign::AttestArgs>),
    /// Verify an image's attestations of one predicate type with a public key.
    VerifyAttestation(Box<crate::commands::sign::VerifyAttestationArgs>),
    /// Verify a file against a key-based Sigstore bundle (cosign verify-blob --bundle --key).
    VerifyBlob(Box<crate::commands::sign::VerifyBlobArgs>),
    /// Admission controller: serve AdmissionReviews over HTTPS with the rules CI reports,
    /// judge reviews offline, print the manifests that deploy it.
    Admission(Box<crate::commands::admission::AdmissionArgs>),
    /// Write a commented bulkhead.yaml for this repository: which layers are here
    /// (Dockerfiles, manifests, RBAC, NetworkPolicies, Compose files, image layouts)
    /// and every setting explained. Refuses to overwrite without --force.
    Init(crate::commands::init::InitArgs),
    /// List the rule catalogue.
    Rules(RulesArgs),
    /// Print one rule's documentation: what it checks, the attack, the fix.
    Explain {
        /// Rule id or slug (PSS002, privileged).
        rule: String,
    },
}

#[derive(Args, Debug, Clone)]
pub struct RulesArgs {
    /// table, json or markdown (the generated docs/rules.md).
    #[arg(long, short = 'f', default_value = "table")]
    pub format: String,
    /// Only rules matching these selectors (id, prefix, slug or tag).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
}

#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    /// Output format: table, json, sarif or junit.
    #[arg(long, short = 'f', env = "BULKHEAD_FORMAT")]
    pub format: Option<String>,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', env = "BULKHEAD_OUTPUT")]
    pub output: Option<PathBuf>,
    /// Report only these severities (comma-separated: high,critical).
    #[arg(long, env = "BULKHEAD_SEVERITY", value_delimiter = ',')]
    pub severity: Vec<String>,
    /// Exit 1 when an unsuppressed finding is at or above this severity
    /// (info, low, medium, high, critical, or none). Default: info.
    #[arg(long, env = "BULKHEAD_FAIL_ON")]
    pub fail_on: Option<String>,
    /// Run only these rules: ids, id prefixes, slugs or tags (pss, baseline, restricted, hardening).
    #[arg(long, env = "BULKHEAD_SELECT", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Do not run these rules (same selectors as --select).
    #[arg(long, env = "BULKHEAD_IGNORE", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Configuration file (default: bulkhead.yaml found upward from the working directory).
    #[arg(long, env = "BULKHEAD_CONFIG")]
    pub config: Option<PathBuf>,
    /// Do not read any configuration file.
    #[arg(long)]
    pub no_config: bool,
    /// Print findings only: no summary or notes.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Print notes (skipped kinds, non-Kubernetes documents) in the table.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Never colour the table (also: NO_COLOR set to anything).
    #[arg(long)]
    pub no_color: bool,
    /// Show suppressed findings in the table (JSON and SARIF always include them).
    #[arg(long)]
    pub show_suppressed: bool,
    /// Largest input file, e.g. 20MiB (default), 500KB, 1048576.
    #[arg(long, env = "BULKHEAD_MAX_FILE_SIZE")]
    pub max_file_size: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct DockerfileArgs {
    /// Files or directories (walked for Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*); - reads standard input.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Registries base images may come from (repeatable; `*.corp.example` and `prefix*` patterns).
    #[arg(
        long = "trusted-registry",
        env = "BULKHEAD_TRUSTED_REGISTRIES",
        value_delimiter = ','
    )]
    pub trusted_registry: Vec<String>,
    /// Print the mechanical fixes (add --no-install-recommends, add USER 65532, pin
    /// digests given with --pin) as a unified diff.
    #[arg(long)]
    pub fix: bool,
    /// With --fix: pin IMAGE to DIGEST, e.g. --pin python:3.12-slim=sha256:abc... (repeatable).
    #[arg(long = "pin", value_name = "IMAGE=DIGEST", requires = "fix")]
    pub pin: Vec<String>,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Args, Debug, Clone)]
pub struct K8sArgs {
    /// Files or directories (walked recursively for *.yaml, *.yml, *.json); - reads standard input.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Pod Security Standards level: baseline, restricted, privileged, or auto — each
    /// namespace's `pod-security.kubernetes.io/enforce[-version]` labels from the
    /// Namespaces in the input, as admission would apply them (default restricted).
    #[arg(long, env = "BULKHEAD_PSS")]
    pub pss: Option<String>,
    /// Kubernetes version whose PSS definitions apply: v1.N or latest (default latest).
    #[arg(long, env = "BULKHEAD_PSS_VERSION")]
    pub pss_version: Option<String>,
    /// Fix what can be fixed: `--fix` edits the files in place (standard input: the fixed
    /// YAML goes to stdout and the report to stderr); `--fix=patch` prints RFC 6902 JSON
    /// patches; `--fix=merge` prints strategic-merge patches for kustomize.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "inplace",
          value_parser = ["inplace", "patch", "merge"])]
    pub fix: Option<String>,
    /// Only load and parse the inputs (for benchmarks): prints counts, runs no rule.
    #[arg(long, hide = true)]
    pub parse_only: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}
