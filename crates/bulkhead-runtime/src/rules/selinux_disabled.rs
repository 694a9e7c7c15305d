//! RT008: sELinux separation disabled.

use crate::model::Container;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RT008",
    slug: "selinux-disabled",
    title: "SELinux separation disabled",
    severity: Severity::Medium,
    layer: "runtime",
    tags: &["runtime", "selinux", "hardening"],
    default_enabled: true,
    what: "The container sets `label:disable` / `label=disable`, or an unconfined SELinux type (`spc_t`, `unconfined_t`). Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`). The Kubernetes equivalent is PSS007.",
    why: "With SELinux enforcing, every container gets its own MCS category, so a process that escapes its namespaces still cannot read other containers' files or the host's; `label=disable` runs it as `spc_t`, which SELinux does not confine, and a bind mount or escape gives full access.",
    fix: "Remove `label:disable`; relabel bind mounts with `:z` (shared) or `:Z` (private) instead.",
    example: include_str!("../../fixtures/RT008/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RT008/pass.yaml"),
    equivalents: &[eq("bulkhead", "PSS007")],
    references: &[
        "https://docs.podman.io/en/latest/markdown/podman-run.1.html#security-opt-option",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    match &c.selinux {
        Some(f)
            if f.value == "disable"
                || f.value.contains("spc_t")
                || f.value.contains("unconfined_t") =>
        {
            vec![super::finding(
                &RULE,
                c,
                &f.at,
                format!(
                    "{} disables SELinux separation ({}): host and other containers' files are no longer protected by labels",
                    c.object(),
                    f.value
                ),
            )]
        }
        _ => Vec::new(),
    }
}
