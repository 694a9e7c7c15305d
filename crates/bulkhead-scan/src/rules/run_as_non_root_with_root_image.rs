//! XL001: `runAsNonRoot: true` on a container whose image runs as root, with
//! no `runAsUser`: the kubelet refuses to start it.

use crate::join::{Joined, User};
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "XL001",
    slug: "run-as-non-root-with-root-image",
    title: "runAsNonRoot with an image that runs as root: the pod will not start",
    severity: Severity::Medium,
    layer: "cross-layer",
    tags: &["cross-layer", "user", "availability"],
    default_enabled: true,
    what: "A container has `runAsNonRoot: true` in effect (its own or the pod's securityContext) and no `runAsUser`, and the image it runs has a root user: the image config's `User` is empty, `root` or `0`, or the Dockerfile that builds it ends with `USER root` (or has no USER on a base image that runs as root).",
    why: "The kubelet checks runAsNonRoot against the image's user at container start and refuses it (`CreateContainerConfigError: container has runAsNonRoot and image will run as root`). The manifest passes every linter and PSS restricted, CI is green, and the rollout stalls in production; the usual 'fix' under pressure is to delete runAsNonRoot, which removes the control for good.",
    fix: "Give the image a non-root numeric USER (`USER 10001` in the Dockerfile), or set `runAsUser` to a non-zero UID in the container's securityContext.",
    example: "# Dockerfile (builds example/app)\nFROM alpine:3.20\nCOPY app /app\nENTRYPOINT [\"/app\"]\n# deploy.yaml\ncontainers:\n- name: app\n  image: example/app:1.0\n  securityContext:\n    runAsNonRoot: true\n",
    example_fixed: "# Dockerfile (builds example/app)\nFROM alpine:3.20\nCOPY app /app\nUSER 10001\nENTRYPOINT [\"/app\"]\n",
    equivalents: &[eq(
        "kubelet",
        "CreateContainerConfigError: image will run as root",
    )],
    references: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::CrossLayer> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(j: &Joined<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for w in &j.workloads {
        for c in &w.containers {
            let (Some(nr), None) = (&c.run_as_non_root, &c.run_as_user) else {
                continue;
            };
            if !nr.value {
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
                        "{} of {} will not start: {} sets runAsNonRoot but image {} runs as {user} ({from}) and no runAsUser is set",
                        c.c.label(),
                        w.display(),
                        nr.field,
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
