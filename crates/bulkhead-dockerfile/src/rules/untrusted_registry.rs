//! DF003: image from a registry outside the trusted list.

use super::{Ctx, HADOLINT, Violation};
use crate::model::image_ref;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF003",
    slug: "untrusted-registry",
    title: "Image from a registry outside the trusted list",
    severity: Severity::High,
    layer: "supply-chain",
    tags: &["dockerfile", "supply-chain"],
    default_enabled: true,
    what: "A `FROM` (or `COPY --from=image`) pulls from a registry not in the configured trusted list (`dockerfile.trusted-registries` in bulkhead.yaml, or hadolint's `trustedRegistries`). Inactive when no list is configured. Docker Hub images without a registry count as `docker.io`.",
    why: "Images from arbitrary registries bypass the scanning, signing and mirroring your trusted registry enforces; a typo in a registry name is enough to build on an attacker's image.",
    fix: "Pull through your trusted registry or mirror, or add the registry to the trusted list after review.",
    example: include_str!("../../fixtures/DF003/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF003/pass.Dockerfile"),
    equivalents: &[eq("hadolint", "DL3026")],
    references: &[HADOLINT],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    if ctx.config.trusted_registries.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (si, s) in ctx.model.stages.iter().enumerate() {
        if ctx.model.is_stage_ref(&s.image, si) || trusted(ctx, &s.image) {
            continue;
        }
        out.push(ctx.at_text(
            &RULE,
            s.from,
            &s.raw_image,
            format!("image \"{}\" is not from a trusted registry", s.image),
        ));
        for &i in &s.body {
            let inst = ctx.model.inst(i);
            if !inst.is("copy") {
                continue;
            }
            let Some(from) = inst.flag("from") else {
                continue;
            };
            if from.parse::<usize>().is_ok()
                || ctx.model.is_stage_ref(from, si + 1)
                || trusted(ctx, from)
            {
                continue;
            }
            out.push(ctx.at(
                &RULE,
                i,
                format!("COPY --from image \"{from}\" is not from a trusted registry"),
            ));
        }
    }
    out
}

/// hadolint's registry pattern: `*`, `*.suffix`, `prefix*` or exact.
fn registry_matches(pattern: &str, registry: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if let Some(suffix) = pattern.strip_prefix('*') {
        return registry.ends_with(suffix);
    }
    if let Some(prefix) = pattern.strip_suffix('*') {
        return registry.starts_with(prefix);
    }
    pattern == registry
}

fn trusted(ctx: &Ctx<'_>, image: &str) -> bool {
    let r = image_ref(image);
    let allowed = &ctx.config.trusted_registries;
    match r.registry {
        Some(reg) => allowed.iter().any(|p| registry_matches(p, reg)),
        None => {
            image.eq_ignore_ascii_case("scratch")
                || allowed.iter().any(|p| {
                    registry_matches(p, "docker.io") || registry_matches(p, "hub.docker.com")
                })
        }
    }
}
