//! RT014: host IPC namespace shared.

use crate::model::Container;
use crate::model::Ns;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RT014",
    slug: "host-ipc",
    title: "Host IPC namespace shared",
    severity: Severity::Medium,
    layer: "runtime",
    tags: &["runtime", "namespaces", "hardening"],
    default_enabled: true,
    what: "The container shares the host's ipc namespace (`ipc: host / --ipc host`; OCI: no `ipc` entry in `linux.namespaces`). Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`).",
    why: "With the host IPC namespace the container attaches to the shared memory segments and message queues of host processes (databases, browsers, X11 and graphics stacks keep data there), reading or corrupting it.",
    fix: "Remove `ipc: host`; share IPC between two containers with `ipc: \"service:other\"` or `shareable`.",
    example: include_str!("../../fixtures/RT014/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RT014/pass.yaml"),
    equivalents: &[eq("bulkhead", "PSS001"), eq("docker-bench", "5.16")],
    references: &["https://docs.docker.com/engine/containers/run/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    super::host_ns(
        &RULE,
        c,
        Ns::Ipc,
        "it reads and writes host processes' System V and POSIX shared memory and message queues",
    )
}
