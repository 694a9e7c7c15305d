//! Command-line definition. Every option that shapes a report has a
//! `BULKHEAD_*` environment variable; flags beat environment, which beats
//! `bulkhead.yaml`.

use bulkhead_core::RuleMeta;
use clap::{Args, CommandFactory, Parser, Subcommand};
use std::path::PathBuf;

/// The command line: clap's definition from the types below, with each
/// findings command's `--select` help naming that command's own rule
/// prefixes and tags (read from the catalogue, so it cannot go stale) and
/// `scan`'s `--format` naming its two extra formats. Parsing, completions
/// and the man page all use it.
pub fn command() -> clap::Command {
    tailor(Cli::command(), "")
}

fn tailor(mut cmd: clap::Command, path: &str) -> clap::Command {
    for sub in cmd.get_subcommands_mut() {
        let name = if path.is_empty() {
            sub.get_name().to_string()
        } else {
            format!("{path} {}", sub.get_name())
        };
        let c = std::mem::take(sub);
        *sub = tailor(c, &name);
    }
    let has = |cmd: &clap::Command, id: &str| cmd.get_arguments().any(|a| a.get_id() == id);
    if has(&cmd, "select")
        && let Some(rules) = crate::commands::command_rules(path)
    {
        let text = select_help(&rules);
        cmd = cmd.mut_arg("select", |a| a.help(text));
    }
    if has(&cmd, "format") && matches!(path, "scan" | "scan merge") {
        cmd = cmd.mut_arg("format", |a| {
            a.help(
                "Output format: table (default), json, sarif, junit, policyreport \
                 (wgpolicyk8s.io PolicyReports, one per namespace) or html (one page)",
            )
        });
    }
    cmd
}

