//! DF021: secret passed as a build argument.

use super::{Ctx, Violation, is_literal};
use bulkhead_core::rule::eq;
use bulkhead_core::secrets::secret_name;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF021",
    slug: "secret-build-arg",
    title: "Secret passed as a build argument",
    severity: Severity::Medium,
    layer: "image",
    tags: &["dockerfile", "secrets"],
    default_enabled: true,
    what: "An `ARG` whose name says it is a credential (NPM_TOKEN, GITHUB_TOKEN, PASSWORD, ...) and that has no literal default: the value comes from `--build-arg`.",
    why: "Build arguments are recorded in the image history (`docker history --no-trunc` shows them in the RUN lines that use them) and in provenance attestations, so the token leaks to everyone who can pull the image.",
    fix: "Use a secret mount: `RUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci` and `docker build --secret id=npm_token,env=NPM_TOKEN`.",
    example: include_str!("../../fixtures/DF021/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF021/pass.Dockerfile"),
    equivalents: &[eq("BuildKit check", "SecretsUsedInArgOrEnv")],
    references: &["https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for (i, inst) in ctx.model.parsed.instructions.iter().enumerate() {
        if !inst.is("arg") {
            continue;
        }
        for w in inst.strings() {
            let (k, default) = match w.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (w, None),
            };
            if !secret_name(k) || default.is_some_and(is_literal) {
                continue;
            }
            out.push(ctx.at_text(&RULE, i, k, format!("build argument {k} carries a secret; build args are recorded in the image history — use RUN --mount=type=secret")));
        }
    }
    out
}
