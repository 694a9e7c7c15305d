//! The reachability engine: for a (source, destination) pair of workloads or
//! external IPv4 ranges, the exact set of protocols and ports the
//! NetworkPolicies allow.
//!
//! Semantics (Kubernetes' NetworkPolicy API, and netpol-analyzer's reading
//! of it where the API leaves a choice):
//! - a pod is isolated for a direction when some policy in its namespace
//!   selects it and lists that direction in `policyTypes` (default:
//!   Ingress always, Egress only when the policy has egress rules);
//! - a non-isolated direction allows everything; an isolated one allows
//!   the union of the matching rules of the policies that select the pod;
//! - a connection needs the sender's egress AND the receiver's ingress;
//!   traffic from an external range is limited only by the receiver's
//!   ingress, traffic to one only by the sender's egress;
//! - a rule with no peers matches every pod and IP; a peer with both
//!   selectors matches pods satisfying both; `namespaceSelector` absent
//!   means the policy's namespace; `ipBlock` never matches pods
//!   (see [`Options::ipblock_matches_pods`]);
//! - a rule with no ports matches everything; a port without `port` is the
//!   whole protocol; a named port is resolved on the destination pod's
//!   container ports (same protocol) and matches nothing when absent.

use crate::conn::ConnSet;
use crate::ip::{self, IpSet};
use crate::model::{Labels, Model, PeerSel, Policy, PortRef, PortSpec, Rule, Selector};
use std::collections::{HashMap, HashSet};

/// How hostNetwork pods are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HostNetwork {
    /// Like any pod (netpol-analyzer's behaviour; the default).
    #[default]
    Pod,
    /// As node processes: never selected by policies, never matched by pod or
    /// namespace selectors (only by rules with no peers).
    Node,
}

/// The cases the API leaves undefined, as explicit switches. Every report
/// prints them ([`Options::describe`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub host_network: HostNetwork,
    /// Whether an ipBlock can select cluster pods by their IPs. Default false:
    /// CNIs differ, and pod IPs change; netpol-analyzer assumes false.
    pub ipblock_matches_pods: bool,
}

impl Options {
    pub fn describe(&self) -> Vec<(String, String)> {
        vec![
            (
                "host_network".into(),
                match self.host_network {
                    HostNetwork::Pod => "pod (hostNetwork pods are treated like other pods)".into(),
                    HostNetwork::Node => {
                        "node (hostNetwork pods are outside policy; only peer-less rules match them)"
                            .into()
                    }
                },
            ),
            (
                "ipblock_matches_pods".into(),
                if self.ipblock_matches_pods {
                    "yes".into()
                } else {
                    "no (ipBlock peers match external addresses only)".into()
                },
            ),
            (
                "node_traffic".into(),
                "not modelled (traffic from the pod's own node, e.g. kubelet probes, is allowed by most CNIs whatever the policies)".into(),
            ),
        ]
    }
}

/// One end of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Peer {
    Workload(usize),
    /// An inclusive IPv4 range.
    External(u32, u32),
}

/// Precomputed matches of one rule peer.
#[derive(Debug, Clone)]
enum PeerMatch {
    /// Sorted workload indexes.
    Pods(Vec<usize>),
    Ip(IpSet),
}

#[derive(Debug, Clone)]
struct RuleMatch {
    /// `None`: the rule has no peers (matches everything).
    peers: Option<Vec<PeerMatch>>,
}

pub struct Engine<'m> {
    pub model: &'m Model,
    pub opts: Options,
    /// Per policy: the workloads it selects (regardless of direction).
    pub selected: Vec<Vec<usize>>,
    /// Per workload: the policies isolating it for ingress / egress.
    pub ingress_of: Vec<Vec<usize>>,
    pub egress_of: Vec<Vec<usize>>,
    ingress_rules: Vec<Vec<RuleMatch>>,
    egress_rules: Vec<Vec<RuleMatch>>,
    /// External ranges split at every ipBlock/except boundary of ingress
    /// rules (sources) and egress rules (destinations).
    pub src_atoms: Vec<(u32, u32)>,
    pub dst_atoms: Vec<(u32, u32)>,
}

