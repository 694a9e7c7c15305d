//! `bulkhead.yaml`: found upward from the working directory, then
//! `BULKHEAD_*` environment variables, then flags (flags win; the binary
//! applies that order).

use crate::suppress::ConfigSuppression;
use crate::yaml;
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const FILE_NAMES: [&str; 2] = ["bulkhead.yaml", ".bulkhead.yaml"];

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    pub format: Option<String>,
    pub fail_on: Option<String>,
    /// Severities to report, e.g. `[high, critical]`.
    #[serde(default)]
    pub severity: Vec<String>,
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub suppressions: Vec<ConfigSuppression>,
    /// Settings of `bulkhead k8s`.
    #[serde(default)]
    pub kubernetes: KubernetesConfig,
    /// Settings of `bulkhead dockerfile`.
    #[serde(default)]
    pub dockerfile: DockerfileConfig,
    /// Policy of `bulkhead admission serve` / `admission test`.
    #[serde(default)]
    pub admission: AdmissionConfig,
}

/// The admission policy: which findings deny and which warn, per namespace,
/// exemptions and image gates. The rules, selection and suppressions are
/// the same as in CI.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AdmissionConfig {
    /// `enforce` (deny), `warn` (allow with warnings) or `audit` (allow, audit annotations only).
    pub mode: Option<String>,
    /// Findings at or above this severity deny (default: info, i.e. every finding, like `--fail-on`).
    pub deny_on: Option<String>,
    /// Rules that always deny (selectors), whatever their severity.
    #[serde(default)]
    pub deny: Vec<String>,
    /// Rules that only ever warn (selectors).
    #[serde(default)]
    pub warn: Vec<String>,
    /// PSS level: baseline, restricted, privileged, or auto (the namespace's
    /// `pod-security.kubernetes.io/enforce` label, default restricted).
    pub pss: Option<String>,
    pub pss_version: Option<String>,
    #[serde(default)]
    pub exemptions: AdmissionExemptions,
    /// Per-namespace overrides, first match wins.
    #[serde(default)]
    pub namespaces: Vec<NamespacePolicy>,
    #[serde(default)]
    pub images: ImagePolicy,
    /// What a review that cannot be decided in time gets: `fail` (deny,
    /// the default, as the webhook's `failurePolicy: Fail`) or `ignore` (allow).
    pub failure_policy: Option<String>,
    /// The request deadline in milliseconds, below the webhook's
    /// `timeoutSeconds` (default 2500).
    pub timeout_ms: Option<u64>,
    /// Gatekeeper ConstraintTemplates and Constraints (files or directories
    /// of YAML), evaluated with Gatekeeper's input (ADM005).
    #[serde(default)]
    pub gatekeeper: GatekeeperPolicy,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct GatekeeperPolicy {
    /// Files or directories holding ConstraintTemplates (and, if mixed in, Constraints).
    #[serde(default)]
    pub templates: Vec<std::path::PathBuf>,
    /// Files or directories holding Constraints.
    #[serde(default)]
    pub constraints: Vec<std::path::PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AdmissionExemptions {
    #[serde(default)]
    pub usernames: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub namespaces: Vec<String>,
    #[serde(default)]
    pub runtime_classes: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct NamespacePolicy {
    /// Namespace names (exact, or `prefix*`).
    #[serde(default)]
    pub names: Vec<String>,
    /// Namespace labels that must all match (from Namespace objects seen).
    #[serde(default)]
    pub match_labels: std::collections::BTreeMap<String, String>,
    pub mode: Option<String>,
    pub deny_on: Option<String>,
    pub pss: Option<String>,
    pub pss_version: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ImagePolicy {
    /// Registries images may come from (`host`, `*.corp.example`); empty: any.
    #[serde(default)]
    pub registries: Vec<String>,
    /// Every image must be referenced by digest.
    #[serde(default)]
    pub require_digest: bool,
    /// Public keys (cosign.pub files); when set, every image must carry a
    /// signature that verifies with one of them.
    #[serde(default)]
    pub keys: Vec<std::path::PathBuf>,
    /// Plain HTTP to registries (loopback test registries only).
    #[serde(default)]
    pub insecure_registries: bool,
    /// Refuse images with known vulnerabilities (the local database).
    pub vulnerabilities: Option<VulnerabilityGate>,
}

/// The vulnerability gate: each image (by digest) is scanned once, its
/// packages matched against the database, and the result cached.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct VulnerabilityGate {
    /// The database file (`bulkhead db import` / `db pull`).
    pub db: std::path::PathBuf,
    /// Vulnerabilities at or above this severity refuse the image (default high).
    pub severity: Option<String>,
    /// Leave out vulnerabilities without a fixed version.
    #[serde(default)]
    pub ignore_unfixed: bool,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DockerfileConfig {
    /// Registries FROM images may come from (`docker.io`, `*.corp.example`); empty: any.
    #[serde(default)]
    pub trusted_registries: Vec<String>,
    /// Image name prefixes that count as minimal bases (DF004).
    #[serde(default)]
    pub minimal_bases: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct KubernetesConfig {
    /// `baseline` or `restricted`.
    pub pss: Option<String>,
    /// `v1.N` or `latest`.
    pub pss_version: Option<String>,
    /// Registries images may come from; empty means any.
    #[serde(default)]
    pub trusted_registries: Vec<String>,
}

/// Finds `bulkhead.yaml` in `start` or its ancestors.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        for name in FILE_NAMES {
            let p = d.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
        dir = d.parent();
    }
    None
}

/// Reads and validates a config file. Errors name the file and the problem.
pub fn load(path: &Path) -> Result<Config, String> {
    let name = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    let docs = yaml::parse(&text, yaml::Limits::default())
        .map_err(|e| format!("{name}:{}: invalid YAML: {}", e.line, e.message))?;
    let Some(doc) = docs.into_iter().find(|d| !d.root.is_null()) else {
        return Ok(Config::default());
    };
    if !doc.root.is_map() {
        return Err(format!(
            "{name}:{}: the configuration must be a mapping",
            doc.root.start.line
        ));
    }
    serde_json::from_value(doc.root.to_json()).map_err(|e| format!("{name}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_and_reject_unknown_keys() {
        let dir = std::env::temp_dir().join(format!("bulkhead-config-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).expect("mkdir");
        let p = dir.join("bulkhead.yaml");
        std::fs::write(
            &p,
            "fail-on: high\nselect: [pss]\nkubernetes:\n  pss: baseline\nsuppressions:\n  - rule: K8S004\n    paths: ['charts/**']\n    reason: vendored\n",
        )
        .expect("write");
        assert_eq!(discover(&dir.join("sub")), Some(p.clone()));
        let c = load(&p).expect("load");
        assert_eq!(c.fail_on.as_deref(), Some("high"));
        assert_eq!(c.kubernetes.pss.as_deref(), Some("baseline"));
        assert_eq!(c.suppressions.len(), 1);
        std::fs::write(&p, "fail_on: high\n").expect("write");
        let e = load(&p).expect_err("unknown key");
        assert!(e.contains("unknown field"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
