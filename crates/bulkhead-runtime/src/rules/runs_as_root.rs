//! RT004: container runs as root.

use crate::model::Container;
use crate::model::Ns;
use bulkhead_core::PatchOp;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "RT004",
    slug: "runs-as-root",
    title: "Container runs as root",
    severity: Severity::Medium,
    layer: "runtime",
    tags: &["runtime", "user", "hardening"],
    default_enabled: true,
    what: "The user is root (`user: root`, `user: \"0\"`, uid 0 in an OCI config, an empty `Config.User` in inspect output), or no user is set for a Compose service or run line, so the image's USER decides — root unless the image sets one. Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`). The Kubernetes equivalents are PSS015/PSS016.",
    why: "Root in the container is uid 0 on the host unless a user namespace maps it: with any mount, capability or kernel bug the attacker is root outside too, and files written to bind mounts are owned by root on the host.",
    fix: "Set `user: \"10001:10001\"` (a uid the image does not map to root), or `--user`; give the files the process must write to that user, or use a user namespace (`userns_mode`, `--userns`).",
    example: include_str!("../../fixtures/RT004/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RT004/pass.yaml"),
    equivalents: &[
        eq("bulkhead", "PSS015"),
        eq("Trivy", "KSV012"),
        eq("docker-bench", "4.1"),
    ],
    references: &["https://docs.docker.com/reference/compose-file/services/#user"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    let mapped = match (&c.uid_map, c.ns(Ns::User)) {
        (Some(m), _) if !m.value.starts_with("0:0:") => {
            format!(" (a user namespace maps it: {})", m.value)
        }
        _ => String::new(),
    };
    let fix = |f: Finding| {
        super::compose_fix(
            f,
            c,
            "run as an unprivileged user (user: \"65532:65532\", distroless' nonroot); the image's files must be readable by it",
            vec![PatchOp::Set {
                path: super::service_ptr(c, "user"),
                value: json!("65532:65532"),
            }],
        )
    };
    match (&c.user, c.uid()) {
        (Some(u), Some(0)) => vec![fix(super::finding(
            &RULE,
            c,
            &u.at,
            format!("{} runs as root (user {}){mapped}", c.object(), u.value),
        ))],
        (None, _) => vec![fix(super::finding(
            &RULE,
            c,
            &c.at,
            format!(
                "{} sets no user: it runs as the image's USER, which is root unless the image sets one",
                c.object()
            ),
        ))],
        _ => Vec::new(),
    }
}
