//! RT013: host network namespace shared.

use crate::model::Container;
use crate::model::Ns;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RT013",
    slug: "host-network",
    title: "Host network namespace shared",
    severity: Severity::High,
    layer: "runtime",
    tags: &["runtime", "namespaces", "escape"],
    default_enabled: true,
    what: "The container shares the host's network namespace (`network_mode: host / --network host`; OCI: no `network` entry in `linux.namespaces`). Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`).",
    why: "With the host network the container binds any host port, reaches services bound to the host's 127.0.0.1 (a Docker API on tcp://localhost:2375, databases, the kubelet), bypasses published-port and firewall rules, and with NET_RAW/NET_ADMIN sniffs or redirects the host's traffic.",
    fix: "Remove `network_mode: host`; publish the ports the service needs (`ports: [\"127.0.0.1:8080:8080\"]`).",
    example: include_str!("../../fixtures/RT013/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RT013/pass.yaml"),
    equivalents: &[eq("bulkhead", "PSS001"), eq("docker-bench", "5.10")],
    references: &["https://docs.docker.com/engine/containers/run/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    super::host_ns(
        &RULE,
        c,
        Ns::Net,
        "it binds host ports, reaches services listening on the host's localhost (cloud metadata, kubelet, databases) and sniffs host traffic with NET_RAW",
    )
}
