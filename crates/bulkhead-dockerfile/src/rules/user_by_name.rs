//! DF012: USER given by name, not numeric UID.

use super::{Ctx, Violation, is_root, last_user};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
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
    example: include_str!("../../fixtures/DF012/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF012/pass.Dockerfile"),
    equivalents: &[eq("Checkov", "CKV_K8S_40 (runtime side)")],
    references: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
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
                &RULE,
                i,
                format!(
                    "USER \"{u}\" is a name; use the numeric UID so runAsNonRoot can verify it"
                ),
            )]
        }
        _ => Vec::new(),
    }
}
