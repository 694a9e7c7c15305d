//! DF001: base image uses :latest or no tag.

use super::{Ctx, DOCKER_BP, HADOLINT, Violation};
use crate::model::image_ref;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF001",
    slug: "from-latest",
    title: "Base image uses :latest or no tag",
    severity: Severity::Medium,
    layer: "image",
    tags: &["dockerfile", "supply-chain"],
    default_enabled: true,
    what: "A `FROM` names an image without a tag, or with `:latest`, and without a digest. `scratch`, earlier stage names and `$VARIABLE` images are not flagged.",
    why: "A moving base means each build pulls whatever the registry serves that day: a compromised or typo-squatted upstream push lands in your image silently, builds are not reproducible, and a vulnerability report cannot say which base you shipped.",
    fix: "Pin a version tag and, better, a digest: `FROM python:3.12.7-slim@sha256:...`.",
    example: include_str!("../../fixtures/DF001/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF001/pass.Dockerfile"),
    equivalents: &[
        eq("hadolint", "DL3006 / DL3007"),
        eq("Checkov", "CKV_DOCKER_7"),
        eq("Trivy", "DS001"),
    ],
    references: &[HADOLINT, DOCKER_BP],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for (si, s) in ctx.model.stages.iter().enumerate() {
        let raw = s.raw_image.as_str();
        if raw.eq_ignore_ascii_case("scratch")
            || raw.starts_with('$')
            || ctx.model.is_stage_ref(raw, si)
        {
            continue;
        }
        let r = image_ref(raw);
        if r.digest.is_some() {
            continue;
        }
        let (msg, id) = match r.tag {
            None => (
                format!("base image \"{raw}\" has no tag (means :latest)"),
                "DL3006",
            ),
            Some("latest") => (
                format!("base image \"{raw}\" uses the moving tag :latest"),
                "DL3007",
            ),
            Some(_) => continue,
        };
        let mut v = ctx.at_text(&RULE, s.from, raw, msg);
        v.hadolint = Some(id);
        out.push(v);
    }
    out
}
