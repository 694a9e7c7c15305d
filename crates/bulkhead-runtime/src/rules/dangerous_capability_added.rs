//! RT002: dangerous capability added.

use crate::model::Container;
use crate::model::danger;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RT002",
    slug: "dangerous-capability-added",
    title: "Dangerous capability added",
    severity: Severity::High,
    layer: "runtime",
    tags: &["runtime", "capabilities", "escape"],
    default_enabled: true,
    what: "The container adds, or (for OCI configs and inspect output) holds, a capability that opens a way to the host: SYS_ADMIN, SYS_PTRACE, SYS_MODULE, SYS_RAWIO, SYS_BOOT, SYS_TIME, NET_ADMIN, DAC_READ_SEARCH, BPF, PERFMON, MAC_ADMIN, MAC_OVERRIDE, SYSLOG, LINUX_IMMUTABLE or ALL. Privileged containers are reported by RT001 instead. Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`). The Kubernetes equivalent is PSS003.",
    why: "Each of these is a known escape or host attack: SYS_ADMIN mounts a cgroup and sets `release_agent` to run a host command; SYS_MODULE loads a kernel module; DAC_READ_SEARCH reads any host file with open_by_handle_at (the \"shocker\" exploit); SYS_PTRACE injects into host processes when the PID namespace is shared; NET_ADMIN rewrites iptables to intercept other containers' traffic; BPF and PERFMON read kernel memory.",
    fix: "Remove the capability; if a tool needs it, run that tool in a separate, short-lived container, or grant a narrower capability (NET_BIND_SERVICE instead of NET_ADMIN for low ports).",
    example: include_str!("../../fixtures/RT002/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RT002/pass.yaml"),
    equivalents: &[
        eq("bulkhead", "PSS003"),
        eq("Trivy", "KSV005"),
        eq("docker-bench", "5.3"),
    ],
    references: &["https://man7.org/linux/man-pages/man7/capabilities.7.html"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    if c.is_privileged() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let held = [&c.caps_effective, &c.caps_bounding]
        .into_iter()
        .flatten()
        .flat_map(|set| set.value.iter().map(move |cap| (cap, &set.at, "holds")));
    let added = c.cap_add.iter().map(|f| (&f.value, &f.at, "adds"));
    for (cap, at, how) in added.chain(held) {
        if how == "holds" && c.drops(cap) {
            continue;
        }
        let Some(why) = danger(cap) else { continue };
        if seen.contains(&cap.as_str()) {
            continue;
        }
        seen.push(cap);
        out.push(
            super::finding(
                &RULE,
                c,
                at,
                format!("{} {how} CAP_{cap}: {why}", c.object()),
            )
            .with_evidence("capability", cap.clone()),
        );
    }
    out
}
