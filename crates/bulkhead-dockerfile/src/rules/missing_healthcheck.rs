//! DF047: no HEALTHCHECK in the final image.

use super::{Ctx, HADOLINT, Violation};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF047",
    slug: "missing-healthcheck",
    title: "No HEALTHCHECK in the final image",
    severity: Severity::Info,
    layer: "image",
    tags: &["dockerfile", "availability"],
    default_enabled: false,
    what: "Neither the final stage nor the stages it is built from has a `HEALTHCHECK`. Off by default, as in hadolint.",
    why: "Without a health check a hung or hijacked process keeps its container `running`; Docker and Swarm cannot replace it. (Kubernetes ignores HEALTHCHECK: use probes there.)",
    fix: "Add `HEALTHCHECK CMD ...` that fails when the service cannot serve.",
    example: include_str!("../../fixtures/DF047/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF047/pass.Dockerfile"),
    equivalents: &[eq("hadolint", "DL3057"), eq("Checkov", "CKV_DOCKER_2")],
    references: &[HADOLINT],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let lineage = ctx.model.final_lineage();
    let has = lineage.iter().any(|&si| {
        ctx.model.stages[si]
            .body
            .iter()
            .any(|&i| ctx.model.inst(i).is("healthcheck"))
    });
    match ctx.model.stages.last() {
        Some(last) if !has => {
            vec![ctx.at(
                &RULE,
                last.from,
                "the final image has no HEALTHCHECK".to_string(),
            )]
        }
        _ => Vec::new(),
    }
}
