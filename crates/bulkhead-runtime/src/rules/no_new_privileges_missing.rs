//! RT005: no-new-privileges not set.

use crate::model::Container;
use bulkhead_core::PatchOp;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};
use serde_json::json;

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
            let f = super::finding(
                &RULE,
                c,
                at,
                format!(
                    "{} does not set no-new-privileges: setuid binaries (su, sudo, a planted one) can raise privileges inside it",
                    c.object()
                ),
            );
            // `no-new-privileges:false` in security_opt is replaced in place.
            let index = other
                .as_ref()
                .and_then(|f| f.at.field.rsplit_once(".security_opt["))
                .and_then(|(_, i)| i.trim_end_matches(']').parse::<usize>().ok());
            let op = match index {
                Some(i) => PatchOp::Set {
                    path: super::service_ptr(c, &format!("security_opt/{i}")),
                    value: json!("no-new-privileges:true"),
                },
                None => PatchOp::Append {
                    path: super::service_ptr(c, "security_opt"),
                    value: json!("no-new-privileges:true"),
                },
            };
            vec![super::compose_fix(
                f,
                c,
                "set security_opt: [no-new-privileges:true]",
                vec![op],
            )]
        }
    }
}
