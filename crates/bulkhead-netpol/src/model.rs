//! The network model: namespaces, workloads (one per pod owner), and
//! NetworkPolicies parsed into selectors, peers and port specs, each with
//! the location it came from. Built from objects loaded by
//! `bulkhead_kube::load`; bad input becomes an [`InputError`] naming the
//! file and line, never a panic.

use crate::ip::{IpSet, parse_cidr_v4};
use bulkhead_core::InputError;
use bulkhead_core::yaml::{Node, Value};
use bulkhead_kube::load::Object;
use std::collections::{BTreeMap, HashMap};

pub type Labels = BTreeMap<String, String>;

/// The label the API server sets on every namespace.
pub const NS_NAME_LABEL: &str = "kubernetes.io/metadata.name";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Proto {
    Sctp,
    Tcp,
    Udp,
}

impl Proto {
    pub const ALL: [Proto; 3] = [Proto::Sctp, Proto::Tcp, Proto::Udp];

    pub fn as_str(self) -> &'static str {
        match self {
            Proto::Sctp => "SCTP",
            Proto::Tcp => "TCP",
            Proto::Udp => "UDP",
        }
    }

    pub fn parse(s: &str) -> Option<Proto> {
        match s.to_ascii_uppercase().as_str() {
            "TCP" => Some(Proto::Tcp),
            "UDP" => Some(Proto::Udp),
            "SCTP" => Some(Proto::Sctp),
            _ => None,
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    pub key: String,
    pub op: Op,
    pub values: Vec<String>,
}

/// A Kubernetes LabelSelector: all `matchLabels` and all `matchExpressions`
/// must hold; an empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    pub labels: Vec<(String, String)>,
    pub exprs: Vec<Expr>,
}

