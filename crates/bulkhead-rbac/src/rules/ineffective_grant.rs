//! RBAC019: rules that grant nothing where they are bound.

use super::RBAC_DOC;
use crate::analyze::{Analysis, location};
use crate::model::{BindingKind, PolicyRule};
use crate::resources::BUILTIN;
use crate::rights::matches;
use crate::rules::RIGHTS;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "RBAC019",
    slug: "ineffective-grant",
    title: "RBAC rule that grants nothing where it is bound",
    severity: Severity::Low,
    layer: "kubernetes",
    tags: &["rbac", "hygiene"],
    default_enabled: true,
    what: "A RoleBinding binds rules for cluster-scoped resources (`nodes`, `nodes/proxy`, `clusterroles`, webhook configurations, `users` for impersonation, ...) or `nonResourceURLs`, which a RoleBinding never grants; or a rule names a resource like `pods/*`, which Kubernetes does not treat as a wildcard (only `*` and `*/subresource` are).",
    why: "The author believed something was granted (or denied) that is not, so the RBAC review is wrong in one direction or the other — and the day someone binds the same ClusterRole with a ClusterRoleBinding, the dangerous part (say `nodes/proxy`) becomes live cluster-wide. Scanners that ignore the binding's scope report these as real grants; bulkhead reports them here instead.",
    fix: "Move cluster-scoped rules into a ClusterRole bound by a ClusterRoleBinding if they are really needed, or delete them. Write subresources explicitly (`pods/exec`, `pods/log`) or use `*/exec`.",
    example: include_str!("../../fixtures/RBAC019/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RBAC019/pass.yaml"),
    equivalents: &[],
    references: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding",
        RBAC_DOC,
    ],
};

fn cluster_scoped(rule: &PolicyRule, resource: &str) -> bool {
    let base = resource.split('/').next().unwrap_or(resource);
    if base == "*" || base.is_empty() {
        return false;
    }
    rule.api_groups.iter().any(|g| {
        BUILTIN
            .iter()
            .any(|r| r.plural == base && !r.namespaced && (g.value == "*" || g.value == r.group))
            && !BUILTIN
                .iter()
                .any(|r| r.plural == base && r.namespaced && (g.value == "*" || g.value == r.group))
    })
}

fn bad_pattern(resource: &str) -> bool {
    resource.len() > 2 && resource.ends_with("/*") && !resource.starts_with("*/")
}

pub static CHECK: bulkhead_core::FnRule<crate::Rbac> = bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(a: &Analysis<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    // `pods/*`-style entries, once per role that writes them.
    for role in a.model.roles.iter().filter(|r| r.origin.source.is_some()) {
        for (i, rule) in role.rules.iter().enumerate() {
            for (j, item) in rule.resources.iter().enumerate() {
                if !bad_pattern(&item.value) {
                    continue;
                }
                let path = role
                    .origin
                    .base
                    .key("rules")
                    .index(i)
                    .key("resources")
                    .index(j);
                let mut f = Finding::new(
                    &RULE,
                    location(&role.origin, item.pos, &path, role.display()),
                    format!(
                        "{} rules[{i}] names `{}`, which is not a wildcard: it matches only a subresource literally named `*`, not `{}/exec` or `{}/log` (write them out, or `*/exec`)",
                        role.display(),
                        item.value,
                        item.value.trim_end_matches("/*"),
                        item.value.trim_end_matches("/*"),
                    ),
                );
                a.suppress(&mut f, &[(&role.origin, item.pos.line)]);
                out.push(f);
            }
        }
    }
    // Cluster-scoped rules and URLs bound by RoleBindings.
    for b in a
        .model
        .bindings
        .iter()
        .filter(|b| b.kind == BindingKind::RoleBinding)
    {
        if b.bootstrap && !a.opts.include_system {
            continue;
        }
        let Some(role) = a.model.resolve(b) else {
            continue;
        };
        for ((ri, rj), rule) in a.model.effective_rules(role) {
            let Some(owner) = a.role(ri) else { continue };
            let cluster: Vec<(usize, &str)> = rule
                .resources
                .iter()
                .enumerate()
                .filter(|(_, r)| cluster_scoped(rule, &r.value))
                .map(|(j, r)| (j, r.value.as_str()))
                .collect();
            let urls = !rule.non_resource_urls.is_empty();
            if cluster.is_empty() && !urls {
                continue;
            }
            let lost: Vec<&str> = RIGHTS
                .iter()
                .filter_map(|r| matches(r, rule).filter(|m| !m.namespaced).map(|_| r.phrase))
                .collect();
            let (pos, path, what) = match cluster.first() {
                Some((j, _)) => (
                    rule.resources.get(*j).map_or(rule.pos, |i| i.pos),
                    owner
                        .origin
                        .base
                        .key("rules")
                        .index(rj as usize)
                        .key("resources")
                        .index(*j),
                    format!(
                        "cluster-scoped {}",
                        cluster
                            .iter()
                            .map(|(_, n)| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
                None => (
                    rule.non_resource_urls.first().map_or(rule.pos, |i| i.pos),
                    owner
                        .origin
                        .base
                        .key("rules")
                        .index(rj as usize)
                        .key("nonResourceURLs"),
                    "nonResourceURLs".to_string(),
                ),
            };
            let (loc_origin, loc) = if owner.origin.source.is_some() {
                (
                    &owner.origin,
                    location(&owner.origin, pos, &path, owner.display()),
                )
            } else {
                let p = b.origin.base.keys(&["roleRef", "name"]);
                (
                    &b.origin,
                    location(&b.origin, b.role_ref_pos, &p, b.display()),
                )
            };
            let mut f = Finding::new(
                &RULE,
                loc,
                format!(
                    "{} binds {} rules[{rj}] ({what}) in namespace {}: a RoleBinding never grants {what}, so this rule does nothing there{}",
                    b.display(),
                    owner.display(),
                    b.namespace.as_deref().unwrap_or(""),
                    if lost.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; bound cluster-wide it would let its subjects {}",
                            lost.join(", ")
                        )
                    }
                ),
            )
            .with_evidence("binding", b.display());
            if !lost.is_empty() {
                f = f.with_evidence("latent_rights", lost.join(", "));
            }
            a.suppress(
                &mut f,
                &[(loc_origin, pos.line), (&b.origin, b.origin.start.line)],
            );
            out.push(f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(bad_pattern("pods/*"));
        assert!(!bad_pattern("*/scale"));
        assert!(!bad_pattern("*"));
        assert!(!bad_pattern("pods/exec"));
    }
}
