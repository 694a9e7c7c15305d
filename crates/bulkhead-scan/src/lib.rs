//! `bulkhead scan`: every layer over one tree, and the rules no single layer
//! can write.
//!
//! - [`discover`] walks the inputs once and sorts each file to the layer that
//!   reads it (Dockerfiles, Kubernetes manifests, Compose files and other
//!   runtime inputs, OCI layouts; kustomize directories rendered with
//!   `kubectl kustomize` when kubectl is on PATH).
//! - [`run`] runs each layer once on what was found (Dockerfile, image,
//!   PSS/hardening, RBAC, NetworkPolicy, runtime), in parallel, into one
//!   report, and builds the [`join`]ed model: workload → containers → image
//!   (a scanned image or the Dockerfile that builds it) → service account
//!   rights → network exposure.
//! - [`rules`] holds the cross-layer XL rules, which read only the joined
//!   model; an attack-path rule prints its chain of facts.
//! - [`init`] surveys a tree for `bulkhead init` and writes its commented
//!   `bulkhead.yaml`.
//! - [`policyreport`] renders a report as `wgpolicyk8s.io/v1alpha2`
//!   PolicyReports, the format Kyverno and the Trivy operator emit.

pub mod discover;
pub mod html;
pub mod imagemap;
pub mod init;
pub mod join;
pub mod manifests;
pub mod merge;
pub mod policyreport;
pub mod rules;
pub mod run;

use bulkhead_core::{Finding, Layer, RuleMeta};

/// The cross-layer layer: every XL rule reads the whole joined model.
pub struct CrossLayer;

impl Layer for CrossLayer {
    type Input<'a> = join::Joined<'a>;
    type Output = Finding;
    type Check = fn(&join::Joined<'_>) -> Vec<Finding>;
    fn call(check: Self::Check, input: &join::Joined<'_>) -> Vec<Finding> {
        check(input)
    }
}

/// Every XL rule, for the catalogue.
pub fn rules() -> Vec<&'static RuleMeta> {
    rules::REGISTRY.metas()
}

/// The family a rule id belongs to, as the scan summary groups findings
/// (`DF001` → `dockerfile`).
pub fn family(rule_id: &str) -> &'static str {
    const FAMILIES: [(&str, &str); 12] = [
        ("DF", "dockerfile"),
        ("IMG", "image"),
        ("VULN", "vulnerabilities"),
        ("PSS", "kubernetes"),
        ("K8S", "kubernetes"),
        ("RBAC", "rbac"),
        ("NP", "netpol"),
        ("RT", "runtime"),
        ("XL", "cross-layer"),
        ("SIGN", "supply-chain"),
        ("ADM", "admission"),
        ("AUD", "audit"),
    ];
    FAMILIES
        .iter()
        .find(|(p, _)| {
            rule_id
                .strip_prefix(p)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        })
        .map_or("other", |(_, f)| f)
}

/// The workload key of a finding for the breakdown: its object, with the
/// `default` namespace made explicit for namespaced kinds written without one
/// (the Kubernetes layers name `Deployment/web`, RBAC and NetworkPolicy
/// `Deployment/default/web`: one workload).
pub fn workload_key(object: &str) -> Option<String> {
    if !is_object(object) {
        return None;
    }
    const CLUSTER: [&str; 8] = [
        "Namespace",
        "Node",
        "ClusterRole",
        "ClusterRoleBinding",
        "PersistentVolume",
        "CustomResourceDefinition",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
    ];
    match object.split_once('/') {
        Some((kind, name)) if !name.contains('/') && !CLUSTER.contains(&kind) => {
            Some(format!("{kind}/default/{name}"))
        }
        _ => Some(object.to_string()),
    }
}

/// Is a location's `object` a Kubernetes object (`Kind/name`,
/// `Kind/ns/name`) rather than an image reference or a compose service?
pub fn is_object(object: &str) -> bool {
    let mut parts = object.split('/');
    let kind = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    kind.starts_with(|c: char| c.is_ascii_uppercase())
        && kind.chars().all(|c| c.is_ascii_alphanumeric())
        && (1..=2).contains(&rest.len())
        && rest.iter().all(|p| !p.is_empty() && !p.contains(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_and_workload_keys() {
        assert_eq!(family("K8S004"), "kubernetes");
        assert_eq!(family("PSS013"), "kubernetes");
        assert_eq!(family("NP005"), "netpol");
        assert_eq!(family("XL005"), "cross-layer");
        assert_eq!(family("DF010"), "dockerfile");
        assert_eq!(family("NOPE1"), "other");
        assert_eq!(
            workload_key("Deployment/web").unwrap(),
            "Deployment/default/web"
        );
        assert_eq!(
            workload_key("Deployment/shop/web").unwrap(),
            "Deployment/shop/web"
        );
        assert_eq!(
            workload_key("ClusterRole/admin").unwrap(),
            "ClusterRole/admin"
        );
        assert_eq!(workload_key("oci:target/images/layout:planted"), None);
        assert_eq!(workload_key("registry.example/app:1"), None);
    }
}
