//! What one subject can do: the bindings and rules that apply to it
//! (like `rbac-tool policy-rules`) and a resource × verb matrix (like
//! `rakkess`), computed with the authorizer rather than one API call per
//! resource.

use crate::authz::{Attrs, Authorizer, Principal, Scope};
use crate::model::{Model, RuleRef};
use crate::resources::BUILTIN;
use std::collections::BTreeSet;

pub const MATRIX_VERBS: [&str; 7] = [
    "get", "list", "watch", "create", "update", "patch", "delete",
];

#[derive(Debug, Clone)]
pub struct AccessRule {
    pub scope: Scope,
    pub binding: u32,
    pub role: u32,
    pub rule: RuleRef,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixRow {
    pub group: String,
    /// `pods` or `pods/exec`.
    pub resource: String,
    pub namespaced: bool,
    pub allowed: Vec<bool>,
}

#[derive(Debug, Clone)]
pub struct Access {
    pub principal: Principal,
    pub namespace: Option<String>,
    pub rules: Vec<AccessRule>,
    pub matrix: Vec<MatrixRow>,
}

/// The verbs the API server's authorizer is asked about: the resource verbs,
/// the special ones (impersonate, bind, escalate, approve, sign, use) and the
/// HTTP verbs of non-resource URLs.
pub const KNOWN_VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "impersonate",
    "bind",
    "escalate",
    "approve",
    "sign",
    "use",
    "attest",
    "proxy",
    "post",
    "put",
    "head",
    "options",
];

/// A `who-can` verb: one Kubernetes asks about, `*`, or one a rule of the
/// input names (RBAC allows custom verbs). Anything else is a typo that could
/// match only `*` rules and print a misleading answer.
pub fn check_verb(model: &Model, verb: &str) -> Result<(), String> {
    let v = verb.trim().to_ascii_lowercase();
    if v == "*" || KNOWN_VERBS.contains(&v.as_str()) {
        return Ok(());
    }
    let custom = model
        .roles
        .iter()
        .flat_map(|r| r.rules.iter())
        .flat_map(|r| r.verbs.iter())
        .any(|i| i.value.eq_ignore_ascii_case(&v));
    if custom {
        return Ok(());
    }
    Err(format!(
        "unknown verb '{verb}': expected one of {} (or a custom verb some rule of the input grants)",
        KNOWN_VERBS.join(", ")
    ))
}

/// Parses `User:jane`, `Group:dev`, `ServiceAccount:ns:name` (or `ns/name`),
/// `system:serviceaccount:ns:name`, or a bare user name.
pub fn parse_subject(spec: &str, groups: &[String]) -> Result<Principal, String> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Err("empty subject".into());
    }
    if let Some(rest) = spec.strip_prefix("system:serviceaccount:") {
        let (ns, name) = rest.split_once(':').ok_or_else(|| {
            format!("bad service account '{spec}' (system:serviceaccount:NAMESPACE:NAME)")
        })?;
        return Ok(Principal::service_account(ns, name));
    }
    let (kind, rest) = match spec.split_once(':') {
        Some((k, r))
            if ["user", "group", "serviceaccount", "sa"]
                .contains(&k.to_ascii_lowercase().as_str()) =>
        {
            (k.to_ascii_lowercase(), r)
        }
        // `Foo:bar`: a kind-like prefix (capitalised, as Kubernetes kinds are)
        // that is no subject kind is a typo, not a user named `Foo:bar`
        // (`User:Foo:bar` names that user; `system:…`, `oidc:…` stay users).
        Some((k, _))
            if k.starts_with(|c: char| c.is_ascii_uppercase())
                && k.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            return Err(format!(
                "unknown subject kind '{k}' in '{spec}': expected User:NAME, Group:NAME, \
                 ServiceAccount:NAMESPACE:NAME (or SA:), system:serviceaccount:NAMESPACE:NAME, \
                 or a bare user name (User:{spec} for a user named so)"
            ));
        }
        _ => ("user".to_string(), spec),
    };
    if rest.trim().is_empty() {
        return Err(format!("subject '{spec}' has no name"));
    }
    match kind.as_str() {
        "user" => Ok(Principal::user(rest, groups)),
        "group" => Ok(Principal::group(rest)),
        _ => {
            let (ns, name) = rest
                .split_once(':')
                .or_else(|| rest.split_once('/'))
                .ok_or_else(|| {
                    format!("bad service account '{spec}' (ServiceAccount:NAMESPACE:NAME)")
                })?;
            if ns.is_empty() || name.is_empty() {
                return Err(format!(
                    "bad service account '{spec}' (ServiceAccount:NAMESPACE:NAME)"
                ));
            }
            Ok(Principal::service_account(ns, name))
        }
    }
}

