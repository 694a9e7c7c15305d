//! RT017: no CPU limit.

use crate::model::Container;
use bulkhead_core::PatchOp;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "RT017",
    slug: "no-cpu-limit",
    title: "No CPU limit",
    severity: Severity::Low,
    layer: "runtime",
    tags: &["runtime", "resources", "availability"],
    default_enabled: true,
    what: "No CPU limit: no `cpus`/`cpu_quota` or `deploy.resources.limits.cpus` (Compose), `--cpus`/`--cpu-quota` (run), `linux.resources.cpu.quota` (OCI) or `NanoCpus`/`CpuQuota` (inspect). Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`).",
    why: "A busy loop, a crypto miner planted by an intruder or a regex bomb takes every core: neighbours on the host starve, health checks time out and the outage spreads.",
    fix: "Set `deploy.resources.limits.cpus: \"1.0\"` (or `cpus`), `--cpus 1`.",
    example: include_str!("../../fixtures/RT017/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RT017/pass.yaml"),
    equivalents: &[eq("bulkhead", "K8S002"), eq("docker-bench", "5.12")],
    references: &["https://docs.docker.com/reference/compose-file/deploy/#resources"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    if c.cpus.is_some() {
        return Vec::new();
    }
    let f = super::finding(
        &RULE,
        c,
        &c.at,
        format!(
            "{} has no CPU limit: a busy loop or a planted miner can starve every other process on the host",
            c.object()
        ),
    );
    vec![super::compose_fix(
        f,
        c,
        "limit CPU (deploy.resources.limits.cpus: '1.0', a starting value: size it to the service)",
        vec![PatchOp::Set {
            path: super::service_ptr(c, "deploy/resources/limits/cpus"),
            value: json!("1.0"),
        }],
    )]
}
