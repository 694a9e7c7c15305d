//! RT rules: one file per rule, each with its `RULE` metadata and its check
//! over one container of the runtime model. The same check serves every
//! source (Compose, OCI config, inspect output, run lines).

pub mod apparmor_unconfined;
pub mod capabilities_not_dropped;
pub mod dangerous_capability_added;
pub mod host_device;
pub mod host_ipc;
pub mod host_network;
pub mod host_pid;
pub mod host_uts;
pub mod no_cpu_limit;
pub mod no_memory_limit;
pub mod no_new_privileges_missing;
pub mod no_pids_limit;
pub mod port_on_all_interfaces;
pub mod privileged_container;
pub mod runs_as_root;
pub mod runtime_socket_mounted;
pub mod seccomp_unconfined;
pub mod selinux_disabled;
pub mod sensitive_host_path;
pub mod writable_root_filesystem;

use crate::Runtime;
use crate::model::{At, Container, Ns, SourceKind};
use bulkhead_core::{Finding, Fix, PatchOp, Registry, RuleMeta};

/// Every RT rule, in id order: the one list the catalogue and the checks read.
pub static REGISTRY: Registry<Runtime> = Registry::new(&[
    &privileged_container::CHECK,
    &dangerous_capability_added::CHECK,
    &capabilities_not_dropped::CHECK,
    &runs_as_root::CHECK,
    &no_new_privileges_missing::CHECK,
    &seccomp_unconfined::CHECK,
    &apparmor_unconfined::CHECK,
    &selinux_disabled::CHECK,
    &writable_root_filesystem::CHECK,
    &runtime_socket_mounted::CHECK,
    &sensitive_host_path::CHECK,
    &host_pid::CHECK,
    &host_network::CHECK,
    &host_ipc::CHECK,
    &host_uts::CHECK,
    &no_memory_limit::CHECK,
    &no_cpu_limit::CHECK,
    &no_pids_limit::CHECK,
    &host_device::CHECK,
    &port_on_all_interfaces::CHECK,
]);

pub fn rules() -> Vec<&'static RuleMeta> {
    REGISTRY.metas()
}

/// Runs every enabled rule on every container.
pub fn check(containers: &[Container], enabled: &dyn Fn(&RuleMeta) -> bool) -> Vec<Finding> {
    containers
        .iter()
        .flat_map(|c| REGISTRY.run(c, enabled))
        .collect()
}

/// A finding on `c` at `at`, with the source kind as evidence.
pub(crate) fn finding(rule: &RuleMeta, c: &Container, at: &At, msg: String) -> Finding {
    Finding::new(rule, c.loc(at), msg).with_evidence("source", c.source.as_str())
}

/// The JSON pointer of `rel` (`cap_drop`, `deploy/resources/limits/memory`)
/// under a Compose service.
pub(crate) fn service_ptr(c: &Container, rel: &str) -> String {
    let name = c.name.replace('~', "~0").replace('/', "~1");
    format!("/services/{name}/{rel}")
}

/// Attaches a Compose `--fix` (ops under the service, in the file that
/// defines it, named in the `fix_file` evidence); other sources get none.
pub(crate) fn compose_fix(
    f: Finding,
    c: &Container,
    description: &str,
    ops: Vec<PatchOp>,
) -> Finding {
    if c.source != SourceKind::Compose || c.at.file.is_empty() || c.at.file == "-" {
        return f;
    }
    f.with_evidence("fix_file", c.at.file.clone())
        .with_fix(Fix {
            description: description.to_string(),
            ops,
            edits: Vec::new(),
        })
}

/// The shared host-namespace check of RT012-RT015.
pub(crate) fn host_ns(rule: &RuleMeta, c: &Container, ns: Ns, abuse: &str) -> Vec<Finding> {
    match c.shares_host(ns) {
        Some(f) => vec![
            finding(
                rule,
                c,
                &f.at,
                format!(
                    "{} shares the host's {} namespace: {abuse}",
                    c.object(),
                    ns.as_str()
                ),
            )
            .with_evidence("namespace", ns.as_str()),
        ],
        None => Vec::new(),
    }
}
