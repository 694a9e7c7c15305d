//! Model in, findings out. Pure: no I/O.
//!
//! 1. Every rule in force of every role is matched once against every
//!    dangerous right (rules × rights, never × resources).
//! 2. Every binding hands its role's rights to its subjects, at the
//!    binding's scope; through a RoleBinding only namespaced rights count.
//! 3. Rules turn those holdings into findings with the role rule's location,
//!    and follow chains (create a pod → run as a service account → its rights).

use crate::authz::Scope;
use crate::model::{
    Binding, BindingKind, Model, Origin, PolicyRule, Role, RuleRef, Subject, SubjectKey,
    SubjectKind,
};
use crate::rights::{self, Right, RuleMatch};
use crate::rules;
use bulkhead_core::suppress::{ANNOTATION, Directive};
use bulkhead_core::yaml::Pos;
use bulkhead_core::{Catalogue, Finding, Location, RuleMeta, Severity, SuppressionKind};
use bulkhead_kube::path::FieldPath;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Also report Kubernetes' own subjects (`system:` users and groups) and
    /// bindings labelled `kubernetes.io/bootstrapping: rbac-defaults`.
    pub include_system: bool,
}

/// A dangerous right granted by one rule of a role.
#[derive(Debug, Clone)]
pub struct RoleRight {
    /// Index in [`rules::RIGHTS`].
    pub right: usize,
    pub rule: RuleRef,
    pub m: RuleMatch,
}

/// A right held by a subject through one binding.
#[derive(Debug, Clone)]
pub struct Holding {
    pub right: usize,
    pub scope: Scope,
    pub binding: u32,
    pub role: u32,
    /// Index in `role_rights[role]`.
    pub rr: u32,
    /// Index of the subject in the binding.
    pub subject: u32,
}

pub struct Analysis<'m> {
    pub model: &'m Model,
    pub opts: Options,
    /// Per role: the dangerous rights its rules grant.
    pub role_rights: Vec<Vec<RoleRight>>,
    /// Per subject: the rights it holds, in binding order.
    pub holdings: HashMap<SubjectKey, Vec<Holding>>,
    pub(crate) catalogue: Catalogue,
}

/// Is this rule `*` verbs on `*` resources in every API group (it stands for
/// every specific right)?
pub fn is_full_wildcard(r: &PolicyRule) -> bool {
    r.resource_names.is_empty()
        && r.verbs.iter().any(|v| v.value == "*")
        && r.resources.iter().any(|v| v.value == "*")
        && r.api_groups.iter().any(|v| v.value == "*")
}

/// Severity at a scope: one level up cluster-wide or in kube-system, one
/// down when limited to named objects.
pub fn scoped(base: Severity, scope: &Scope, limited: bool) -> Severity {
    let i = Severity::ALL.iter().position(|s| *s == base).unwrap_or(0);
    let wide = matches!(scope, Scope::Cluster)
        || matches!(scope, Scope::Namespace(n) if n == "kube-system");
    let j = if limited {
        i.saturating_sub(1)
    } else if wide {
        (i + 1).min(Severity::ALL.len() - 1)
    } else {
        i
    };
    Severity::ALL[j]
}

