//! The RBAC authorizer, with the semantics of upstream
//! `plugin/pkg/auth/authorizer/rbac` and `pkg/apis/rbac/v1/evaluation_helpers.go`:
//!
//! - a request is allowed when any rule of any role bound to the user allows
//!   it; ClusterRoleBindings apply everywhere, RoleBindings only to requests in
//!   their namespace — so never to cluster-scoped resources or non-resource
//!   URLs, whose requests have no namespace;
//! - verbs, API groups and resources match exactly or through `*`;
//!   `pods` does not cover `pods/exec`; `*/scale` matches the `scale`
//!   subresource of any resource; `pods/*` is *not* a pattern (it matches only
//!   a subresource literally named `*`);
//! - `resourceNames` match only requests that name an object: never `create`,
//!   never an unnamed `list`/`watch`/`deletecollection`;
//! - non-resource URLs match exactly, through `*`, or by prefix when the rule
//!   ends in `*`;
//! - a ServiceAccount subject without a namespace takes the RoleBinding's;
//!   service accounts are in the groups `system:serviceaccounts`,
//!   `system:serviceaccounts:NS` and `system:authenticated`.

use crate::model::{Binding, BindingKind, Model, PolicyRule, RuleRef, SubjectKey, SubjectKind};
use std::collections::BTreeMap;

/// What is asked: a resource request or a non-resource URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attrs {
    pub verb: String,
    /// `None`: any API group (the resource's group is unknown).
    pub group: Option<String>,
    pub resource: String,
    pub subresource: String,
    pub name: String,
    /// "" for cluster-scoped requests.
    pub namespace: String,
    /// Set for non-resource requests (`/healthz`).
    pub path: Option<String>,
}

impl Attrs {
    pub fn resource(verb: &str, group: &str, resource: &str) -> Self {
        Attrs {
            verb: verb.into(),
            group: Some(group.into()),
            resource: resource.into(),
            ..Default::default()
        }
    }

    pub fn non_resource(verb: &str, path: &str) -> Self {
        Attrs {
            verb: verb.into(),
            path: Some(path.into()),
            ..Default::default()
        }
    }

    pub fn subresource(mut self, s: &str) -> Self {
        self.subresource = s.into();
        self
    }

    pub fn named(mut self, n: &str) -> Self {
        self.name = n.into();
        self
    }

    pub fn in_ns(mut self, ns: &str) -> Self {
        self.namespace = ns.into();
        self
    }

    pub fn is_resource(&self) -> bool {
        self.path.is_none()
    }
}

pub fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v.value == "*" || v.value == verb)
}

/// `None` requests any group.
pub fn api_group_matches(rule: &PolicyRule, group: Option<&str>) -> bool {
    rule.api_groups
        .iter()
        .any(|g| g.value == "*" || group.is_none_or(|want| g.value == want))
}

pub fn resource_matches(rule: &PolicyRule, combined: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|r| {
        let r = r.value.as_str();
        r == "*"
            || r == combined
            || (!subresource.is_empty()
                && r.len() == subresource.len() + 2
                && r.starts_with("*/")
                && r.ends_with(subresource))
    })
}

pub fn resource_name_matches(rule: &PolicyRule, name: &str) -> bool {
    rule.resource_names.is_empty() || rule.resource_names.iter().any(|n| n.value == name)
}

pub fn non_resource_url_matches(rule: &PolicyRule, path: &str) -> bool {
    rule.non_resource_urls.iter().any(|u| {
        let u = u.value.as_str();
        u == "*" || u == path || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*')))
    })
}

/// Upstream `RuleAllows`.
pub fn rule_allows(rule: &PolicyRule, a: &Attrs) -> bool {
    match &a.path {
        None => {
            let combined = if a.subresource.is_empty() {
                a.resource.clone()
            } else {
                format!("{}/{}", a.resource, a.subresource)
            };
            verb_matches(rule, &a.verb)
                && api_group_matches(rule, a.group.as_deref())
                && resource_matches(rule, &combined, &a.subresource)
                && resource_name_matches(rule, &a.name)
        }
        Some(path) => verb_matches(rule, &a.verb) && non_resource_url_matches(rule, path),
    }
}

/// Who is asking: a user name and its groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub name: String,
    pub groups: Vec<String>,
}

impl Principal {
    /// A user; authenticated users are in `system:authenticated`,
    /// `system:anonymous` is in `system:unauthenticated`.
    pub fn user(name: &str, groups: &[String]) -> Self {
        let mut g = groups.to_vec();
        let implicit = if name == "system:anonymous" {
            "system:unauthenticated"
        } else {
            "system:authenticated"
        };
        if !g.iter().any(|x| x == implicit) {
            g.push(implicit.into());
        }
        Principal {
            name: name.into(),
            groups: g,
        }
    }

