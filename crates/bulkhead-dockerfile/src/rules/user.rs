//! Which user the image runs as.

use super::{Ctx, DOCKER_BP, HADOLINT, Violation};
use crate::model::{expand, image_ref};
use bulkhead_core::rule::eq;
use bulkhead_core::{Fix, RuleMeta, Severity, TextEdit};

pub static USER_ROOT: RuleMeta = RuleMeta {
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
    example: "FROM debian:12\nUSER root\nCMD [\"app\"]",
    example_fixed: "FROM debian:12\nUSER 10001\nCMD [\"app\"]",
    equivalents: &[
        eq("hadolint", "DL3002"),
        eq("Checkov", "CKV_DOCKER_8"),
        eq("Trivy", "DS002"),
    ],
    references: &[HADOLINT, DOCKER_BP],
};

pub static USER_MISSING: RuleMeta = RuleMeta {
    id: "DF011",
    slug: "user-missing",
    title: "Final stage never sets USER (runs as the base image's user, usually root)",
    severity: Severity::Medium,
    layer: "image",
    tags: &["dockerfile", "user", "runtime"],
    default_enabled: true,
    what: "The final stage (and the stages it is built from) has no `USER` instruction, and its base is not a known non-root image (distroless `:nonroot`, Chainguard). The image then runs as whatever the base declares, root for almost every base.",
    why: "Same as an explicit `USER root`: every process of the container starts as UID 0, so an application bug becomes root inside the container and the next escape is root on the node. It is the most common way images end up running as root, because nobody wrote it down.",
    fix: "Add `USER 10001` (a numeric, non-root UID that exists in the image) at the end of the final stage; `--fix` adds `USER 65532`.",
    example: "FROM python:3.12-slim\nCOPY app.py /\nCMD [\"python\", \"/app.py\"]",
    example_fixed: "FROM python:3.12-slim\nCOPY app.py /\nUSER 10001\nCMD [\"python\", \"/app.py\"]",
    equivalents: &[eq("Checkov", "CKV_DOCKER_3"), eq("Trivy", "DS002")],
    references: &[DOCKER_BP],
};

pub static USER_NAME: RuleMeta = RuleMeta {
    id: "DF012",
    slug: "user-by-name",
    title: "USER given by name, not numeric UID",
    severity: Severity::Low,
    layer: "image",
    tags: &["dockerfile", "user", "runtime"],
    default_enabled: true,
    what: "The final `USER` names a user (`USER app`) instead of a numeric UID (`USER 10001`).",
    why: "Kubernetes' `runAsNonRoot: true` cannot verify a user name and refuses to start (or, with some runtimes, trusts the name): a name can map to UID 0 in a modified /etc/passwd. A numeric UID is what the kubelet checks.",
    fix: "Use the numeric UID (and GID): `USER 10001:10001`.",
    example: "USER app",
    example_fixed: "USER 10001:10001",
    equivalents: &[eq("Checkov", "CKV_K8S_40 (runtime side)")],
    references: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
};

fn is_root(user: &str) -> bool {
    user == "root" || user == "0" || user.starts_with("root:") || user.starts_with("0:")
}

/// The last USER of the final stage's lineage: (instruction index, expanded user).
fn last_user(ctx: &Ctx<'_>) -> Option<(usize, String)> {
    for si in ctx.model.final_lineage() {
        let s = &ctx.model.stages[si];
        let mut vars = ctx.model.global_args.clone();
        let mut last = None;
        for &i in &s.body {
            let inst = ctx.model.inst(i);
            if inst.is("arg") || inst.is("env") {
                let args: Vec<&str> = inst.strings().collect();
                if inst.is("env") {
                    for kv in args.chunks(3) {
                        if let [k, v, _] = kv {
                            vars.insert(k.to_string(), v.trim_matches('"').to_string());
                        }
                    }
                } else {
                    for w in args {
                        if let Some((k, v)) = w.split_once('=') {
                            vars.insert(k.to_string(), v.trim_matches('"').to_string());
                        }
                    }
                }
            }
            if inst.is("user") {
                let raw = inst.strings().next().unwrap_or("").to_string();
                last = Some((i, expand(&raw, &vars)));
            }
        }
        if last.is_some() {
            return last;
        }
    }
    None
}

pub fn user_root(ctx: &Ctx<'_>) -> Vec<Violation> {
    match last_user(ctx) {
        Some((i, u)) if is_root(&u) => {
            let mut v = ctx.at(
                &USER_ROOT,
                i,
                format!("the final stage runs as root: its last USER is \"{u}\""),
            );
            v.hadolint = Some("DL3002");
            vec![v]
        }
        _ => Vec::new(),
    }
}

fn nonroot_base(image: &str) -> bool {
    let r = image_ref(image);
    let tag = r.tag.unwrap_or("");
    (r.name.contains("distroless") && tag.contains("nonroot"))
        || r.name.starts_with("cgr.dev/chainguard/")
        || image.eq_ignore_ascii_case("scratch")
}

pub fn user_missing(ctx: &Ctx<'_>) -> Vec<Violation> {
    let Some(last) = ctx.model.stages.last() else {
        return Vec::new();
    };
    if last_user(ctx).is_some() {
        return Vec::new();
    }
    let root_image = ctx
        .model
        .final_lineage()
        .last()
        .map(|&si| ctx.model.stages[si].image.clone())
        .unwrap_or_default();
    if nonroot_base(&root_image) || root_image.contains('$') {
        return Vec::new();
    }
    let end = ctx.model.parsed.instructions.len().saturating_sub(1);
    let mut v = ctx.at(&USER_MISSING, last.from, format!("the final stage (FROM {}) never sets USER, so it runs as the base image's user (root unless the base says otherwise)", last.image));
    // Insert `USER 65532` before a trailing CMD/ENTRYPOINT, else at the end.
    let insert_before = last
        .body
        .iter()
        .copied()
        .find(|&i| ctx.model.inst(i).is("cmd") || ctx.model.inst(i).is("entrypoint"))
        .map(|i| ctx.model.inst(i).start_line);
    let line = insert_before.unwrap_or_else(|| ctx.model.inst(end).end_line + 1);
    v.fix = Some(Fix {
        description: format!("insert `USER 65532` at line {line}"),
        ops: Vec::new(),
        edits: vec![TextEdit {
            line,
            column: 1,
            delete: 0,
            insert: "USER 65532\n".into(),
        }],
    });
    vec![v]
}

pub fn user_name(ctx: &Ctx<'_>) -> Vec<Violation> {
    // Windows images name users (ContainerUser); UIDs do not apply there.
    if ctx.model.stages.last().is_some_and(|s| !s.posix) {
        return Vec::new();
    }
    match last_user(ctx) {
        Some((i, u)) if !is_root(&u) && !u.contains('$') => {
            let user = u.split(':').next().unwrap_or("");
            if user.chars().all(|c| c.is_ascii_digit()) {
                return Vec::new();
            }
            vec![ctx.at(
                &USER_NAME,
                i,
                format!(
                    "USER \"{u}\" is a name; use the numeric UID so runAsNonRoot can verify it"
                ),
            )]
        }
        _ => Vec::new(),
    }
}
