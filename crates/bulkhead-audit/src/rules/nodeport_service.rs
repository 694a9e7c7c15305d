//! AUD015: NodePort service created.

use super::{Hit, creates, hit, who};
use crate::analyze::Ctx;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "AUD015",
    slug: "nodeport-service-created",
    title: "NodePort service created",
    severity: Severity::Medium,
    layer: "audit",
    tags: &["audit", "network"],
    default_enabled: true,
    what: "A Service of type `NodePort` created or replaced (from the logged request object).",
    why: "A NodePort opens the service on every node's address, outside any Ingress, load balancer or authentication in front of the cluster; with nodes on a routable network the service is reachable by anyone who can reach a node.",
    fix: "Use `ClusterIP` behind an Ingress or a `LoadBalancer` with source ranges; if a NodePort is needed, firewall the node port range.",
    example: include_str!("../../fixtures/AUD015/fail.jsonl"),
    example_fixed: include_str!("../../fixtures/AUD015/pass.jsonl"),
    equivalents: &[eq("Falco", "Create NodePort Service")],
    references: &["https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Audit> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Hit> {
    if !creates(ctx, "", "services") {
        return Vec::new();
    }
    let Some(obj) = ctx.object() else {
        return Vec::new();
    };
    if obj["spec"]["type"].as_str() != Some("NodePort") {
        return Vec::new();
    }
    let ports: Vec<String> = obj["spec"]["ports"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p["nodePort"].as_i64().or(p["port"].as_i64()))
                .map(|p| p.to_string())
                .collect()
        })
        .unwrap_or_default();
    let mut msg = format!(
        "{} created NodePort service {}/{}",
        who(ctx),
        ctx.ev.namespace(),
        ctx.object_name()
    );
    if !ports.is_empty() {
        msg.push_str(&format!(" (ports {})", ports.join(", ")));
    }
    vec![hit(&RULE, ctx, msg)]
}
