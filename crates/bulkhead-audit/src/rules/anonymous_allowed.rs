//! AUD005: anonymous request allowed.

use super::{Hit, hit};
use crate::analyze::Ctx;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "AUD005",
    slug: "anonymous-request-allowed",
    title: "Anonymous request allowed",
    severity: Severity::High,
    layer: "audit",
    tags: &["audit", "authentication", "cis"],
    default_enabled: true,
    what: "A request by `system:anonymous` (or in the group `system:unauthenticated`) that the authorizer allowed, other than the health endpoints (`/healthz`, `/livez`, `/readyz`, `/version`).",
    why: "Anything anonymous callers may do, anyone who reaches the API server may do: a binding to `system:anonymous` or `system:unauthenticated` turns a network path into cluster access with no credential at all (the CIS benchmark asks for `--anonymous-auth=false`).",
    fix: "Find the binding that allows it (`bulkhead rbac who-can VERB RESOURCE` lists unauthenticated subjects) and remove it; set `--anonymous-auth=false` where the health endpoints are not needed anonymously.",
    example: include_str!("../../fixtures/AUD005/fail.jsonl"),
    example_fixed: include_str!("../../fixtures/AUD005/pass.jsonl"),
    equivalents: &[eq("Falco", "Anonymous Request Allowed"), eq("CIS", "1.2.1")],
    references: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::Audit> =
    bulkhead_core::FnRule { meta: &RULE, check };

fn health(path: &str) -> bool {
    let p = path.split('?').next().unwrap_or(path);
    matches!(
        p,
        "/healthz" | "/livez" | "/readyz" | "/version" | "/version/"
    ) || p.starts_with("/healthz/")
        || p.starts_with("/livez/")
        || p.starts_with("/readyz/")
}

pub fn check(ctx: &Ctx<'_>) -> Vec<Hit> {
    let ev = ctx.ev;
    let (subject, groups) = ev.subject();
    let anonymous =
        subject == "system:anonymous" || groups.iter().any(|g| &**g == "system:unauthenticated");
    if !anonymous || !ev.allowed() {
        return Vec::new();
    }
    if health(ev.request_uri.as_deref().unwrap_or("")) {
        return Vec::new();
    }
    let msg = format!("anonymous request allowed: {}", ev.describe());
    vec![hit(&RULE, ctx, msg)]
}
