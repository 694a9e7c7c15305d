//! RT006: seccomp disabled.

use crate::model::Container;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RT006",
    slug: "seccomp-unconfined",
    title: "Seccomp disabled",
    severity: Severity::High,
    layer: "runtime",
    tags: &["runtime", "seccomp", "escape"],
    default_enabled: true,
    what: "The container runs without a seccomp filter: `seccomp:unconfined` / `seccomp=unconfined` in `security_opt`, or an OCI config with no `linux.seccomp`. Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`). The Kubernetes equivalent is PSS009.",
    why: "The default seccomp profile blocks about 50 system calls that most container escapes of the last decade went through (`unshare` + user namespaces, `keyctl`, `add_key`, `bpf`, `userfaultfd`, `open_by_handle_at`, `kexec_load`); without it every kernel bug behind those calls is reachable from the container.",
    fix: "Remove `seccomp:unconfined`; if one system call is missing, write a profile that allows it on top of the default one.",
    example: include_str!("../../fixtures/RT006/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RT006/pass.yaml"),
    equivalents: &[eq("bulkhead", "PSS009"), eq("docker-bench", "5.21")],
    references: &["https://docs.docker.com/engine/security/seccomp/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    match &c.seccomp {
        Some(f) if f.value.eq_ignore_ascii_case("unconfined") => vec![super::finding(
            &RULE,
            c,
            &f.at,
            format!(
                "{} runs without seccomp: unshare, keyctl, bpf, open_by_handle_at and other escape system calls are open to it",
                c.object()
            ),
        )],
        _ => Vec::new(),
    }
}
