//! DF011: final stage never sets USER (runs as the base image's user, usually root).

use super::{Ctx, DOCKER_BP, Violation, last_user};
use crate::model::image_ref;
use bulkhead_core::rule::eq;
use bulkhead_core::{Fix, RuleMeta, Severity, TextEdit};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF011",
    slug: "user-missing",
    title: "Final stage never sets USER (runs as the base image's user, usually root)",
    severity: Severity::Medium,
    layer: "image",
    tags: &["dockerfile", "user", "runtime"],
    default_enabled: true,
    what: "The final stage (and the stages it is built from) has no `USER` instruction, and its base is not a known non-root image (distroless `:nonroot`, Chainguard). The image then runs as whatever the base declares, root for almost every base.",
    why: "Same as an explicit `USER root`: every process of the container starts as UID 0, so an application bug becomes root inside the container and the next escape is root on the node. It is the most common way images end up running as root, because nobody wrote it down.",
    fix: "Add `USER 10001` (a numeric, non-root UID that exists in the image) at the end of the final stage; `--fix` adds `USER 65532`.",
    example: include_str!("../../fixtures/DF011/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF011/pass.Dockerfile"),
    equivalents: &[eq("Checkov", "CKV_DOCKER_3"), eq("Trivy", "DS002")],
    references: &[DOCKER_BP],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let Some(last) = ctx.model.stages.last() else {
        return Vec::new();
    };
    if last_user(ctx).is_some() {
        return Vec::new();
    }
    let root_image = ctx
        .model
        .final_lineage()
        .last()
        .map(|&si| ctx.model.stages[si].image.clone())
        .unwrap_or_default();
    if nonroot_base(&root_image) || root_image.contains('$') {
        return Vec::new();
    }
    let end = ctx.model.parsed.instructions.len().saturating_sub(1);
    let mut v = ctx.at(&RULE, last.from, format!("the final stage (FROM {}) never sets USER, so it runs as the base image's user (root unless the base says otherwise)", last.image));
    // Insert `USER 65532` before a trailing CMD/ENTRYPOINT, else at the end.
    let insert_before = last
        .body
        .iter()
        .copied()
        .find(|&i| ctx.model.inst(i).is("cmd") || ctx.model.inst(i).is("entrypoint"))
        .map(|i| ctx.model.inst(i).start_line);
    let line = insert_before.unwrap_or_else(|| ctx.model.inst(end).end_line + 1);
    v.fix = Some(Fix {
        description: format!("insert `USER 65532` at line {line}"),
        ops: Vec::new(),
        edits: vec![TextEdit {
            line,
            column: 1,
            delete: 0,
            insert: "USER 65532\n".into(),
        }],
    });
    vec![v]
}

fn nonroot_base(image: &str) -> bool {
    let r = image_ref(image);
    let tag = r.tag.unwrap_or("");
    (r.name.contains("distroless") && tag.contains("nonroot"))
        || r.name.starts_with("cgr.dev/chainguard/")
        || image.eq_ignore_ascii_case("scratch")
}
