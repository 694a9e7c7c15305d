//! AUD013: pod created in kube-system or kube-public.

use super::{Hit, creates, hit, who};
use crate::analyze::Ctx;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "AUD013",
    slug: "pod-in-kube-namespace",
    title: "Pod created in kube-system or kube-public",
    severity: Severity::Medium,
    layer: "audit",
    tags: &["audit", "namespaces"],
    default_enabled: true,
    what: "A pod created in `kube-system` or `kube-public` (by a user or by a controller from a workload) with an image outside the trusted prefixes of `--trusted-kube-image` (none by default, as Falco ships its list for its own environments). Bare pods and controller-made pods alike: the image is what matters.",
    why: "kube-system holds the control plane's service accounts and secrets and is usually exempt from Pod Security and policy engines; a pod planted there hides among system pods and can mount their tokens.",
    fix: "Deploy applications to their own namespaces; restrict who can create pods in kube-system.",
    example: include_str!("../../fixtures/AUD013/fail.jsonl"),
    example_fixed: include_str!("../../fixtures/AUD013/pass.jsonl"),
    equivalents: &[eq("Falco", "Pod Created in Kube Namespace")],
    references: &["https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Audit> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Hit> {
    let ev = ctx.ev;
    let ns = ev.namespace();
    if ev.verb() != "create"
        || !creates(ctx, "", "pods")
        || !matches!(ns, "kube-system" | "kube-public")
    {
        return Vec::new();
    }
    let images: Vec<String> = ctx
        .object()
        .and_then(|o| o["spec"]["containers"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|c| c["image"].as_str().map(str::to_string))
        .collect();
    let trusted = &ctx.opts.trusted_kube_images;
    if !images.is_empty()
        && !trusted.is_empty()
        && images
            .iter()
            .all(|i| trusted.iter().any(|t| i.starts_with(t.as_str())))
    {
        return Vec::new();
    }
    let mut msg = format!("{} created a pod in {ns}", who(ctx));
    if !images.is_empty() {
        msg.push_str(&format!(" (images {})", images.join(", ")));
    }
    vec![hit(&RULE, ctx, msg)]
}
