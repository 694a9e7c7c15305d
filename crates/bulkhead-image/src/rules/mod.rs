//! Image rules IMG001–IMG008, one file per rule: each holds its `RULE`
//! metadata and its check over the [`Scan`]. The rules that read the image
//! config find nothing on a directory scan, which has none.

pub mod hostile_layer_entry;
pub mod image_exposes_ssh;
pub mod image_runs_as_root;
pub mod secret_in_image_config;
pub mod secret_in_layer;
pub mod setuid_file;
pub mod shell_or_package_manager;
pub mod world_writable_file;

use crate::Images;
use crate::Scan;
use bulkhead_core::{Finding, Location, Registry, RuleMeta};

/// Every IMG rule, in id order: the one list the catalogue and the checks read.
pub static REGISTRY: Registry<Images> = Registry::new(&[
    &secret_in_layer::CHECK,
    &secret_in_image_config::CHECK,
    &image_runs_as_root::CHECK,
    &shell_or_package_manager::CHECK,
    &setuid_file::CHECK,
    &world_writable_file::CHECK,
    &image_exposes_ssh::CHECK,
    &hostile_layer_entry::CHECK,
]);

pub fn rules() -> Vec<&'static RuleMeta> {
    REGISTRY.metas()
}

/// Runs every enabled rule.
pub fn check(scan: &Scan, enabled: &dyn Fn(&RuleMeta) -> bool) -> Vec<Finding> {
    REGISTRY.run(scan, enabled)
}

pub(crate) fn loc(scan: &Scan, layer: Option<usize>, path: &str, line: Option<u32>) -> Location {
    Location {
        file: if path.is_empty() {
            scan.reference.clone()
        } else {
            format!("/{path}")
        },
        line,
        layer: layer.map(|l| scan.layer_digest(l).to_string()),
        object: Some(scan.reference.clone()),
        ..Default::default()
    }
}

pub(crate) fn config_strings(scan: &Scan) -> Vec<(String, String)> {
    let c = &scan.config["config"];
    let mut out = Vec::new();
    for e in c["Env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
    {
        out.push(("config.Env".to_string(), e.to_string()));
    }
    if let Some(l) = c["Labels"].as_object() {
        for (k, v) in l {
            out.push((
                format!("config.Labels.{k}"),
                format!("{k}={}", v.as_str().unwrap_or("")),
            ));
        }
    }
    for (i, h) in scan.config["history"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        if let Some(cb) = h["created_by"].as_str() {
            for word in cb.split_whitespace() {
                out.push((format!("history[{i}].created_by"), word.to_string()));
            }
        }
    }
    out
}
