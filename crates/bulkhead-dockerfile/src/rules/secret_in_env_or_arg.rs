//! DF020: secret value written into ENV or an ARG default.

use super::{Ctx, Violation, is_literal};
use bulkhead_core::rule::eq;
use bulkhead_core::secrets::{looks_like_key, secret_name};
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF020",
    slug: "secret-in-env-or-arg",
    title: "Secret value written into ENV or an ARG default",
    severity: Severity::High,
    layer: "image",
    tags: &["dockerfile", "secrets"],
    default_enabled: true,
    what: "An `ENV` or `ARG` default gives a literal value to a variable whose name says it is a credential (PASSWORD, TOKEN, SECRET, API_KEY, ...), or a value shaped like a known key (AWS, GitHub, GitLab, Slack, Stripe, npm, PyPI tokens, private keys). Public material with secret-looking names (`GPG_KEY` fingerprints, `*_SHA256`, `*_VERSION`) and placeholders are ignored.",
    why: "ENV values are stored in the image config and ARG values in the build history: anyone who can pull the image reads them with `docker inspect` or `docker history`, forever — deleting them in a later layer does not help.",
    fix: "Pass build-time secrets with `RUN --mount=type=secret,id=...` and runtime secrets through the orchestrator (a Kubernetes Secret); rotate the exposed value.",
    example: include_str!("../../fixtures/DF020/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF020/pass.Dockerfile"),
    equivalents: &[
        eq("Trivy", "DS-secret (generic)"),
        eq("Checkov", "CKV_SECRET_*"),
    ],
    references: &["https://docs.docker.com/build/building/secrets/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for (i, inst) in ctx.model.parsed.instructions.iter().enumerate() {
        let pairs: Vec<(String, String)> = if inst.is("env") {
            let a: Vec<&str> = inst.strings().collect();
            a.chunks(3)
                .filter_map(|c| match c {
                    [k, v, _] => Some((k.to_string(), v.trim_matches(['"', '\'']).to_string())),
                    _ => None,
                })
                .collect()
        } else if inst.is("arg") {
            inst.strings()
                .filter_map(|w| {
                    w.split_once('=')
                        .map(|(k, v)| (k.to_string(), v.trim_matches(['"', '\'']).to_string()))
                })
                .collect()
        } else {
            continue;
        };
        for (k, v) in pairs {
            let shape = looks_like_key(&v);
            if !(shape.is_some() || (secret_name(&k) && is_literal(&v))) {
                continue;
            }
            let why = shape.map_or_else(
                || "a credential by its name".to_string(),
                |s| format!("{s} by its shape"),
            );
            out.push(ctx.at_text(&RULE, i, &k, format!("{} {k} is set to a literal value that is {why}; it is readable by anyone who pulls the image", inst.keyword.to_ascii_uppercase())));
        }
    }
    out
}
