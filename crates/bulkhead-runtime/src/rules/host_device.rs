//! RT019: host device passed through.

use crate::model::Container;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

/// Devices every container gets anyway.
const HARMLESS: &[&str] = &[
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
    "/dev/tty",
    "/dev/console",
    "/dev/ptmx",
    "/dev/pts/ptmx",
];

pub static RULE: RuleMeta = RuleMeta {
    id: "RT019",
    slug: "host-device",
    title: "Host device passed through",
    severity: Severity::Medium,
    layer: "runtime",
    tags: &["runtime", "devices", "escape"],
    default_enabled: true,
    what: "A host device is passed into the container (`devices:`, `--device`, OCI `linux.devices`, inspect `HostConfig.Devices`), other than the harmless pseudo-devices (/dev/null, zero, full, random, urandom, tty, console, ptmx, fuse is reported). Privileged containers are reported by RT001 instead. Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`).",
    why: "A block device (`/dev/sda`, `/dev/nvme0n1`, `/dev/loop*`) is the host disk: mount it and read or change any file. `/dev/mem`, `/dev/kmsg` and `/dev/kvm` reach kernel memory, the kernel log or the hypervisor; `/dev/fuse` and `/dev/net/tun` open kernel attack surface the default device list keeps closed.",
    fix: "Pass only the device the workload needs, with the least access (`/dev/ttyUSB0:/dev/ttyUSB0:r`); never block devices of the host's own disks.",
    example: include_str!("../../fixtures/RT019/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RT019/pass.yaml"),
    equivalents: &[eq("docker-bench", "5.18")],
    references: &["https://docs.docker.com/reference/compose-file/services/#devices"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    if c.is_privileged() {
        return Vec::new();
    }
    c.devices
        .iter()
        .filter(|d| !HARMLESS.contains(&d.value.as_str()))
        .map(|d| {
            super::finding(
                &RULE,
                c,
                &d.at,
                format!(
                    "{} gets host device {}: with it the container talks to the host's hardware or kernel directly",
                    c.object(),
                    d.value
                ),
            )
            .with_evidence("device", d.value.clone())
        })
        .collect()
}
