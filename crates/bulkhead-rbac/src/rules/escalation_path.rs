//! RBAC017: privilege escalation through a service account.
//!
//! A subject that can create pods (or mint tokens, impersonate, or exec into
//! running pods) in a namespace can act as that namespace's service
//! accounts; if one of them holds a dangerous right the subject lacks, the
//! subject effectively holds it. Chains are followed one hop further (the
//! service account can itself create pods elsewhere). One finding per
//! (subject, gained right), with the shortest chain.

use super::GOOD_PRACTICES;
use crate::analyze::{Analysis, Holding, scoped};
use crate::authz::Scope;
use crate::model::{SubjectKey, SubjectKind};
use crate::rules::{RIGHTS, exec_pods};
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub static RULE: RuleMeta = RuleMeta {
    id: "RBAC017",
    slug: "escalation-via-service-account",
    title: "Subject gains a service account's rights by running as it",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["rbac", "privilege-escalation"],
    default_enabled: true,
    what: "A subject can create pods or workloads, mint service-account tokens, impersonate service accounts, or exec into running pods in a namespace, and a service account of that namespace holds a dangerous right (RBAC001–RBAC014) at a scope the subject does not have. The finding shows the chain: the subject's right, the service account, and the binding that gives the service account its right.",
    why: "RBAC does not stop `kubectl run x --image=alpine --overrides='{\"spec\":{\"serviceAccountName\":\"deployer\"}}'`: the pod gets the deployer's token, and the subject now reads every secret or creates cluster-wide bindings through it. A namespace's weakest pod-creator is as strong as its strongest service account.",
    fix: "Keep privileged service accounts in namespaces where only administrators can create pods; remove the subject's pod-creation (or token/impersonation/exec) right there; or narrow the service account's rights.",
    example: include_str!("../../fixtures/RBAC017/fail.yaml"),
    example_fixed: include_str!("../../fixtures/RBAC017/pass.yaml"),
    equivalents: &[
        eq("rbac-police", "assign_sa"),
        eq("rbac-police", "rce_weak_ns"),
    ],
    references: &[
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation",
        GOOD_PRACTICES,
    ],
};

#[derive(Clone, Copy)]
struct Target<'a> {
    ns: &'a str,
    sa: &'a str,
    h: &'a Holding,
}

#[derive(Default)]
struct Cov {
    cluster: bool,
    nss: BTreeSet<String>,
}

impl Cov {
    fn covers(&self, s: &Scope) -> bool {
        self.cluster
            || match s {
                Scope::Cluster => false,
                Scope::Namespace(n) => self.nss.contains(n),
            }
    }
}

fn better(new: &Scope, old: &Scope) -> bool {
    matches!(new, Scope::Cluster) && !matches!(old, Scope::Cluster)
}

struct Ctx<'a, 'm> {
    a: &'a Analysis<'m>,
    sas: BTreeMap<&'a str, BTreeSet<&'a str>>,
    workload_sas: BTreeMap<&'a str, BTreeSet<&'a str>>,
    sa_holdings: HashMap<(&'a str, &'a str), Vec<&'a Holding>>,
    best: HashMap<(&'a str, bool), Vec<Option<Target<'a>>>>,
    global: HashMap<bool, Vec<Option<Target<'a>>>>,
    second: HashMap<(&'a str, bool), Vec<Option<Hop<'a>>>>,
}

/// (service account reached first, its entry right, final holder)
type Hop<'a> = (Target<'a>, &'a Holding, Target<'a>);

impl<'a, 'm> Ctx<'a, 'm> {
    fn holdings(&mut self, ns: &'a str, sa: &'a str) -> &Vec<&'a Holding> {
        let a = self.a;
        self.sa_holdings.entry((ns, sa)).or_insert_with(|| {
            a.holdings_of_sa(ns, sa)
                .into_iter()
                .filter(|h| a.role_right(h).is_some_and(|rr| rr.m.names.is_empty()))
                .collect()
        })
    }

    /// The strongest holder of each right among the namespace's service
    /// accounts (or those that run a workload, for exec).
    fn best(&mut self, ns: &'a str, workloads_only: bool) -> Vec<Option<Target<'a>>> {
        if let Some(v) = self.best.get(&(ns, workloads_only)) {
            return v.clone();
        }
        let names: Vec<&'a str> = if workloads_only {
            self.workload_sas
                .get(ns)
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default()
        } else {
            self.sas
                .get(ns)
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default()
        };
        let mut v: Vec<Option<Target<'a>>> = vec![None; RIGHTS.len()];
        for sa in names {
            let hs = self.holdings(ns, sa).clone();
            for h in hs {
                let slot = &mut v[h.right];
                if slot.is_none_or(|t| better(&h.scope, &t.h.scope)) {
                    *slot = Some(Target { ns, sa, h });
                }
            }
        }
        self.best.insert((ns, workloads_only), v.clone());
        v
    }