    /// The service account `ns/name` with its implicit groups.
    pub fn service_account(ns: &str, name: &str) -> Self {
        Principal {
            name: format!("system:serviceaccount:{ns}:{name}"),
            groups: vec![
                "system:serviceaccounts".into(),
                format!("system:serviceaccounts:{ns}"),
                "system:authenticated".into(),
            ],
        }
    }

    /// Only the rights granted to a group (no user name).
    pub fn group(name: &str) -> Self {
        Principal {
            name: String::new(),
            groups: vec![name.into()],
        }
    }

    pub fn for_subject(s: &SubjectKey) -> Self {
        match s.kind {
            SubjectKind::User => Principal::user(&s.name, &[]),
            SubjectKind::Group => Principal::group(&s.name),
            SubjectKind::ServiceAccount => Principal::service_account(&s.namespace, &s.name),
        }
    }

    /// `system:serviceaccount:NS:NAME` → (NS, NAME).
    pub fn as_service_account(&self) -> Option<(&str, &str)> {
        let rest = self.name.strip_prefix("system:serviceaccount:")?;
        let (ns, name) = rest.split_once(':')?;
        (!ns.is_empty() && !name.is_empty() && !name.contains(':')).then_some((ns, name))
    }
}

/// Upstream `appliesToUser`.
pub fn applies_to(key: &SubjectKey, p: &Principal) -> bool {
    match key.kind {
        SubjectKind::User => !p.name.is_empty() && p.name == key.name,
        SubjectKind::Group => p.groups.contains(&key.name),
        SubjectKind::ServiceAccount => {
            p.as_service_account() == Some((key.namespace.as_str(), key.name.as_str()))
        }
    }
}

/// One way a request is allowed: binding, role, rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub binding: u32,
    pub role: u32,
    pub rule: RuleRef,
}

/// Where a subject holds a right.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Cluster,
    Namespace(String),
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scope::Cluster => f.write_str("cluster-wide"),
            Scope::Namespace(ns) => write!(f, "in namespace {ns}"),
        }
    }
}

/// A who-can answer row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhoRow {
    pub subject: SubjectKey,
    pub scope: Scope,
    pub grant: Grant,
}

/// Result of a who-can query.
#[derive(Debug, Clone, Default)]
pub struct WhoCan {
    pub rows: Vec<WhoRow>,
    /// RoleBindings whose role would allow the request but cannot grant it
    /// (cluster-scoped resource or non-resource URL).
    pub ineffective: Vec<WhoRow>,
}

impl WhoCan {
    /// Subjects, each with its scopes, sorted by kind then name.
    pub fn subjects(&self) -> BTreeMap<SubjectKey, Vec<Scope>> {
        let mut out: BTreeMap<SubjectKey, Vec<Scope>> = BTreeMap::new();
        for r in &self.rows {
            let e = out.entry(r.subject.clone()).or_default();
            if !e.contains(&r.scope) {
                e.push(r.scope.clone());
            }
        }
        for v in out.values_mut() {
            v.sort();
        }
        out
    }
}

/// The authorizer over a model.
pub struct Authorizer<'m> {
    pub model: &'m Model,
}

impl<'m> Authorizer<'m> {
    pub fn new(model: &'m Model) -> Self {
        Authorizer { model }
    }

    /// The first rule of the role allowing the request.
    pub fn role_allows(&self, role: u32, a: &Attrs) -> Option<RuleRef> {
        self.model
            .effective_rules(role)
            .find(|(_, r)| rule_allows(r, a))
            .map(|(rr, _)| rr)
    }

