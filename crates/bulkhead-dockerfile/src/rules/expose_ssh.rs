//! DF045: image exposes SSH (port 22).

use super::{Ctx, DOCKER_BP, Violation};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF045",
    slug: "expose-ssh",
    title: "Image exposes SSH (port 22)",
    severity: Severity::Medium,
    layer: "image",
    tags: &["dockerfile", "runtime"],
    default_enabled: true,
    what: "`EXPOSE 22` (or `22/tcp`).",
    why: "An SSH daemon in a container is a second, long-lived way in: credentials or keys baked into the image, password guessing from the network, and an interactive foothold that bypasses `kubectl exec` auditing.",
    fix: "Remove sshd and the EXPOSE; use `kubectl exec` / `docker exec` (audited) for debugging.",
    example: include_str!("../../fixtures/DF045/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF045/pass.Dockerfile"),
    equivalents: &[eq("Checkov", "CKV_DOCKER_1")],
    references: &[DOCKER_BP],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for (i, inst) in ctx.model.parsed.instructions.iter().enumerate() {
        if inst.is("expose")
            && inst
                .strings()
                .any(|p| p == "22" || p.eq_ignore_ascii_case("22/tcp"))
        {
            out.push(ctx.at_text(
                &RULE,
                i,
                "22",
                "EXPOSE 22: the image runs an SSH service".to_string(),
            ));
        }
    }
    out
}
