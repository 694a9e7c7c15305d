//! RT020: port published on all host interfaces.

use crate::model::Container;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RT020",
    slug: "port-on-all-interfaces",
    title: "Port published on all host interfaces",
    severity: Severity::Low,
    layer: "runtime",
    tags: &["runtime", "network", "exposure"],
    default_enabled: true,
    what: "A port is published without a host address (`8080:80`, `-p 8080:80`, a bare `80`) or on 0.0.0.0 / ::, so it listens on every host interface. Docker's published ports also bypass the host's ufw/firewalld rules (they are inserted ahead of them in iptables). Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`).",
    why: "A database, admin UI or debug port meant for the host or a reverse proxy becomes reachable from the whole network — and from the internet on a cloud VM with a public address — regardless of the host firewall, because Docker's DNAT rules come first.",
    fix: "Bind to the address that needs it: `127.0.0.1:8080:80` behind a local proxy, or a private interface address; publish nothing for services only other containers use (they reach each other on the compose network).",
    example: include_str!("../../fixtures/RT020/fail.sh"),
    example_fixed: include_str!("../../fixtures/RT020/pass.sh"),
    equivalents: &[eq("docker-bench", "5.14")],
    references: &["https://docs.docker.com/engine/network/packet-filtering-firewalls/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    c.ports
        .iter()
        .filter(|p| p.all_interfaces())
        .map(|p| {
            super::finding(
                &RULE,
                c,
                &p.at,
                format!(
                    "{} publishes container port {}/{} on all host interfaces ({}); it is reachable from the network, past the host firewall",
                    c.object(),
                    p.target,
                    p.protocol,
                    match &p.published {
                        Some(h) => format!("host port {h}"),
                        None => "a random host port".into(),
                    }
                ),
            )
            .with_evidence("port", p.target.clone())
        })
        .collect()
}
