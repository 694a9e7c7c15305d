//! Granted but never used: for every binding of an RBAC dump, the rules of
//! its role that no observed request of its subjects needed in the log
//! window (AUD018). "Used" is decided by the RBAC authorizer's own rule
//! matching (`rule_allows`) on the allowed requests of every observed
//! principal the binding's subject covers (a user, a service account, or
//! every observed member of a group), in the binding's scope.

use crate::summary::Summary;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};
use bulkhead_rbac::authz::{Principal, applies_to, rule_allows};
use bulkhead_rbac::model::{BindingKind, Model, PolicyRule};

pub static RULE: RuleMeta = RuleMeta {
    id: "AUD018",
    slug: "unused-rights",
    title: "Granted RBAC rules never used",
    severity: Severity::Low,
    layer: "audit",
    tags: &["audit", "rbac", "least-privilege"],
    default_enabled: true,
    what: "`bulkhead audit unused LOG RBAC-DUMP`: a binding whose role has rules that none of the binding's subjects needed for any allowed request in the log window. One finding per binding and subject, with how many of the role's rules went unused and which.",
    why: "Rights that are never used are pure risk: a stolen token or a compromised pod gets all of them. Most clusters are over-privileged because roles are written ahead of use and never trimmed; the audit log shows what is actually needed.",
    fix: "Replace the role with one generated from observed use (`bulkhead audit roles LOG --serviceaccount NS:NAME`), after checking the window covers every job the subject runs (monthly jobs, failover).",
    example: include_str!("../fixtures/AUD018/fail.yaml"),
    example_fixed: include_str!("../fixtures/AUD018/pass.yaml"),
    equivalents: &[eq("audit2rbac", "(inverse)")],
    references: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
};

fn items(v: &[bulkhead_rbac::model::Item]) -> String {
    v.iter()
        .map(|i| {
            if i.value.is_empty() {
                "\"\""
            } else {
                i.value.as_str()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// `get,list pods,secrets` / `get /healthz`.
pub fn rule_text(r: &PolicyRule) -> String {
    if !r.non_resource_urls.is_empty() {
        return format!("{} {}", items(&r.verbs), items(&r.non_resource_urls));
    }
    let mut s = format!("{} {}", items(&r.verbs), items(&r.resources));
    let groups: Vec<&str> = r
        .api_groups
        .iter()
        .map(|g| g.value.as_str())
        .filter(|g| !g.is_empty())
        .collect();
    if !groups.is_empty() {
        s.push_str(&format!(" (apiGroups {})", groups.join(",")));
    }
    if !r.resource_names.is_empty() {
        s.push_str(&format!(" named {}", items(&r.resource_names)));
    }
    s
}

/// The observed principal of a subject name in the log.
pub fn principal_of(name: &str, groups: &[String]) -> Principal {
    if let Some(rest) = name.strip_prefix("system:serviceaccount:")
        && let Some((ns, sa)) = rest.split_once(':')
    {
        return Principal::service_account(ns, sa);
    }
    Principal::user(name, groups)
}

/// Totals over all findings, for a closing note.
#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    pub rules: usize,
    pub unused: usize,
    pub bindings: usize,
}

/// Findings for every binding with unused rules. `include_system` also
/// judges bootstrap bindings and `system:` subjects.
pub fn check(model: &Model, summary: &Summary, include_system: bool) -> (Vec<Finding>, Totals) {
    let observed: Vec<(Principal, &crate::summary::SubjectStats)> = summary
        .subjects
        .iter()
        .map(|(name, st)| {
            let groups: Vec<String> = st.groups.iter().cloned().collect();
            (principal_of(name, &groups), st)
        })
        .collect();
    let mut out = Vec::new();
    let mut totals = Totals::default();
    for b in &model.bindings {
        if b.bootstrap && !include_system {
            continue;
        }
        let Some(role) = model.resolve(b) else {
            continue;
        };
        let rules: Vec<&PolicyRule> = model.effective_rules(role).map(|(_, r)| r).collect();
        if rules.is_empty() {
            continue;
        }
        for (si, s) in b.subjects.iter().enumerate() {
            let Some(key) = b.subject_key(s) else {
                continue;
            };
            if key.is_system() && !include_system {
                continue;
            }
            let mine: Vec<&(Principal, &crate::summary::SubjectStats)> = observed
                .iter()
                .filter(|(p, _)| applies_to(&key, p))
                .collect();
            let seen_requests: u64 = mine.iter().map(|(_, st)| st.events).sum();
            let mut unused = Vec::new();
            for r in &rules {
                let used = mine.iter().any(|(_, st)| {
                    st.requests.iter().any(|(req, n)| {
                        n.allowed > 0
                            && match b.kind {
                                BindingKind::ClusterRoleBinding => true,
                                BindingKind::RoleBinding => {
                                    req.path.is_none()
                                        && Some(req.namespace.as_str()) == b.namespace.as_deref()
                                }
                            }
                            && rule_allows(r, &req.attrs())
                    })
                });
                if !used {
                    unused.push(rule_text(r));
                }
            }
            totals.rules += rules.len();
            totals.unused += unused.len();
            if unused.is_empty() {
                continue;
            }
            totals.bindings += 1;
            let role_display = model
                .roles
                .get(role as usize)
                .map_or_else(|| b.role_name.clone(), |r| r.display());
            let (pos, path) = bulkhead_rbac::analyze::subject_pos(b, si as u32);
            let loc = bulkhead_rbac::analyze::location(&b.origin, pos, &path, b.display());
            let seen = if seen_requests == 0 {
                "never seen in the log".to_string()
            } else {
                format!("{seen_requests} request(s) seen")
            };
            let msg = format!(
                "{}: {} of {} rule(s) of {role_display} never used ({seen}): {}",
                key.display(),
                unused.len(),
                rules.len(),
                unused.join("; ")
            );
            out.push(
                Finding::new(&RULE, loc, msg)
                    .with_evidence("subject", key.display())
                    .with_evidence("role", role_display)
                    .with_evidence("rules", rules.len().to_string())
                    .with_evidence("unused_rules", unused.len().to_string())
                    .with_evidence("observed_requests", seen_requests.to_string()),
            );
        }
    }
    (out, totals)
}
