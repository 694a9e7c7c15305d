//! Least privilege from observed use: the Roles, ClusterRoles and bindings
//! that grant exactly what a subject was seen requesting, as YAML ready for
//! `kubectl apply`.
//!
//! The generalisations are audit2rbac's defaults, each optional:
//! - verbs expand to the ones a client needs with them (`list`/`watch` →
//!   `get`, `list`, `watch`; `update`/`patch` → `get`, `update`, `patch`);
//! - a resource requested by several names, or unnamed, gets no
//!   `resourceNames`; one consistent name is kept (never for `create`,
//!   `list`, `watch` and `deletecollection`, which name no object);
//! - a resource requested in several namespaces, or across all of them,
//!   moves to the ClusterRole.
//!
//! Requests that Kubernetes' default bindings already allow every
//! authenticated user (discovery, `selfsubjectaccessreviews`) are left out:
//! the authorizer of `bulkhead-rbac` with the bootstrap bindings decides.
//! Denied requests count: they are what the subject was missing.

use crate::summary::{Req, ReqCount};
use bulkhead_rbac::authz::{Authorizer, Principal};
use bulkhead_rbac::model::{Model, ModelOptions};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    User(String),
    ServiceAccount { namespace: String, name: String },
}

impl Subject {
    /// `--serviceaccount NS:NAME`.
    pub fn service_account(spec: &str) -> Result<Subject, String> {
        match spec.split_once(':') {
            Some((ns, name)) if !ns.is_empty() && !name.is_empty() && !name.contains(':') => {
                Ok(Subject::ServiceAccount {
                    namespace: ns.into(),
                    name: name.into(),
                })
            }
            _ => Err(format!(
                "--serviceaccount {spec:?}: expected NAMESPACE:NAME (like ns1:sa1)"
            )),
        }
    }

    /// The user name in audit events.
    pub fn username(&self) -> String {
        match self {
            Subject::User(u) => u.clone(),
            Subject::ServiceAccount { namespace, name } => {
                format!("system:serviceaccount:{namespace}:{name}")
            }
        }
    }

    fn principal(&self, groups: &[String]) -> Principal {
        match self {
            Subject::User(u) => Principal::user(u, groups),
            Subject::ServiceAccount { namespace, name } => {
                Principal::service_account(namespace, name)
            }
        }
    }

