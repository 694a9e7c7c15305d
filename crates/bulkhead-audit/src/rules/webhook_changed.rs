//! AUD012: admission webhook configuration changed.

use super::{Hit, hit, is_control_plane, who};
use crate::analyze::Ctx;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "AUD012",
    slug: "webhook-configuration-changed",
    title: "Admission webhook configuration changed",
    severity: Severity::High,
    layer: "audit",
    tags: &["audit", "admission"],
    default_enabled: true,
    what: "A create, update, patch or delete of a MutatingWebhookConfiguration or ValidatingWebhookConfiguration (or a ValidatingAdmissionPolicy or its binding) that succeeded.",
    why: "Admission webhooks see and may rewrite every matching object: a new mutating webhook injects a sidecar or a privileged container into every pod, and deleting or narrowing a validating webhook switches off the policy (Pod Security, image signatures) that kept them out.",
    fix: "Confirm the change came from the expected installer; restrict who can change webhook configurations (RBAC011 in `bulkhead rbac`).",
    example: include_str!("../../fixtures/AUD012/fail.jsonl"),
    example_fixed: include_str!("../../fixtures/AUD012/pass.jsonl"),
    equivalents: &[],
    references: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::Audit> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Hit> {
    let ev = ctx.ev;
    let (subject, _) = ev.subject();
    if ev.api_group() != "admissionregistration.k8s.io"
        || !matches!(
            ev.resource(),
            "mutatingwebhookconfigurations"
                | "validatingwebhookconfigurations"
                | "validatingadmissionpolicies"
                | "validatingadmissionpolicybindings"
        )
        || !ev.subresource().is_empty()
        || !ev.is_write()
        || !ev.succeeded()
        || is_control_plane(subject)
    {
        return Vec::new();
    }
    let msg = format!("{} {} {} {}", who(ctx), ev.verb(), ev.resource(), ev.name());
    vec![hit(&RULE, ctx, msg)]
}
