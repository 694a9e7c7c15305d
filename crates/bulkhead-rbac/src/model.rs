//! The RBAC model: Roles, ClusterRoles, bindings, service accounts and the
//! workloads that run as them, extracted from loaded Kubernetes objects with
//! the position of every field a finding can point at.
//!
//! The YAML trees are dropped once extracted: what stays is one small record
//! per rule, binding and subject (memory grows with the number of rules, not
//! with rules × resources). Aggregated ClusterRoles hold references to the
//! rules they aggregate, never copies.

use crate::bootstrap;
use crate::resources::CustomResources;
use bulkhead_core::InputError;
use bulkhead_core::suppress::{ANNOTATION, Directive};
use bulkhead_core::yaml::{Node, Pos};
use bulkhead_kube::load::{Object, Source};
use bulkhead_kube::path::FieldPath;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// A string in the input and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub value: String,
    pub pos: Pos,
}

/// Items without a source position (built-in objects, tests).
pub(crate) fn items(values: &[&str]) -> Vec<Item> {
    values
        .iter()
        .map(|s| Item {
            value: (*s).to_string(),
            pos: Pos::default(),
        })
        .collect()
}

/// Where an extracted object came from. Built-in (bootstrap) objects have no
/// source.
#[derive(Debug, Clone)]
pub struct Origin {
    pub source: Option<Arc<Source>>,
    pub doc: u32,
    /// Path of the object in its document (`items[3]` inside a List).
    pub base: FieldPath,
    pub start: Pos,
    /// `bulkhead.dev/ignore` annotation, parsed.
    pub ignore: Option<Directive>,
}

impl Origin {
    pub fn builtin() -> Self {
        Origin {
            source: None,
            doc: 0,
            base: FieldPath::root(),
            start: Pos::default(),
            ignore: None,
        }
    }

    pub fn file(&self) -> &str {
        self.source
            .as_ref()
            .map_or(bootstrap::BUILTIN_FILE, |s| s.name.as_str())
    }
}

#[derive(Debug, Clone, Default)]
pub struct PolicyRule {
    pub verbs: Vec<Item>,
    pub api_groups: Vec<Item>,
    pub resources: Vec<Item>,
    pub resource_names: Vec<Item>,
    pub non_resource_urls: Vec<Item>,
    pub pos: Pos,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RoleKind {
    Role,
    ClusterRole,
}

impl RoleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Role => "Role",
            RoleKind::ClusterRole => "ClusterRole",
        }
    }
}

/// Strongly connected components of a graph given as adjacency lists,
/// each component listed after every component it can reach (iterative
/// Tarjan: no recursion, whatever the depth).
fn tarjan(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = edges.len();
    let (mut index, mut low) = (vec![usize::MAX; n], vec![0usize; n]);
    let (mut on_stack, mut stack) = (vec![false; n], Vec::new());
    let (mut next, mut out) = (0usize, Vec::new());
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, next edge to visit)
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut ei)) = call.last_mut() {
            if let Some(&w) = edges[v].get(*ei) {
                *ei += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            call.pop();
            if let Some(&(parent, _)) = call.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                out.push(comp);
            }
        }
    }
    out
}

/// A label selector of an `aggregationRule`.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    pub match_labels: Vec<(String, String)>,
    /// (key, operator, values)
    pub match_expressions: Vec<(String, String, Vec<String>)>,
}

impl Selector {
    /// Kubernetes label selector semantics; an empty selector matches nothing
    /// in an aggregation rule (upstream skips it).
    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        if self.match_labels.is_empty() && self.match_expressions.is_empty() {
            return false;
        }
        let get = |k: &str| labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v);
        self.match_labels.iter().all(|(k, v)| get(k) == Some(v))
            && self
                .match_expressions
                .iter()
                .all(|(k, op, vals)| match op.as_str() {
                    "In" => get(k).is_some_and(|v| vals.contains(v)),
                    "NotIn" => get(k).is_none_or(|v| !vals.contains(v)),
                    "Exists" => get(k).is_some(),
                    "DoesNotExist" => get(k).is_none(),
                    _ => false,
                })
    }
}

/// A rule of a role: (role index, rule index in that role's own rules).
pub type RuleRef = (u32, u32);

#[derive(Debug, Clone)]
pub struct Role {
    pub kind: RoleKind,
    pub name: String,
    pub namespace: Option<String>,
    pub origin: Origin,
    pub rules: Vec<PolicyRule>,
    pub labels: Vec<(String, String)>,
    pub aggregation: Option<Vec<Selector>>,
    /// The rules in force: own rules, or for an aggregated ClusterRole the
    /// rules of every ClusterRole its selectors match (recomputed, as the
    /// controller does; its own `rules` are replaced).
    pub effective: Vec<RuleRef>,
    pub builtin: bool,
}

