//! RT003: capabilities not dropped.

use crate::model::Container;
use crate::model::DOCKER_DEFAULT_CAPS;
use bulkhead_core::PatchOp;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "RT003",
    slug: "capabilities-not-dropped",
    title: "Capabilities not dropped",
    severity: Severity::Medium,
    layer: "runtime",
    tags: &["runtime", "capabilities", "hardening"],
    default_enabled: true,
    what: "The container does not drop ALL capabilities (`cap_drop: [ALL]`, `--cap-drop ALL`), so it keeps Docker's default set; for OCI configs and inspect output with a stated bounding set, it keeps any capability other than NET_BIND_SERVICE. Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`). The Kubernetes equivalent is PSS014.",
    why: "The default set includes NET_RAW (ARP and DNS spoofing of neighbours on the bridge), DAC_OVERRIDE (ignore file permissions), SETUID/SETGID and CHOWN, MKNOD and SYS_CHROOT: root in the container, or anyone who reaches it, starts an escape with these; each kernel bug in a capability-gated path is reachable.",
    fix: "Add `cap_drop: [ALL]` and `cap_add` only what the process needs (usually nothing, or NET_BIND_SERVICE).",
    example: include_str!("../../fixtures/RT003/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RT003/pass.yaml"),
    equivalents: &[
        eq("bulkhead", "PSS014"),
        eq("Trivy", "KSV003"),
        eq("docker-bench", "5.3"),
    ],
    references: &[
        "https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    if c.is_privileged() {
        return Vec::new();
    }
    if let Some(b) = &c.caps_bounding {
        let kept: Vec<&str> = b
            .value
            .iter()
            .map(String::as_str)
            .filter(|cap| *cap != "NET_BIND_SERVICE")
            .collect();
        if kept.is_empty() {
            return Vec::new();
        }
        return vec![super::finding(
            &RULE,
            c,
            &b.at,
            format!(
                "{} keeps {} capabilities ({}); drop ALL and add back only what it needs",
                c.object(),
                kept.len(),
                kept.join(", ")
            ),
        )];
    }
    if c.drops("ALL") {
        return Vec::new();
    }
    let at = c.cap_drop.first().map_or(&c.at, |f| &f.at);
    let kept: Vec<&str> = DOCKER_DEFAULT_CAPS
        .iter()
        .copied()
        .filter(|cap| !c.drops(cap))
        .collect();
    let f = super::finding(
        &RULE,
        c,
        at,
        format!(
            "{} does not drop ALL capabilities and keeps the runtime's default set ({})",
            c.object(),
            kept.join(", ")
        ),
    );
    vec![super::compose_fix(
        f,
        c,
        "drop every capability (cap_drop: [ALL]); add back only what the service needs with cap_add",
        vec![PatchOp::Append {
            path: super::service_ptr(c, "cap_drop"),
            value: json!("ALL"),
        }],
    )]
}