    fn bindings_in(&self, ns: &str) -> &'m [u32] {
        self.model
            .bindings_by_ns
            .get(ns)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    fn binding(&self, i: u32) -> Option<&'m Binding> {
        self.model.bindings.get(i as usize)
    }

    /// Is the request allowed for this principal? (Upstream `Authorize`:
    /// ClusterRoleBindings, then the RoleBindings of the request's namespace.)
    pub fn allowed(&self, p: &Principal, a: &Attrs) -> Option<Grant> {
        let mut scopes = vec![""];
        if !a.namespace.is_empty() && a.is_resource() {
            scopes.push(a.namespace.as_str());
        }
        for ns in scopes {
            for &bi in self.bindings_in(ns) {
                let Some(b) = self.binding(bi) else { continue };
                if !b
                    .subjects
                    .iter()
                    .filter_map(|s| b.subject_key(s))
                    .any(|k| applies_to(&k, p))
                {
                    continue;
                }
                let Some(role) = self.model.resolve(b) else {
                    continue;
                };
                if let Some(rule) = self.role_allows(role, a) {
                    return Some(Grant {
                        binding: bi,
                        role,
                        rule,
                    });
                }
            }
        }
        None
    }

    /// Every subject named in a binding that allows the request. With
    /// `namespace: Some(ns)` the request is in `ns` (ClusterRoleBindings and
    /// RoleBindings of `ns`); with `None`, in any namespace or cluster-wide.
    /// `namespaced: false` (a cluster-scoped resource) or a non-resource URL
    /// leaves RoleBindings out, and lists them as ineffective.
    pub fn who_can(&self, a: &Attrs, namespace: Option<&str>, namespaced: bool) -> WhoCan {
        let mut out = WhoCan::default();
        let mut memo: Vec<Option<Option<RuleRef>>> = vec![None; self.model.roles.len()];
        let mut check = |role: u32, a: &Attrs| -> Option<RuleRef> {
            let slot = memo.get_mut(role as usize)?;
            if let Some(v) = slot {
                return *v;
            }
            let v = self.role_allows(role, a);
            *slot = Some(v);
            v
        };
        let rb_effective = namespaced && a.is_resource();
        let mut ns_list: Vec<&str> = vec![""];
        match namespace {
            Some(ns) => ns_list.push(ns),
            None => ns_list.extend(
                self.model
                    .bindings_by_ns
                    .keys()
                    .map(String::as_str)
                    .filter(|n| !n.is_empty()),
            ),
        }
        for ns in ns_list {
            for &bi in self.bindings_in(ns) {
                let Some(b) = self.binding(bi) else { continue };
                let Some(role) = self.model.resolve(b) else {
                    continue;
                };
                let Some(rule) = check(role, a) else { continue };
                let scope = match b.kind {
                    BindingKind::ClusterRoleBinding => Scope::Cluster,
                    BindingKind::RoleBinding => {
                        Scope::Namespace(b.namespace.clone().unwrap_or_default())
                    }
                };
                let effective = b.kind == BindingKind::ClusterRoleBinding || rb_effective;
                for s in &b.subjects {
                    let Some(key) = b.subject_key(s) else {
                        continue;
                    };
                    let row = WhoRow {
                        subject: key,
                        scope: scope.clone(),
                        grant: Grant {
                            binding: bi,
                            role,
                            rule,
                        },
                    };
                    if effective {
                        out.rows.push(row);
                    } else {
                        out.ineffective.push(row);
                    }
                }
            }
        }
        out
    }

    /// Bindings that apply to a principal: (binding, scope).
    pub fn bindings_for(&self, p: &Principal, namespace: Option<&str>) -> Vec<(u32, Scope)> {
        let mut out = Vec::new();
        for (ns, list) in &self.model.bindings_by_ns {
            if !ns.is_empty() && namespace.is_some_and(|want| want != ns) {
                continue;
            }
            for &bi in list {
                let Some(b) = self.binding(bi) else { continue };
                if b.subjects
                    .iter()
                    .filter_map(|s| b.subject_key(s))
                    .any(|k| applies_to(&k, p))
                {
                    let scope = if ns.is_empty() {
                        Scope::Cluster
                    } else {
                        Scope::Namespace(ns.clone())
                    };
                    out.push((bi, scope));
                }
            }
        }
        out.sort_by(|x, y| x.1.cmp(&y.1).then(x.0.cmp(&y.0)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::items;

    fn rule(groups: &[&str], resources: &[&str], verbs: &[&str], names: &[&str]) -> PolicyRule {
        PolicyRule {
            verbs: items(verbs),
            api_groups: items(groups),
            resources: items(resources),
            resource_names: items(names),
            ..Default::default()
        }
    }

    #[test]
    fn subresources_need_their_own_grant() {
        let r = rule(&[""], &["pods"], &["create", "get"], &[]);
        assert!(rule_allows(&r, &Attrs::resource("create", "", "pods")));
        assert!(!rule_allows(
            &r,
            &Attrs::resource("create", "", "pods").subresource("exec")
        ));
        let r = rule(&[""], &["pods/exec"], &["create"], &[]);
        assert!(rule_allows(
            &r,
            &Attrs::resource("create", "", "pods").subresource("exec")
        ));
        assert!(!rule_allows(&r, &Attrs::resource("create", "", "pods")));
        // `*` covers subresources too.
        let r = rule(&[""], &["*"], &["create"], &[]);
        assert!(rule_allows(
            &r,
            &Attrs::resource("create", "", "pods").subresource("exec")
        ));
    }

    #[test]
    fn star_slash_subresource_matches_any_resource_but_pods_star_does_not() {
        let r = rule(&["*"], &["*/scale"], &["update"], &[]);
        assert!(rule_allows(
            &r,
            &Attrs::resource("update", "apps", "deployments").subresource("scale")
        ));
        assert!(rule_allows(
            &r,
            &Attrs::resource("update", "", "replicationcontrollers").subresource("scale")
        ));
        assert!(!rule_allows(
            &r,
            &Attrs::resource("update", "apps", "deployments")
        ));
        assert!(!rule_allows(
            &r,
            &Attrs::resource("update", "apps", "deployments").subresource("status")
        ));
        // `pods/*` is not a pattern upstream.
        let r = rule(&[""], &["pods/*"], &["create"], &[]);
        assert!(!rule_allows(
            &r,
            &Attrs::resource("create", "", "pods").subresource("exec")
        ));
        assert!(rule_allows(
            &r,
            &Attrs::resource("create", "", "pods").subresource("*")
        ));
    }

    #[test]
    fn resource_names_never_match_create_or_unnamed_list() {
        let r = rule(
            &[""],
            &["secrets"],
            &["get", "list", "watch", "create"],
            &["s1"],
        );
        assert!(rule_allows(
            &r,
            &Attrs::resource("get", "", "secrets").named("s1")
        ));
        assert!(!rule_allows(
            &r,
            &Attrs::resource("get", "", "secrets").named("s2")
        ));
        assert!(!rule_allows(&r, &Attrs::resource("list", "", "secrets")));
        assert!(!rule_allows(&r, &Attrs::resource("watch", "", "secrets")));
        assert!(!rule_allows(&r, &Attrs::resource("create", "", "secrets")));
        // A list restricted to one name by a field selector carries the name.
        assert!(rule_allows(
            &r,
            &Attrs::resource("list", "", "secrets").named("s1")
        ));
    }

    #[test]
    fn wildcards_and_groups() {
        let r = rule(&["*"], &["*"], &["*"], &[]);
        assert!(rule_allows(
            &r,
            &Attrs::resource("delete", "apps", "deployments")
        ));
        let r = rule(&["apps"], &["deployments"], &["get"], &[]);
        assert!(!rule_allows(
            &r,
            &Attrs::resource("get", "extensions", "deployments")
        ));
        assert!(!rule_allows(
            &r,
            &Attrs::resource("list", "apps", "deployments")
        ));
        // Unknown group: any group's rule counts.
        let mut a = Attrs::resource("get", "", "deployments");
        a.group = None;
        assert!(rule_allows(&r, &a));
        // An empty group list matches no group; a rule without verbs allows nothing.
        let r = rule(&[], &["pods"], &["get"], &[]);
        assert!(!rule_allows(&r, &Attrs::resource("get", "", "pods")));
    }

    #[test]
    fn non_resource_urls() {
        let r = PolicyRule {
            verbs: items(&["get"]),
            non_resource_urls: items(&["/healthz", "/api/*", "/logs*"]),
            ..Default::default()
        };
        assert!(rule_allows(&r, &Attrs::non_resource("get", "/healthz")));
        assert!(!rule_allows(
            &r,
            &Attrs::non_resource("get", "/healthz/etcd")
        ));
        assert!(rule_allows(&r, &Attrs::non_resource("get", "/api/v1")));
        assert!(!rule_allows(&r, &Attrs::non_resource("get", "/api")));
        assert!(rule_allows(&r, &Attrs::non_resource("get", "/logs")));
        assert!(rule_allows(&r, &Attrs::non_resource("get", "/logsfoo/bar")));
        assert!(!rule_allows(&r, &Attrs::non_resource("post", "/healthz")));
        // A resource rule never allows a URL, and the other way round.
        let rr = rule(&["*"], &["*"], &["*"], &[]);
        assert!(!rule_allows(&rr, &Attrs::non_resource("get", "/healthz")));
        assert!(!rule_allows(&r, &Attrs::resource("get", "", "pods")));
    }

    #[test]
    fn service_account_subjects_and_implicit_groups() {
        let p = Principal::service_account("ci", "builder");
        let sa = |ns: &str, n: &str| SubjectKey {
            kind: SubjectKind::ServiceAccount,
            name: n.into(),
            namespace: ns.into(),
        };
        let g = |n: &str| SubjectKey {
            kind: SubjectKind::Group,
            name: n.into(),
            namespace: String::new(),
        };
        assert!(applies_to(&sa("ci", "builder"), &p));
        assert!(!applies_to(&sa("prod", "builder"), &p));
        assert!(applies_to(&g("system:serviceaccounts"), &p));
        assert!(applies_to(&g("system:serviceaccounts:ci"), &p));
        assert!(!applies_to(&g("system:serviceaccounts:prod"), &p));
        assert!(applies_to(&g("system:authenticated"), &p));
        let anon = Principal::user("system:anonymous", &[]);
        assert!(applies_to(&g("system:unauthenticated"), &anon));
        assert!(!applies_to(&g("system:authenticated"), &anon));
        let u = SubjectKey {
            kind: SubjectKind::User,
            name: "system:serviceaccount:ci:builder".into(),
            namespace: String::new(),
        };
        // A User subject with the service account's user name matches it too.
        assert!(applies_to(&u, &p));
        assert_eq!(Principal::group("dev").as_service_account(), None);
    }
}