impl Selector {
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.exprs.is_empty()
    }

    pub fn matches(&self, l: &Labels) -> bool {
        self.labels
            .iter()
            .all(|(k, v)| l.get(k).is_some_and(|x| x == v))
            && self.exprs.iter().all(|e| match e.op {
                Op::In => l.get(&e.key).is_some_and(|v| e.values.contains(v)),
                Op::NotIn => l.get(&e.key).is_none_or(|v| !e.values.contains(v)),
                Op::Exists => l.contains_key(&e.key),
                Op::DoesNotExist => !l.contains_key(&e.key),
            })
    }

    /// `app=web,tier in (a,b)` — `{}` (all) when empty.
    pub fn describe(&self) -> String {
        if self.is_empty() {
            return "{} (everything)".into();
        }
        let mut parts: Vec<String> = self
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        for e in &self.exprs {
            parts.push(match e.op {
                Op::In => format!("{} in ({})", e.key, e.values.join(",")),
                Op::NotIn => format!("{} notin ({})", e.key, e.values.join(",")),
                Op::Exists => e.key.clone(),
                Op::DoesNotExist => format!("!{}", e.key),
            });
        }
        parts.join(",")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortSpec {
    /// No `port`: every port of the protocol.
    All,
    /// `port` (and `endPort`), inclusive, validated 1..=65535.
    Range(u16, u16),
    /// A named port, resolved on the destination pod's container ports.
    Named(String),
    /// A range that can never match (out of bounds, end < start, endPort with a name).
    Invalid(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulePort {
    pub proto: Proto,
    pub port: PortSpec,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerSel {
    /// `podSelector` and/or `namespaceSelector` in ONE peer: both must hold (AND).
    /// `ns: None` means the policy's own namespace; `pod: None` every pod.
    Pods {
        ns: Option<Selector>,
        pod: Option<Selector>,
        line: u32,
    },
    /// `ipBlock`: `cidr` minus `except`. IPv6 blocks are kept but match no
    /// IPv4 range.
    IpBlock {
        cidr: String,
        except: Vec<String>,
        set: IpSet,
        v6: bool,
        line: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Empty: every peer (pods in every namespace and every IP).
    pub peers: Vec<PeerSel>,
    /// Empty: every protocol and port.
    pub ports: Vec<RulePort>,
    pub line: u32,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub ns: String,
    pub name: String,
    pub pod: Selector,
    /// Whether the policy isolates its pods for ingress / egress (policyTypes,
    /// or the defaults: Ingress always, Egress only when egress rules exist).
    pub isolates_ingress: bool,
    pub isolates_egress: bool,
    /// `policyTypes` was written explicitly.
    pub explicit_types: bool,
    pub ingress: Vec<Rule>,
    pub egress: Vec<Rule>,
    pub file: String,
    pub line: u32,
    pub doc: u32,
}

impl Policy {
    pub fn id(&self) -> String {
        format!("{}/{}", self.ns, self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerPort {
    pub name: String,
    pub proto: Proto,
    pub port: u16,
}

#[derive(Debug, Clone)]
pub struct Workload {
    pub ns: String,
    pub name: String,
    pub kind: String,
    pub labels: Labels,
    pub ports: Vec<ContainerPort>,
    pub host_network: bool,
    pub file: String,
    pub line: u32,
    pub doc: u32,
}

impl Workload {
    /// netpol-analyzer's peer name: `ns/name[Kind]`.
    pub fn id(&self) -> String {
        format!("{}/{}[{}]", self.ns, self.name, self.kind)
    }

    /// Whether `--focus-workload` text names this workload (`name` or `ns/name`).
    pub fn is_named(&self, s: &str) -> bool {
        s == self.name || s == format!("{}/{}", self.ns, self.name) || s == self.id()
    }

    pub fn named_port(&self, name: &str) -> Option<&ContainerPort> {
        self.ports.iter().find(|p| p.name == name)
    }
}

#[derive(Debug, Clone)]
pub struct Namespace {
    pub name: String,
    pub labels: Labels,
    pub file: Option<String>,
    pub line: u32,
}

#[derive(Debug, Default)]
pub struct Model {
    pub namespaces: Vec<Namespace>,
    pub ns_index: HashMap<String, usize>,
    pub workloads: Vec<Workload>,
    pub policies: Vec<Policy>,
    pub services: Vec<Service>,
    /// Backends of Ingress objects: what an ingress controller forwards to.
    pub ingress_backends: Vec<IngressBackend>,
    pub errors: Vec<InputError>,
    pub notes: Vec<String>,
}

impl Model {
    pub fn ns_labels(&self, ns: &str) -> Option<&Labels> {
        self.ns_index.get(ns).map(|&i| &self.namespaces[i].labels)
    }

    fn add_namespace(&mut self, name: &str, mut labels: Labels, file: Option<String>, line: u32) {
        labels
            .entry(NS_NAME_LABEL.to_string())
            .or_insert_with(|| name.to_string());
        if let Some(&i) = self.ns_index.get(name) {
            if file.is_some() && self.namespaces[i].file.is_none() {
                self.namespaces[i] = Namespace {
                    name: name.to_string(),
                    labels,
                    file,
                    line,
                };
            }
            return;
        }
        self.ns_index
            .insert(name.to_string(), self.namespaces.len());
        self.namespaces.push(Namespace {
            name: name.to_string(),
            labels,
            file,
            line,
        });
    }

    /// Builds the model from loaded objects (any kinds; irrelevant ones ignored).
    pub fn build<'a>(objects: impl IntoIterator<Item = &'a Object>) -> Model {
        let mut m = Model::default();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let mut pending_ns: Vec<String> = Vec::new();
        for o in objects {
            let file = o.source.name.clone();
            let line = o.root.start.line;
            let ns = o.namespace.clone().unwrap_or_else(|| "default".into());
            match o.kind.as_str() {
                "Namespace" => {
                    let labels = labels_of(o.metadata().and_then(|m| m.get("labels")));
                    m.add_namespace(&o.name, labels, Some(file), line);
                }
                "NetworkPolicy" => match parse_policy(o, &ns) {
                    Ok(p) => m.policies.push(p),
                    Err(e) => m.errors.push(e),
                },
                "Service" => m.services.push(parse_service(o, &ns)),
                "Ingress" => parse_ingress(o, &ns, &mut m.ingress_backends),
                "Pod"
                | "Deployment"
                | "StatefulSet"
                | "DaemonSet"
                | "ReplicaSet"
                | "ReplicationController"
                | "Job"
                | "CronJob" => {
                    let Some(t) = bulkhead_kube::pod::pod_template(o) else {
                        m.notes.push(format!(
                            "{file}:{line}: {} has no pod spec: not a peer",
                            o.display()
                        ));
                        continue;
                    };
                    let labels = labels_of(t.meta.and_then(|x| x.get("labels")));
                    let (kind, name) = if o.kind == "Pod" {
                        owner_of(o).unwrap_or_else(|| ("Pod".to_string(), o.name.clone()))
                    } else {
                        (o.kind.clone(), o.name.clone())
                    };
                    let mut ports = Vec::new();
                    for c in t.spec.get("containers").map_or(&[][..], Node::items) {
                        for p in c.get("ports").map_or(&[][..], Node::items) {
                            let Some(num) = p.get("containerPort").and_then(int_of) else {
                                continue;
                            };
                            let proto = p
                                .get("protocol")
                                .and_then(Node::as_str)
                                .and_then(Proto::parse)
                                .unwrap_or(Proto::Tcp);
                            let name = p.get("name").and_then(Node::as_str).unwrap_or("");
                            if let Ok(num) = u16::try_from(num) {
                                ports.push(ContainerPort {
                                    name: name.to_string(),
                                    proto,
                                    port: num,
                                });
                            }
                        }
                    }
                    let host_network =
                        t.spec.get("hostNetwork").and_then(Node::as_bool) == Some(true);
                    let w = Workload {
                        ns: ns.clone(),
                        name,
                        kind,
                        labels,
                        ports,
                        host_network,
                        file,
                        line,
                        doc: o.doc,
                    };
                    let key = w.id();
                    if let Some(&i) = by_key.get(&key) {
                        let first = &mut m.workloads[i];
                        if first.labels != w.labels {
                            m.notes.push(format!(
                                "{}:{}: pods of {key} have different labels; the first pod's labels represent the workload",
                                w.file, w.line
                            ));
                        }
                        for p in w.ports {
                            if !first.ports.contains(&p) {
                                first.ports.push(p);
                            }
                        }
                    } else {
                        pending_ns.push(ns);
                        by_key.insert(key, m.workloads.len());
                        m.workloads.push(w);
                    }
                }
                _ => {}
            }
        }
        for ns in pending_ns {
            m.add_namespace(&ns, Labels::new(), None, 0);
        }
        for p in &m.policies {
            if !m.ns_index.contains_key(&p.ns) {
                // Policies may name namespaces with no workloads in the input.
            }
        }
        m.workloads.sort_by_key(|w| w.id());
        m
    }
}

/// A port of a Service or of an Ingress backend: a number or a port name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortRef {
    Number(u16),
    Name(String),
}

impl PortRef {
    fn parse(n: Option<&Node>) -> Option<PortRef> {
        let n = n?;
        if let Some(i) = int_of(n) {
            return u16::try_from(i).ok().map(PortRef::Number);
        }
        n.as_str()
            .filter(|s| !s.is_empty())
            .map(|s| PortRef::Name(s.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePort {
    pub name: String,
    pub proto: Proto,
    pub port: u16,
    /// `targetPort` (a number or a container port name); absent: `port`.
    pub target: PortRef,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub ns: String,
    pub name: String,
    /// Empty: the Service selects no pods (endpoints managed by hand).
    pub selector: Labels,
    pub ports: Vec<ServicePort>,
}

/// One `backend.service` of an Ingress (default backend or a rule path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngressBackend {
    pub ns: String,
    pub ingress: String,
    pub service: String,
    pub port: Option<PortRef>,
}

fn parse_service(o: &Object, ns: &str) -> Service {
    let selector = labels_of(o.root.path(&["spec", "selector"]));
    let mut ports = Vec::new();
    for p in o.root.path(&["spec", "ports"]).map_or(&[][..], Node::items) {
        let Some(port) = p
            .get("port")
            .and_then(int_of)
            .and_then(|i| u16::try_from(i).ok())
        else {
            continue;
        };
        ports.push(ServicePort {
            name: p
                .get("name")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string(),
            proto: p
                .get("protocol")
                .and_then(Node::as_str)
                .and_then(Proto::parse)
                .unwrap_or(Proto::Tcp),
            port,
            target: PortRef::parse(p.get("targetPort")).unwrap_or(PortRef::Number(port)),
        });
    }
    Service {
        ns: ns.to_string(),
        name: o.name.clone(),
        selector,
        ports,
    }
}

fn parse_ingress(o: &Object, ns: &str, out: &mut Vec<IngressBackend>) {
    let mut push = |b: Option<&Node>| {
        let Some(svc) = b.and_then(|b| b.get("service")) else {
            return;
        };
        let Some(name) = svc.get("name").and_then(Node::as_str) else {
            return;
        };
        let port = svc.get("port").and_then(|p| {
            PortRef::parse(p.get("number")).or_else(|| PortRef::parse(p.get("name")))
        });
        out.push(IngressBackend {
            ns: ns.to_string(),
            ingress: o.name.clone(),
            service: name.to_string(),
            port,
        });
    };
    push(o.root.path(&["spec", "defaultBackend"]));
    for r in o.root.path(&["spec", "rules"]).map_or(&[][..], Node::items) {
        for p in r
            .get("http")
            .and_then(|h| h.get("paths"))
            .map_or(&[][..], Node::items)
        {
            push(p.get("backend"));
        }
    }
}

/// `(kind, name)` of the pod's controller (not a Node: static pods stay pods).
fn owner_of(o: &Object) -> Option<(String, String)> {
    let refs = o.metadata()?.get("ownerReferences")?;
    let r = refs
        .items()
        .iter()
        .find(|r| r.get("controller").and_then(Node::as_bool) == Some(true))?;
    // An owner reference without a kind still groups the pods under the
    // owner's name (netpol-analyzer then labels the workload a Pod).
    let kind = r.get("kind").and_then(Node::as_str).unwrap_or("Pod");
    if kind == "Node" {
        return None;
    }
    Some((
        kind.to_string(),
        r.get("name").and_then(Node::as_str)?.to_string(),
    ))
}

fn int_of(n: &Node) -> Option<i64> {
    n.as_i64().or_else(|| match &n.value {
        Value::Scalar { text, .. } => text.trim().parse().ok(),
        _ => None,
    })
}

pub fn labels_of(n: Option<&Node>) -> Labels {
    let mut out = Labels::new();
    if let Some(n) = n {
        for e in n.entries() {
            if let (Some(k), Some(v)) = (e.key.as_str(), scalar_text(&e.value)) {
                out.insert(k.to_string(), v);
            }
        }
    }
    out
}

/// A scalar's text (`true`, `80` and quoted strings alike); null is "".
fn scalar_text(n: &Node) -> Option<String> {
    match &n.value {
        Value::Scalar { text, .. } => Some(text.clone()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

fn err(o: &Object, n: &Node, msg: impl Into<String>) -> InputError {
    InputError::new(
        o.source.name.clone(),
        Some(n.start.line),
        format!("NetworkPolicy {}: {}", o.name, msg.into()),
    )
}

pub fn parse_selector(o: &Object, n: &Node) -> Result<Selector, InputError> {
    if !n.is_map() {
        return Err(err(o, n, "a label selector must be a mapping"));
    }
    let mut s = Selector::default();
    for e in n.get("matchLabels").map_or(&[][..], Node::entries) {
        match (e.key.as_str(), scalar_text(&e.value)) {
            (Some(k), Some(v)) => s.labels.push((k.to_string(), v)),
            _ => return Err(err(o, &e.key, "matchLabels values must be strings")),
        }
    }
    for x in n.get("matchExpressions").map_or(&[][..], Node::items) {
        let key = x
            .get("key")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        let op_s = x.get("operator").and_then(Node::as_str).unwrap_or("");
        let values: Vec<String> = x
            .get("values")
            .map_or(&[][..], Node::items)
            .iter()
            .filter_map(scalar_text)
            .collect();
        let op = match op_s {
            "In" => Op::In,
            "NotIn" => Op::NotIn,
            "Exists" => Op::Exists,
            "DoesNotExist" => Op::DoesNotExist,
            other => {
                return Err(err(
                    o,
                    x,
                    format!(
                        "matchExpressions operator '{other}' is not In, NotIn, Exists or DoesNotExist"
                    ),
                ));
            }
        };
        if key.is_empty() {
            return Err(err(o, x, "matchExpressions entry without a key"));
        }
        match op {
            Op::In | Op::NotIn if values.is_empty() => {
                return Err(err(
                    o,
                    x,
                    format!("operator {op_s} needs at least one value"),
                ));
            }
            Op::Exists | Op::DoesNotExist if !values.is_empty() => {
                return Err(err(o, x, format!("operator {op_s} takes no values")));
            }
            _ => {}
        }
        s.exprs.push(Expr { key, op, values });
    }
    Ok(s)
}

fn parse_ports(o: &Object, list: Option<&Node>) -> Result<Vec<RulePort>, InputError> {
    let mut out = Vec::new();
    for p in list.map_or(&[][..], Node::items) {
        let proto = match p.get("protocol").and_then(Node::as_str) {
            None => Proto::Tcp,
            Some(s) => Proto::parse(s)
                .ok_or_else(|| err(o, p, format!("unknown protocol '{s}' (TCP, UDP or SCTP)")))?,
        };
        let end = p.get("endPort").and_then(int_of);
        let port = match p.get("port") {
            // Not "every port": the API server rejects endPort without port.
            None if end.is_some() => PortSpec::Invalid("endPort is set without port".into()),
            None => PortSpec::All,
            Some(n) => match &n.value {
                Value::Scalar { text, plain: true }
                    if n.as_i64().is_some() || text.parse::<i64>().is_ok() =>
                {
                    let start = int_of(n).unwrap_or(0);
                    let end = end.unwrap_or(start);
                    if (1..=65535).contains(&start) && (1..=65535).contains(&end) && start <= end {
                        PortSpec::Range(start as u16, end as u16)
                    } else {
                        PortSpec::Invalid(format!(
                            "port range {start}-{end} is outside 1-65535 or reversed"
                        ))
                    }
                }
                Value::Scalar { text, .. } => {
                    if end.is_some() {
                        PortSpec::Invalid(format!(
                            "endPort cannot be used with the named port '{text}'"
                        ))
                    } else {
                        PortSpec::Named(text.clone())
                    }
                }
                _ => return Err(err(o, n, "port must be a number or a name")),
            },
        };
        out.push(RulePort {
            proto,
            port,
            line: p.start.line,
        });
    }
    Ok(out)
}

fn parse_peers(o: &Object, list: Option<&Node>) -> Result<Vec<PeerSel>, InputError> {
    let mut out = Vec::new();
    for p in list.map_or(&[][..], Node::items) {
        let ns = p
            .get("namespaceSelector")
            .map(|n| parse_selector(o, n))
            .transpose()?;
        let pod = p
            .get("podSelector")
            .map(|n| parse_selector(o, n))
            .transpose()?;
        let ipb = p.get("ipBlock");
        match (ipb, ns.is_some() || pod.is_some()) {
            (Some(_), true) => {
                return Err(err(
                    o,
                    p,
                    "a peer may not combine ipBlock with podSelector/namespaceSelector",
                ));
            }
            (None, false) => {
                return Err(err(
                    o,
                    p,
                    "a peer must set podSelector, namespaceSelector or ipBlock",
                ));
            }
            (None, true) => out.push(PeerSel::Pods {
                ns,
                pod,
                line: p.start.line,
            }),
            (Some(b), false) => {
                let cidr = b
                    .get("cidr")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_string();
                let except: Vec<String> = b
                    .get("except")
                    .map_or(&[][..], Node::items)
                    .iter()
                    .filter_map(|e| e.as_str().map(str::to_string))
                    .collect();
                let v6 = cidr.contains(':');
                let set = if v6 {
                    // Kept as unmatched (no IPv6 pods here), but still validated
                    // as the API server does: `fd00::/129` is an error, not a block.
                    crate::ip::check_cidr_v6(&cidr)
                        .map_err(|m| err(o, b, format!("ipBlock cidr '{cidr}': {m}")))?;
                    for x in &except {
                        crate::ip::check_cidr_v6(x)
                            .map_err(|m| err(o, b, format!("ipBlock except '{x}': {m}")))?;
                    }
                    IpSet::default()
                } else {
                    let mut s = parse_cidr_v4(&cidr)
                        .map_err(|m| err(o, b, format!("ipBlock cidr '{cidr}': {m}")))?;
                    for x in &except {
                        if x.contains(':') {
                            continue;
                        }
                        let e = parse_cidr_v4(x)
                            .map_err(|m| err(o, b, format!("ipBlock except '{x}': {m}")))?;
                        s = s.subtract(&e);
                    }
                    s
                };
                out.push(PeerSel::IpBlock {
                    cidr,
                    except,
                    set,
                    v6,
                    line: b.start.line,
                });
            }
        }
    }
    Ok(out)
}

fn parse_rules(o: &Object, list: Option<&Node>, peers_key: &str) -> Result<Vec<Rule>, InputError> {
    let mut out = Vec::new();
    for r in list.map_or(&[][..], Node::items) {
        out.push(Rule {
            peers: parse_peers(o, r.get(peers_key))?,
            ports: parse_ports(o, r.get("ports"))?,
            line: r.start.line,
        });
    }
    Ok(out)
}

pub fn parse_policy(o: &Object, ns: &str) -> Result<Policy, InputError> {
    let spec = o
        .root
        .get("spec")
        .ok_or_else(|| err(o, &o.root, "no spec"))?;
    let pod = match spec.get("podSelector") {
        Some(n) => parse_selector(o, n)?,
        None => Selector::default(),
    };
    let ingress = parse_rules(o, spec.get("ingress"), "from")?;
    let egress = parse_rules(o, spec.get("egress"), "to")?;
    let types: Vec<&str> = spec
        .get("policyTypes")
        .map_or(&[][..], Node::items)
        .iter()
        .filter_map(Node::as_str)
        .collect();
    for t in &types {
        if *t != "Ingress" && *t != "Egress" {
            return Err(err(
                o,
                spec,
                format!("policyTypes entry '{t}' is not Ingress or Egress"),
            ));
        }
    }
    let explicit = !types.is_empty();
    let (isolates_ingress, isolates_egress) = if explicit {
        (types.contains(&"Ingress"), types.contains(&"Egress"))
    } else {
        (true, !egress.is_empty())
    };
    Ok(Policy {
        ns: ns.to_string(),
        name: o.name.clone(),
        pod,
        isolates_ingress,
        isolates_egress,
        explicit_types: explicit,
        ingress,
        egress,
        file: o.source.name.clone(),
        line: o.root.start.line,
        doc: o.doc,
    })
}
