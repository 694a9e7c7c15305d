//! RT010: container runtime socket mounted.

use crate::model::Container;
use crate::model::MountKind;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub const SOCKETS: &[&str] = &[
    "docker.sock",
    "containerd.sock",
    "podman.sock",
    "crio.sock",
    "cri-dockerd.sock",
    "dockershim.sock",
    "buildkitd.sock",
];

pub static RULE: RuleMeta = RuleMeta {
    id: "RT010",
    slug: "runtime-socket-mounted",
    title: "Container runtime socket mounted",
    severity: Severity::Critical,
    layer: "runtime",
    tags: &["runtime", "socket", "escape"],
    default_enabled: true,
    what: "A bind mount brings a container runtime's API socket into the container: docker.sock, containerd.sock, podman.sock, crio.sock, cri-dockerd.sock, dockershim.sock or buildkitd.sock, by source or target path. Mounting it read-only does not help. Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`).",
    why: "Whoever can write to the socket drives the runtime: `docker run --privileged -v /:/host ... chroot /host` starts a new container with the host's root filesystem, so anyone who compromises this container owns the host. `:ro` only makes the socket file read-only, not the API behind it.",
    fix: "Do not mount the socket; if a tool needs the API, put an authorising proxy in front (tecnativa/docker-socket-proxy with only the endpoints it needs) or use rootless podman for that tool.",
    example: include_str!("../../fixtures/RT010/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RT010/pass.yaml"),
    equivalents: &[eq("Trivy", "KSV121"), eq("docker-bench", "5.32")],
    references: &["https://docs.docker.com/engine/security/#docker-daemon-attack-surface"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    let mut out = Vec::new();
    for m in &c.mounts {
        if matches!(m.kind, MountKind::Volume | MountKind::Tmpfs) {
            continue;
        }
        let sock = [m.source.as_str(), m.target.as_str()]
            .into_iter()
            .find_map(|p| {
                let name = p.trim_end_matches('/').rsplit('/').next().unwrap_or("");
                SOCKETS.contains(&name).then_some(name)
            });
        if let Some(s) = sock {
            out.push(
                super::finding(
                    &RULE,
                    c,
                    &m.at,
                    format!(
                        "{} mounts the runtime socket {} at {}{}: anyone in the container can start a privileged container with the host's root filesystem",
                        c.object(),
                        if m.source.is_empty() { s } else { m.source.as_str() },
                        m.target,
                        if m.read_only { " (read-only does not restrict the API)" } else { "" }
                    ),
                )
                .with_evidence("socket", s),
            );
        }
    }
    out
}