impl<'m> Analysis<'m> {
    pub fn new(model: &'m Model, opts: Options) -> Self {
        let mut role_rights = Vec::with_capacity(model.roles.len());
        for (ri, _) in model.roles.iter().enumerate() {
            let mut v = Vec::new();
            for (rr, rule) in model.effective_rules(u32::try_from(ri).unwrap_or(u32::MAX)) {
                for (k, right) in rules::RIGHTS.iter().enumerate() {
                    if let Some(m) = rights::matches(right, rule) {
                        v.push(RoleRight {
                            right: k,
                            rule: rr,
                            m,
                        });
                    }
                }
            }
            role_rights.push(v);
        }
        let mut holdings: HashMap<SubjectKey, Vec<Holding>> = HashMap::new();
        for (bi, b) in model.bindings.iter().enumerate() {
            let Some(role) = model.resolve(b) else {
                continue;
            };
            let Some(rights) = role_rights.get(role as usize) else {
                continue;
            };
            let scope = match b.kind {
                BindingKind::ClusterRoleBinding => Scope::Cluster,
                BindingKind::RoleBinding => {
                    Scope::Namespace(b.namespace.clone().unwrap_or_default())
                }
            };
            for (k, rr) in rights.iter().enumerate() {
                if b.kind == BindingKind::RoleBinding && !rr.m.namespaced {
                    continue;
                }
                for (si, s) in b.subjects.iter().enumerate() {
                    let Some(key) = b.subject_key(s) else {
                        continue;
                    };
                    holdings.entry(key).or_default().push(Holding {
                        right: rr.right,
                        scope: scope.clone(),
                        binding: u32::try_from(bi).unwrap_or(u32::MAX),
                        role,
                        rr: u32::try_from(k).unwrap_or(u32::MAX),
                        subject: u32::try_from(si).unwrap_or(u32::MAX),
                    });
                }
            }
        }
        let mut catalogue = Catalogue::new();
        catalogue.extend(&rules::rules());
        Analysis {
            model,
            opts,
            role_rights,
            holdings,
            catalogue,
        }
    }

    pub fn role_right(&self, h: &Holding) -> Option<&RoleRight> {
        self.role_rights.get(h.role as usize)?.get(h.rr as usize)
    }

