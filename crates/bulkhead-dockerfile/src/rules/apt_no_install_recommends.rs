//! DF041: apt-get install without --no-install-recommends.

use super::{Ctx, HADOLINT, Violation};
use bulkhead_core::rule::eq;
use bulkhead_core::{Fix, RuleMeta, Severity, TextEdit};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF041",
    slug: "apt-no-install-recommends",
    title: "apt-get install without --no-install-recommends",
    severity: Severity::Low,
    layer: "image",
    tags: &["dockerfile", "shell", "minimal"],
    default_enabled: true,
    what: "`apt-get install` runs without `--no-install-recommends` (or `-o APT::Install-Recommends=false`).",
    why: "Recommended packages are pulled in silently: compilers, mail agents, X libraries and daemons nobody asked for, each one attack surface and CVE backlog in the final image.",
    fix: "Add `--no-install-recommends` (`--fix` does it).",
    example: include_str!("../../fixtures/DF041/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF041/pass.Dockerfile"),
    equivalents: &[
        eq("hadolint", "DL3015"),
        eq("Checkov", "CKV_DOCKER_9 (partial)"),
    ],
    references: &[HADOLINT],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for run in &ctx.model.runs {
        for c in &run.commands {
            if !c.is("apt-get", "install")
                || c.has_flag("no-install-recommends")
                || c.has_arg("APT::Install-Recommends=false")
            {
                continue;
            }
            let mut v = ctx.at_text(
                &RULE,
                run.index,
                "install",
                "apt-get install without --no-install-recommends pulls in recommended packages"
                    .to_string(),
            );
            // `--fix`: insert the flag right after `install` on that line.
            if let Some(line) = ctx.lines.get(v.line as usize - 1)
                && let Some(pos) = line
                    .find("apt-get")
                    .and_then(|a| line[a..].find(" install").map(|p| a + p + " install".len()))
            {
                v.fix = Some(Fix {
                    description: "add --no-install-recommends".into(),
                    ops: Vec::new(),
                    edits: vec![TextEdit {
                        line: v.line,
                        column: line[..pos].chars().count() as u32 + 1,
                        delete: 0,
                        insert: " --no-install-recommends".into(),
                    }],
                });
            }
            out.push(v);
        }
    }
    out
}
