//! XL002: no runAsNonRoot and no runAsUser on a container whose image runs
//! as root: the container runs as root.

use crate::join::{Joined, User};
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "XL002",
    slug: "root-image-user-kept",
    title: "The manifest keeps the image's root user",
    severity: Severity::High,
    layer: "cross-layer",
    tags: &["cross-layer", "user", "root"],
    default_enabled: true,
    what: "A container sets neither `runAsNonRoot: true` nor `runAsUser` (its own or the pod's securityContext), so it runs as the image's user, and that user is root: the image config's `User` is empty, `root` or `0`, or the Dockerfile that builds it ends with `USER root` or has no USER on a base image that runs as root. PSS015 says the manifest does not forbid root; this rule says root is what will actually run.",
    why: "Root in the container is root on the node's kernel interface: every file the image or a volume leaves writable to root, every capability the runtime keeps, and every kernel bug reachable as uid 0 is the attacker's the moment the application is compromised. Without a user namespace, a container breakout lands as root on the node.",
    fix: "Set `runAsNonRoot: true` and a non-zero `runAsUser` in the pod's securityContext, and give the image a numeric non-root USER.",
    example: "# Dockerfile (builds example/app)\nFROM alpine:3.20\nCOPY app /app\n# deploy.yaml\ncontainers:\n- name: app\n  image: example/app:1.0\n",
    example_fixed: "# deploy.yaml\ncontainers:\n- name: app\n  image: example/app:1.0\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001\n",
    equivalents: &[
        eq("bulkhead", "PSS015"),
        eq("bulkhead", "DF010"),
        eq("bulkhead", "IMG003"),
    ],
    references: &[
        "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::CrossLayer> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(j: &Joined<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for w in &j.workloads {
        for c in &w.containers {
            if c.run_as_user.is_some() || c.run_as_non_root.as_ref().is_some_and(|s| s.value) {
                continue;
            }
            let Some(User::Root { user, from }) = j.image(c).map(|i| &i.user) else {
                continue;
            };
            out.push(
                super::at_image(
                    &RULE,
                    c,
                    format!(
                        "{} of {} runs as root: image {} runs as {user} ({from}) and the manifest sets no runAsUser or runAsNonRoot",
                        c.c.label(),
                        w.display(),
                        c.image
                    ),
                )
                .with_evidence("image_user", user.clone())
                .with_evidence("image_user_from", from.clone()),
            );
        }
    }
    out
}
