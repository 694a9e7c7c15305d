//! RT016: no memory limit.

use crate::model::Container;
use bulkhead_core::PatchOp;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "RT016",
    slug: "no-memory-limit",
    title: "No memory limit",
    severity: Severity::Low,
    layer: "runtime",
    tags: &["runtime", "resources", "availability"],
    default_enabled: true,
    what: "No memory limit: no `mem_limit` or `deploy.resources.limits.memory` (Compose), `--memory` (run), `linux.resources.memory.limit` (OCI) or `HostConfig.Memory` (inspect). Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`).",
    why: "A leak or a hostile request makes the process take all host memory: the kernel's OOM killer then picks victims across the host — other containers, the runtime daemon, sshd — a denial of service one container causes for all.",
    fix: "Set `deploy.resources.limits.memory: 512M` (or `mem_limit`), `--memory 512m`.",
    example: include_str!("../../fixtures/RT016/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RT016/pass.yaml"),
    equivalents: &[eq("bulkhead", "K8S001"), eq("docker-bench", "5.11")],
    references: &["https://docs.docker.com/reference/compose-file/deploy/#resources"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    if c.memory.is_some() {
        return Vec::new();
    }
    let f = super::finding(
        &RULE,
        c,
        &c.at,
        format!(
            "{} has no memory limit: a leak or a hostile request can take all host memory and wake the OOM killer on its neighbours",
            c.object()
        ),
    );
    vec![super::compose_fix(
        f,
        c,
        "limit memory (deploy.resources.limits.memory: 512M, a starting value: size it to the service)",
        vec![PatchOp::Set {
            path: super::service_ptr(c, "deploy/resources/limits/memory"),
            value: json!("512M"),
        }],
    )]
}
