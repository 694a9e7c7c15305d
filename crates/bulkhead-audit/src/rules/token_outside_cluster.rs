//! AUD010: service-account token used from outside the cluster's networks.

use super::{Hit, hit};
use crate::analyze::Ctx;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "AUD010",
    slug: "token-used-outside-cluster",
    title: "Service-account token used from outside the cluster",
    severity: Severity::High,
    layer: "audit",
    tags: &["audit", "authentication", "credential-theft"],
    default_enabled: true,
    what: "A request authenticated as a service account (`system:serviceaccount:NS:NAME`) whose source IP is outside the cluster's networks: by default loopback, link-local and the private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7); set them with `--cluster-cidr`. One finding per service account and source IP.",
    why: "Service-account tokens are meant to be used by pods; a token seen from an outside address was copied out of a pod, a CI secret or a leaked kubeconfig, and works until it expires (legacy secret-based tokens never expire). This is the audit trace of stolen-token use.",
    fix: "Find where the token leaked, rotate it (delete the token Secret, or restart pods for bound tokens), and prefer short-lived bound tokens (`automountServiceAccountToken: false` where not needed).",
    example: include_str!("../../fixtures/AUD010/fail.jsonl"),
    example_fixed: include_str!("../../fixtures/AUD010/pass.jsonl"),
    equivalents: &[],
    references: &["https://kubernetes.io/docs/concepts/security/service-accounts/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Audit> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Hit> {
    let ev = ctx.ev;
    let user = ev.username();
    if !user.starts_with("system:serviceaccount:") {
        return Vec::new();
    }
    let ip = ev.source_ip();
    if ip.is_empty() || ctx.opts.is_internal(ip) {
        return Vec::new();
    }
    let msg = format!("service account {user} used from {ip}, outside the cluster's networks");
    vec![hit(&RULE, ctx, msg).grouped(format!("{user} {ip}"), 1)]
}
