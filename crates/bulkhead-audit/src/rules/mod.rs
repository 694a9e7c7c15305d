//! AUD rules: one file per rule, each with its `RULE` metadata and a check
//! over one event ([`Ctx`]). A check returns [`Hit`]s; a hit with a `group`
//! is merged with the other hits of its rule and group (secrets read by one
//! subject, 403s of one subject) into one finding that counts them, shown
//! only when the group reaches the rule's `min_group`.
//!
//! The pods, workloads, roles and bindings that requests create are judged
//! by the PSS, hardening and RBAC rules themselves (see
//! [`crate::analyze`]), so the same rule ids fire on an audit log as in CI.

pub mod anonymous_allowed;
pub mod cluster_role_exec;
pub mod cluster_role_wildcard;
pub mod cluster_role_write;
pub mod configmap_credentials;
pub mod ephemeral_container;
pub mod impersonation;
pub mod kube_namespace_pod;
pub mod kube_namespace_serviceaccount;
pub mod nodeport_service;
pub mod pod_exec_attach;
pub mod pod_port_forward;
pub mod repeated_forbidden;
pub mod secrets_read;
pub mod system_role_changed;
pub mod token_outside_cluster;
pub mod webhook_changed;

use crate::Audit;
use crate::analyze::Ctx;
use bulkhead_core::{Finding, Location, Registry, RuleMeta};

/// Every AUD rule, in id order: the one list the catalogue and the analyzer read.
pub static REGISTRY: Registry<Audit> = Registry::new(&[
    &pod_exec_attach::CHECK,
    &pod_port_forward::CHECK,
    &ephemeral_container::CHECK,
    &secrets_read::CHECK,
    &anonymous_allowed::CHECK,
    &cluster_role_wildcard::CHECK,
    &cluster_role_exec::CHECK,
    &cluster_role_write::CHECK,
    &system_role_changed::CHECK,
    &token_outside_cluster::CHECK,
    &impersonation::CHECK,
    &webhook_changed::CHECK,
    &kube_namespace_pod::CHECK,
    &kube_namespace_serviceaccount::CHECK,
    &nodeport_service::CHECK,
    &repeated_forbidden::CHECK,
    &configmap_credentials::CHECK,
]);

pub fn rules() -> Vec<&'static RuleMeta> {
    REGISTRY.metas()
}

/// What a check reports: a finding on the event, merged with the others of
/// the same rule and `group` when there is one.
#[derive(Debug, Clone)]
pub struct Hit {
    pub finding: Finding,
    pub group: Option<String>,
    /// Report a group only when it has at least this many events.
    pub min_group: u32,
}

impl Hit {
    pub fn grouped(mut self, key: impl Into<String>, min: u32) -> Self {
        self.group = Some(key.into());
        self.min_group = min;
        self
    }
}

/// The location of an event: the log, its line, and the request.
pub fn location(ctx: &Ctx<'_>) -> Location {
    Location {
        file: ctx.file.to_string(),
        line: Some(ctx.line),
        column: None,
        document: None,
        object: Some(ctx.ev.describe()),
        field: None,
        layer: None,
        snippet: None,
    }
}

/// The facts of an event that every finding names.
pub fn describe_event(ctx: &Ctx<'_>, mut f: Finding) -> Finding {
    let ev = ctx.ev;
    let (subject, _) = ev.subject();
    for (k, v) in [
        ("audit_id", ev.audit_id.as_deref().unwrap_or("")),
        ("time", ev.time()),
        ("user", subject),
        ("verb", ev.verb()),
        ("source_ip", ev.source_ip()),
        ("user_agent", ev.user_agent.as_deref().unwrap_or("")),
    ] {
        if !v.is_empty() {
            f = f.with_evidence(k, v);
        }
    }
    if subject != ev.username() && !ev.username().is_empty() {
        f = f.with_evidence("authenticated_as", ev.username());
    }
    let res = ev.resource_path();
    if !res.is_empty() {
        f = f.with_evidence("resource", res);
    }
    if !ev.namespace().is_empty() {
        f = f.with_evidence("namespace", ev.namespace());
    }
    if !ev.name().is_empty() {
        f = f.with_evidence("name", ev.name());
    }
    if let Some(c) = ev.code() {
        f = f.with_evidence("code", c.to_string());
    }
    f.with_evidence("decision", if ev.allowed() { "allow" } else { "forbid" })
}

/// A hit of `rule` on the event of `ctx`.
pub fn hit(rule: &RuleMeta, ctx: &Ctx<'_>, msg: String) -> Hit {
    Hit {
        finding: describe_event(ctx, Finding::new(rule, location(ctx), msg)),
        group: None,
        min_group: 1,
    }
}

/// `who` for messages: `alice`, or `system:admin as alice`.
pub fn who(ctx: &Ctx<'_>) -> String {
    let (subject, _) = ctx.ev.subject();
    let user = ctx.ev.username();
    let s = if subject.is_empty() {
        "<unknown>"
    } else {
        subject
    };
    if !user.is_empty() && user != subject {
        format!("{user} as {s}")
    } else {
        s.to_string()
    }
}

/// Kubernetes' own components, whose routine reads and writes are not
/// detections (controllers read secrets, the scheduler binds pods).
pub fn is_control_plane(user: &str) -> bool {
    matches!(
        user,
        "system:kube-controller-manager"
            | "system:kube-scheduler"
            | "system:apiserver"
            | "system:kube-proxy"
    ) || user.starts_with("system:node:")
        || (user.starts_with("system:serviceaccount:kube-system:")
            && (user.ends_with("-controller") || user.ends_with("controller-manager")))
}

/// A create or update of `resource` (in `group`), whatever its subresource.
pub fn creates(ctx: &Ctx<'_>, group: &str, resource: &str) -> bool {
    let ev = ctx.ev;
    matches!(ev.verb(), "create" | "update")
        && ev.api_group() == group
        && ev.resource() == resource
        && ev.subresource().is_empty()
}

/// The role rules of a Role/ClusterRole request object.
pub fn role_rules(ctx: &Ctx<'_>) -> Vec<serde_json::Value> {
    ctx.object()
        .and_then(|o| o.get("rules").and_then(|r| r.as_array()).cloned())
        .unwrap_or_default()
}

pub fn strings(v: &serde_json::Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(|a| a.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A Role or ClusterRole create/update (Falco judges both with its
/// "ClusterRole With ..." rules).
pub fn role_write(ctx: &Ctx<'_>) -> bool {
    creates(ctx, "rbac.authorization.k8s.io", "clusterroles")
        || creates(ctx, "rbac.authorization.k8s.io", "roles")
}