/// The access of `p`, cluster-wide (`namespace: None`: ClusterRoleBindings
/// only, as `kubectl auth can-i --all-namespaces`; the rules list still shows
/// every namespace's RoleBindings) or in one namespace.
pub fn access(model: &Model, p: &Principal, namespace: Option<&str>) -> Access {
    let az = Authorizer::new(model);
    let mut rules = Vec::new();
    for (bi, scope) in az.bindings_for(p, namespace) {
        let Some(b) = model.bindings.get(bi as usize) else {
            continue;
        };
        let Some(role) = model.resolve(b) else {
            continue;
        };
        for (rr, _) in model.effective_rules(role) {
            rules.push(AccessRule {
                scope: scope.clone(),
                binding: bi,
                role,
                rule: rr,
            });
        }
    }
    let mut resources: BTreeSet<(String, String, String, bool)> = BUILTIN
        .iter()
        .filter(|r| r.plural != "users" && r.plural != "groups")
        .map(|r| {
            (
                r.group.to_string(),
                r.plural.to_string(),
                String::new(),
                r.namespaced,
            )
        })
        .collect();
    for ar in &rules {
        let Some(rule) = model.rule(ar.rule) else {
            continue;
        };
        for g in rule.api_groups.iter().filter(|g| g.value != "*") {
            for r in rule.resources.iter().filter(|r| !r.value.starts_with('*')) {
                let (res, sub) = r.value.split_once('/').unwrap_or((r.value.as_str(), ""));
                if sub == "*" {
                    continue;
                }
                let ns = crate::resources::namespaced(&g.value, res, &model.crds);
                resources.insert((g.value.clone(), res.to_string(), sub.to_string(), ns));
            }
        }
    }
    let matrix = resources
        .into_iter()
        .map(|(group, res, sub, namespaced)| {
            let ns = if namespaced {
                namespace.unwrap_or("")
            } else {
                ""
            };
            let allowed = MATRIX_VERBS
                .iter()
                .map(|v| {
                    az.allowed(
                        p,
                        &Attrs::resource(v, &group, &res).subresource(&sub).in_ns(ns),
                    )
                    .is_some()
                })
                .collect();
            MatrixRow {
                group,
                resource: if sub.is_empty() {
                    res
                } else {
                    format!("{res}/{sub}")
                },
                namespaced,
                allowed,
            }
        })
        .collect();
    Access {
        principal: p.clone(),
        namespace: namespace.map(str::to_string),
        rules,
        matrix,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_specs() {
        let p = parse_subject("ServiceAccount:ci:builder", &[]).expect("sa");
        assert_eq!(p.as_service_account(), Some(("ci", "builder")));
        let p = parse_subject("sa:ci/builder", &[]).expect("sa");
        assert_eq!(p.as_service_account(), Some(("ci", "builder")));
        let p = parse_subject("system:serviceaccount:ci:builder", &[]).expect("sa");
        assert_eq!(p.as_service_account(), Some(("ci", "builder")));
        let p = parse_subject("jane", &["dev".into()]).expect("user");
        assert_eq!(p.name, "jane");
        assert!(
            p.groups.contains(&"dev".to_string())
                && p.groups.contains(&"system:authenticated".to_string())
        );
        assert_eq!(
            parse_subject("Group:dev", &[]).expect("g").groups,
            vec!["dev".to_string()]
        );
        assert!(parse_subject("ServiceAccount:x", &[]).is_err());
    }
}

/// A who-can question, resolved.
#[derive(Debug, Clone)]
pub struct WhoCanQuery {
    pub attrs: Attrs,
    /// The resource is namespaced (RoleBindings can grant it).
    pub namespaced: bool,
    /// How the resource was understood, for the report header.
    pub described: String,
    pub notes: Vec<String>,
}

/// Resolves `VERB TARGET` where TARGET is a resource (`pods`, `po`,
/// `deployments.apps`), `RESOURCE/NAME` (kubectl-who-can and rbac-tool
/// syntax) or a non-resource URL (`/healthz`).
pub fn who_can_query(
    model: &Model,
    verb: &str,
    target: &str,
    namespace: Option<&str>,
    name: Option<&str>,
    subresource: Option<&str>,
) -> WhoCanQuery {
    let verb = verb.trim().to_ascii_lowercase();
    if target.starts_with('/') {
        return WhoCanQuery {
            attrs: Attrs::non_resource(&verb, target),
            namespaced: false,
            described: format!("{verb} {target} (non-resource URL: ClusterRoleBindings only)"),
            notes: Vec::new(),
        };
    }
    let (res, inline_name) = match target.split_once('/') {
        Some((r, n)) => (r, Some(n)),
        None => (target, None),
    };
    let r = crate::resources::resolve(res, &model.crds);
    let mut notes = Vec::new();
    if r.group.is_none() {
        notes.push(format!(
            "resource '{}' is not a built-in and no CustomResourceDefinition in the input declares it: rules of any API group are matched (name it as {}.GROUP to be exact)",
            r.resource, r.resource
        ));
    }
    let namespaced = r.namespaced.unwrap_or(true);
    let mut attrs = Attrs {
        verb: verb.clone(),
        group: r.group.clone(),
        resource: r.resource.clone(),
        subresource: subresource.unwrap_or("").to_string(),
        name: name.or(inline_name).unwrap_or("").to_string(),
        namespace: String::new(),
        path: None,
    };
    if namespaced && let Some(ns) = namespace {
        attrs.namespace = ns.to_string();
    }
    let group = match &r.group {
        Some(g) if g.is_empty() => "core".to_string(),
        Some(g) => g.clone(),
        None => "any group".to_string(),
    };
    let mut described = format!("{verb} {}", r.resource);
    if !attrs.subresource.is_empty() {
        described.push('/');
        described.push_str(&attrs.subresource);
    }
    described.push_str(&format!(" ({group}"));
    if !namespaced {
        described.push_str(", cluster-scoped: ClusterRoleBindings only");
    }
    described.push(')');
    if !attrs.name.is_empty() {
        described.push_str(&format!(" named {}", attrs.name));
    }
    WhoCanQuery {
        attrs,
        namespaced,
        described,
        notes,
    }
}