impl Role {
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) if self.kind == RoleKind::Role => format!("Role/{ns}/{}", self.name),
            _ => format!("{}/{}", self.kind.as_str(), self.name),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubjectKind {
    User,
    Group,
    ServiceAccount,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::User => "User",
            SubjectKind::Group => "Group",
            SubjectKind::ServiceAccount => "ServiceAccount",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Subject {
    pub kind: SubjectKind,
    pub name: String,
    /// For service accounts: the namespace as written (RoleBindings default
    /// it to their own namespace; see [`Binding::subject_key`]).
    pub namespace: Option<String>,
    pub pos: Pos,
}

/// A subject identity, namespace defaulting applied.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubjectKey {
    pub kind: SubjectKind,
    pub name: String,
    /// Service accounts only.
    pub namespace: String,
}

impl SubjectKey {
    pub fn display(&self) -> String {
        match self.kind {
            SubjectKind::ServiceAccount => {
                format!("ServiceAccount {}/{}", self.namespace, self.name)
            }
            k => format!("{} {}", k.as_str(), self.name),
        }
    }

    /// `system:` users and groups are Kubernetes components, except the
    /// implicit groups that stand for "everyone" (those are the dangerous ones).
    pub fn is_system(&self) -> bool {
        match self.kind {
            SubjectKind::ServiceAccount => false,
            _ => self.name.starts_with("system:") && !is_broad(self),
        }
    }
}

/// Subjects that mean "everybody" or "every workload".
pub fn is_broad(s: &SubjectKey) -> bool {
    match s.kind {
        SubjectKind::User => s.name == "system:anonymous",
        SubjectKind::Group => {
            matches!(
                s.name.as_str(),
                "system:unauthenticated" | "system:authenticated" | "system:serviceaccounts"
            ) || s.name.starts_with("system:serviceaccounts:")
        }
        SubjectKind::ServiceAccount => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BindingKind {
    RoleBinding,
    ClusterRoleBinding,
}

impl BindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BindingKind::RoleBinding => "RoleBinding",
            BindingKind::ClusterRoleBinding => "ClusterRoleBinding",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub kind: BindingKind,
    pub name: String,
    /// RoleBindings only.
    pub namespace: Option<String>,
    pub origin: Origin,
    pub subjects: Vec<Subject>,
    pub role_kind: RoleKind,
    pub role_name: String,
    pub role_ref_pos: Pos,
    /// Labelled `kubernetes.io/bootstrapping: rbac-defaults` (or built in).
    pub bootstrap: bool,
}

impl Binding {
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{}/{ns}/{}", self.kind.as_str(), self.name),
            None => format!("{}/{}", self.kind.as_str(), self.name),
        }
    }

    /// The subject's identity; a ServiceAccount without a namespace in a
    /// RoleBinding is in the binding's namespace (upstream `appliesToUser`),
    /// in a ClusterRoleBinding it matches nobody (`None`).
    pub fn subject_key(&self, s: &Subject) -> Option<SubjectKey> {
        let namespace = match s.kind {
            SubjectKind::ServiceAccount => {
                let ns = s
                    .namespace
                    .clone()
                    .filter(|n| !n.is_empty())
                    .or_else(|| self.namespace.clone())?;
                if ns.is_empty() {
                    return None;
                }
                ns
            }
            _ => String::new(),
        };
        Some(SubjectKey {
            kind: s.kind,
            name: s.name.clone(),
            namespace,
        })
    }
}

#[derive(Debug, Clone)]
pub struct ServiceAccount {
    pub namespace: String,
    pub name: String,
    pub automount: Option<bool>,
}

/// A workload (pod or pod template) and the service account it runs as.
#[derive(Debug, Clone)]
pub struct Workload {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub origin: Origin,
    pub service_account: String,
    /// Pod-level `automountServiceAccountToken`.
    pub automount: Option<bool>,
    /// Path and position of `serviceAccountName` (or of the pod spec).
    pub sa_path: FieldPath,
    pub sa_pos: Pos,
}

