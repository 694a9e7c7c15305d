//! AUD014: service account created in kube-system or kube-public.

use super::{Hit, creates, hit, who};
use crate::analyze::Ctx;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "AUD014",
    slug: "serviceaccount-in-kube-namespace",
    title: "Service account created in kube-system or kube-public",
    severity: Severity::Medium,
    layer: "audit",
    tags: &["audit", "namespaces"],
    default_enabled: true,
    what: "A ServiceAccount created successfully in `kube-system` or `kube-public`, other than the control plane's own controllers' accounts (`replicaset-controller`, `coredns`, ...).",
    why: "Service accounts in kube-system look like system identities and are commonly bound to broad roles; a new one there is a quiet place for a persistent, privileged credential.",
    fix: "Create application service accounts in the application's namespace; review bindings that name the new account.",
    example: include_str!("../../fixtures/AUD014/fail.jsonl"),
    example_fixed: include_str!("../../fixtures/AUD014/pass.jsonl"),
    equivalents: &[eq("Falco", "Service Account Created in Kube Namespace")],
    references: &["https://kubernetes.io/docs/concepts/security/service-accounts/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Audit> =
    bulkhead_core::FnRule { meta: &RULE, check };

const KNOWN: &[&str] = &[
    "coredns",
    "coredns-autoscaler",
    "cronjob-controller",
    "daemon-set-controller",
    "deployment-controller",
    "disruption-controller",
    "endpoint-controller",
    "endpointslice-controller",
    "endpointslicemirroring-controller",
    "generic-garbage-collector",
    "horizontal-pod-autoscaler",
    "job-controller",
    "namespace-controller",
    "node-controller",
    "persistent-volume-binder",
    "pod-garbage-collector",
    "pv-protection-controller",
    "pvc-protection-controller",
    "replicaset-controller",
    "resourcequota-controller",
    "root-ca-cert-publisher",
    "service-account-controller",
    "statefulset-controller",
];

pub fn check(ctx: &Ctx<'_>) -> Vec<Hit> {
    let ev = ctx.ev;
    let ns = ev.namespace();
    let name = ctx.object_name();
    if ev.verb() != "create"
        || !creates(ctx, "", "serviceaccounts")
        || !matches!(ns, "kube-system" | "kube-public")
        || !ev.succeeded()
        || KNOWN.contains(&name.as_str())
    {
        return Vec::new();
    }
    let msg = format!("{} created service account {ns}/{name}", who(ctx));
    vec![hit(&RULE, ctx, msg)]
}
