//! Baseline: SELinux options.

use super::*;
use bulkhead_core::rule::eq;
use bulkhead_core::yaml::Node;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "PSS007",
    slug: "selinux-options",
    title: "Custom SELinux type, user or role",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["pss", "baseline", "runtime"],
    default_enabled: true,
    what: "`seLinuxOptions` (pod or container) sets a type other than container_t, container_init_t, container_kvm_t (and container_engine_t from v1.31), or sets `user` or `role` (PSS baseline control `seLinuxOptions`).",
    why: "On SELinux hosts the container type is what stops a compromised container from touching host files and other containers' data. Choosing another type (for example `spc_t`, the super-privileged container type, or `unconfined_t`) or a custom user/role switches that confinement off.",
    fix: "Remove the custom `type`, `user` and `role`; keep only `level` if you need MCS categories.",
    example: include_str!("../../fixtures/PSS007/fail.yaml"),
    example_fixed: include_str!("../../fixtures/PSS007/pass.yaml"),
    equivalents: &[eq("PSS", "seLinuxOptions"), eq("Trivy", "KSV025")],
    references: &[PSS_DOC],
};

pub static CHECK: Check = Check {
    id: "seLinuxOptions",
    level: Level::Baseline,
    rule: &RULE,
    versions: &[
        VersionedCheck {
            min: 0,
            check: v1_0,
            overrides: &[],
        },
        VersionedCheck {
            min: 31,
            check: v1_31,
            overrides: &[],
        },
    ],
};

const TYPES_1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
const TYPES_1_31: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

fn v1_0(pod: &PodTemplate<'_>) -> Vec<Violation> {
    check(pod, TYPES_1_0)
}

fn v1_31(pod: &PodTemplate<'_>) -> Vec<Violation> {
    check(pod, TYPES_1_31)
}

fn check(pod: &PodTemplate<'_>, allowed: &[&str]) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut one = |sc: Option<&Node>, sc_path: FieldPath, who: String| {
        let Some(opts) = sc.and_then(|s| s.get("seLinuxOptions")) else {
            return;
        };
        let base = sc_path.key("seLinuxOptions");
        let t = opts.get("type").and_then(Node::as_str).unwrap_or("");
        if !allowed.contains(&t) {
            let p = base.key("type");
            out.push(violation(
                &RULE,
                p.clone(),
                format!("{who} sets forbidden securityContext.seLinuxOptions type \"{t}\""),
                fix("remove the custom SELinux type", vec![remove(&p)]),
            ));
        }
        for f in ["user", "role"] {
            let v = opts.get(f).and_then(Node::as_str).unwrap_or("");
            if !v.is_empty() {
                let p = base.key(f);
                out.push(violation(
                    &RULE,
                    p.clone(),
                    format!("{who} sets securityContext.seLinuxOptions.{f}: {f} may not be set"),
                    fix(format!("remove seLinuxOptions.{f}"), vec![remove(&p)]),
                ));
            }
        }
    };
    one(pod.security_context(), pod.sc_path(), "pod".to_string());
    for c in &pod.containers {
        one(c.security_context(), c.sc_path(), c.label());
    }
    out
}