    fn short(&self) -> String {
        match self {
            Subject::User(u) => u.clone(),
            Subject::ServiceAccount { namespace, name } => format!("{namespace}:{name}"),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Generate {
    pub expand_verbs: bool,
    pub names: bool,
    pub promote_namespaces: bool,
}

impl Default for Generate {
    fn default() -> Self {
        Generate {
            expand_verbs: true,
            names: true,
            promote_namespaces: true,
        }
    }
}

impl Generate {
    /// Exactly the requests seen, nothing generalised.
    pub fn exact() -> Self {
        Generate {
            expand_verbs: false,
            names: true,
            promote_namespaces: false,
        }
    }
}

/// One PolicyRule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rule {
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
    pub verbs: Vec<String>,
}

/// The generated objects: one ClusterRole (cluster-scoped rules, if any)
/// and one Role per namespace.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    pub cluster: Vec<Rule>,
    pub namespaced: BTreeMap<String, Vec<Rule>>,
    /// Requests left out because the default bindings allow them.
    pub defaults_skipped: usize,
    pub requests: usize,
}

fn expand(verb: &str, on: bool) -> Vec<&str> {
    if !on {
        return vec![verb];
    }
    match verb {
        "list" | "watch" => vec!["get", "list", "watch"],
        "update" | "patch" => vec!["get", "update", "patch"],
        v => vec![v],
    }
}

fn nameless_verb(v: &str) -> bool {
    matches!(v, "create" | "list" | "watch" | "deletecollection")
}

/// The rules for `subject` from its observed requests.
pub fn generate(
    subject: &Subject,
    groups: &[String],
    requests: &BTreeMap<Req, ReqCount>,
    g: Generate,
) -> Generated {
    let defaults = Model::build(
        Vec::new(),
        ModelOptions {
            bootstrap_bindings: true,
            builtin_roles: true,
        },
    );
    let authz = Authorizer::new(&defaults);
    let principal = subject.principal(groups);
    let mut out = Generated::default();
    // (group, resource) → namespaces; for promotion.
    let mut namespaces: BTreeMap<(String, String, String), BTreeSet<String>> = BTreeMap::new();
    let mut kept: Vec<&Req> = Vec::new();
    for r in requests.keys() {
        if authz.allowed(&principal, &r.attrs()).is_some() {
            out.defaults_skipped += 1;
            continue;
        }
        out.requests += 1;
        kept.push(r);
        if r.path.is_none() {
            namespaces
                .entry((r.group.clone(), resource_of(r), r.verb.clone()))
                .or_default()
                .insert(r.namespace.clone());
        }
    }
    // (scope, group, resource, verb) → names (None: some request unnamed).
    type Key = (String, String, String, String);
    let mut named: BTreeMap<Key, Option<BTreeSet<String>>> = BTreeMap::new();
    let mut urls: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in kept {
        if let Some(p) = &r.path {
            for v in expand(&r.verb, g.expand_verbs) {
                urls.entry(v.to_string()).or_default().insert(p.clone());
            }
            continue;
        }
        let res = resource_of(r);
        let mut scope = r.namespace.clone();
        if g.promote_namespaces
            && namespaces
                .get(&(r.group.clone(), res.clone(), r.verb.clone()))
                .is_some_and(|s| s.len() > 1 || s.contains(""))
        {
            scope = String::new();
        }
        for v in expand(&r.verb, g.expand_verbs) {
            let e = named
                .entry((scope.clone(), r.group.clone(), res.clone(), v.to_string()))
                .or_insert_with(|| Some(BTreeSet::new()));
            let name_ok = g.names && !r.name.is_empty() && !nameless_verb(v);
            match (e.as_mut(), name_ok) {
                (Some(set), true) => {
                    set.insert(r.name.clone());
                }
                _ => *e = None,
            }
        }
    }
    // A namespaced rule the cluster-wide one already covers is dropped.
    let covered: Vec<Key> = named
        .iter()
        .filter(|((scope, group, res, verb), names)| {
            !scope.is_empty()
                && match named.get(&(String::new(), group.clone(), res.clone(), verb.clone())) {
                    Some(None) => true,
                    Some(Some(all)) => names.as_ref().is_some_and(|n| n.is_subset(all)),
                    None => false,
                }
        })
        .map(|(k, _)| k.clone())
        .collect();
    for k in covered {
        named.remove(&k);
    }
    // Several names → unnamed (audit2rbac's default).
    let mut by_res: BTreeMap<(String, String, String, Vec<String>), BTreeSet<String>> =
        BTreeMap::new();
    for ((scope, group, res, verb), names) in named {
        let names: Vec<String> = match names {
            Some(s) if s.len() == 1 => s.into_iter().collect(),
            _ => Vec::new(),
        };
        by_res
            .entry((scope, group, res, names))
            .or_default()
            .insert(verb);
    }
    // Same group, names and verbs → one rule over several resources.
    type Merged = (String, String, Vec<String>, Vec<String>);
    let mut merged: BTreeMap<Merged, BTreeSet<String>> = BTreeMap::new();
    for ((scope, group, res, names), verbs) in by_res {
        merged
            .entry((scope, group, names, verbs.into_iter().collect()))
            .or_default()
            .insert(res);
    }
    for ((scope, group, names, verbs), res) in merged {
        let rule = Rule {
            api_groups: vec![group],
            resources: res.into_iter().collect(),
            resource_names: names,
            non_resource_urls: Vec::new(),
            verbs,
        };
        if scope.is_empty() {
            out.cluster.push(rule);
        } else {
            out.namespaced.entry(scope).or_default().push(rule);
        }
    }
    let mut by_verbs: BTreeMap<BTreeSet<String>, Vec<String>> = BTreeMap::new();
    let mut url_verbs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (v, ps) in urls {
        for p in ps {
            url_verbs.entry(p).or_default().insert(v.clone());
        }
    }
    for (p, vs) in url_verbs {
        by_verbs.entry(vs).or_default().push(p);
    }
    for (vs, ps) in by_verbs {
        out.cluster.push(Rule {
            api_groups: Vec::new(),
            resources: Vec::new(),
            resource_names: Vec::new(),
            non_resource_urls: ps,
            verbs: vs.into_iter().collect(),
        });
    }
    out
}

fn resource_of(r: &Req) -> String {
    if r.subresource.is_empty() {
        r.resource.clone()
    } else {
        format!("{}/{}", r.resource, r.subresource)
    }
}

fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn rules_yaml(out: &mut String, rules: &[Rule]) {
    out.push_str("rules:\n");
    for r in rules {
        let mut first = true;
        for (k, v) in [
            ("apiGroups", &r.api_groups),
            ("resources", &r.resources),
            ("resourceNames", &r.resource_names),
            ("nonResourceURLs", &r.non_resource_urls),
            ("verbs", &r.verbs),
        ] {
            if k == "apiGroups" && !r.non_resource_urls.is_empty() {
                continue;
            }
            if v.is_empty() && k != "apiGroups" {
                continue;
            }
            let items: Vec<String> = v.iter().map(|s| q(s)).collect();
            out.push_str(if first { "- " } else { "  " });
            out.push_str(&format!("{k}: [{}]\n", items.join(", ")));
            first = false;
        }
    }
}

/// The objects as YAML documents.
pub fn to_yaml(subject: &Subject, g: &Generated, source: &str) -> String {
    let name = format!("bulkhead:{}", subject.short());
    let mut out = String::new();
    out.push_str(&format!(
        "# Least privilege for {} from {} observed request(s) in {}",
        subject.username(),
        g.requests,
        source
    ));
    if g.defaults_skipped > 0 {
        out.push_str(&format!(
            "; {} more are allowed to every authenticated user by the default bindings",
            g.defaults_skipped
        ));
    }
    out.push_str(".\n");
    let subject_yaml = match subject {
        Subject::User(u) => format!(
            "subjects:\n- kind: User\n  apiGroup: rbac.authorization.k8s.io\n  name: {}\n",
            q(u)
        ),
        Subject::ServiceAccount { namespace, name } => format!(
            "subjects:\n- kind: ServiceAccount\n  name: {}\n  namespace: {}\n",
            q(name),
            q(namespace)
        ),
    };
    let labels = "  labels:\n    app.kubernetes.io/managed-by: bulkhead\n";
    let mut docs = Vec::new();
    if !g.cluster.is_empty() {
        let mut d = format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: {}\n{labels}",
            q(&name)
        );
        rules_yaml(&mut d, &g.cluster);
        docs.push(d);
        docs.push(format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: {}\n{labels}roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: {}\n{subject_yaml}",
            q(&name),
            q(&name)
        ));
    }
    for (ns, rules) in &g.namespaced {
        let mut d = format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: {}\n  namespace: {}\n{labels}",
            q(&name),
            q(ns)
        );
        rules_yaml(&mut d, rules);
        docs.push(d);
        docs.push(format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: {}\n  namespace: {}\n{labels}roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: {}\n{subject_yaml}",
            q(&name),
            q(ns),
            q(&name)
        ));
    }
    if docs.is_empty() {
        out.push_str("# No request needs a role beyond the defaults.\n");
        return out;
    }
    out.push_str(&docs.join("---\n"));
    out
}
