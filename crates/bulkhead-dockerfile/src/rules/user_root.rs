//! DF010: final stage switches to root and stays there.

use super::{Ctx, DOCKER_BP, HADOLINT, Violation, is_root, last_user};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF010",
    slug: "user-root",
    title: "Final stage switches to root and stays there",
    severity: Severity::High,
    layer: "image",
    tags: &["dockerfile", "user", "runtime"],
    default_enabled: true,
    what: "The last `USER` of the final stage is `root`, `0`, `root:<group>` or `0:<group>` (after ARG/ENV expansion).",
    why: "The container's processes run as UID 0. Unless every runtime layer holds (user namespaces, dropped capabilities, seccomp, read-only root), root in the container is one kernel bug or one writable host mount away from root on the node; root can also rewrite the application's own files to persist.",
    fix: "End the final stage with a non-root numeric user: `USER 10001` (create it with `useradd -u 10001` or use a `nonroot` base).",
    example: include_str!("../../fixtures/DF010/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF010/pass.Dockerfile"),
    equivalents: &[
        eq("hadolint", "DL3002"),
        eq("Checkov", "CKV_DOCKER_8"),
        eq("Trivy", "DS002"),
    ],
    references: &[HADOLINT, DOCKER_BP],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    match last_user(ctx) {
        Some((i, u)) if is_root(&u) => {
            vec![ctx.at(
                &RULE,
                i,
                format!("the final stage runs as root: its last USER is \"{u}\""),
            )]
        }
        _ => Vec::new(),
    }
}
