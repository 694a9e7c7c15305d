//! DF040: sudo in a RUN.

use super::{Ctx, HADOLINT, Violation};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF040",
    slug: "sudo",
    title: "sudo in a RUN",
    severity: Severity::Medium,
    layer: "image",
    tags: &["dockerfile", "shell", "user"],
    default_enabled: true,
    what: "A `RUN` calls `sudo`.",
    why: "sudo in a build means the image ships sudo and a sudoers policy: any process that later runs as the unprivileged user can become root with it (often passwordless), undoing the `USER` drop; its TTY and environment handling also make builds behave unpredictably.",
    fix: "Run privileged steps before `USER` (as root in the build), then drop to the non-root user; use `gosu`/`su-exec` in entrypoints if a runtime step must change user.",
    example: include_str!("../../fixtures/DF040/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF040/pass.Dockerfile"),
    equivalents: &[eq("hadolint", "DL3004")],
    references: &[HADOLINT],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for run in &ctx.model.runs {
        if run.commands.iter().any(|c| c.name() == "sudo") {
            out.push(ctx.at_text(&RULE, run.index, "sudo", "RUN uses sudo".to_string()));
        }
    }
    out
}
