//! DF002: base image not pinned by digest.

use super::{Ctx, DOCKER_BP, Violation};
use crate::model::image_ref;
use bulkhead_core::rule::eq;
use bulkhead_core::{Fix, RuleMeta, Severity, TextEdit};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF002",
    slug: "from-without-digest",
    title: "Base image not pinned by digest",
    severity: Severity::Low,
    layer: "image",
    tags: &["dockerfile", "supply-chain"],
    default_enabled: true,
    what: "A `FROM` names a registry image without an `@sha256:` digest.",
    why: "Tags are mutable: whoever can push to the base repository (a leaked CI token, a compromised maintainer) can move `python:3.12` to a backdoored image and your next build inherits it. A digest names exactly the bytes you reviewed.",
    fix: "Append the digest of the reviewed image (`docker buildx imagetools inspect IMAGE`), and let a bot such as Renovate update it.",
    example: include_str!("../../fixtures/DF002/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF002/pass.Dockerfile"),
    equivalents: &[eq("Checkov", "CKV_DOCKER_7 (partial)")],
    references: &[DOCKER_BP],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for (si, s) in ctx.model.stages.iter().enumerate() {
        if s.image.eq_ignore_ascii_case("scratch")
            || s.image.contains('$')
            || ctx.model.is_stage_ref(&s.image, si)
            || image_ref(&s.image).digest.is_some()
        {
            continue;
        }
        let mut v = ctx.at_text(
            &RULE,
            s.from,
            &s.raw_image,
            format!("base image \"{}\" is not pinned by digest", s.image),
        );
        // `--pin IMAGE=DIGEST`: append the digest to the image reference.
        if let Some((_, digest)) = ctx
            .config
            .pins
            .iter()
            .find(|(img, _)| *img == s.raw_image || *img == s.image)
            && ctx
                .lines
                .get(v.line as usize - 1)
                .is_some_and(|l| l.contains(&s.raw_image))
        {
            v.fix = Some(Fix {
                description: format!("pin {} to {digest}", s.raw_image),
                ops: Vec::new(),
                edits: vec![TextEdit {
                    line: v.line,
                    column: v.column + s.raw_image.chars().count() as u32,
                    delete: 0,
                    insert: format!("@{digest}"),
                }],
            });
        }
        out.push(v);
    }
    out
}
