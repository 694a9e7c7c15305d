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
