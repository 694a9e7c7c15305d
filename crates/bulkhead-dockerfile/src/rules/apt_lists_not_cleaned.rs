//! DF042: apt lists left in the image.

use super::{Ctx, HADOLINT, Violation};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF042",
    slug: "apt-lists-not-cleaned",
    title: "apt lists left in the image",
    severity: Severity::Info,
    layer: "image",
    tags: &["dockerfile", "shell", "minimal"],
    default_enabled: true,
    what: "A `RUN` of the final stage runs `apt-get update` (or `apt update`) without removing `/var/lib/apt/lists` in the same step and without a cache/tmpfs mount for it.",
    why: "Stale package indexes in the image make later `apt-get install` calls (in child images or at runtime) install outdated, possibly vulnerable versions, and add tens of megabytes of attack-irrelevant data to every pull.",
    fix: "End the same RUN with `&& rm -rf /var/lib/apt/lists/*`, or use `RUN --mount=type=cache,target=/var/lib/apt/lists`.",
    example: include_str!("../../fixtures/DF042/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF042/pass.Dockerfile"),
    equivalents: &[eq("hadolint", "DL3009")],
    references: &[HADOLINT],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let lineage = ctx.model.final_lineage();
    let mut out = Vec::new();
    for run in ctx.model.runs.iter().filter(|r| lineage.contains(&r.stage)) {
        let updates = run.commands.iter().any(|c| {
            c.is("apt-get", "update") || c.is("apt", "update") || c.is("aptitude", "update")
        });
        if !updates {
            continue;
        }
        let cleans = run.commands.iter().any(|c| {
            c.program() == "rm" && c.args().iter().any(|a| a.starts_with("/var/lib/apt/lists"))
        });
        let flags = &ctx.model.inst(run.index).flags;
        let mounted = cache_mount(flags, "/var/lib/apt/lists")
            || (cache_mount(flags, "/var/lib/apt") && cache_mount(flags, "/var/cache/apt"));
        if cleans || mounted {
            continue;
        }
        out.push(ctx.at_text(&RULE, run.index, "update", "apt lists from `apt-get update` stay in the image (no rm -rf /var/lib/apt/lists/* in the same RUN)".to_string()));
    }
    out
}

fn cache_mount(flags: &[String], target: &str) -> bool {
    flags.iter().any(|f| {
        let Some(m) = f.strip_prefix("--mount=") else {
            return false;
        };
        let typed = m
            .split(',')
            .any(|kv| kv == "type=cache" || kv == "type=tmpfs");
        let t = m.split(',').find_map(|kv| {
            kv.strip_prefix("target=")
                .or_else(|| kv.strip_prefix("dst="))
                .or_else(|| kv.strip_prefix("destination="))
        });
        typed && t.is_some_and(|t| t.trim_end_matches('/') == target)
    })
}