/// Label → workloads, so selector evaluation costs what it matches.
struct Index {
    by_pair: HashMap<(String, String), Vec<usize>>,
    by_key: HashMap<String, Vec<usize>>,
    by_ns: HashMap<String, Vec<usize>>,
}

impl Index {
    fn new(m: &Model, opts: &Options) -> Index {
        let mut by_pair: HashMap<(String, String), Vec<usize>> = HashMap::new();
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_ns: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, w) in m.workloads.iter().enumerate() {
            if opts.host_network == HostNetwork::Node && w.host_network {
                continue;
            }
            for (k, v) in &w.labels {
                by_pair.entry((k.clone(), v.clone())).or_default().push(i);
                by_key.entry(k.clone()).or_default().push(i);
            }
            by_ns.entry(w.ns.clone()).or_default().push(i);
        }
        Index {
            by_pair,
            by_key,
            by_ns,
        }
    }

    /// Candidate workloads for a pod selector (a superset of its matches).
    fn candidates<'a>(&'a self, s: &Selector, all: &'a [usize]) -> &'a [usize] {
        let mut best: Option<&[usize]> = None;
        for (k, v) in &s.labels {
            let l = self
                .by_pair
                .get(&(k.clone(), v.clone()))
                .map_or(&[][..], Vec::as_slice);
            if best.is_none_or(|b| l.len() < b.len()) {
                best = Some(l);
            }
        }
        for e in &s.exprs {
            if matches!(e.op, crate::model::Op::Exists | crate::model::Op::In) {
                let l = self.by_key.get(&e.key).map_or(&[][..], Vec::as_slice);
                if best.is_none_or(|b| l.len() < b.len()) {
                    best = Some(l);
                }
            }
        }
        best.unwrap_or(all)
    }
}