/// `--select` help for a command that runs `rules`: its id prefixes and its
/// most used tags, with an example id and slug.
fn select_help(rules: &[&'static RuleMeta]) -> String {
    let mut prefixes: Vec<&str> = Vec::new();
    let mut tags: Vec<(&str, usize)> = Vec::new();
    for r in rules {
        let prefix = r.id.trim_end_matches(|c: char| c.is_ascii_digit());
        if !prefixes.contains(&prefix) {
            prefixes.push(prefix);
        }
        for t in r.tags {
            match tags.iter_mut().find(|(n, _)| n == t) {
                Some((_, c)) => *c += 1,
                None => tags.push((t, 1)),
            }
        }
    }
    // Most used first; ties keep catalogue order (the sort is stable).
    tags.sort_by_key(|t| std::cmp::Reverse(t.1));
    const SHOWN: usize = 10;
    let mut shown: Vec<&str> = tags.iter().take(SHOWN).map(|(t, _)| *t).collect();
    if tags.len() > SHOWN {
        shown.push("...");
    }
    let (id, slug) = rules.first().map_or(("", ""), |r| (r.id, r.slug));
    format!(
        "Run only these rules (comma-separated): ids ({id}), id prefixes ({}), slugs ({slug}) \
         or tags ({}); `bulkhead rules` lists every rule with its tags",
        prefixes.join(", "),
        shown.join(", ")
    )
}

#[derive(Parser, Debug)]
#[command(
    name = "bulkhead",
    version,
    about = "Container security from one binary: images, Dockerfiles, runtime and Compose, \
Kubernetes manifests, RBAC, NetworkPolicies, signing, admission and audit logs",
    long_about = "Container security from one binary, with one rule catalogue for every layer:

  image, sbom, fs, db   container images (layouts, archives, registries), vulnerabilities
  dockerfile            Dockerfiles and Containerfiles
  runtime               Compose files, OCI config.json, docker/podman inspect and run lines
  k8s                   Kubernetes manifests: Pod Security Standards and hardening
  rbac                  Kubernetes RBAC: dangerous rights, escalation paths, who-can
  netpol                NetworkPolicies: findings, reachability, explanations, diffs
  sign, verify, attest  image signing and verification (cosign-compatible)
  admission             an admission controller enforcing the same rules in a cluster
  audit                 Kubernetes audit logs: detections, activity, least privilege
  scan                  every layer of a repository or cluster dump, joined

Every findings command reads files, directories or - (standard input), reports in the same \
formats (table, json, sarif, junit), takes the same selection, severity and exit-code flags, \
and reads the same bulkhead.yaml. Nothing is downloaded unless a command is given a registry \
reference or `db update`.",
    after_help = "Run `bulkhead COMMAND --help` for a command's inputs, flags and examples.
Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error.",
    after_long_help = "Examples:
  bulkhead scan .                              every layer of the repository, joined
  bulkhead k8s deploy/ --fail-on high          Kubernetes manifests (files, directories, -)
  helm template chart/ | bulkhead k8s -
  bulkhead dockerfile .                        every Dockerfile under .
  bulkhead image nginx:latest                  an image from a registry (Docker Hub naming)
  bulkhead rbac cluster-dump.yaml              RBAC of a `kubectl get -A -o yaml` dump
  bulkhead rules                               the rule catalogue; `bulkhead explain PSS002`

Run `bulkhead COMMAND --help` for a command's inputs, flags and examples.
Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check Kubernetes manifests against the Pod Security Standards and hardening rules.
    ///
    /// Reads YAML or JSON manifests (files, directories walked for *.yaml, *.yml and
    /// *.json, or - for standard input: `helm template`, `kubectl kustomize` output),
    /// finds every pod template (Pods, Deployments, StatefulSets, DaemonSets, Jobs,
    /// CronJobs, ...) and checks it against the Pod Security Standards of a level and
    /// Kubernetes version, plus hardening rules (resources, probes, image pinning,
    /// service-account tokens). --fix edits the files in place, keeping comments.
    #[command(after_help = "Examples:
  bulkhead k8s deploy/ app.yaml
  helm template chart/ | bulkhead k8s - --pss baseline --pss-version v1.29
  bulkhead k8s deploy/ --pss auto                 each namespace's enforce labels
  bulkhead k8s deploy/ --select pss --fail-on high -f sarif -o k8s.sarif
  bulkhead k8s deploy/ --fix                      edit the files in place
  bulkhead k8s deploy/ --fix=patch                RFC 6902 JSON patches instead")]
    K8s(Box<K8sArgs>),
    /// Lint Dockerfiles and Containerfiles: base images, users, secrets, supply chain, hygiene.
    ///
    /// Parses each file with BuildKit's grammar (heredocs, escapes, ARG expansion,
    /// multi-stage builds) and checks base images (tags, digests, trusted registries),
    /// the user the image runs as, secrets in ARG/ENV/COPY, remote downloads piped to a
    /// shell, package-manager hygiene. --fix prints the mechanical fixes as a diff.
    #[command(after_help = "Examples:
  bulkhead dockerfile .                     Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*
  bulkhead dockerfile build/Dockerfile --trusted-registry 'registry.corp.example'
  bulkhead dockerfile Dockerfile --fix --pin python:3.12-slim=sha256:<hex> | patch -p0
  git show HEAD:Dockerfile | bulkhead dockerfile -")]
    Dockerfile(Box<DockerfileArgs>),
    /// Analyse Kubernetes RBAC: dangerous rights, escalation paths, who-can, one subject's access.
    ///
    /// Reads Roles, ClusterRoles, RoleBindings, ClusterRoleBindings, service accounts
    /// and workloads (manifests or a `kubectl get -A -o yaml` dump), resolves
    /// aggregation and Kubernetes' default roles, and reports who holds cluster-admin,
    /// secrets access, escalation rights (bind, escalate, impersonate, pod creation)
    /// and wildcards. Subcommands answer questions: who-can, can, graph.
    #[command(after_help = "Examples:
  bulkhead rbac cluster-dump.yaml
  kubectl get roles,clusterroles,rolebindings,clusterrolebindings -A -o yaml | bulkhead rbac -
  bulkhead rbac who-can get secrets cluster-dump.yaml -n prod
  bulkhead rbac can ServiceAccount:prod:ci cluster-dump.yaml
  bulkhead rbac graph cluster-dump.yaml -o rbac.svg")]
    Rbac(Box<crate::commands::rbac::RbacArgs>),
    /// Analyse NetworkPolicies: findings, who can reach whom, why, and what a change does.
    ///
    /// Reads Namespaces, workloads, Services, Ingresses and NetworkPolicies (manifests or
    /// a cluster dump) and reports namespaces without default deny, workloads no policy
    /// selects and policies that select nothing. Subcommands: reach (the connectivity
    /// list), explain (why SRC can or cannot reach DST), diff (two versions), graph.
    #[command(after_help = "Examples:
  bulkhead netpol deploy/
  bulkhead netpol reach deploy/ -f md
  bulkhead netpol explain shop/frontend shop/db deploy/ --port 5432
  bulkhead netpol diff old/ new/ --fail-on-change
  bulkhead netpol graph deploy/ -o netpol.svg")]
    Netpol(Box<crate::commands::netpol::NetpolArgs>),
    /// Check how containers run: Compose files, OCI config.json, docker/podman inspect and run lines.
    ///
    /// Reads Compose files (--file merges several, as `docker compose -f a -f b` does),
    /// OCI runtime config.json, `docker inspect`/`podman inspect` JSON, and docker/podman
    /// run lines in shell scripts, Makefiles and CI files; with --live, the containers
    /// running on this host; with --self, the container bulkhead runs in. Reports
    /// privileged containers, added capabilities, host namespaces and mounts, the
    /// container socket, missing limits, root users. --fix prints Compose edits as a diff.
    #[command(after_help = "Examples:
  bulkhead runtime compose.yaml
  bulkhead runtime --file compose.yaml --file compose.prod.yaml
  docker inspect web | bulkhead runtime -
  bulkhead runtime scripts/ Makefile .github/workflows/
  sudo bulkhead runtime --live                 every running container on this host
  bulkhead runtime compose.yaml --fix | patch -p0")]
    Runtime(Box<crate::commands::runtime::RuntimeArgs>),
    /// Analyse Kubernetes audit logs: detections, who did what, least-privilege roles, unused rights.
    ///
    /// Reads audit.k8s.io Event JSON lines (plain, gzip or zstd, streamed) and reports
    /// exec into pods, secret reads, privileged pods, cluster-admin bindings, service
    /// account tokens used from outside the cluster, enumeration; the pods and
    /// workloads created are judged by the PSS and RBAC rules too. Subcommands: summary,
    /// roles (the Role a subject needs), unused (rights no request used).
    #[command(after_help = "Examples:
  bulkhead audit /var/log/kubernetes/audit/
  bulkhead audit audit.log.gz --since 2026-11-30T10:00:00Z
  bulkhead audit summary audit.log -f html -o activity.html
  bulkhead audit roles audit.log --serviceaccount prod:ci
  bulkhead audit unused audit.log cluster-dump.yaml")]
    Audit(Box<crate::commands::audit::AuditArgs>),
    /// Scan a repository or cluster dump across every layer, joined into one report.
    ///
    /// Finds Dockerfiles, Kubernetes manifests (and kustomize directories), Compose
    /// files, OCI configs and scripts with docker run lines, runs every layer's rules,
    /// then joins them (workload → containers → image → service-account rights →
    /// network exposure) for cross-layer rules and attack paths. --images also scans
    /// every image the manifests reference. Formats add policyreport and html.
    #[command(after_help = "Examples:
  bulkhead scan .
  bulkhead scan deploy/ --images --fail-on critical
  bulkhead scan cluster-dump.yaml -f policyreport | kubectl apply -f -
  bulkhead scan . -f html -o report.html")]
    Scan(Box<crate::commands::scan::ScanArgs>),
    /// Scan a container image, local or from a registry: secrets, config, contents, vulnerabilities.
    ///
    /// The image is an OCI layout (oci:DIR), an oci-archive or docker-archive tar
    /// (`docker save`), or a registry reference named as `docker pull` names it:
    /// `nginx:latest` is Docker Hub's library/nginx, `team/app:1.2` a Docker Hub
    /// repository, `registry.corp.example:5000/app@sha256:...` any other registry
    /// (credentials from docker login's config). Every layer is read, deleted files
    /// too: secrets, the config (user, ports, healthcheck), contents rules, and the
    /// packages matched against the vulnerability database when there is one.
    #[command(after_help = "Examples:
  bulkhead image nginx:latest
  bulkhead image registry.corp.example/team/app@sha256:<hex> --platform linux/arm64
  bulkhead image oci:build/layout:v1
  docker save app:dev -o app.tar && bulkhead image docker-archive:app.tar
  bulkhead image app.tar --db vuln.db --ignore-unfixed --fail-on high")]
    Image(Box<crate::commands::image::ImageArgs>),
    /// Write an image's package inventory as an SBOM (CycloneDX 1.6 or SPDX 2.3 JSON).
    ///
    /// The image is named as for `bulkhead image` (a layout, an archive or a registry
    /// reference). `sbom scan FILE` matches an existing SBOM, ours or another tool's,
    /// against the vulnerability database.
    #[command(after_help = "Examples:
  bulkhead sbom nginx:latest -o nginx.cdx.json
  bulkhead sbom oci:build/layout:v1 -f spdx
  bulkhead sbom scan nginx.cdx.json --db vuln.db")]
    Sbom(Box<crate::commands::image::SbomArgs>),
    /// Run the image analyzers on a directory: an unpacked root filesystem or a project tree.
    ///
    /// Packages (dpkg, apk and rpm databases, language lock files and manifests, Go and
    /// Rust binaries, Java archives), secrets, contents rules, and vulnerabilities when a
    /// database is present.
    #[command(after_help = "Examples:
  bulkhead fs .
  bulkhead fs rootfs/ --db vuln.db")]
    Fs(Box<crate::commands::image::FsArgs>),
    /// The local vulnerability database: import, update from a mirror, push, pull, info.
    ///
    /// `image`, `sbom` and `fs` match packages against one local file. `db import`
    /// builds it from advisory sources: OSV records (JSON/YAML files, directories,
    /// all.zip), RustSec advisory trees, the Debian Security Tracker JSON and Alpine
    /// secdb files. `db update` downloads OSV archives from a mirror and rebuilds it;
    /// `db push` and `db pull` move it through a registry as an OCI artifact. Scans only
    /// read the database: nothing is downloaded behind your back.
    #[command(after_help = "Examples:
  bulkhead db import osv/ rustsec/ debian-tracker.json alpine-v3.20-main.json
  bulkhead db update --mirror https://osv-mirror.corp.example -e PyPI -e Debian
  bulkhead db pull registry.corp.example/security/vuln-db:latest --key db.pub
  bulkhead db info")]
    Db(Box<crate::commands::db::DbArgs>),
    /// Sign an image (cosign-compatible); `sign keygen` writes a cosign-format key pair.
    ///
    /// Signs the image's digest with a private key, as a legacy .sig tag (read by
    /// cosign, Kyverno, Harbor, podman) or an OCI 1.1 Sigstore bundle referrer.
    #[command(after_help = "Examples:
  bulkhead sign keygen
  bulkhead sign registry.corp.example/team/app:1.4 --key cosign.key
  bulkhead sign oci:build/layout:v1 --key cosign.key --format bundle")]
    Sign(Box<crate::commands::sign::SignArgs>),
    /// Verify an image's signatures with a public key: findings for unsigned or bad signatures.
    ///
    /// Looks in both layouts (.sig tag and Sigstore bundle referrers), reports every
    /// candidate's outcome, and fails on unsigned images or signatures that do not
    /// verify. Offline except for the registry the image is in.
    #[command(after_help = "Examples:
  bulkhead verify registry.corp.example/team/app:1.4 --key cosign.pub
  bulkhead verify oci:build/layout:v1 --key cosign.pub -f json")]
    Verify(Box<crate::commands::sign::VerifyArgs>),
    /// Attach a signed in-toto attestation (an SBOM, a scan, provenance) to an image.
    Attest(Box<crate::commands::sign::AttestArgs>),
    /// Verify an image's attestations of one predicate type with a public key.
    VerifyAttestation(Box<crate::commands::sign::VerifyAttestationArgs>),
    /// Verify a file against a key-based Sigstore bundle (as cosign verify-blob --bundle --key).
    VerifyBlob(Box<crate::commands::sign::VerifyBlobArgs>),
    /// Admission controller: enforce the same rules in a cluster, offline reviews, policy tests.
    ///
    /// `admission serve` answers AdmissionReviews over HTTPS (/validate, /mutate) with
    /// the rules CI reports, under a policy (deny threshold, per-namespace modes, image
    /// gates); `review` judges AdmissionReview files offline; `manifests` prints the
    /// kustomize base that deploys it; `test` runs Kyverno and Gatekeeper test suites.
    #[command(after_help = "Examples:
  bulkhead admission manifests --image registry.corp.example/bulkhead@sha256:<hex>
  bulkhead admission serve --cert tls.crt --key tls.key --config bulkhead.yaml
  bulkhead admission review review.json
  bulkhead admission test policies/")]
    Admission(Box<crate::commands::admission::AdmissionArgs>),
    /// Print a shell completion script: bash, zsh, fish, powershell or elvish.
    ///
    /// The script completes commands, subcommands, flags and fixed values; load it
    /// from your shell's startup file or install it where the shell looks.
    #[command(after_help = "Examples:
  bulkhead completions bash > ~/.local/share/bash-completion/completions/bulkhead
  bulkhead completions zsh > ~/.zfunc/_bulkhead      (with fpath+=~/.zfunc before compinit)
  bulkhead completions fish > ~/.config/fish/completions/bulkhead.fish
  bulkhead completions powershell >> $PROFILE")]
    Completions(crate::commands::manual::CompletionsArgs),
    /// Print the bulkhead(1) man page (roff), or write a page per command with --dir.
    #[command(after_help = "Examples:
  bulkhead man | man -l -
  bulkhead man --dir /usr/local/share/man/man1")]
    Man(crate::commands::manual::ManArgs),
    /// Write a commented bulkhead.yaml for this repository: which layers are here
    /// (Dockerfiles, manifests, RBAC, NetworkPolicies, Compose files, image layouts)
    /// and every setting explained. Refuses to overwrite without --force.
    Init(crate::commands::init::InitArgs),
    /// List the rule catalogue of every layer (id, severity, slug, title).
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

/// The flags every findings command shares: format, destination, severity
/// filter and threshold, rule selection, configuration, verbosity.
#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    /// Output format: table (default), json, sarif or junit.
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
    /// Run only these rules (comma-separated): rule ids, id prefixes, slugs or tags;
    /// `bulkhead rules` lists every rule with its tags.
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
    /// List every note in the table (inputs or parts of inputs this command does not
    /// check, and why; fixes written) instead of one line counting them.
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

#[cfg(test)]
mod tests {
    /// Every argument of every command says what it is: `--help` and the
    /// man pages never list a bare flag.
    #[test]
    fn every_argument_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
                if a.get_help().is_none() && a.get_long_help().is_none() {
                    missing.push(format!("{path} {}", a.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&super::command(), "bulkhead", &mut missing);
        assert!(missing.is_empty(), "arguments without help: {missing:?}");
    }
}