impl Workload {
    pub fn display(&self) -> String {
        format!("{}/{}/{}", self.kind, self.namespace, self.name)
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ModelOptions {
    /// Add Kubernetes' default ClusterRoleBindings (`system:masters` is
    /// cluster-admin, everyone may discover the API, ...).
    pub bootstrap_bindings: bool,
    /// Resolve role references to Kubernetes' default ClusterRoles
    /// (`cluster-admin`, `admin`, `edit`, `view`, `system:*`) that are not in
    /// the input.
    pub builtin_roles: bool,
}

#[derive(Debug, Default)]
pub struct Model {
    pub roles: Vec<Role>,
    pub bindings: Vec<Binding>,
    pub cluster_roles: HashMap<String, u32>,
    pub ns_roles: HashMap<(String, String), u32>,
    /// RoleBindings by namespace, ClusterRoleBindings under "".
    pub bindings_by_ns: HashMap<String, Vec<u32>>,
    pub service_accounts: Vec<ServiceAccount>,
    pub workloads: Vec<Workload>,
    pub crds: CustomResources,
    /// Every namespace the input mentions.
    pub namespaces: BTreeSet<String>,
    /// Service accounts of `kubernetes.io/service-account-token` Secrets: (ns, sa).
    pub token_secrets: Vec<(String, String)>,
    pub errors: Vec<InputError>,
    pub notes: Vec<String>,
}

fn strings(node: Option<&Node>) -> Vec<Item> {
    node.map(|n| {
        n.items()
            .iter()
            .filter_map(|i| {
                i.as_str().map(|s| Item {
                    value: s.to_string(),
                    pos: i.start,
                })
            })
            .collect()
    })
    .unwrap_or_default()
}

fn labels_of(meta: Option<&Node>) -> Vec<(String, String)> {
    meta.and_then(|m| m.get("labels"))
        .map(|l| {
            l.entries()
                .iter()
                .filter_map(|e| Some((e.key.as_str()?.to_string(), e.value.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn err(obj: &Object, line: u32, msg: String) -> InputError {
    InputError::new(
        obj.source.name.clone(),
        Some(line),
        format!("{}: {msg}", obj.display()),
    )
}

fn origin(obj: &Object) -> Origin {
    Origin {
        source: Some(obj.source.clone()),
        doc: obj.doc,
        base: obj.base.clone(),
        start: obj.root.start,
        ignore: obj
            .metadata()
            .and_then(|m| m.path(&["annotations", ANNOTATION]))
            .and_then(Node::as_str)
            .and_then(Directive::parse),
    }
}

fn parse_rules(obj: &Object, node: Option<&Node>, errors: &mut Vec<InputError>) -> Vec<PolicyRule> {
    let Some(list) = node else {
        return Vec::new();
    };
    if !list.is_seq() {
        errors.push(err(obj, list.start.line, "rules must be a list".into()));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, r) in list.items().iter().enumerate() {
        if !r.is_map() {
            errors.push(err(
                obj,
                r.start.line,
                format!("rules[{i}] must be a mapping"),
            ));
            continue;
        }
        for key in [
            "verbs",
            "apiGroups",
            "resources",
            "resourceNames",
            "nonResourceURLs",
        ] {
            if let Some(v) = r.get(key)
                && !v.is_seq()
            {
                errors.push(err(
                    obj,
                    v.start.line,
                    format!("rules[{i}].{key} must be a list of strings"),
                ));
            }
        }
        out.push(PolicyRule {
            verbs: strings(r.get("verbs")),
            api_groups: strings(r.get("apiGroups")),
            resources: strings(r.get("resources")),
            resource_names: strings(r.get("resourceNames")),
            non_resource_urls: strings(r.get("nonResourceURLs")),
            pos: r.start,
        });
    }
    out
}

fn parse_selectors(node: &Node) -> Vec<Selector> {
    node.get("clusterRoleSelectors")
        .map(|l| {
            l.items()
                .iter()
                .map(|s| Selector {
                    match_labels: s
                        .get("matchLabels")
                        .map(|m| {
                            m.entries()
                                .iter()
                                .filter_map(|e| {
                                    Some((
                                        e.key.as_str()?.to_string(),
                                        e.value.as_str()?.to_string(),
                                    ))
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    match_expressions: s
                        .get("matchExpressions")
                        .map(|m| {
                            m.items()
                                .iter()
                                .filter_map(|e| {
                                    Some((
                                        e.get("key")?.as_str()?.to_string(),
                                        e.get("operator")?.as_str()?.to_string(),
                                        strings(e.get("values"))
                                            .into_iter()
                                            .map(|i| i.value)
                                            .collect(),
                                    ))
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Model {
    /// Builds the model from loaded objects (consumed: their trees are
    /// dropped as soon as they are read).
    pub fn build(objects: impl IntoIterator<Item = Object>, opts: ModelOptions) -> Model {
        let objects: Vec<Object> = objects.into_iter().collect();
        Model::build_from(objects.iter(), opts)
    }

    /// [`Model::build`] over borrowed objects (a caller that also hands
    /// them to other layers).
    pub fn build_from<'a>(
        objects: impl IntoIterator<Item = &'a Object>,
        opts: ModelOptions,
    ) -> Model {
        let mut m = Model::default();
        for obj in objects {
            m.add_object(obj);
        }
        if opts.bootstrap_bindings {
            for b in bootstrap::bindings() {
                m.push_binding(b);
            }
        }
        if opts.builtin_roles || opts.bootstrap_bindings {
            let wanted: BTreeSet<String> = m
                .bindings
                .iter()
                .filter(|b| b.role_kind == RoleKind::ClusterRole)
                .map(|b| b.role_name.clone())
                .collect();
            for role in bootstrap::cluster_roles() {
                if wanted.contains(&role.name) && !m.cluster_roles.contains_key(&role.name) {
                    m.push_role(role);
                }
            }
        }
        m.aggregate();
        for b in &m.bindings {
            if m.resolve(b).is_none() {
                let why =
                    if b.kind == BindingKind::ClusterRoleBinding && b.role_kind == RoleKind::Role {
                        "a ClusterRoleBinding can only reference a ClusterRole".to_string()
                    } else {
                        format!(
                            "{} {} is not in the input{}",
                            b.role_kind.as_str(),
                            b.role_name,
                            if b.role_kind == RoleKind::ClusterRole
                                && bootstrap::is_default_cluster_role(&b.role_name)
                                && !opts.builtin_roles
                            {
                                " (a Kubernetes default role: allow built-in roles to resolve it)"
                            } else {
                                ""
                            }
                        )
                    };
                m.notes.push(format!(
                    "{}:{}: {} grants nothing: {why}",
                    b.origin.file(),
                    b.role_ref_pos.line,
                    b.display()
                ));
            }
        }
        m
    }

    fn push_role(&mut self, role: Role) {
        let idx = u32::try_from(self.roles.len()).unwrap_or(u32::MAX);
        match role.kind {
            RoleKind::ClusterRole => {
                if self.cluster_roles.insert(role.name.clone(), idx).is_some() {
                    self.notes.push(format!(
                        "{}:{}: {} defined more than once; the last definition wins",
                        role.origin.file(),
                        role.origin.start.line,
                        role.display()
                    ));
                }
            }
            RoleKind::Role => {
                let ns = role.namespace.clone().unwrap_or_default();
                self.namespaces.insert(ns.clone());
                self.ns_roles.insert((ns, role.name.clone()), idx);
            }
        }
        self.roles.push(role);
    }

    fn push_binding(&mut self, b: Binding) {
        let idx = u32::try_from(self.bindings.len()).unwrap_or(u32::MAX);
        let ns = b.namespace.clone().unwrap_or_default();
        if !ns.is_empty() {
            self.namespaces.insert(ns.clone());
        }
        for s in &b.subjects {
            if s.kind == SubjectKind::ServiceAccount
                && let Some(k) = b.subject_key(s)
            {
                self.namespaces.insert(k.namespace);
            }
        }
        self.bindings_by_ns.entry(ns).or_default().push(idx);
        self.bindings.push(b);
    }

    fn add_object(&mut self, obj: &Object) {
        let group = obj.api_version.split('/').next().unwrap_or("");
        let is_rbac = obj.api_version.contains('/') && group == "rbac.authorization.k8s.io";
        match obj.kind.as_str() {
            "Role" | "ClusterRole" if is_rbac => self.add_role(obj),
            "RoleBinding" | "ClusterRoleBinding" if is_rbac => self.add_binding(obj),
            "ServiceAccount" => {
                let ns = obj.namespace.clone().unwrap_or_else(|| "default".into());
                self.namespaces.insert(ns.clone());
                self.service_accounts.push(ServiceAccount {
                    namespace: ns,
                    name: obj.name.clone(),
                    automount: obj
                        .root
                        .get("automountServiceAccountToken")
                        .and_then(Node::as_bool),
                });
            }
            "Namespace" => {
                self.namespaces.insert(obj.name.clone());
            }
            "Secret" => {
                if obj.root.get("type").and_then(Node::as_str)
                    == Some("kubernetes.io/service-account-token")
                    && let Some(sa) = obj
                        .metadata()
                        .and_then(|m| {
                            m.path(&["annotations", "kubernetes.io/service-account.name"])
                        })
                        .and_then(Node::as_str)
                {
                    let ns = obj.namespace.clone().unwrap_or_else(|| "default".into());
                    self.token_secrets.push((ns, sa.to_string()));
                }
            }
            "CustomResourceDefinition" => {
                let spec = obj.root.get("spec");
                let group = spec.and_then(|s| s.get("group")).and_then(Node::as_str);
                let names = spec.and_then(|s| s.get("names"));
                let plural = names.and_then(|n| n.get("plural")).and_then(Node::as_str);
                if let (Some(g), Some(p)) = (group, plural) {
                    let scope = spec.and_then(|s| s.get("scope")).and_then(Node::as_str);
                    let mut aliases: Vec<String> = strings(names.and_then(|n| n.get("shortNames")))
                        .into_iter()
                        .map(|i| i.value)
                        .collect();
                    if let Some(s) = names.and_then(|n| n.get("singular")).and_then(Node::as_str) {
                        aliases.push(s.to_string());
                    }
                    self.crds.add(g, p, scope != Some("Cluster"), &aliases);
                }
            }
            _ => self.add_workload(obj),
        }
    }

    fn add_role(&mut self, obj: &Object) {
        let kind = if obj.kind == "Role" {
            RoleKind::Role
        } else {
            RoleKind::ClusterRole
        };
        if kind == RoleKind::Role && obj.namespace.is_none() {
            self.notes.push(format!(
                "{}:{}: {} has no namespace; taken to be in \"default\"",
                obj.source.name,
                obj.root.start.line,
                obj.display()
            ));
        }
        let rules = parse_rules(obj, obj.root.get("rules"), &mut self.errors);
        let aggregation = if kind == RoleKind::ClusterRole {
            obj.root.get("aggregationRule").map(parse_selectors)
        } else {
            None
        };
        let role = Role {
            kind,
            name: obj.name.clone(),
            namespace: match kind {
                RoleKind::Role => Some(obj.namespace.clone().unwrap_or_else(|| "default".into())),
                RoleKind::ClusterRole => None,
            },
            origin: origin(obj),
            rules,
            labels: labels_of(obj.metadata()),
            aggregation,
            effective: Vec::new(),
            builtin: false,
        };
        self.push_role(role);
    }

    fn add_binding(&mut self, obj: &Object) {
        let kind = if obj.kind == "RoleBinding" {
            BindingKind::RoleBinding
        } else {
            BindingKind::ClusterRoleBinding
        };
        let Some(role_ref) = obj.root.get("roleRef") else {
            self.errors
                .push(err(obj, obj.root.start.line, "roleRef is missing".into()));
            return;
        };
        let role_name = role_ref.get("name").and_then(Node::as_str);
        let role_kind = match role_ref.get("kind").and_then(Node::as_str) {
            Some("Role") => RoleKind::Role,
            Some("ClusterRole") => RoleKind::ClusterRole,
            other => {
                self.errors.push(err(
                    obj,
                    role_ref.start.line,
                    format!(
                        "roleRef.kind must be Role or ClusterRole, not {}",
                        other.unwrap_or("empty")
                    ),
                ));
                return;
            }
        };
        let Some(role_name) = role_name else {
            self.errors.push(err(
                obj,
                role_ref.start.line,
                "roleRef.name is missing".into(),
            ));
            return;
        };
        let mut subjects = Vec::new();
        if let Some(list) = obj.root.get("subjects") {
            if !list.is_seq() {
                self.errors
                    .push(err(obj, list.start.line, "subjects must be a list".into()));
            }
            for (i, s) in list.items().iter().enumerate() {
                let k = s.get("kind").and_then(Node::as_str);
                let name = s.get("name").and_then(Node::as_str);
                let kind = match k {
                    Some("User") => SubjectKind::User,
                    Some("Group") => SubjectKind::Group,
                    Some("ServiceAccount") => SubjectKind::ServiceAccount,
                    _ => {
                        self.errors.push(err(
                            obj,
                            s.start.line,
                            format!(
                                "subjects[{i}].kind must be User, Group or ServiceAccount, not {}",
                                k.unwrap_or("empty")
                            ),
                        ));
                        continue;
                    }
                };
                let Some(name) = name else {
                    self.errors.push(err(
                        obj,
                        s.start.line,
                        format!("subjects[{i}].name is missing"),
                    ));
                    continue;
                };
                subjects.push(Subject {
                    kind,
                    name: name.to_string(),
                    namespace: s
                        .get("namespace")
                        .and_then(Node::as_str)
                        .map(str::to_string),
                    pos: s.start,
                });
            }
        }
        let labels = labels_of(obj.metadata());
        let b = Binding {
            kind,
            name: obj.name.clone(),
            namespace: match kind {
                BindingKind::RoleBinding => {
                    Some(obj.namespace.clone().unwrap_or_else(|| "default".into()))
                }
                BindingKind::ClusterRoleBinding => None,
            },
            origin: origin(obj),
            subjects,
            role_kind,
            role_name: role_name.to_string(),
            role_ref_pos: role_ref
                .entry("name")
                .map_or(role_ref.start, |e| e.key.start),
            bootstrap: labels
                .iter()
                .any(|(k, v)| k == "kubernetes.io/bootstrapping" && v == "rbac-defaults"),
        };
        self.push_binding(b);
    }

    fn add_workload(&mut self, obj: &Object) {
        let Some(pod) = bulkhead_kube::pod::pod_template(obj) else {
            return;
        };
        let ns = obj.namespace.clone().unwrap_or_else(|| "default".into());
        let (sa, path, pos) = match pod
            .spec
            .entry("serviceAccountName")
            .or_else(|| pod.spec.entry("serviceAccount"))
        {
            Some(e) if e.value.as_str().is_some_and(|s| !s.is_empty()) => (
                e.value.as_str().unwrap_or("default").to_string(),
                pod.spec_path
                    .key(e.key.as_str().unwrap_or("serviceAccountName").to_string()),
                e.key.start,
            ),
            _ => ("default".to_string(), pod.spec_path.clone(), pod.spec.start),
        };
        self.namespaces.insert(ns.clone());
        self.workloads.push(Workload {
            kind: obj.kind.clone(),
            name: obj.name.clone(),
            namespace: ns,
            origin: origin(obj),
            service_account: sa,
            automount: pod
                .spec
                .get("automountServiceAccountToken")
                .and_then(Node::as_bool),
            sa_path: path,
            sa_pos: pos,
        });
    }

    /// Recomputes aggregated ClusterRoles from their selectors, to a fixpoint
    /// (an aggregated role can itself be selected by another one).
    fn aggregate(&mut self) {
        for (i, r) in self.roles.iter_mut().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            r.effective = (0..r.rules.len())
                .map(|j| (i, u32::try_from(j).unwrap_or(u32::MAX)))
                .collect();
        }
        let aggregated: Vec<usize> = self
            .roles
            .iter()
            .enumerate()
            .filter(|(_, r)| r.kind == RoleKind::ClusterRole && r.aggregation.is_some())
            .map(|(i, _)| i)
            .collect();
        if aggregated.is_empty() {
            return;
        }
        // Only the live definition of each ClusterRole name takes part.
        let live: Vec<usize> = self.cluster_roles.values().map(|&i| i as usize).collect();
        let agg_index: HashMap<usize, usize> = aggregated
            .iter()
            .enumerate()
            .map(|(k, &a)| (a, k))
            .collect();
        // Each aggregated role's members (selectors are fixed): its direct
        // plain members' own rules, and edges to aggregated members.
        let mut direct: Vec<Vec<RuleRef>> = vec![Vec::new(); aggregated.len()];
        let mut edges: Vec<Vec<usize>> = vec![Vec::new(); aggregated.len()];
        for (k, &a) in aggregated.iter().enumerate() {
            let selectors = self.roles[a].aggregation.clone().unwrap_or_default();
            for &c in &live {
                if c == a || !selectors.iter().any(|s| s.matches(&self.roles[c].labels)) {
                    continue;
                }
                match agg_index.get(&c) {
                    Some(&m) => edges[k].push(m),
                    None => direct[k].extend(self.roles[c].effective.iter().copied()),
                }
            }
        }
        // The fixpoint is, for each aggregated role, the rules of every plain
        // role reachable through aggregated members: computed once per
        // strongly connected component (Tarjan, iterative), successors
        // first, so N roles that all select each other cost O(N + E) rather
        // than N rounds of N × N.
        let sccs = tarjan(&edges);
        let mut comp_of = vec![0usize; aggregated.len()];
        for (ci, comp) in sccs.iter().enumerate() {
            for &k in comp {
                comp_of[k] = ci;
            }
        }
        let mut comp_rules: Vec<Vec<RuleRef>> = vec![Vec::new(); sccs.len()];
        // Tarjan yields components successors-first.
        for (ci, comp) in sccs.iter().enumerate() {
            let mut set: std::collections::HashSet<RuleRef> = std::collections::HashSet::new();
            for &k in comp {
                set.extend(direct[k].iter().copied());
                for &m in &edges[k] {
                    if comp_of[m] != ci {
                        set.extend(comp_rules[comp_of[m]].iter().copied());
                    }
                }
            }
            let mut rules: Vec<RuleRef> = set.into_iter().collect();
            rules.sort_by(|x, y| {
                self.roles[x.0 as usize]
                    .name
                    .cmp(&self.roles[y.0 as usize].name)
                    .then(x.0.cmp(&y.0))
                    .then(x.1.cmp(&y.1))
            });
            comp_rules[ci] = rules;
        }
        for (k, &a) in aggregated.iter().enumerate() {
            self.roles[a].effective = comp_rules[comp_of[k]].clone();
        }
    }

    /// The role a binding refers to, as the authorizer resolves it.
    pub fn resolve(&self, b: &Binding) -> Option<u32> {
        match (b.kind, b.role_kind) {
            (_, RoleKind::ClusterRole) => self.cluster_roles.get(&b.role_name).copied(),
            (BindingKind::RoleBinding, RoleKind::Role) => self
                .ns_roles
                .get(&(b.namespace.clone().unwrap_or_default(), b.role_name.clone()))
                .copied(),
            (BindingKind::ClusterRoleBinding, RoleKind::Role) => None,
        }
    }

    pub fn rule(&self, r: RuleRef) -> Option<&PolicyRule> {
        self.roles.get(r.0 as usize)?.rules.get(r.1 as usize)
    }

    /// The rules in force for a role.
    pub fn effective_rules(&self, role: u32) -> impl Iterator<Item = (RuleRef, &PolicyRule)> {
        self.roles
            .get(role as usize)
            .map(|r| r.effective.as_slice())
            .unwrap_or(&[])
            .iter()
            .filter_map(|rr| self.rule(*rr).map(|p| (*rr, p)))
    }

    /// Service accounts known in a namespace: declared, bound, or used by a
    /// workload (`default` always exists).
    pub fn service_accounts_in(&self, ns: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        out.insert("default".to_string());
        for sa in self.service_accounts.iter().filter(|s| s.namespace == ns) {
            out.insert(sa.name.clone());
        }
        for w in self.workloads.iter().filter(|w| w.namespace == ns) {
            out.insert(w.service_account.clone());
        }
        for b in &self.bindings {
            for s in &b.subjects {
                if let Some(k) = b.subject_key(s)
                    && k.kind == SubjectKind::ServiceAccount
                    && k.namespace == ns
                {
                    out.insert(k.name);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tarjan_components_come_successors_first() {
        // 0 -> 1 <-> 2 -> 3 ; 4 alone
        let edges = vec![vec![1], vec![2], vec![1, 3], vec![], vec![]];
        let mut sccs = super::tarjan(&edges);
        for c in &mut sccs {
            c.sort_unstable();
        }
        let pos = |n: usize| sccs.iter().position(|c| c.contains(&n)).unwrap();
        assert_eq!(sccs.len(), 4);
        assert_eq!(pos(1), pos(2));
        assert!(pos(3) < pos(1) && pos(1) < pos(0));
        // A long chain: no recursion limit.
        let chain: Vec<Vec<usize>> = (0..100_000)
            .map(|i| if i + 1 < 100_000 { vec![i + 1] } else { vec![] })
            .collect();
        assert_eq!(super::tarjan(&chain).len(), 100_000);
    }

    use crate::authz::{Attrs, Authorizer, Principal, Scope};
    use crate::model::ModelOptions;
    use crate::model_from_texts;

    const AGG: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: top}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {tier: top}
rules:
- apiGroups: [""]
  resources: ["nodes"]
  verbs: ["delete"]     # replaced by the controller
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: middle, labels: {tier: top}}
aggregationRule:
  clusterRoleSelectors:
  - matchExpressions: [{key: tier, operator: In, values: [middle]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: leaf, labels: {tier: middle}}
rules:
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: top}
subjects: [{kind: User, name: alice}]
"#;

    #[test]
    fn aggregation_is_recomputed_transitively_and_replaces_own_rules() {
        let m = model_from_texts(&[("agg.yaml", AGG)], ModelOptions::default());
        assert!(m.errors.is_empty(), "{:?}", m.errors);
        let az = Authorizer::new(&m);
        let alice = Principal::user("alice", &[]);
        assert!(
            az.allowed(&alice, &Attrs::resource("get", "", "secrets").in_ns("x"))
                .is_some()
        );
        assert!(
            az.allowed(&alice, &Attrs::resource("delete", "", "nodes"))
                .is_none()
        );
    }

    const SA: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: ci}
rules: [{apiGroups: [""], resources: ["configmaps"], verbs: ["get"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects: [{kind: ServiceAccount, name: builder}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pv}
rules: [{apiGroups: [""], resources: ["persistentvolumes"], verbs: ["list"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pv}
subjects: [{kind: ServiceAccount, name: nons}, {kind: Group, name: "system:serviceaccounts:ci"}]
"#;

    #[test]
    fn service_account_namespace_defaulting_and_implicit_groups() {
        let m = model_from_texts(&[("sa.yaml", SA)], ModelOptions::default());
        let az = Authorizer::new(&m);
        let get_cm = |ns: &str| Attrs::resource("get", "", "configmaps").in_ns(ns);
        // A RoleBinding's ServiceAccount without namespace is in the binding's namespace.
        assert!(
            az.allowed(&Principal::service_account("ci", "builder"), &get_cm("ci"))
                .is_some()
        );
        assert!(
            az.allowed(
                &Principal::service_account("other", "builder"),
                &get_cm("ci")
            )
            .is_none()
        );
        // Not outside the RoleBinding's namespace.
        assert!(
            az.allowed(
                &Principal::service_account("ci", "builder"),
                &get_cm("prod")
            )
            .is_none()
        );
        // In a ClusterRoleBinding it matches nobody; the group system:serviceaccounts:ci does.
        let list_pv = Attrs::resource("list", "", "persistentvolumes");
        assert!(
            az.allowed(&Principal::service_account("", "nons"), &list_pv)
                .is_none()
        );
        assert!(
            az.allowed(&Principal::service_account("ci", "anyone"), &list_pv)
                .is_some()
        );
        assert!(
            az.allowed(&Principal::service_account("prod", "anyone"), &list_pv)
                .is_none()
        );
        // who-can lists the group, with its scope.
        let w = az.who_can(&list_pv, None, false);
        assert_eq!(w.rows.len(), 1);
        assert_eq!(w.rows[0].scope, Scope::Cluster);
    }

    #[test]
    fn role_bindings_never_grant_cluster_scoped_resources_or_urls() {
        let text = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: c}
rules:
- {apiGroups: [""], resources: ["nodes", "pods"], verbs: ["get"]}
- {nonResourceURLs: ["/metrics"], verbs: ["get"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: c}
subjects: [{kind: User, name: bob}]
"#;
        let m = model_from_texts(&[("c.yaml", text)], ModelOptions::default());
        let az = Authorizer::new(&m);
        let bob = Principal::user("bob", &[]);
        assert!(
            az.allowed(&bob, &Attrs::resource("get", "", "pods").in_ns("app"))
                .is_some()
        );
        assert!(
            az.allowed(&bob, &Attrs::resource("get", "", "nodes"))
                .is_none()
        );
        assert!(
            az.allowed(&bob, &Attrs::non_resource("get", "/metrics"))
                .is_none()
        );
        let w = az.who_can(&Attrs::resource("get", "", "nodes"), None, false);
        assert!(w.rows.is_empty());
        assert_eq!(w.ineffective.len(), 1);
    }

    #[test]
    fn bootstrap_bindings_and_builtin_roles() {
        let crb = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-edit, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: Group, name: dev}]
"#;
        let m = model_from_texts(
            &[("b.yaml", crb)],
            ModelOptions {
                bootstrap_bindings: true,
                builtin_roles: true,
            },
        );
        let az = Authorizer::new(&m);
        let masters = Principal::user("root", &["system:masters".into()]);
        assert!(
            az.allowed(&masters, &Attrs::resource("delete", "", "nodes"))
                .is_some()
        );
        assert!(
            az.allowed(&masters, &Attrs::non_resource("get", "/anything"))
                .is_some()
        );
        let dev = Principal::user("d", &["dev".into()]);
        let exec = Attrs::resource("create", "", "pods")
            .subresource("exec")
            .in_ns("app");
        assert!(az.allowed(&dev, &exec).is_some());
        assert!(
            az.allowed(
                &dev,
                &Attrs::resource("create", "rbac.authorization.k8s.io", "rolebindings")
                    .in_ns("app")
            )
            .is_none()
        );
        let anon = Principal::user("system:anonymous", &[]);
        assert!(
            az.allowed(&anon, &Attrs::non_resource("get", "/healthz"))
                .is_some()
        );
        assert!(
            az.allowed(&anon, &Attrs::non_resource("get", "/api"))
                .is_none()
        );
        // Without built-in roles the reference resolves to nothing, with a note.
        let m = model_from_texts(&[("b.yaml", crb)], ModelOptions::default());
        assert!(
            m.notes
                .iter()
                .any(|n| n.contains("ClusterRole edit is not in the input")),
            "{:?}",
            m.notes
        );
    }

    #[test]
    fn malformed_rbac_objects_are_one_line_errors() {
        let text = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: c}
rules: {verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: app}
subjects: [{kind: Robot, name: r2}]
"#;
        let m = model_from_texts(&[("bad.yaml", text)], ModelOptions::default());
        let msgs: Vec<String> = m.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(
            msgs[0].starts_with("bad.yaml:5: ClusterRole/c: rules must be a list"),
            "{msgs:?}"
        );
        assert!(
            msgs[1].starts_with("bad.yaml:7: RoleBinding/app/rb: roleRef is missing"),
            "{msgs:?}"
        );
    }
}