impl<'m> Engine<'m> {
    pub fn new(model: &'m Model, opts: Options) -> Engine<'m> {
        let idx = Index::new(model, &opts);
        let all: Vec<usize> = (0..model.workloads.len())
            .filter(|&i| {
                !(opts.host_network == HostNetwork::Node && model.workloads[i].host_network)
            })
            .collect();
        let n = model.workloads.len();
        let mut selected = Vec::with_capacity(model.policies.len());
        let mut ingress_of = vec![Vec::new(); n];
        let mut egress_of = vec![Vec::new(); n];
        let mut ingress_rules = Vec::with_capacity(model.policies.len());
        let mut egress_rules = Vec::with_capacity(model.policies.len());
        let mut ns_cache: HashMap<String, HashSet<String>> = HashMap::new();
        let mut src_sets: Vec<IpSet> = Vec::new();
        let mut dst_sets: Vec<IpSet> = Vec::new();
        for (pi, p) in model.policies.iter().enumerate() {
            let in_ns = idx.by_ns.get(&p.ns).map_or(&[][..], Vec::as_slice);
            let sel: Vec<usize> = in_ns
                .iter()
                .copied()
                .filter(|&w| p.pod.matches(&model.workloads[w].labels))
                .collect();
            for &w in &sel {
                if p.isolates_ingress {
                    ingress_of[w].push(pi);
                }
                if p.isolates_egress {
                    egress_of[w].push(pi);
                }
            }
            selected.push(sel);
            let mut compile = |rules: &[Rule], sets: &mut Vec<IpSet>| -> Vec<RuleMatch> {
                rules
                    .iter()
                    .map(|r| RuleMatch {
                        peers: if r.peers.is_empty() {
                            None
                        } else {
                            Some(
                                r.peers
                                    .iter()
                                    .map(|ps| match ps {
                                        PeerSel::Pods { ns, pod, .. } => {
                                            PeerMatch::Pods(match_pods(
                                                model,
                                                &idx,
                                                &all,
                                                p,
                                                ns.as_ref(),
                                                pod.as_ref(),
                                                &mut ns_cache,
                                            ))
                                        }
                                        PeerSel::IpBlock { set, .. } => {
                                            sets.push(set.clone());
                                            PeerMatch::Ip(set.clone())
                                        }
                                    })
                                    .collect(),
                            )
                        },
                    })
                    .collect()
            };
            ingress_rules.push(compile(&p.ingress, &mut src_sets));
            egress_rules.push(compile(&p.egress, &mut dst_sets));
        }
        let src_atoms = ip::atoms(&src_sets.iter().collect::<Vec<_>>());
        let dst_atoms = ip::atoms(&dst_sets.iter().collect::<Vec<_>>());
        Engine {
            model,
            opts,
            selected,
            ingress_of,
            egress_of,
            ingress_rules,
            egress_rules,
            src_atoms,
            dst_atoms,
        }
    }

    /// Whether the rule's peers include `peer`.
    fn rule_matches(&self, rm: &RuleMatch, peer: Peer) -> bool {
        let Some(peers) = &rm.peers else {
            return true;
        };
        peers.iter().any(|pm| match (pm, peer) {
            (PeerMatch::Pods(ws), Peer::Workload(w)) => ws.binary_search(&w).is_ok(),
            (PeerMatch::Ip(set), Peer::External(lo, hi)) => set.contains_range(lo, hi),
            _ => false,
        })
    }

    /// The connections one rule allows towards `dst`.
    pub fn rule_conns(&self, rule: &Rule, dst: Peer) -> ConnSet {
        if rule.ports.is_empty() {
            return ConnSet::all();
        }
        let mut c = ConnSet::none();
        for rp in &rule.ports {
            match &rp.port {
                PortSpec::All => c.add_all(rp.proto),
                PortSpec::Range(a, b) => c.add(rp.proto, *a, *b),
                PortSpec::Named(name) => {
                    if let Peer::Workload(w) = dst
                        && let Some(cp) = self.model.workloads[w].named_port(name)
                        && cp.proto == rp.proto
                    {
                        c.add(rp.proto, cp.port, cp.port);
                    }
                }
                PortSpec::Invalid(_) => {}
            }
        }
        c
    }

    /// Allowed by the policies isolating `subject` in one direction; `other`
    /// is the far end, `dst` the destination (for named ports).
    fn direction(&self, subject: Peer, other: Peer, dst: Peer, ingress: bool) -> ConnSet {
        let Peer::Workload(w) = subject else {
            return ConnSet::all();
        };
        let pols = if ingress {
            &self.ingress_of[w]
        } else {
            &self.egress_of[w]
        };
        if pols.is_empty() {
            return ConnSet::all();
        }
        let mut out = ConnSet::none();
        for &pi in pols {
            let (rules, matches) = if ingress {
                (&self.model.policies[pi].ingress, &self.ingress_rules[pi])
            } else {
                (&self.model.policies[pi].egress, &self.egress_rules[pi])
            };
            for (r, rm) in rules.iter().zip(matches) {
                if self.rule_matches(rm, other) {
                    out.union(&self.rule_conns(r, dst));
                    if out.is_all() {
                        return out;
                    }
                }
            }
        }
        out
    }

    pub fn egress(&self, src: Peer, dst: Peer) -> ConnSet {
        self.direction(src, dst, dst, false)
    }

    pub fn ingress(&self, src: Peer, dst: Peer) -> ConnSet {
        self.direction(dst, src, dst, true)
    }

    /// What the policies allow from `src` to `dst`.
    pub fn allowed(&self, src: Peer, dst: Peer) -> ConnSet {
        let e = self.egress(src, dst);
        if e.is_empty() {
            return e;
        }
        e.intersect(&self.ingress(src, dst))
    }

    pub fn peer_name(&self, p: Peer) -> String {
        match p {
            Peer::Workload(w) => self.model.workloads[w].id(),
            Peer::External(lo, hi) => format!("{}[External]", ip::range_to_string(lo, hi)),
        }
    }

    /// What an ingress controller may open to workload `w`: the target ports
    /// of the Services that Ingress backends in `w`'s namespace name and that
    /// select `w`, as far as `w`'s ingress policies admit a pod of an
    /// ingress-controller namespace (netpol-analyzer's `{ingress-controller}`
    /// peer). A rule admits it when it has no peers, or a peer whose
    /// namespaceSelector matches an ingress-controller namespace's labels and
    /// that selects every pod there (the controller's own labels are unknown).
    pub fn ingress_controller(&self, w: usize) -> ConnSet {
        let wl = &self.model.workloads[w];
        let mut offered = ConnSet::none();
        for b in self.model.ingress_backends.iter().filter(|b| b.ns == wl.ns) {
            let Some(svc) = self
                .model
                .services
                .iter()
                .find(|s| s.ns == b.ns && s.name == b.service)
            else {
                continue;
            };
            if svc.selector.is_empty()
                || !svc
                    .selector
                    .iter()
                    .all(|(k, v)| wl.labels.get(k) == Some(v))
            {
                continue;
            }
            for sp in svc.ports.iter().filter(|sp| match &b.port {
                // netpol-analyzer also accepts a backend naming the target port.
                Some(PortRef::Number(n)) => sp.port == *n || sp.target == PortRef::Number(*n),
                Some(PortRef::Name(n)) => sp.name == *n,
                None => false,
            }) {
                match &sp.target {
                    PortRef::Number(t) => offered.add(sp.proto, *t, *t),
                    PortRef::Name(n) => {
                        if let Some(cp) = wl.named_port(n).filter(|cp| cp.proto == sp.proto) {
                            offered.add(sp.proto, cp.port, cp.port);
                        }
                    }
                }
            }
        }
        if offered.is_empty() || self.ingress_of[w].is_empty() {
            return offered;
        }
        let controller_ns: [Labels; 2] = [
            [(
                "kubernetes.io/metadata.name".to_string(),
                "ingress-nginx".to_string(),
            )]
            .into_iter()
            .collect(),
            [
                (
                    "kubernetes.io/metadata.name".to_string(),
                    "openshift-ingress-operator".to_string(),
                ),
                (
                    "namespace.name".to_string(),
                    "openshift-ingress-operator".to_string(),
                ),
            ]
            .into_iter()
            .collect(),
        ];
        let mut allowed = ConnSet::none();
        for &pi in &self.ingress_of[w] {
            for r in &self.model.policies[pi].ingress {
                let admits = r.peers.is_empty()
                    || r.peers.iter().any(|p| match p {
                        PeerSel::Pods {
                            ns: Some(nsel),
                            pod,
                            ..
                        } => {
                            pod.as_ref().is_none_or(Selector::is_empty)
                                && controller_ns.iter().any(|l| nsel.matches(l))
                        }
                        _ => false,
                    });
                if admits {
                    allowed.union(&self.rule_conns(r, Peer::Workload(w)));
                }
            }
        }
        offered.intersect(&allowed)
    }

    /// Every allowed connection: workload pairs (no self-loops), external
    /// source ranges to workloads and workloads to external destination
    /// ranges; empty connections omitted. `focus`: keep only pairs with an
    /// end named by one of these (`name` or `ns/name`).
    pub fn connlist(&self, focus: &[String]) -> Vec<Conn> {
        let n = self.model.workloads.len();
        let focused = |p: Peer| match p {
            Peer::Workload(w) => {
                focus.is_empty() || focus.iter().any(|f| self.model.workloads[w].is_named(f))
            }
            Peer::External(..) => focus.is_empty(),
        };
        let mut out = Vec::new();
        let mut push = |s: Peer, d: Peer, c: ConnSet| {
            if !c.is_empty() {
                out.push(Conn {
                    src: self.peer_name(s),
                    dst: self.peer_name(d),
                    conns: c,
                });
            }
        };
        if n == 0 {
            return out;
        }
        for w in 0..n {
            for &(lo, hi) in &self.src_atoms {
                let (s, d) = (Peer::External(lo, hi), Peer::Workload(w));
                if focused(s) || focused(d) {
                    push(s, d, self.allowed(s, d));
                }
            }
            for &(lo, hi) in &self.dst_atoms {
                let (s, d) = (Peer::Workload(w), Peer::External(lo, hi));
                if focused(s) || focused(d) {
                    push(s, d, self.allowed(s, d));
                }
            }
            for v in 0..n {
                if v == w {
                    continue;
                }
                let (s, d) = (Peer::Workload(w), Peer::Workload(v));
                if focused(s) || focused(d) {
                    push(s, d, self.allowed(s, d));
                }
            }
        }
        if !self.model.ingress_backends.is_empty() {
            for w in (0..n).filter(|&w| focused(Peer::Workload(w))) {
                let c = self.ingress_controller(w);
                if !c.is_empty() {
                    out.push(Conn {
                        src: INGRESS_CONTROLLER.to_string(),
                        dst: self.peer_name(Peer::Workload(w)),
                        conns: c,
                    });
                }
            }
        }
        out.sort_by(|a, b| (&a.src, &a.dst).cmp(&(&b.src, &b.dst)));
        out
    }

    /// Finds a workload by `name`, `ns/name` or `ns/name[Kind]`.
    pub fn find_workload(&self, s: &str) -> Result<usize, String> {
        let hits: Vec<usize> = (0..self.model.workloads.len())
            .filter(|&i| self.model.workloads[i].is_named(s))
            .collect();
        match hits.as_slice() {
            [one] => Ok(*one),
            [] => Err(format!("no workload named '{s}' in the input")),
            many => Err(format!(
                "'{s}' names {} workloads ({}): use ns/name[Kind]",
                many.len(),
                many.iter()
                    .map(|&i| self.model.workloads[i].id())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// Parses a peer for `explain`: a workload name or an IPv4 address/CIDR.
    pub fn parse_peer(&self, s: &str) -> Result<Peer, String> {
        if let Some(ipv4) = ip::parse_ip_v4(s) {
            return Ok(Peer::External(ipv4, ipv4));
        }
        if s.contains('/')
            && s.split('/').next().and_then(ip::parse_ip_v4).is_some()
            && let Ok(set) = ip::parse_cidr_v4(s)
            && let Some(&(lo, hi)) = set.0.first()
        {
            return Ok(Peer::External(lo, hi));
        }
        self.find_workload(s).map(Peer::Workload)
    }

    /// `Peer` for an external range that may straddle atoms: clipped to the
    /// atom containing its first address (where every address is treated
    /// alike), so answers are exact.
    pub fn external_atom(&self, lo: u32, hi: u32, as_source: bool) -> (u32, u32) {
        let atoms = if as_source {
            &self.src_atoms
        } else {
            &self.dst_atoms
        };
        atoms
            .iter()
            .copied()
            .find(|&(a, b)| a <= lo && lo <= b)
            .map_or((lo, hi), |(a, b)| (lo.max(a), hi.min(b)))
    }
}

fn match_pods(
    model: &Model,
    idx: &Index,
    all: &[usize],
    p: &Policy,
    ns: Option<&Selector>,
    pod: Option<&Selector>,
    ns_cache: &mut HashMap<String, HashSet<String>>,
) -> Vec<usize> {
    let cands: &[usize] = match pod {
        Some(s) => idx.candidates(s, all),
        None => all,
    };
    let cands: &[usize] = if ns.is_none() {
        // Same namespace only: the namespace index is usually smaller.
        let in_ns = idx.by_ns.get(&p.ns).map_or(&[][..], Vec::as_slice);
        if in_ns.len() < cands.len() {
            in_ns
        } else {
            cands
        }
    } else {
        cands
    };
    let ns_ok: Option<&HashSet<String>> = ns.map(|s| {
        let key = format!("{:?}", s);
        &*ns_cache.entry(key).or_insert_with(|| {
            let mut names: HashSet<String> = model
                .namespaces
                .iter()
                .filter(|n| s.matches(&n.labels))
                .map(|n| n.name.clone())
                .collect();
            // Namespaces only named by workloads carry the default name label.
            for w in &model.workloads {
                if !model.ns_index.contains_key(&w.ns) {
                    let mut l = crate::model::Labels::new();
                    l.insert(crate::model::NS_NAME_LABEL.into(), w.ns.clone());
                    if s.matches(&l) {
                        names.insert(w.ns.clone());
                    }
                }
            }
            names
        })
    });
    let mut out: Vec<usize> = cands
        .iter()
        .copied()
        .filter(|&w| {
            let wl = &model.workloads[w];
            let ns_match = match ns_ok {
                None => wl.ns == p.ns,
                Some(set) => set.contains(&wl.ns),
            };
            ns_match && pod.is_none_or(|s| s.matches(&wl.labels))
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The name of the ingress-controller peer in connectivity lists.
pub const INGRESS_CONTROLLER: &str = "{ingress-controller}";

/// One line of the connectivity list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conn {
    pub src: String,
    pub dst: String,
    pub conns: ConnSet,
}
