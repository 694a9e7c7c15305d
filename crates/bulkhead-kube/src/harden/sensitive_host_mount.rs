//! K8S008: hostPath mounts of sensitive host paths.

use super::Ctx;
use crate::pss::{Violation, manual, violation};
use bulkhead_core::rule::eq;
use bulkhead_core::yaml::Node;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "K8S008",
    slug: "sensitive-host-mount",
    title: "hostPath mounts a container runtime socket or a sensitive host directory",
    severity: Severity::Critical,
    layer: "kubernetes",
    tags: &["hardening", "runtime"],
    default_enabled: true,
    what: "A `hostPath` volume's path is a container runtime socket (docker, containerd, CRI-O, podman) or a sensitive host directory: `/`, `/etc`, `/proc`, `/sys`, `/dev`, `/root`, `/home`, `/boot`, `/var/lib/kubelet`, `/var/lib/docker`, `/var/lib/containerd`, `/var/run`, `/run`, `/etc/kubernetes`, `/var/log` — or a path under one of the sockets' directories.",
    why: "The runtime socket is root on the node: `docker -H unix:///host/docker.sock run --privileged -v /:/host ...` starts a privileged container from inside the pod. `/var/lib/kubelet` holds every pod's secrets and service account tokens, `/etc` and `/root` allow planting SSH keys or cron jobs, `/proc` and `/sys` expose the node's kernel.",
    fix: "Remove the mount. Agents that need the runtime API should use the CRI through a narrowly scoped, separately reviewed node agent; logs belong in a logging sidecar or the node's log agent.",
    example: include_str!("../../fixtures/K8S008/fail.yaml"),
    example_fixed: include_str!("../../fixtures/K8S008/pass.yaml"),
    equivalents: &[
        eq("Falco", "Create Sensitive Mount Pod"),
        eq("kube-linter", "docker-sock / sensitive-host-mounts"),
        eq("Trivy", "KSV006 / KSV121"),
        eq("Polaris", "hostPathSet"),
    ],
    references: &["https://kubernetes.io/docs/concepts/storage/volumes/#hostpath"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Hardening> =
    bulkhead_core::FnRule { meta: &RULE, check };

const SOCKETS: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
    "/var/run/podman/podman.sock",
    "/run/podman/podman.sock",
    "/var/run/cri-dockerd.sock",
];

const DIRS: &[&str] = &[
    "/",
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/root",
    "/home",
    "/boot",
    "/var/lib/kubelet",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/run",
    "/run",
    "/etc/kubernetes",
    "/var/log",
    "/var/run/containerd",
    "/run/containerd",
    "/var/run/crio",
    "/run/crio",
];

fn normalise(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Why a host path is sensitive, if it is.
pub(crate) fn sensitive(path: &str) -> Option<&'static str> {
    let p = normalise(path);
    if SOCKETS.contains(&p.as_str()) || p.ends_with(".sock") {
        return Some("container runtime socket");
    }
    if DIRS.contains(&p.as_str()) {
        return Some("sensitive host directory");
    }
    if p.starts_with("/var/lib/kubelet/") || p.starts_with("/etc/kubernetes/") {
        return Some("kubelet or cluster credentials");
    }
    None
}

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let Some(vols) = ctx.pod.spec.get("volumes") else {
        return Vec::new();
    };
    vols.items()
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let path = v.path(&["hostPath", "path"]).and_then(Node::as_str)?;
            let why = sensitive(path)?;
            let name = v.get("name").and_then(Node::as_str).unwrap_or("");
            Some(violation(
                &RULE,
                ctx.pod
                    .spec_path
                    .key("volumes")
                    .index(i)
                    .keys(&["hostPath", "path"]),
                format!("volume \"{name}\" mounts {why} {path} from the host"),
                manual("remove the hostPath mount"),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::sensitive;

    #[test]
    fn paths() {
        assert!(sensitive("/var/run/docker.sock").is_some());
        assert!(sensitive("/var/run/../run/containerd/containerd.sock").is_some());
        assert!(sensitive("/").is_some());
        assert!(sensitive("/etc/").is_some());
        assert!(sensitive("/var/lib/kubelet/pods").is_some());
        assert!(sensitive("/data/app").is_none());
        assert!(sensitive("/etc/ssl/certs").is_none());
    }
}