    pub fn binding(&self, i: u32) -> Option<&'m Binding> {
        self.model.bindings.get(i as usize)
    }

    pub fn role(&self, i: u32) -> Option<&'m Role> {
        self.model.roles.get(i as usize)
    }

    /// Should findings about this binding/subject be reported?
    pub fn reportable(&self, b: &Binding, key: &SubjectKey) -> bool {
        self.opts.include_system || (!b.bootstrap && !key.is_system())
    }

    /// Holdings of a service account, including those of its implicit groups.
    pub fn holdings_of_sa(&self, ns: &str, name: &str) -> Vec<&Holding> {
        let keys = [
            SubjectKey {
                kind: SubjectKind::ServiceAccount,
                name: name.to_string(),
                namespace: ns.to_string(),
            },
            SubjectKey {
                kind: SubjectKind::User,
                name: format!("system:serviceaccount:{ns}:{name}"),
                namespace: String::new(),
            },
            group_key("system:serviceaccounts"),
            group_key(&format!("system:serviceaccounts:{ns}")),
            group_key("system:authenticated"),
        ];
        keys.iter()
            .filter_map(|k| self.holdings.get(k))
            .flatten()
            .collect()
    }

    /// Holdings of any subject, with the implicit groups of users and
    /// service accounts.
    pub fn holdings_of(&self, key: &SubjectKey) -> Vec<&Holding> {
        match key.kind {
            SubjectKind::ServiceAccount => self.holdings_of_sa(&key.namespace, &key.name),
            SubjectKind::User => {
                let mut v: Vec<&Holding> = self.holdings.get(key).into_iter().flatten().collect();
                let implicit = if key.name == "system:anonymous" {
                    "system:unauthenticated"
                } else {
                    "system:authenticated"
                };
                v.extend(
                    self.holdings
                        .get(&group_key(implicit))
                        .into_iter()
                        .flatten(),
                );
                v
            }
            SubjectKind::Group => self.holdings.get(key).into_iter().flatten().collect(),
        }
    }

    /// "ClusterRoleBinding/x → ClusterRole/y rules[2]" (with "aggregated
    /// from" when the rule comes from another ClusterRole).
    pub fn via(&self, h: &Holding) -> String {
        let b = self
            .binding(h.binding)
            .map(Binding::display)
            .unwrap_or_default();
        let role = self.role(h.role).map(Role::display).unwrap_or_default();
        let Some(rr) = self.role_right(h) else {
            return format!("{b} → {role}");
        };
        if rr.rule.0 == h.role {
            format!("{b} → {role} rules[{}]", rr.rule.1)
        } else {
            let from = self.role(rr.rule.0).map(Role::display).unwrap_or_default();
            format!("{b} → {role} (aggregated from {from} rules[{}])", rr.rule.1)
        }
    }

    /// The location of a role rule's matching entry, or of the binding's
    /// subject when the role is built in.
    pub fn holding_location(&self, h: &Holding) -> (Location, Vec<(&'m Origin, u32)>) {
        let b = self.binding(h.binding);
        let rr = self.role_right(h);
        if let Some(rr) = rr
            && let Some(role) = self.role(rr.rule.0)
            && role.origin.source.is_some()
            && let Some(rule) = role.rules.get(rr.rule.1 as usize)
        {
            let (pos, path) = match rule.resources.get(rr.m.resource) {
                Some(item) => (
                    item.pos,
                    role.origin
                        .base
                        .key("rules")
                        .index(rr.rule.1 as usize)
                        .key("resources")
                        .index(rr.m.resource),
                ),
                None => (
                    rule.pos,
                    role.origin.base.key("rules").index(rr.rule.1 as usize),
                ),
            };
            let mut origins = vec![(&role.origin, pos.line)];
            if let Some(b) = b {
                let line = b
                    .subjects
                    .get(h.subject as usize)
                    .map_or(b.origin.start.line, |s| s.pos.line);
                origins.push((&b.origin, line));
            }
            return (location(&role.origin, pos, &path, role.display()), origins);
        }
        match b {
            Some(b) => {
                let (pos, path) = subject_pos(b, h.subject);
                (
                    location(&b.origin, pos, &path, b.display()),
                    vec![(&b.origin, pos.line)],
                )
            }
            None => (Location::default(), Vec::new()),
        }
    }

    /// Marks a finding suppressed by an annotation on one of the objects, or
    /// an inline comment on the finding's line, the object's first line or
    /// the given lines.
    pub fn suppress(&self, f: &mut Finding, origins: &[(&Origin, u32)]) {
        for (o, _) in origins {
            if let Some(d) = o
                .ignore
                .as_ref()
                .filter(|d| d.covers(&f.rule_id, &self.catalogue))
            {
                f.suppressed = Some(d.to_suppression(
                    SuppressionKind::Annotation,
                    Some(format!(
                        "{}:{} annotation {ANNOTATION}",
                        o.file(),
                        o.start.line
                    )),
                ));
                return;
            }
        }
        for (o, line) in origins {
            let Some(src) = &o.source else { continue };
            for l in [*line, o.start.line] {
                if let Some((at, d)) = src.directives.get(&l)
                    && d.covers(&f.rule_id, &self.catalogue)
                {
                    f.suppressed = Some(d.to_suppression(
                        SuppressionKind::Inline,
                        Some(format!("{}:{at}", src.name)),
                    ));
                    return;
                }
            }
        }
    }

    /// Every enabled rule's findings, in registry order; the rules run in
    /// parallel (the escalation-path search dominates on large dumps).
    pub fn findings(&self, enabled: &(dyn Fn(&RuleMeta) -> bool + Sync)) -> Vec<Finding> {
        use rayon::prelude::*;
        let run = crate::Run {
            analysis: self,
            enabled,
        };
        rules::REGISTRY
            .rules()
            .par_iter()
            .filter(|r| enabled(r.meta()))
            .map(|r| r.check(&run))
            .collect::<Vec<_>>()
            .into_iter()
            .flatten()
            .collect()
    }

    /// One dangerous right's findings (RBAC001–RBAC014): one per (binding,
    /// subject), at the first role rule that grants it. A full wildcard rule
    /// is reported as the wildcard right only; a binding the right's
    /// [`rights::Subsumed`] rule covers is left to that rule while it is
    /// enabled.
    pub fn right_findings(
        &self,
        right: &Right,
        enabled: &dyn Fn(&RuleMeta) -> bool,
    ) -> Vec<Finding> {
        let Some(idx) = rules::RIGHTS.iter().position(|r| std::ptr::eq(*r, right)) else {
            return Vec::new();
        };
        let is_wildcard = matches!(right.check, rights::Check::Wildcard);
        let subsumed = right.subsumed.filter(|s| enabled(s.by));
        let mut out = Vec::new();
        for (bi, b) in self.model.bindings.iter().enumerate() {
            let Some(role) = self.model.resolve(b) else {
                continue;
            };
            let Some(rights) = self.role_rights.get(role as usize) else {
                continue;
            };
            if !rights.iter().any(|rr| rr.right == idx) {
                continue;
            }
            if subsumed.is_some_and(|s| (s.binding)(b)) {
                continue;
            }
            for (si, s) in b.subjects.iter().enumerate() {
                let Some(key) = b.subject_key(s) else {
                    continue;
                };
                if !self.reportable(b, &key) {
                    continue;
                }
                let first = rights.iter().enumerate().find(|(_, rr)| {
                    rr.right == idx
                        // Through a RoleBinding only namespaced rights count.
                        && (b.kind != BindingKind::RoleBinding || rr.m.namespaced)
                        && (is_wildcard || !self.model.rule(rr.rule).is_some_and(is_full_wildcard))
                });
                let Some((k, rr)) = first else {
                    continue;
                };
                let h = Holding {
                    right: rr.right,
                    scope: match b.kind {
                        BindingKind::ClusterRoleBinding => Scope::Cluster,
                        BindingKind::RoleBinding => {
                            Scope::Namespace(b.namespace.clone().unwrap_or_default())
                        }
                    },
                    binding: u32::try_from(bi).unwrap_or(u32::MAX),
                    role,
                    rr: u32::try_from(k).unwrap_or(u32::MAX),
                    subject: u32::try_from(si).unwrap_or(u32::MAX),
                };
                out.push(self.right_finding(right, &h, &key, rr));
            }
        }
        out
    }

    fn right_finding(
        &self,
        right: &Right,
        h: &Holding,
        key: &SubjectKey,
        rr: &RoleRight,
    ) -> Finding {
        let (loc, origins) = self.holding_location(h);
        let limited = !rr.m.names.is_empty();
        let names = if limited {
            format!(" (only {})", rr.m.names.join(", "))
        } else {
            String::new()
        };
        let message = format!(
            "{} can {}{names} {} ({} {}) via {}: {}",
            key.display(),
            right.phrase,
            h.scope,
            rr.m.verbs.join("/"),
            rr.m.resources.join(", "),
            self.via(h),
            right.escalation
        );
        let mut f = Finding::new(right.rule, loc, message)
            .with_evidence("subject", key.display())
            .with_evidence("scope", h.scope.to_string())
            .with_evidence("via", self.via(h))
            .with_evidence("verbs", rr.m.verbs.join(","))
            .with_evidence("resources", rr.m.resources.join(","))
            .with_evidence("escalation", right.escalation);
        if let Some(b) = self.binding(h.binding) {
            let (pos, path) = subject_pos(b, h.subject);
            f = f.with_evidence(
                "binding",
                format!(
                    "{} {} ({}:{})",
                    b.display(),
                    path.render(),
                    b.origin.file(),
                    pos.line
                ),
            );
        }
        if limited {
            f = f.with_evidence("resource_names", rr.m.names.join(","));
        }
        f.severity = scoped(right.rule.severity, &h.scope, limited);
        self.suppress(&mut f, &origins);
        f
    }
}