    /// The strongest holder of each right in any namespace (what a
    /// cluster-wide entry reaches).
    fn global(&mut self, workloads_only: bool) -> Vec<Option<Target<'a>>> {
        if let Some(v) = self.global.get(&workloads_only) {
            return v.clone();
        }
        let mut v: Vec<Option<Target<'a>>> = vec![None; RIGHTS.len()];
        let nss: Vec<&'a str> = self.sas.keys().copied().collect();
        for ns in nss {
            for (slot, t) in v.iter_mut().zip(self.best(ns, workloads_only)) {
                if let Some(t) = t
                    && slot.is_none_or(|o| better(&t.h.scope, &o.h.scope))
                {
                    *slot = Some(t);
                }
            }
        }
        self.global.insert(workloads_only, v.clone());
        v
    }

    /// Rights reachable in two hops from the namespace's service accounts
    /// (those running a workload, for exec): memoized per namespace.
    fn reach2(&mut self, ns: &'a str, workloads_only: bool) -> Vec<Option<Hop<'a>>> {
        if let Some(v) = self.second.get(&(ns, workloads_only)) {
            return v.clone();
        }
        let names: Vec<&'a str> = if workloads_only {
            self.workload_sas
                .get(ns)
                .map(|x| x.iter().copied().collect())
                .unwrap_or_default()
        } else {
            self.sas
                .get(ns)
                .map(|x| x.iter().copied().collect())
                .unwrap_or_default()
        };
        let mut v: Vec<Option<Hop<'a>>> = vec![None; RIGHTS.len()];
        for sa in names {
            let a = self.a;
            let bridges: Vec<&'a Holding> = self
                .holdings(ns, sa)
                .iter()
                .copied()
                .filter(|h| is_entry(a, h))
                .collect();
            for be in bridges {
                let exec = std::ptr::eq(RIGHTS[be.right], &exec_pods::RIGHT);
                let found = match &be.scope {
                    Scope::Cluster => self.global(exec),
                    Scope::Namespace(m) => match self.sas.get_key_value(m.as_str()) {
                        Some((m, _)) => self.best(m, exec),
                        None => continue,
                    },
                };
                for (slot, t) in v.iter_mut().zip(found) {
                    if let Some(t) = t
                        && !(t.ns == ns && t.sa == sa)
                        && slot.is_none_or(|(_, _, o)| better(&t.h.scope, &o.h.scope))
                    {
                        *slot = Some((Target { ns, sa, h: be }, be, t));
                    }
                }
            }
        }
        self.second.insert((ns, workloads_only), v.clone());
        v
    }

    /// Namespaces an entry right reaches.
    fn namespaces(&self, h: &Holding) -> Vec<&'a str> {
        match &h.scope {
            Scope::Cluster => self.sas.keys().copied().collect(),
            Scope::Namespace(n) => self
                .sas
                .get_key_value(n.as_str())
                .map(|(k, _)| *k)
                .into_iter()
                .collect(),
        }
    }
}

fn is_entry(a: &Analysis<'_>, h: &Holding) -> bool {
    RIGHTS[h.right].become_sa && a.role_right(h).is_some_and(|rr| rr.m.names.is_empty())
}

