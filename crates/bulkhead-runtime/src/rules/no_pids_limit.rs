//! RT018: no process (pids) limit.

use crate::model::Container;
use bulkhead_core::PatchOp;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "RT018",
    slug: "no-pids-limit",
    title: "No process (pids) limit",
    severity: Severity::Low,
    layer: "runtime",
    tags: &["runtime", "resources", "availability"],
    default_enabled: true,
    what: "No limit on the number of processes: no `pids_limit` or `deploy.resources.limits.pids` (Compose), `--pids-limit` (run), `linux.resources.pids.limit` (OCI) or `HostConfig.PidsLimit` (inspect). Podman sets 2048 by default; Docker sets none. Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`).",
    why: "A fork bomb (`:(){ :|:& };:`) in one container exhausts the host's PID space: no process anywhere on the host can fork, including the ones you would use to stop it.",
    fix: "Set `pids_limit: 200` (or `deploy.resources.limits.pids`), `--pids-limit 200`.",
    example: include_str!("../../fixtures/RT018/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RT018/pass.yaml"),
    equivalents: &[eq("docker-bench", "5.29")],
    references: &["https://docs.docker.com/reference/compose-file/deploy/#resources"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    if c.pids.is_some() {
        return Vec::new();
    }
    let f = super::finding(
        &RULE,
        c,
        &c.at,
        format!(
            "{} has no process (pids) limit: a fork bomb can exhaust the host's process table",
            c.object()
        ),
    );
    vec![super::compose_fix(
        f,
        c,
        "limit processes (deploy.resources.limits.pids: 200)",
        vec![PatchOp::Set {
            path: super::service_ptr(c, "deploy/resources/limits/pids"),
            value: json!(200),
        }],
    )]
}
