//! Dangerous rights: what a role rule must allow for a subject to hold one.
//!
//! A right is a list of probes — (API group, resource, subresource, verbs,
//! scope) — evaluated with the authorizer's own matching functions, so
//! `pods` does not count as `pods/exec`, `*/scale`-style wildcards and `*`
//! do, and `resourceNames` never satisfy `create`. Each probe knows whether
//! its resource is namespaced: through a RoleBinding only namespaced probes
//! are effective.

use crate::authz::{api_group_matches, verb_matches};
use crate::model::{Binding, PolicyRule};
use crate::{Rbac, Run};
use bulkhead_core::{Finding, Rule, RuleMeta};

#[derive(Debug, Clone, Copy)]
pub struct Probe {
    pub group: &'static str,
    pub resource: &'static str,
    pub sub: &'static str,
    pub verbs: &'static [&'static str],
    pub namespaced: bool,
}

pub const fn probe(
    group: &'static str,
    resource: &'static str,
    sub: &'static str,
    verbs: &'static [&'static str],
    namespaced: bool,
) -> Probe {
    Probe {
        group,
        resource,
        sub,
        verbs,
        namespaced,
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Check {
    Probes(&'static [Probe]),
    /// `*` verbs on `*` resources.
    Wildcard,
}

#[derive(Debug)]
pub struct Right {
    pub rule: &'static RuleMeta,
    pub check: Check,
    /// What the holder does with it, in a few words (`mount any secret into a pod`).
    pub escalation: &'static str,
    /// How the message names the right (`read secrets`).
    pub phrase: &'static str,
    /// The holder can become another identity with this right (used by the
    /// escalation-path rule): create pods, mint tokens, impersonate, exec.
    pub become_sa: bool,
    /// A more precise rule that reports this right on some bindings: while it
    /// is enabled, the right is not reported through them.
    pub subsumed: Option<Subsumed>,
}

/// Bindings another rule reports better (cluster-admin bindings are RBAC015,
/// not RBAC014's "every verb on every resource").
#[derive(Debug, Clone, Copy)]
pub struct Subsumed {
    pub by: &'static RuleMeta,
    pub binding: fn(&Binding) -> bool,
}

/// The dangerous rights are a rule family: one finding per (binding,
/// subject, right), evaluated over the analysis' shared role × right matches.
impl Rule<Rbac> for Right {
    fn meta(&self) -> &'static RuleMeta {
        self.rule
    }
    fn check(&self, run: &Run<'_>) -> Vec<Finding> {
        run.analysis.right_findings(self, run.enabled)
    }
}

/// How one policy rule satisfies a right.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RuleMatch {
    /// Index of the matching `resources` entry (absent for wildcard checks on nonResourceURLs).
    pub resource: usize,
    pub verb: usize,
    pub group: usize,
    /// The right's verbs the rule allows.
    pub verbs: Vec<&'static str>,
    /// The resources matched (`pods`, `pods/exec`).
    pub resources: Vec<String>,
    /// Some matched probe is namespaced: a RoleBinding grants it.
    pub namespaced: bool,
    /// Some matched probe is cluster-scoped.
    pub cluster_scoped: bool,
    /// Non-empty: the rule only covers these names.
    pub names: Vec<String>,
}

/// Verbs whose requests carry no object name: `resourceNames` never match them.
const NAMELESS: &[&str] = &["create", "deletecollection"];

fn position<T>(v: &[T], f: impl Fn(&T) -> bool) -> Option<usize> {
    v.iter().position(f)
}

/// Does `rule` grant `right`? With the positions of the entries that do.
pub fn matches(right: &Right, rule: &PolicyRule) -> Option<RuleMatch> {
    if rule.resources.is_empty() {
        return None;
    }
    match right.check {
        Check::Wildcard => {
            let verb = position(&rule.verbs, |v| v.value == "*")?;
            let resource = position(&rule.resources, |r| r.value == "*")?;
            let group = position(&rule.api_groups, |_| true)?;
            if !rule.resource_names.is_empty() {
                return None;
            }
            Some(RuleMatch {
                resource,
                verb,
                group,
                verbs: vec!["*"],
                resources: vec!["*".into()],
                namespaced: true,
                cluster_scoped: true,
                names: Vec::new(),
            })
        }
        Check::Probes(probes) => {
            let mut out: Option<RuleMatch> = None;
            for p in probes {
                let Some(group) =
                    position(&rule.api_groups, |g| g.value == "*" || g.value == p.group)
                else {
                    continue;
                };
                let combined = if p.sub.is_empty() {
                    p.resource.to_string()
                } else {
                    format!("{}/{}", p.resource, p.sub)
                };
                let Some(resource) = position(&rule.resources, |r| {
                    let r = r.value.as_str();
                    r == "*"
                        || r == combined
                        || (!p.sub.is_empty()
                            && r.len() == p.sub.len() + 2
                            && r.starts_with("*/")
                            && r.ends_with(p.sub))
                }) else {
                    continue;
                };
                let verbs: Vec<&'static str> = p
                    .verbs
                    .iter()
                    .copied()
                    .filter(|v| verb_matches(rule, v))
                    .filter(|v| rule.resource_names.is_empty() || !NAMELESS.contains(v))
                    .collect();
                if verbs.is_empty() {
                    continue;
                }
                let Some(verb) = position(&rule.verbs, |v| {
                    v.value == "*" || verbs.contains(&v.value.as_str())
                }) else {
                    continue;
                };
                debug_assert!(api_group_matches(rule, Some(p.group)));
                let m = out.get_or_insert_with(|| RuleMatch {
                    resource,
                    verb,
                    group,
                    names: rule
                        .resource_names
                        .iter()
                        .map(|n| n.value.clone())
                        .collect(),
                    ..Default::default()
                });
                for v in verbs {
                    if !m.verbs.contains(&v) {
                        m.verbs.push(v);
                    }
                }
                if !m.resources.contains(&combined) {
                    m.resources.push(combined);
                }
                m.namespaced |= p.namespaced;
                m.cluster_scoped |= !p.namespaced;
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::items;

    #[test]
    fn read_secrets_counts_list_and_watch_and_respects_names() {
        let right = &crate::rules::read_secrets::RIGHT;
        let r = PolicyRule {
            verbs: items(&["watch"]),
            api_groups: items(&["*"]),
            resources: items(&["pods/log", "secrets"]),
            ..Default::default()
        };
        let m = matches(right, &r).expect("watch reveals secrets");
        assert_eq!((m.resource, m.verbs.clone()), (1, vec!["watch"]));
        let r = PolicyRule {
            verbs: items(&["create"]),
            api_groups: items(&[""]),
            resources: items(&["secrets"]),
            ..Default::default()
        };
        assert!(matches(right, &r).is_none());
        let r = PolicyRule {
            verbs: items(&["get"]),
            api_groups: items(&[""]),
            resources: items(&["secrets"]),
            resource_names: items(&["tls"]),
            ..Default::default()
        };
        assert_eq!(
            matches(right, &r).map(|m| m.names),
            Some(vec!["tls".to_string()])
        );
    }

    #[test]
    fn create_with_resource_names_grants_nothing() {
        let right = &crate::rules::create_workloads::RIGHT;
        let r = PolicyRule {
            verbs: items(&["create"]),
            api_groups: items(&[""]),
            resources: items(&["pods"]),
            resource_names: items(&["p"]),
            ..Default::default()
        };
        assert!(matches(right, &r).is_none());
    }
}