pub static CHECK: bulkhead_core::FnRule<crate::Rbac> = bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(a: &Analysis<'_>) -> Vec<Finding> {
    let m = a.model;
    let mut sas: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for ns in &m.namespaces {
        sas.entry(ns.as_str()).or_default().insert("default");
    }
    for s in &m.service_accounts {
        sas.entry(s.namespace.as_str())
            .or_default()
            .insert(s.name.as_str());
    }
    let mut workload_sas: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for w in &m.workloads {
        sas.entry(w.namespace.as_str())
            .or_default()
            .insert(w.service_account.as_str());
        if w.automount != Some(false) {
            workload_sas
                .entry(w.namespace.as_str())
                .or_default()
                .insert(w.service_account.as_str());
        }
    }
    for (k, _) in a
        .holdings
        .iter()
        .filter(|(k, _)| k.kind == SubjectKind::ServiceAccount)
    {
        sas.entry(k.namespace.as_str())
            .or_default()
            .insert(k.name.as_str());
    }
    let mut cx = Ctx {
        a,
        sas,
        workload_sas,
        sa_holdings: HashMap::new(),
        best: HashMap::new(),
        global: HashMap::new(),
        second: HashMap::new(),
    };
    let exec = RIGHTS
        .iter()
        .position(|r| std::ptr::eq(*r, &exec_pods::RIGHT))
        .unwrap_or(usize::MAX);

    let mut subjects: Vec<&SubjectKey> = a.holdings.keys().collect();
    subjects.sort();
    let mut out = Vec::new();
    for s in subjects {
        let own: Vec<&Holding> = a.holdings_of(s);
        let entries: Vec<&Holding> = a
            .holdings
            .get(s)
            .into_iter()
            .flatten()
            .filter(|h| is_entry(a, h))
            .collect();
        let entries: Vec<&Holding> = entries
            .into_iter()
            .filter(|h| a.binding(h.binding).is_some_and(|b| a.reportable(b, s)))
            .collect();
        if entries.is_empty() {
            continue;
        }
        let mut cov: Vec<Cov> = (0..RIGHTS.len()).map(|_| Cov::default()).collect();
        for h in own
            .iter()
            .filter(|h| a.role_right(h).is_some_and(|rr| rr.m.names.is_empty()))
        {
            match &h.scope {
                Scope::Cluster => cov[h.right].cluster = true,
                Scope::Namespace(n) => {
                    cov[h.right].nss.insert(n.clone());
                }
            }
        }
        // gained right → (entry, first target, optional second hop)
        type Chain<'a> = (&'a Holding, Target<'a>, Option<(&'a Holding, Target<'a>)>);
        let mut gained: BTreeMap<usize, Chain<'_>> = BTreeMap::new();
        let is_self = |t: &Target<'_>| {
            s.kind == SubjectKind::ServiceAccount && s.namespace == t.ns && s.name == t.sa
        };
        for e in &entries {
            for ns in cx.namespaces(e) {
                let best = cx.best(ns, e.right == exec);
                for t in best.iter().flatten() {
                    if is_self(t) || cov[t.h.right].covers(&t.h.scope) {
                        continue;
                    }
                    let slot = gained.entry(t.h.right).or_insert((e, *t, None));
                    if slot.2.is_some() || better(&t.h.scope, &slot.1.h.scope) {
                        *slot = (e, *t, None);
                    }
                }
            }
        }
        // One hop further: a reached service account that can itself become others.
        for e in &entries {
            for ns in cx.namespaces(e) {
                for (right, hop) in cx.reach2(ns, e.right == exec).iter().enumerate() {
                    let Some((first, be, t)) = hop else { continue };
                    if gained.contains_key(&right)
                        || is_self(first)
                        || is_self(t)
                        || cov[right].covers(&t.h.scope)
                    {
                        continue;
                    }
                    gained.insert(right, (e, *first, Some((*be, *t))));
                }
            }
        }
        for (right, (e, first, second)) in gained {
            let r = RIGHTS[right];
            let entry_r = RIGHTS[e.right];
            let last = second.map_or(first, |(_, t)| t);
            let mut chain = format!(
                "{} can {} {} (via {}), so it can act as ServiceAccount {}/{}",
                s.display(),
                entry_r.phrase,
                e.scope,
                a.via(e),
                first.ns,
                first.sa
            );
            if let Some((be, t2)) = second {
                chain.push_str(&format!(
                    ", which can {} {} (via {}), so act as ServiceAccount {}/{}",
                    RIGHTS[be.right].phrase,
                    be.scope,
                    a.via(be),
                    t2.ns,
                    t2.sa
                ));
            }
            chain.push_str(&format!(
                ", which can {} {} (via {}): {} gains it",
                r.phrase,
                last.h.scope,
                a.via(last.h),
                s.display()
            ));
            let (loc, origins) = a.holding_location(e);
            let mut f = Finding::new(&RULE, loc, chain)
                .with_evidence("subject", s.display())
                .with_evidence("gained", r.rule.id)
                .with_evidence("service_account", format!("{}/{}", last.ns, last.sa))
                .with_evidence("hops", if second.is_some() { "2" } else { "1" });
            f.severity = scoped(r.rule.severity, &last.h.scope, false).max(Severity::High);
            a.suppress(&mut f, &origins);
            out.push(f);
        }
    }
    out
}
