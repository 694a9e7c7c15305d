//! RT007: appArmor disabled.

use crate::model::Container;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RT007",
    slug: "apparmor-unconfined",
    title: "AppArmor disabled",
    severity: Severity::Medium,
    layer: "runtime",
    tags: &["runtime", "apparmor", "hardening"],
    default_enabled: true,
    what: "The container sets `apparmor:unconfined` / `apparmor=unconfined` (or inspect output shows an unconfined profile). An absent profile is not reported: it depends on the host. Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`). The Kubernetes equivalent is PSS006.",
    why: "docker-default denies writes to /proc/sys, /sys and /proc/sysrq-trigger, mounting, and ptrace across profiles; unconfined, a root process with a capability can write `core_pattern` or a cgroup `release_agent` and make the host run its program.",
    fix: "Remove `apparmor:unconfined`; use the default profile or a custom one loaded on the host.",
    example: include_str!("../../fixtures/RT007/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RT007/pass.yaml"),
    equivalents: &[eq("bulkhead", "PSS006"), eq("docker-bench", "5.1")],
    references: &["https://docs.docker.com/engine/security/apparmor/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    match &c.apparmor {
        Some(f) if f.value.eq_ignore_ascii_case("unconfined") => vec![super::finding(
            &RULE,
            c,
            &f.at,
            format!(
                "{} runs without AppArmor: writes to /proc/sys and /sys (core_pattern, release_agent) and mounts are no longer denied",
                c.object()
            ),
        )],
        _ => Vec::new(),
    }
}