pub(crate) fn group_key(name: &str) -> SubjectKey {
    SubjectKey {
        kind: SubjectKind::Group,
        name: name.to_string(),
        namespace: String::new(),
    }
}

/// Position and path of a binding's subject (or of its roleRef).
pub fn subject_pos(b: &Binding, subject: u32) -> (Pos, FieldPath) {
    match b.subjects.get(subject as usize) {
        Some(s) => (s.pos, b.origin.base.key("subjects").index(subject as usize)),
        None => (b.role_ref_pos, b.origin.base.keys(&["roleRef", "name"])),
    }
}

pub fn location(origin: &Origin, pos: Pos, path: &FieldPath, object: String) -> Location {
    let file = origin.file().to_string();
    if origin.source.is_none() {
        return Location {
            file,
            object: Some(object),
            field: Some(path.render()),
            ..Default::default()
        };
    }
    Location {
        file,
        line: Some(pos.line),
        column: Some(pos.col),
        document: Some(origin.doc),
        object: Some(object),
        field: Some(path.render()),
        layer: None,
        snippet: origin
            .source
            .as_ref()
            .and_then(|s| s.line(pos.line))
            .map(|l| bulkhead_core::finding::snippet(l, Some(pos.col))),
    }
}

/// Directive parsing is shared with the Kubernetes analyzer.
pub fn parse_directive(s: &str) -> Option<Directive> {
    Directive::parse(s)
}

