//! RT005: no-new-privileges not set.

use crate::model::Container;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RT005",
    slug: "no-new-privileges-missing",
    title: "no-new-privileges not set",
    severity: Severity::Medium,
    layer: "runtime",
    tags: &["runtime", "hardening", "privilege-escalation"],
    default_enabled: true,
    what: "The container does not set `security_opt: [\"no-new-privileges:true\"]` / `--security-opt no-new-privileges` (OCI: `process.noNewPrivileges`). Covers Compose services, OCI `config.json`, `docker`/`podman inspect` output, `docker`/`podman run` lines and running containers (`runtime --live`, `--self`). The Kubernetes equivalent is PSS013 (allowPrivilegeEscalation).",
    why: "Without no_new_privs, executing a setuid or file-capability binary raises privileges: a non-root process that gets code execution runs `su`, `sudo`, `ping` or a planted setuid file to become root inside the container, then uses root's capabilities to escape.",
    fix: "Add `security_opt: [\"no-new-privileges:true\"]` (Compose) or `--security-opt no-new-privileges` (docker/podman run).",
    example: include_str!("../../fixtures/RT005/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RT005/pass.yaml"),
    equivalents: &[eq("bulkhead", "PSS013"), eq("docker-bench", "5.25")],
    references: &["https://docs.kernel.org/userspace-api/no_new_privs.html"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Runtime> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(c: &Container) -> Vec<Finding> {
    match &c.no_new_privs {
        Some(f) if f.value => Vec::new(),
        other => {
            let at = other.as_ref().map_or(&c.at, |f| &f.at);
            vec![super::finding(
                &RULE,
                c,
                at,
                format!(
                    "{} does not set no-new-privileges: setuid binaries (su, sudo, a planted one) can raise privileges inside it",
                    c.object()
                ),
            )]
        }
    }
}
