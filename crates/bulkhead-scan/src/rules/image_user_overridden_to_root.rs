//! XL003: the image runs as a non-root user and the manifest sets
//! `runAsUser: 0`.

use crate::join::{Joined, User};
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "XL003",
    slug: "image-user-overridden-to-root",
    title: "The manifest overrides the image's non-root USER with root",
    severity: Severity::High,
    layer: "cross-layer",
    tags: &["cross-layer", "user", "root"],
    default_enabled: true,
    what: "The image a container runs has a non-root user (the Dockerfile's last USER, or the image config's `User`), and the manifest sets `runAsUser: 0` for the container (its own securityContext or the pod's).",
    why: "The image's authors made it run unprivileged and reviewed it that way; the manifest quietly undoes that, so the process runs as root with every file of the image writable, and a compromise of the application is a root shell. Dockerfile linters see a good USER and pass; only the join of the two shows what runs.",
    fix: "Remove `runAsUser: 0` (or set the image's UID); if the process needs one privileged operation, grant that capability alone or do it in an init container.",
    example: "# Dockerfile (builds example/app)\nFROM alpine:3.20\nUSER 10001\n# deploy.yaml\ncontainers:\n- name: app\n  image: example/app:1.0\n  securityContext:\n    runAsUser: 0\n",
    example_fixed: "# deploy.yaml\ncontainers:\n- name: app\n  image: example/app:1.0\n  securityContext:\n    runAsUser: 10001\n",
    equivalents: &[eq("bulkhead", "PSS016")],
    references: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::CrossLayer> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(j: &Joined<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for w in &j.workloads {
        for c in &w.containers {
            let Some(u) = c.run_as_user.as_ref().filter(|s| s.value == 0) else {
                continue;
            };
            let Some(User::NonRoot { user, from }) = j.image(c).map(|i| &i.user) else {
                continue;
            };
            out.push(super::at_image(
                &RULE,
                c,
                format!(
                    "{} of {} runs as root: {} is 0, overriding image {}'s user {user} ({from})",
                    c.c.label(),
                    w.display(),
                    u.field,
                    c.image
                ),
            ));
        }
    }
    out
}