/// A subject as written in a binding, for messages.
pub fn subject_display(b: &Binding, s: &Subject) -> String {
    b.subject_key(s)
        .map(|k| k.display())
        .unwrap_or_else(|| format!("{} {} (no namespace)", s.kind.as_str(), s.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelOptions;
    use crate::model_from_texts;

    const CHAIN: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: ci}
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-deploy, namespace: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects: [{kind: User, name: jane}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules:
- apiGroups: [""]
  resources: ["secrets"]   # bulkhead:ignore RBAC001 the backup tool
  verbs: ["list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: builder-secrets}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects: [{kind: ServiceAccount, name: builder, namespace: ci}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: build, namespace: ci}
spec:
  template:
    spec:
      serviceAccountName: builder
      containers: [{name: c, image: x}]
---
apiVersion: v1
kind: Pod
metadata: {name: quiet, namespace: ci}
spec:
  serviceAccountName: builder
  automountServiceAccountToken: false
  containers: [{name: c, image: x}]
"#;

    fn run(text: &str) -> Vec<Finding> {
        let m = model_from_texts(&[("t.yaml", text)], ModelOptions::default());
        assert!(m.errors.is_empty(), "{:?}", m.errors);
        let a = Analysis::new(&m, Options::default());
        a.findings(&|_| true)
    }

    #[test]
    fn escalation_chain_through_a_service_account() {
        let f = run(CHAIN);
        let chain: Vec<&Finding> = f.iter().filter(|f| f.rule_id == "RBAC017").collect();
        assert_eq!(chain.len(), 1, "{f:#?}");
        let c = chain[0];
        assert!(
            c.message
                .starts_with("User jane can create pods or workloads in namespace ci"),
            "{}",
            c.message
        );
        assert!(
            c.message.contains("act as ServiceAccount ci/builder"),
            "{}",
            c.message
        );
        assert!(
            c.message.contains("read secrets cluster-wide"),
            "{}",
            c.message
        );
        assert_eq!(
            c.evidence.get("gained").map(String::as_str),
            Some("RBAC001")
        );
        assert_eq!(c.severity, Severity::Critical);
        // Located at jane's grant: the deployer role's `pods` entry.
        assert_eq!(c.location.line, Some(7));
        assert_eq!(c.location.field.as_deref(), Some("rules[0].resources[0]"));
        assert_eq!(c.location.object.as_deref(), Some("Role/ci/deployer"));
    }

    #[test]
    fn severity_scope_locations_and_inline_suppression() {
        let f = run(CHAIN);
        let create = f
            .iter()
            .find(|f| f.rule_id == "RBAC002")
            .expect("jane creates pods");
        assert_eq!(create.severity, Severity::High, "namespaced: base severity");
        let read = f
            .iter()
            .find(|f| f.rule_id == "RBAC001")
            .expect("builder reads secrets");
        assert_eq!(read.severity, Severity::Critical, "cluster-wide: raised");
        assert_eq!(read.location.line, Some(21));
        assert!(
            read.is_suppressed(),
            "inline comment on the resources line covers the rule"
        );
        assert!(
            read.evidence
                .get("binding")
                .is_some_and(|b| b.contains("subjects[0]"))
        );
    }

    #[test]
    fn workload_mounting_a_dangerous_token() {
        let f = run(CHAIN);
        let w: Vec<&Finding> = f.iter().filter(|f| f.rule_id == "RBAC018").collect();
        assert_eq!(w.len(), 1, "the pod with automount off is not reported");
        assert_eq!(w[0].location.object.as_deref(), Some("Deployment/ci/build"));
        assert_eq!(
            w[0].location.field.as_deref(),
            Some("spec.template.spec.serviceAccountName")
        );
        assert_eq!(
            w[0].evidence.get("rights").map(String::as_str),
            Some("RBAC001")
        );
    }

    #[test]
    fn full_wildcard_subsumes_specific_rights_and_cluster_admin_is_reported_once() {
        let text = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: ops}, {kind: Group, name: "system:masters"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: everything}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: team, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
subjects: [{kind: User, name: lead}]
"#;
        let f = run(text);
        let ids: Vec<(&str, &str)> = f
            .iter()
            .map(|f| {
                (
                    f.rule_id.as_str(),
                    f.evidence.get("subject").map_or("", String::as_str),
                )
            })
            .collect();
        assert_eq!(
            ids,
            vec![("RBAC014", "User lead"), ("RBAC015", "Group ops")],
            "{f:#?}"
        );
        let ca = &f[1];
        assert_eq!(ca.location.field.as_deref(), Some("subjects[0]"));
        assert_eq!(ca.location.line, Some(6));
    }

    #[test]
    fn anonymous_and_ineffective_grants() {
        let text = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: odd}
rules:
- {apiGroups: [""], resources: ["pods/*", "nodes/proxy", "secrets"], verbs: ["get", "create"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: odd, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: odd}
subjects: [{kind: Group, name: "system:unauthenticated"}]
"#;
        let f = run(text);
        let by = |id: &str| f.iter().filter(|x| x.rule_id == id).collect::<Vec<_>>();
        let anon = by("RBAC016");
        assert_eq!(anon.len(), 1);
        assert_eq!(
            anon[0].severity,
            Severity::Critical,
            "the role reads secrets"
        );
        // The broad group is reported for what it really gets: secrets in `app`, not nodes/proxy.
        assert_eq!(by("RBAC001").len(), 1);
        assert!(by("RBAC005").is_empty());
        assert!(by("RBAC003").is_empty(), "pods/* is not pods/exec");
        let dead = by("RBAC019");
        assert_eq!(dead.len(), 2, "{dead:#?}");
        assert!(dead.iter().any(|d| d.message.contains("`pods/*`")));
        assert!(dead.iter().any(|d| d.message.contains("nodes/proxy") && d.message.contains("use nodes/proxy")));
    }

    #[test]
    fn scoped_severity() {
        let ns = Scope::Namespace("app".into());
        assert_eq!(scoped(Severity::High, &ns, false), Severity::High);
        assert_eq!(
            scoped(Severity::High, &Scope::Cluster, false),
            Severity::Critical
        );
        assert_eq!(
            scoped(
                Severity::High,
                &Scope::Namespace("kube-system".into()),
                false
            ),
            Severity::Critical
        );
        assert_eq!(
            scoped(Severity::Critical, &Scope::Cluster, false),
            Severity::Critical
        );
        assert_eq!(
            scoped(Severity::High, &Scope::Cluster, true),
            Severity::Medium
        );
    }
}
