//! RBAC016: anything granted to anonymous callers.

use super::GOOD_PRACTICES;
use crate::analyze::{Analysis, location, subject_pos};
use crate::model::SubjectKind;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RBAC016",
    slug: "anonymous-binding",
    title: "Role granted to anonymous (unauthenticated) callers",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["rbac", "anonymous"],
    default_enabled: true,
    what: "A binding other than Kubernetes' bootstrap bindings names the user `system:anonymous` or the group `system:unauthenticated`. Critical when the role grants a dangerous right.",
    why: "With anonymous authentication on (the default), anyone who reaches the API server's port — from the internet, if it is exposed — gets these rights without any credential. Scanners look for exactly this: `curl -k https://apiserver:6443/api/v1/secrets`.",
    fix: "Remove the subject. If something must be public (health checks), the built-in `system:public-info-viewer` already covers it; consider `--anonymous-auth=false` or the structured authentication configuration's anonymous endpoints allow-list.",
    example: include_str!("../../fixtures/RBAC016/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RBAC016/pass.yaml"),
    equivalents: &[eq("krane", "unauthenticated-subject-access")],
    references: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests",
        GOOD_PRACTICES,
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::Rbac> = bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(a: &Analysis<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for b in a
        .model
        .bindings
        .iter()
        .filter(|b| !b.bootstrap || a.opts.include_system)
    {
        let role = a.model.resolve(b);
        let dangerous = role
            .and_then(|r| a.role_rights.get(r as usize))
            .is_some_and(|v| !v.is_empty());
        for (si, s) in b.subjects.iter().enumerate() {
            let anon = match s.kind {
                SubjectKind::User => s.name == "system:anonymous",
                SubjectKind::Group => s.name == "system:unauthenticated",
                SubjectKind::ServiceAccount => false,
            };
            if !anon {
                continue;
            }
            let (pos, path) = subject_pos(b, u32::try_from(si).unwrap_or(u32::MAX));
            let mut f = Finding::new(
                &RULE,
                location(&b.origin, pos, &path, b.display()),
                format!(
                    "{} {} gets {} {} through {}{}",
                    s.kind.as_str(),
                    s.name,
                    b.role_kind.as_str(),
                    b.role_name,
                    b.display(),
                    if dangerous {
                        ", which grants dangerous rights, to anyone who reaches the API server"
                    } else {
                        " without any credential"
                    }
                ),
            )
            .with_evidence("subject", format!("{} {}", s.kind.as_str(), s.name));
            if dangerous {
                f.severity = Severity::Critical;
            }
            a.suppress(&mut f, &[(&b.origin, pos.line)]);
            out.push(f);
        }
    }
    out
}
