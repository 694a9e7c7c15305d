//! RT015: host UTS namespace shared.

use crate::model::Container;
use crate::model::Ns;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RT015",
    slug: "host-uts",
    title: "Host UTS namespace shared",
    severity: Severity::Low,
    layer: "runtime",
    tags: &["runtime", "namespaces", "hardening"],
    default_enabled: true,
    what: "The container shares the host's uts namespace (`uts: host / --uts host`; OCI: no `uts` entry in `linux.namespaces`). Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`).",
    why: "With the host UTS namespace the container sees and, with SYS_ADMIN, changes the host's hostname and NIS domain name: logs, certificates and cluster membership that key on the hostname are confused, and it is one more isolation layer removed.",
    fix: "Remove `uts: host`; set `hostname:` if the service needs a particular name.",
    example: include_str!("../../fixtures/RT015/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RT015/pass.yaml"),
    equivalents: &[eq("docker-bench", "5.21")],
    references: &["https://docs.docker.com/engine/containers/run/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    super::host_ns(
        &RULE,
        c,
        Ns::Uts,
        "it can change the host's hostname and domain name (with SYS_ADMIN) and sees them",
    )
}
