//! The built-in API resources bulkhead knows without a cluster: group,
//! plural, singular, short names and scope.
//!
//! Why hand-kept: who-can runs on manifests and dumps, without discovery, but
//! must still turn `po`, `pod` or `deploy` into the `pods` / `apps`
//! `deployments` an RBAC rule names, and must know that `nodes` are
//! cluster-scoped (a RoleBinding can never grant them). Custom resources come
//! from the CustomResourceDefinitions in the input; anything else is matched
//! in any API group, as typed.

use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResInfo {
    pub group: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub short: &'static [&'static str],
    pub namespaced: bool,
}

const fn r(
    group: &'static str,
    plural: &'static str,
    singular: &'static str,
    short: &'static [&'static str],
    namespaced: bool,
) -> ResInfo {
    ResInfo {
        group,
        plural,
        singular,
        short,
        namespaced,
    }
}

/// Kubernetes' built-in resources (v1.3x), core group first.
pub static BUILTIN: &[ResInfo] = &[
    r("", "pods", "pod", &["po"], true),
    r("", "services", "service", &["svc"], true),
    r("", "secrets", "secret", &[], true),
    r("", "configmaps", "configmap", &["cm"], true),
    r("", "serviceaccounts", "serviceaccount", &["sa"], true),
    r("", "endpoints", "endpoints", &["ep"], true),
    r("", "events", "event", &["ev"], true),
    r("", "limitranges", "limitrange", &["limits"], true),
    r(
        "",
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        &["pvc"],
        true,
    ),
    r("", "podtemplates", "podtemplate", &[], true),
    r(
        "",
        "replicationcontrollers",
        "replicationcontroller",
        &["rc"],
        true,
    ),
    r("", "resourcequotas", "resourcequota", &["quota"], true),
    r("", "bindings", "binding", &[], true),
    r("", "namespaces", "namespace", &["ns"], false),
    r("", "nodes", "node", &["no"], false),
    r("", "persistentvolumes", "persistentvolume", &["pv"], false),
    r("", "componentstatuses", "componentstatus", &["cs"], false),
    // Impersonation targets: not stored objects, but RBAC names them.
    r("", "users", "user", &[], false),
    r("", "groups", "group", &[], false),
    r("apps", "deployments", "deployment", &["deploy"], true),
    r("apps", "daemonsets", "daemonset", &["ds"], true),
    r("apps", "statefulsets", "statefulset", &["sts"], true),
    r("apps", "replicasets", "replicaset", &["rs"], true),
    r(
        "apps",
        "controllerrevisions",
        "controllerrevision",
        &[],
        true,
    ),
    r("batch", "jobs", "job", &[], true),
    r("batch", "cronjobs", "cronjob", &["cj"], true),
    r(
        "autoscaling",
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        &["hpa"],
        true,
    ),
    r(
        "policy",
        "poddisruptionbudgets",
        "poddisruptionbudget",
        &["pdb"],
        true,
    ),
    r("networking.k8s.io", "ingresses", "ingress", &["ing"], true),
    r(
        "networking.k8s.io",
        "networkpolicies",
        "networkpolicy",
        &["netpol"],
        true,
    ),
    r(
        "networking.k8s.io",
        "ingressclasses",
        "ingressclass",
        &[],
        false,
    ),
    r(
        "discovery.k8s.io",
        "endpointslices",
        "endpointslice",
        &[],
        true,
    ),
    r("rbac.authorization.k8s.io", "roles", "role", &[], true),
    r(
        "rbac.authorization.k8s.io",
        "rolebindings",
        "rolebinding",
        &[],
        true,
    ),
    r(
        "rbac.authorization.k8s.io",
        "clusterroles",
        "clusterrole",
        &[],
        false,
    ),
    r(
        "rbac.authorization.k8s.io",
        "clusterrolebindings",
        "clusterrolebinding",
        &[],
        false,
    ),
    r(
        "storage.k8s.io",
        "storageclasses",
        "storageclass",
        &["sc"],
        false,
    ),
    r("storage.k8s.io", "csidrivers", "csidriver", &[], false),
    r("storage.k8s.io", "csinodes", "csinode", &[], false),
    r(
        "storage.k8s.io",
        "volumeattachments",
        "volumeattachment",
        &[],
        false,
    ),
    r(
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        "mutatingwebhookconfiguration",
        &[],
        false,
    ),
    r(
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        "validatingwebhookconfiguration",
        &[],
        false,
    ),
    r(
        "admissionregistration.k8s.io",
        "validatingadmissionpolicies",
        "validatingadmissionpolicy",
        &[],
        false,
    ),
    r(
        "admissionregistration.k8s.io",
        "validatingadmissionpolicybindings",
        "validatingadmissionpolicybinding",
        &[],
        false,
    ),
    r(
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        "customresourcedefinition",
        &["crd", "crds"],
        false,
    ),
    r(
        "apiregistration.k8s.io",
        "apiservices",
        "apiservice",
        &[],
        false,
    ),
    r(
        "certificates.k8s.io",
        "certificatesigningrequests",
        "certificatesigningrequest",
        &["csr"],
        false,
    ),
    r("certificates.k8s.io", "signers", "signer", &[], false),
    r("coordination.k8s.io", "leases", "lease", &[], true),
    r("node.k8s.io", "runtimeclasses", "runtimeclass", &[], false),
    r(
        "scheduling.k8s.io",
        "priorityclasses",
        "priorityclass",
        &["pc"],
        false,
    ),
    r(
        "authentication.k8s.io",
        "tokenreviews",
        "tokenreview",
        &[],
        false,
    ),
    r(
        "authentication.k8s.io",
        "selfsubjectreviews",
        "selfsubjectreview",
        &[],
        false,
    ),
    r(
        "authorization.k8s.io",
        "subjectaccessreviews",
        "subjectaccessreview",
        &[],
        false,
    ),
    r(
        "authorization.k8s.io",
        "selfsubjectaccessreviews",
        "selfsubjectaccessreview",
        &[],
        false,
    ),
    r(
        "authorization.k8s.io",
        "selfsubjectrulesreviews",
        "selfsubjectrulesreview",
        &[],
        false,
    ),
    r(
        "authorization.k8s.io",
        "localsubjectaccessreviews",
        "localsubjectaccessreview",
        &[],
        true,
    ),
    r("events.k8s.io", "events", "event", &[], true),
    r(
        "flowcontrol.apiserver.k8s.io",
        "flowschemas",
        "flowschema",
        &[],
        false,
    ),
];

