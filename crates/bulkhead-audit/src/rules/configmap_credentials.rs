//! AUD017: ConfigMap written with credentials in it.

use super::{Hit, hit, who};
use crate::analyze::Ctx;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "AUD017",
    slug: "configmap-credentials",
    title: "ConfigMap written with credentials",
    severity: Severity::High,
    layer: "audit",
    tags: &["audit", "secrets"],
    default_enabled: true,
    what: "A ConfigMap created, updated or patched whose data names a credential (`aws_access_key_id`, `password`, `passphrase`, ... in a key or value) or holds a value the secret scanner recognises (the same detectors as the image layer's secret scan).",
    why: "ConfigMaps are not secret: they are readable by anyone with `get configmaps`, often by every workload of the namespace, printed by `kubectl describe`, and stored unencrypted in etcd even where Secrets are encrypted at rest.",
    fix: "Move the credential to a Secret (or an external secret store) and reference it; rotate the exposed credential.",
    example: include_str!("../../fixtures/AUD017/fail.jsonl"),
    example_fixed: include_str!("../../fixtures/AUD017/pass.jsonl"),
    equivalents: &[eq(
        "Falco",
        "Create/Modify Configmap With Private Credentials",
    )],
    references: &["https://kubernetes.io/docs/concepts/configuration/configmap/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Audit> =
    bulkhead_core::FnRule { meta: &RULE, check };

const WORDS: &[&str] = &[
    "aws_access_key_id",
    "aws-access-key-id",
    "aws_s3_access_key_id",
    "aws-s3-access-key-id",
    "aws_secret_access_key",
    "password",
    "passphrase",
];

pub fn check(ctx: &Ctx<'_>) -> Vec<Hit> {
    let ev = ctx.ev;
    if ev.resource() != "configmaps"
        || !ev.subresource().is_empty()
        || !matches!(ev.verb(), "create" | "update" | "patch")
    {
        return Vec::new();
    }
    let Some(obj) = ctx.object() else {
        return Vec::new();
    };
    let Some(data) = obj.get("data").and_then(|d| d.as_object()) else {
        return Vec::new();
    };
    let mut why = None;
    for (k, v) in data {
        let text = v.as_str().unwrap_or("");
        let lk = k.to_ascii_lowercase();
        let lv = text.to_ascii_lowercase();
        if let Some(w) = WORDS.iter().find(|w| lk.contains(*w) || lv.contains(*w)) {
            why = Some(format!("key {k:?} names {w}"));
            break;
        }
        if bulkhead_core::secrets::secret_name(k) && !bulkhead_core::secrets::placeholder(text) {
            why = Some(format!("key {k:?} names a credential"));
            break;
        }
        let shaped = std::iter::once(text.trim())
            .chain(text.split(|c: char| c.is_whitespace() || c == '=' || c == ':' || c == '"'))
            .find_map(bulkhead_core::secrets::looks_like_key);
        if let Some(what) = shaped {
            why = Some(format!("key {k:?} holds {what}"));
            break;
        }
    }
    let Some(why) = why else {
        return Vec::new();
    };
    let msg = format!(
        "{} wrote ConfigMap {}/{} with a credential: {why}",
        who(ctx),
        ev.namespace(),
        ctx.object_name()
    );
    vec![hit(&RULE, ctx, msg)]
}
