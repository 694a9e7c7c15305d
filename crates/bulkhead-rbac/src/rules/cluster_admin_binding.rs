//! RBAC015: cluster-admin bound to a non-system subject.

use super::{GOOD_PRACTICES, RBAC_DOC};
use crate::analyze::{Analysis, location, subject_pos};
use crate::model::{Binding, BindingKind, RoleKind};
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RBAC015",
    slug: "cluster-admin-binding",
    title: "cluster-admin bound to a user, group or service account",
    severity: Severity::Critical,
    layer: "kubernetes",
    tags: &["rbac", "wildcard"],
    default_enabled: true,
    what: "A ClusterRoleBinding (not one of Kubernetes' own bootstrap bindings) grants the `cluster-admin` ClusterRole to a subject other than Kubernetes' `system:` components.",
    why: "cluster-admin is every verb on every resource and URL, cluster-wide. A leaked kubeconfig or a compromised pod of that service account owns the cluster: every secret, every node (through a privileged pod), the audit configuration.",
    fix: "Bind narrower roles. For people use `admin` per namespace and a break-glass procedure for cluster-admin; for controllers write a ClusterRole with the verbs they use.",
    example: include_str!("../../fixtures/RBAC015/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RBAC015/pass.yaml"),
    equivalents: &[
        eq("Falco", "Attach to cluster-admin Role"),
        eq("kubescape", "C-0185"),
        eq("kubescape", "C-0035"),
        eq("rbac-police", "cluster_admin"),
        eq("krane", "subjects-with-open-cluster-wide-access"),
    ],
    references: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles",
        GOOD_PRACTICES,
        RBAC_DOC,
    ],
};

pub fn is_cluster_admin_binding(b: &Binding) -> bool {
    b.kind == BindingKind::ClusterRoleBinding
        && b.role_kind == RoleKind::ClusterRole
        && b.role_name == "cluster-admin"
}

pub static CHECK: bulkhead_core::FnRule<crate::Rbac> = bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(a: &Analysis<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for b in a
        .model
        .bindings
        .iter()
        .filter(|b| is_cluster_admin_binding(b))
    {
        for (si, s) in b.subjects.iter().enumerate() {
            let Some(key) = b.subject_key(s) else {
                continue;
            };
            if !a.reportable(b, &key) {
                continue;
            }
            let si = u32::try_from(si).unwrap_or(u32::MAX);
            let (pos, path) = subject_pos(b, si);
            let mut f = Finding::new(
                &RULE,
                location(&b.origin, pos, &path, b.display()),
                format!("{} is cluster-admin through {}", key.display(), b.display()),
            )
            .with_evidence("subject", key.display())
            .with_evidence("scope", "cluster-wide");
            a.suppress(&mut f, &[(&b.origin, pos.line)]);
            out.push(f);
        }
    }
    out
}
