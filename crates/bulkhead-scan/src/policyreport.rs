//! A report as `wgpolicyk8s.io/v1alpha2` PolicyReport and
//! ClusterPolicyReport objects — the format Kyverno and the Trivy operator
//! write, which Policy Reporter and other dashboards read.
//!
//! One PolicyReport per namespace holds the findings on that namespace's
//! objects; one ClusterPolicyReport holds the rest (cluster-scoped objects,
//! Dockerfiles, images, compose files). Each result is one unsuppressed
//! finding: `policy` the rule id, `rule` its slug, `category` its layer,
//! `severity` (the CRD's enum: critical, high, medium, low, info),
//! `result: fail`, `message`, `source: bulkhead`, the time of the run, the
//! object as `resources` when the finding names one, and file, line, field
//! and evidence as string `properties`. The output is a `v1` List, ready for
//! `kubectl apply -f`. Field names follow the v1alpha2 CRD of
//! kubernetes-sigs/wg-policy-prototypes; `docs/policyreport.schema.json`
//! transcribes its constraints for the tests.

use bulkhead_core::{Catalogue, Finding, Report};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// `Kind/ns/name` or `Kind/name` → (kind, namespace, name).
fn object_ref(object: &str) -> Option<(&str, Option<&str>, &str)> {
    if !crate::is_object(object) {
        return None;
    }
    let mut parts = object.splitn(3, '/');
    let kind = parts.next()?;
    let second = parts.next()?;
    match parts.next() {
        Some(name) => Some((kind, Some(second), name)),
        None => Some((kind, None, second)),
    }
}

fn api_version_of(kind: &str) -> &'static str {
    match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => "apps/v1",
        "Job" | "CronJob" => "batch/v1",
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => {
            "rbac.authorization.k8s.io/v1"
        }
        "NetworkPolicy" | "Ingress" => "networking.k8s.io/v1",
        _ => "v1",
    }
}

fn result(f: &Finding, catalogue: &Catalogue, seconds: i64) -> Value {
    let meta = catalogue.get(&f.rule_id);
    let mut props = Map::new();
    props.insert("file".into(), json!(f.location.file));
    if let Some(l) = f.location.line {
        props.insert("line".into(), json!(l.to_string()));
    }
    if let Some(x) = &f.location.field {
        props.insert("field".into(), json!(x));
    }
    for (k, v) in &f.evidence {
        props.insert((*k).to_string(), json!(v));
    }
    let mut r = json!({
        "policy": f.rule_id,
        "rule": meta.map_or("", |m| m.slug),
        "category": meta.map_or("", |m| m.layer),
        "severity": f.severity.as_str(),
        "result": "fail",
        "scored": true,
        "message": f.message,
        "source": "bulkhead",
        "timestamp": {"seconds": seconds, "nanos": 0},
        "properties": props,
    });
    if let Some((kind, ns, name)) = f.location.object.as_deref().and_then(object_ref) {
        let mut res = json!({"apiVersion": api_version_of(kind), "kind": kind, "name": name});
        if let (Some(ns), Some(o)) = (ns, res.as_object_mut()) {
            o.insert("namespace".into(), json!(ns));
        }
        if let Some(o) = r.as_object_mut() {
            o.insert("resources".into(), json!([res]));
        }
    }
    r
}

fn report_object(kind: &str, ns: Option<&str>, results: Vec<Value>) -> Value {
    let fail = results.len();
    let name = match ns {
        Some(ns) => format!("bulkhead-{ns}"),
        None => "bulkhead-cluster".to_string(),
    };
    let mut metadata = json!({
        "name": name,
        "labels": {"app.kubernetes.io/managed-by": "bulkhead"},
    });
    if let (Some(ns), Some(m)) = (ns, metadata.as_object_mut()) {
        m.insert("namespace".into(), json!(ns));
    }
    json!({
        "apiVersion": "wgpolicyk8s.io/v1alpha2",
        "kind": kind,
        "metadata": metadata,
        "summary": {"pass": 0, "fail": fail, "warn": 0, "error": 0, "skip": 0},
        "results": results,
    })
}

/// The report as a `v1` List of PolicyReports and a ClusterPolicyReport.
pub fn render(report: &Report, catalogue: &Catalogue) -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    render_at(report, catalogue, seconds)
}

/// [`render`] with a fixed time (tests).
pub fn render_at(report: &Report, catalogue: &Catalogue, seconds: i64) -> String {
    let mut by_ns: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut cluster = Vec::new();
    for f in report.active() {
        let ns = f
            .location
            .object
            .as_deref()
            .and_then(object_ref)
            .and_then(|(_, ns, _)| ns);
        let r = result(f, catalogue, seconds);
        match ns {
            Some(ns) => by_ns.entry(ns.to_string()).or_default().push(r),
            None => cluster.push(r),
        }
    }
    let mut items: Vec<Value> = by_ns
        .into_iter()
        .map(|(ns, rs)| report_object("PolicyReport", Some(&ns), rs))
        .collect();
    items.push(report_object("ClusterPolicyReport", None, cluster));
    let list = json!({"apiVersion": "v1", "kind": "List", "items": items});
    let mut s = serde_json::to_string_pretty(&list).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_references() {
        assert_eq!(
            object_ref("Deployment/shop/web"),
            Some(("Deployment", Some("shop"), "web"))
        );
        assert_eq!(
            object_ref("ClusterRole/admin"),
            Some(("ClusterRole", None, "admin"))
        );
        assert_eq!(object_ref("Dockerfile"), None);
        assert_eq!(object_ref("oci:target/images/layout:planted"), None);
    }
}
