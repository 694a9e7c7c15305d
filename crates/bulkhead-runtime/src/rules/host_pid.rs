//! RT012: host PID namespace shared.

use crate::model::Container;
use crate::model::Ns;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RT012",
    slug: "host-pid",
    title: "Host PID namespace shared",
    severity: Severity::High,
    layer: "runtime",
    tags: &["runtime", "namespaces", "escape"],
    default_enabled: true,
    what: "The container shares the host's pid namespace (`pid: host / --pid host`; OCI: no `pid` entry in `linux.namespaces`). Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`).",
    why: "With the host's PID namespace the container lists every host process, reads their command lines and environment (secrets passed as variables), reaches their root filesystems through /proc/PID/root, kills them, and with SYS_PTRACE (or as root against same-uid processes) injects code into them; `nsenter -t 1 -a` from a privileged process is a host shell.",
    fix: "Remove `pid: host`; to debug another container, share that container's namespace (`pid: \"service:app\"`).",
    example: include_str!("../../fixtures/RT012/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RT012/pass.yaml"),
    equivalents: &[eq("bulkhead", "PSS001"), eq("docker-bench", "5.16")],
    references: &["https://docs.docker.com/engine/containers/run/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    super::host_ns(
        &RULE,
        c,
        Ns::Pid,
        "it sees and signals every host process, reads their environment and /proc/PID/root, and with SYS_PTRACE injects code into them",
    )
}
