//! DF043: OS packages installed without a version.

use super::{Ctx, HADOLINT, Violation, unpinned};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF043",
    slug: "unpinned-os-packages",
    title: "OS packages installed without a version",
    severity: Severity::Low,
    layer: "image",
    tags: &["dockerfile", "shell", "supply-chain"],
    default_enabled: true,
    what: "`apt-get install` packages without `=version` (and not a path or `.deb`), or `apk add` packages without `=`, `~`, `<` or `>` (and not an `.apk` file).",
    why: "Unpinned packages make each build install whatever the mirror has that day: builds are not reproducible, a vulnerable or compromised release arrives silently, and you cannot tell from the Dockerfile what shipped.",
    fix: "Pin versions (`curl=8.5.0-2`, `curl=~8.5`), or pin the whole base by digest and rebuild deliberately.",
    example: include_str!("../../fixtures/DF043/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF043/pass.Dockerfile"),
    equivalents: &[eq("hadolint", "DL3008 / DL3018")],
    references: &[HADOLINT],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for run in &ctx.model.runs {
        for c in &run.commands {
            let (bad, id): (Vec<&str>, &str) = if c.is("apt-get", "install") {
                (
                    c.positional_skipping(&["t", "target-release"])
                        .into_iter()
                        .filter(|p| {
                            *p != "install"
                                && !(p.contains('=') || p.contains('/') || p.ends_with(".deb"))
                        })
                        .collect(),
                    "DL3008",
                )
            } else if c.is("apk", "add") {
                (
                    c.positional_skipping(&["t", "virtual", "repository", "X"])
                        .into_iter()
                        .filter(|p| {
                            *p != "add"
                                && !(p.contains(['=', '~', '>', '<']) || p.ends_with(".apk"))
                        })
                        .collect(),
                    "DL3018",
                )
            } else {
                continue;
            };
            if bad.is_empty() {
                continue;
            }
            out.push(unpinned(ctx, &RULE, run.index, c.name(), &bad, id));
        }
    }
    out
}
