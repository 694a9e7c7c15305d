//! DF044: ADD used for local files.

use super::{Ctx, HADOLINT, Violation};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF044",
    slug: "add-instead-of-copy",
    title: "ADD used for local files",
    severity: Severity::Low,
    layer: "image",
    tags: &["dockerfile", "supply-chain"],
    default_enabled: true,
    what: "An `ADD` copies sources that are neither URLs nor archives.",
    why: "`ADD` silently unpacks archives and fetches URLs: a file that happens to be (or is replaced by) a tarball gets extracted into the image, including paths you did not intend. `COPY` does only what it says.",
    fix: "Use `COPY` for files and directories; keep `ADD` for verified remote downloads (`--checksum`) and deliberate archive extraction.",
    example: include_str!("../../fixtures/DF044/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF044/pass.Dockerfile"),
    equivalents: &[eq("hadolint", "DL3020"), eq("Checkov", "CKV_DOCKER_4")],
    references: &[HADOLINT],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for (i, inst) in ctx.model.parsed.instructions.iter().enumerate() {
        if !inst.is("add") || !inst.heredocs.is_empty() {
            continue;
        }
        let args: Vec<&str> = inst.strings().collect();
        let Some((_, srcs)) = args.split_last() else {
            continue;
        };
        let local = srcs.iter().any(|s| {
            let s = s.trim_matches(['"', '\'']);
            !(s.starts_with("http://")
                || s.starts_with("https://")
                || ARCHIVES.iter().any(|e| s.ends_with(e)))
        });
        if local {
            out.push(ctx.at(
                &RULE,
                i,
                "ADD used for local files and folders; use COPY".to_string(),
            ));
        }
    }
    out
}

const ARCHIVES: &[&str] = &[
    ".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz",
    ".tpz", ".txz", ".xz",
];
