//! DF030: ADD downloads a URL without --checksum.

use super::{Ctx, Violation};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF030",
    slug: "add-remote-without-checksum",
    title: "ADD downloads a URL without --checksum",
    severity: Severity::High,
    layer: "supply-chain",
    tags: &["dockerfile", "supply-chain"],
    default_enabled: true,
    what: "An `ADD` whose source is an `http://` or `https://` URL has no `--checksum=sha256:...`.",
    why: "Whatever the server returns at build time goes into the image: a compromised download host, a hijacked domain or (over http) anyone on the path can substitute a backdoored binary, and the build cannot notice.",
    fix: "Add `--checksum=sha256:<digest>` (BuildKit verifies it), or download in a RUN step and verify with `sha256sum -c`.",
    example: include_str!("../../fixtures/DF030/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF030/pass.Dockerfile"),
    equivalents: &[
        eq("hadolint", "DL3020 (partial)"),
        eq("Checkov", "CKV_DOCKER_4"),
    ],
    references: &["https://docs.docker.com/reference/dockerfile/#add---checksum"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for (i, inst) in ctx.model.parsed.instructions.iter().enumerate() {
        let inst = if inst.is("onbuild") {
            match inst.sub() {
                Some(s) => s,
                None => continue,
            }
        } else {
            inst
        };
        if !inst.is("add") || inst.flag("checksum").is_some() {
            continue;
        }
        let args: Vec<&str> = inst.strings().collect();
        let Some((_, srcs)) = args.split_last() else {
            continue;
        };
        for s in srcs
            .iter()
            .filter(|s| s.starts_with("http://") || s.starts_with("https://"))
        {
            out.push(ctx.at_text(
                &RULE,
                i,
                s,
                format!("ADD downloads {s} without --checksum; the content is not verified"),
            ));
        }
    }
    out
}
