//! Base image rules.

use super::{Ctx, DOCKER_BP, HADOLINT, Violation};
use crate::model::image_ref;
use bulkhead_core::rule::eq;
use bulkhead_core::{Fix, RuleMeta, Severity, TextEdit};

pub static FROM_LATEST: RuleMeta = RuleMeta {
    id: "DF001",
    slug: "from-latest",
    title: "Base image uses :latest or no tag",
    severity: Severity::Medium,
    layer: "image",
    tags: &["dockerfile", "supply-chain"],
    default_enabled: true,
    what: "A `FROM` names an image without a tag, or with `:latest`, and without a digest. `scratch`, earlier stage names and `$VARIABLE` images are not flagged.",
    why: "A moving base means each build pulls whatever the registry serves that day: a compromised or typo-squatted upstream push lands in your image silently, builds are not reproducible, and a vulnerability report cannot say which base you shipped.",
    fix: "Pin a version tag and, better, a digest: `FROM python:3.12.7-slim@sha256:...`.",
    example: "FROM node",
    example_fixed: "FROM node:22.11.0-bookworm-slim@sha256:<digest>",
    equivalents: &[
        eq("hadolint", "DL3006 / DL3007"),
        eq("Checkov", "CKV_DOCKER_7"),
        eq("Trivy", "DS001"),
    ],
    references: &[HADOLINT, DOCKER_BP],
};

pub static FROM_DIGEST: RuleMeta = RuleMeta {
    id: "DF002",
    slug: "from-without-digest",
    title: "Base image not pinned by digest",
    severity: Severity::Low,
    layer: "image",
    tags: &["dockerfile", "supply-chain"],
    default_enabled: true,
    what: "A `FROM` names a registry image without an `@sha256:` digest.",
    why: "Tags are mutable: whoever can push to the base repository (a leaked CI token, a compromised maintainer) can move `python:3.12` to a backdoored image and your next build inherits it. A digest names exactly the bytes you reviewed.",
    fix: "Append the digest of the reviewed image (`docker buildx imagetools inspect IMAGE`), and let a bot such as Renovate update it.",
    example: "FROM alpine:3.20",
    example_fixed: "FROM alpine:3.20@sha256:<digest>",
    equivalents: &[eq("Checkov", "CKV_DOCKER_7 (partial)")],
    references: &[DOCKER_BP],
};

pub static UNTRUSTED_REGISTRY: RuleMeta = RuleMeta {
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
    example: "FROM randomregistry.example/base:1",
    example_fixed: "FROM registry.corp.example/mirror/base:1",
    equivalents: &[eq("hadolint", "DL3026")],
    references: &[HADOLINT],
};

pub static NON_MINIMAL_BASE: RuleMeta = RuleMeta {
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
    example: "FROM ubuntu:24.04\nCOPY app /app",
    example_fixed: "FROM golang:1.23 AS build\n...\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=build /app /app",
    equivalents: &[eq("none", "no equivalent in hadolint, Trivy or Checkov")],
    references: &[DOCKER_BP],
};

pub fn from_latest(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for (si, s) in ctx.model.stages.iter().enumerate() {
        let raw = s.raw_image.as_str();
        if raw.eq_ignore_ascii_case("scratch")
            || raw.starts_with('$')
            || ctx.model.is_stage_ref(raw, si)
        {
            continue;
        }
        let r = image_ref(raw);
        if r.digest.is_some() {
            continue;
        }
        let (msg, id) = match r.tag {
            None => (
                format!("base image \"{raw}\" has no tag (means :latest)"),
                "DL3006",
            ),
            Some("latest") => (
                format!("base image \"{raw}\" uses the moving tag :latest"),
                "DL3007",
            ),
            Some(_) => continue,
        };
        let mut v = ctx.at_text(&FROM_LATEST, s.from, raw, msg);
        v.hadolint = Some(id);
        out.push(v);
    }
    out
}

pub fn from_digest(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for (si, s) in ctx.model.stages.iter().enumerate() {
        if s.image.eq_ignore_ascii_case("scratch")
            || s.image.contains('$')
            || ctx.model.is_stage_ref(&s.image, si)
            || image_ref(&s.image).digest.is_some()
        {
            continue;
        }
        let mut v = ctx.at_text(
            &FROM_DIGEST,
            s.from,
            &s.raw_image,
            format!("base image \"{}\" is not pinned by digest", s.image),
        );
        // `--pin IMAGE=DIGEST`: append the digest to the image reference.
        if let Some((_, digest)) = ctx
            .config
            .pins
            .iter()
            .find(|(img, _)| *img == s.raw_image || *img == s.image)
            && ctx
                .lines
                .get(v.line as usize - 1)
                .is_some_and(|l| l.contains(&s.raw_image))
        {
            v.fix = Some(Fix {
                description: format!("pin {} to {digest}", s.raw_image),
                ops: Vec::new(),
                edits: vec![TextEdit {
                    line: v.line,
                    column: v.column + s.raw_image.chars().count() as u32,
                    delete: 0,
                    insert: format!("@{digest}"),
                }],
            });
        }
        out.push(v);
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

pub fn untrusted_registry(ctx: &Ctx<'_>) -> Vec<Violation> {
    if ctx.config.trusted_registries.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (si, s) in ctx.model.stages.iter().enumerate() {
        if ctx.model.is_stage_ref(&s.image, si) || trusted(ctx, &s.image) {
            continue;
        }
        let mut v = ctx.at_text(
            &UNTRUSTED_REGISTRY,
            s.from,
            &s.raw_image,
            format!("image \"{}\" is not from a trusted registry", s.image),
        );
        v.hadolint = Some("DL3026");
        out.push(v);
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
            let mut v = ctx.at(
                &UNTRUSTED_REGISTRY,
                i,
                format!("COPY --from image \"{from}\" is not from a trusted registry"),
            );
            v.hadolint = Some("DL3026");
            out.push(v);
        }
    }
    out
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

pub fn non_minimal_base(ctx: &Ctx<'_>) -> Vec<Violation> {
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
        &NON_MINIMAL_BASE,
        s.from,
        &s.raw_image,
        format!(
            "final stage is built on \"{}\", not a minimal image",
            s.image
        ),
    )]
}