/// A resource as the user typed it, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// `None`: the group is unknown; rules of any API group are considered.
    pub group: Option<String>,
    pub resource: String,
    /// `None`: unknown scope (treated as namespaced).
    pub namespaced: Option<bool>,
}

/// Custom resources declared by CustomResourceDefinitions in the input:
/// plural → (group, namespaced, singular, short names).
#[derive(Debug, Clone, Default)]
pub struct CustomResources {
    pub by_plural: HashMap<String, Vec<(String, bool)>>,
    pub aliases: HashMap<String, String>,
}

impl CustomResources {
    pub fn add(&mut self, group: &str, plural: &str, namespaced: bool, aliases: &[String]) {
        self.by_plural
            .entry(plural.to_string())
            .or_default()
            .push((group.to_string(), namespaced));
        for a in aliases {
            self.aliases.insert(a.clone(), plural.to_string());
        }
    }

    pub fn scope(&self, group: &str, plural: &str) -> Option<bool> {
        self.by_plural
            .get(plural)?
            .iter()
            .find(|(g, _)| g == group)
            .map(|(_, n)| *n)
    }
}

/// Is `group`/`resource` namespaced? Built-ins from the table, custom
/// resources from their CRD; unknown resources are assumed namespaced (the
/// common case for custom resources).
pub fn namespaced(group: &str, resource: &str, crds: &CustomResources) -> bool {
    if let Some(r) = BUILTIN
        .iter()
        .find(|r| r.plural == resource && r.group == group)
    {
        return r.namespaced;
    }
    crds.scope(group, resource).unwrap_or(true)
}

/// Resolves `pods`, `pod`, `po`, `deployments.apps`, `deploy`,
/// `widgets.example.com` or a custom resource's short name.
pub fn resolve(spec: &str, crds: &CustomResources) -> Resolved {
    let spec = spec.trim().to_ascii_lowercase();
    let (name, group) = match spec.split_once('.') {
        Some((n, g)) => (n.to_string(), Some(g.to_string())),
        None => (spec.clone(), None),
    };
    let group_ok = |g: &str| {
        group
            .as_deref()
            .is_none_or(|want| want == g || (want == "core" && g.is_empty()))
    };
    if let Some(r) = BUILTIN.iter().find(|r| {
        (r.plural == name || r.singular == name || r.short.contains(&name.as_str()))
            && group_ok(r.group)
    }) {
        return Resolved {
            group: Some(r.group.to_string()),
            resource: r.plural.to_string(),
            namespaced: Some(r.namespaced),
        };
    }
    let plural = crds.aliases.get(&name).cloned().unwrap_or(name);
    if let Some(list) = crds.by_plural.get(&plural)
        && let Some((g, n)) = list.iter().find(|(g, _)| group_ok(g))
    {
        return Resolved {
            group: Some(g.clone()),
            resource: plural,
            namespaced: Some(*n),
        };
    }
    Resolved {
        group: group.map(|g| if g == "core" { String::new() } else { g }),
        resource: plural,
        namespaced: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_short_names_and_groups() {
        let c = CustomResources::default();
        for s in ["pods", "pod", "po", "POD"] {
            let r = resolve(s, &c);
            assert_eq!(r.resource, "pods");
            assert_eq!(r.group.as_deref(), Some(""));
        }
        let d = resolve("deploy", &c);
        assert_eq!(
            (d.group.as_deref(), d.resource.as_str()),
            (Some("apps"), "deployments")
        );
        let d = resolve("deployments.apps", &c);
        assert_eq!(d.resource, "deployments");
        assert_eq!(resolve("nodes", &c).namespaced, Some(false));
        let g = resolve("gateways", &c);
        assert_eq!((g.group, g.namespaced), (None, None));
        let mut c = CustomResources::default();
        c.add(
            "gateway.networking.k8s.io",
            "gateways",
            true,
            &["gtw".into()],
        );
        let g = resolve("gtw", &c);
        assert_eq!(g.group.as_deref(), Some("gateway.networking.k8s.io"));
        assert!(namespaced("", "secrets", &c));
        assert!(!namespaced("", "nodes", &c));
    }
}
