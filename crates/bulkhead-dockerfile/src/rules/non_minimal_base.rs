//! DF004: final stage is not built on a minimal base image.

use super::{Ctx, DOCKER_BP, Violation};
use crate::model::image_ref;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF004",
    slug: "non-minimal-base",
    title: "Final stage is not built on a minimal base image",
    severity: Severity::Info,
    layer: "image",
    tags: &["dockerfile", "minimal"],
    default_enabled: false,
    what: "The final stage's base is not a known minimal image: scratch, distroless, Chainguard/Wolfi, busybox, alpine, `*-slim`, UBI micro/minimal, or a prefix configured in `dockerfile.minimal-bases`. Off by default.",
    why: "Every package in the runtime image is attack surface: a shell, a package manager and curl are what an attacker uses after an RCE, and each package adds CVEs to patch.",
    fix: "Build in a full image and copy the artefact into a minimal runtime stage (`FROM gcr.io/distroless/static` or `scratch`).",
    example: include_str!("../../fixtures/DF004/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF004/pass.Dockerfile"),
    equivalents: &[eq("none", "no equivalent in hadolint, Trivy or Checkov")],
    references: &[DOCKER_BP],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let Some((si, s)) = ctx.model.stages.iter().enumerate().next_back() else {
        return Vec::new();
    };
    let name = image_ref(&s.image)
        .name
        .trim_start_matches("docker.io/")
        .trim_start_matches("library/");
    let tag = image_ref(&s.image).tag.unwrap_or("");
    let minimal = ctx.model.is_stage_ref(&s.image, si)
        || MINIMAL.iter().any(|m| name.starts_with(m))
        || ctx
            .config
            .minimal_bases
            .iter()
            .any(|m| s.image.starts_with(m.as_str()))
        || tag.contains("slim")
        || tag.contains("distroless")
        || s.image.contains('$');
    if minimal {
        return Vec::new();
    }
    vec![ctx.at_text(
        &RULE,
        s.from,
        &s.raw_image,
        format!(
            "final stage is built on \"{}\", not a minimal image",
            s.image
        ),
    )]
}

const MINIMAL: &[&str] = &[
    "scratch",
    "gcr.io/distroless/",
    "cgr.dev/chainguard/",
    "chainguard/",
    "busybox",
    "alpine",
    "redhat/ubi8-micro",
    "redhat/ubi9-micro",
    "registry.access.redhat.com/ubi8/ubi-micro",
    "registry.access.redhat.com/ubi9/ubi-micro",
    "registry.access.redhat.com/ubi9/ubi-minimal",
    "registry.access.redhat.com/ubi8/ubi-minimal",
    "wolfi",
];
