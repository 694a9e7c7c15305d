//! RBAC018: a workload mounts the token of a service account with dangerous rights.

use super::GOOD_PRACTICES;
use crate::analyze::{Analysis, location, scoped};
use crate::rules::RIGHTS;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RBAC018",
    slug: "workload-privileged-service-account",
    title: "Workload runs with a service-account token that holds dangerous rights",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["rbac", "workloads"],
    default_enabled: true,
    what: "A Pod or pod template runs as a service account (its `serviceAccountName`, or `default`) whose token is mounted (`automountServiceAccountToken` not false on the pod, nor on the ServiceAccount) and that holds one of the dangerous rights RBAC001–RBAC014, directly or through its groups.",
    why: "Any code execution in the container — a dependency with an RCE, a path traversal that reads /var/run/secrets/kubernetes.io/serviceaccount/token — hands the attacker those rights: reading every secret, creating privileged pods, cluster takeover.",
    fix: "Give the workload its own service account with only what it calls; set `automountServiceAccountToken: false` where it never calls the API; move controllers with broad rights into namespaces nobody else can deploy to.",
    example: include_str!("../../fixtures/RBAC018/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RBAC018/pass.yaml"),
    equivalents: &[
        eq("kubescape", "C-0267"),
        eq("kubescape", "C-0272"),
        eq("rbac-police", "combined violations"),
    ],
    references: &[
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting",
        GOOD_PRACTICES,
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::Rbac> = bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(a: &Analysis<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for w in &a.model.workloads {
        let sa_automount = a
            .model
            .service_accounts
            .iter()
            .find(|s| s.namespace == w.namespace && s.name == w.service_account)
            .and_then(|s| s.automount);
        if w.automount.or(sa_automount) == Some(false) {
            continue;
        }
        let mut held: Vec<_> = a
            .holdings_of_sa(&w.namespace, &w.service_account)
            .into_iter()
            .filter(|h| {
                a.binding(h.binding)
                    .is_some_and(|b| !b.bootstrap || a.opts.include_system)
            })
            .filter(|h| a.role_right(h).is_some_and(|rr| rr.m.names.is_empty()))
            .collect();
        if held.is_empty() {
            continue;
        }
        held.sort_by_key(|h| h.right);
        held.dedup_by_key(|h| h.right);
        let mut severity = Severity::Info;
        let mut parts = Vec::new();
        let mut ids = Vec::new();
        for h in &held {
            let r = RIGHTS[h.right];
            severity = severity.max(scoped(r.rule.severity, &h.scope, false));
            parts.push(format!("{} {} (via {})", r.phrase, h.scope, a.via(h)));
            ids.push(r.rule.id);
        }
        let mut f = Finding::new(
            &RULE,
            location(&w.origin, w.sa_pos, &w.sa_path, w.display()),
            format!(
                "{} mounts the token of ServiceAccount {}/{}, which can {}",
                w.display(),
                w.namespace,
                w.service_account,
                parts.join("; ")
            ),
        )
        .with_evidence(
            "service_account",
            format!("{}/{}", w.namespace, w.service_account),
        )
        .with_evidence("rights", ids.join(","));
        f.severity = severity;
        a.suppress(&mut f, &[(&w.origin, w.sa_pos.line)]);
        out.push(f);
    }
    out
}
