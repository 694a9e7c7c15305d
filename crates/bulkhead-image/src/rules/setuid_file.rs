//! IMG005: setuid or setgid file.

use crate::Scan;
use crate::layers::Kind;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "IMG005",
    slug: "setuid-file",
    title: "setuid or setgid file",
    severity: Severity::Low,
    layer: "image",
    tags: &["image", "privilege"],
    default_enabled: true,
    what: "A regular file in the final filesystem has the setuid or setgid bit.",
    why: "setuid binaries are the classic local privilege escalation: a bug in one (or a writable library path it trusts) turns a non-root process into root, unless `no_new_privs` / `allowPrivilegeEscalation: false` is set.",
    fix: "Remove the bits in the build (`find / -perm /6000 -type f -exec chmod a-s {} +`) and set `allowPrivilegeEscalation: false`.",
    example: include_str!("../../fixtures/IMG005/fail.json"),
    example_fixed: include_str!("../../fixtures/IMG005/pass.json"),
    equivalents: &[eq("Trivy", "n/a"), eq("docker-bench", "4.8")],
    references: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Images> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(scan: &Scan) -> Vec<Finding> {
    let mut out = Vec::new();
    for (path, f) in &scan.files {
        let e = &f.entry;
        if e.kind == Kind::File && e.mode & 0o6000 != 0 {
            out.push(Finding::new(
                &RULE,
                super::loc(scan, Some(f.layer), path, None),
                format!(
                    "/{path} is {} (mode {:o}, owner uid {})",
                    if e.mode & 0o4000 != 0 {
                        "setuid"
                    } else {
                        "setgid"
                    },
                    e.mode & 0o7777,
                    e.uid
                ),
            ));
        }
    }
    out
}
