//! The joined model the XL rules read: each workload with its containers,
//! the image each container runs (what a scanned image's config or the
//! Dockerfile that builds it says about it), the rights of its service
//! account and how it can be reached.
//!
//! Every fact carries the place it was read from, so a cross-layer finding
//! can print its chain ("reachable from every namespace: no NetworkPolicy
//! selects it" → "privileged (PSS002)" → "the node").

use bulkhead_core::yaml::Node;
use bulkhead_core::{Finding, Location};
use bulkhead_kube::analyze::field_location;
use bulkhead_kube::load::Object;
use bulkhead_kube::pod::{Container, PodTemplate, pod_template};
use bulkhead_netpol::engine::{Engine, Peer};
use bulkhead_netpol::model::PeerSel;
use bulkhead_rbac::authz::{Attrs, Authorizer, Principal};
use std::collections::HashMap;

/// The user an image runs as, and where that was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum User {
    Root {
        user: String,
        from: String,
    },
    NonRoot {
        user: String,
        from: String,
    },
    /// Not known (a Dockerfile without USER on a base image we cannot read).
    Unknown,
}

impl User {
    pub fn from_value(user: &str, from: String) -> User {
        let u = user.trim();
        if u.is_empty() || bulkhead_dockerfile::facts::is_root_user(u) {
            User::Root {
                user: if u.is_empty() {
                    "root (no USER)".into()
                } else {
                    u.to_string()
                },
                from,
            }
        } else {
            User::NonRoot {
                user: u.to_string(),
                from,
            }
        }
    }
}

/// What is known about the image a manifest names.
#[derive(Debug, Clone)]
pub struct ImageInfo {
    /// Where the facts come from: `Dockerfile src/ad/Dockerfile` or `image oci:…`.
    pub origin: String,
    pub user: User,
    /// The manifest digest of the scanned image (none for a Dockerfile).
    pub digest: Option<String>,
    /// TCP/UDP ports the image exposes (`EXPOSE`, `ExposedPorts`).
    pub exposed: Vec<(u16, String)>,
    /// The image's own unsuppressed findings of severity high or critical
    /// (secrets, vulnerabilities, contents rules): what XL004 attributes to
    /// the workloads running it. The image's full list goes to the report.
    pub findings: Vec<Finding>,
}

/// Image facts by the reference manifests use.
#[derive(Debug, Default)]
pub struct Images {
    pub by_ref: HashMap<String, ImageInfo>,
}

/// `docker.io/library/nginx:1` and `nginx:1` are one image.
pub fn normalize(reference: &str) -> String {
    let r = reference.trim();
    let r = r.strip_prefix("docker.io/").unwrap_or(r);
    let r = r.strip_prefix("index.docker.io/").unwrap_or(r);
    let r = r.strip_prefix("library/").unwrap_or(r);
    r.to_string()
}

impl Images {
    pub fn insert(&mut self, reference: &str, info: ImageInfo) {
        self.by_ref.insert(normalize(reference), info);
    }
    pub fn get(&self, reference: &str) -> Option<&ImageInfo> {
        self.by_ref.get(&normalize(reference)).or_else(|| {
            // `app@sha256:…` and `app:1@sha256:…`: the name as mapped.
            let (name, _) = reference.split_once('@')?;
            self.by_ref.get(&normalize(name))
        })
    }
}

/// A security-context setting in effect for a container, and where it is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    /// `spec.template.spec.containers[0].securityContext.runAsUser` or the pod's.
    pub field: String,
}

#[derive(Debug)]
pub struct Ctr<'a> {
    pub c: Container<'a>,
    pub image: String,
    /// Where the `image:` field is (the finding location of XL rules).
    pub at: Location,
    pub run_as_non_root: Option<Setting<bool>>,
    pub run_as_user: Option<Setting<i64>>,
    pub ports: Vec<(u16, String)>,
}

/// One workload and everything joined to it.
#[derive(Debug)]
pub struct Workload<'a> {
    pub obj: &'a Object,
    pub pod: PodTemplate<'a>,
    pub containers: Vec<Ctr<'a>>,
    pub service_account: String,
    /// The pod mounts an API token (`automountServiceAccountToken` not false
    /// on the pod or its ServiceAccount).
    pub token_mounted: bool,
    /// How the workload can be reached from outside its namespace or the
    /// cluster, each a sentence; empty: only from its own namespace, or not at all.
    pub exposure: Vec<String>,
    /// The workload's own findings that give a container the node
    /// (privileged, host namespaces, host paths, added capabilities):
    /// (rule id, message).
    pub host_access: Vec<(String, String)>,
    /// What the service account may do that turns a foothold into more:
    /// one sentence per right, with the binding and role that grant it.
    pub powers: Vec<String>,
}

impl Workload<'_> {
    pub fn display(&self) -> String {
        self.obj.display()
    }
    pub fn namespace(&self) -> &str {
        self.obj.namespace.as_deref().unwrap_or("default")
    }
}

/// The joined model.
#[derive(Debug, Default)]
pub struct Joined<'a> {
    pub workloads: Vec<Workload<'a>>,
    pub images: Images,
}

impl Joined<'_> {
    pub fn image(&self, c: &Ctr<'_>) -> Option<&ImageInfo> {
        self.images.get(&c.image)
    }
}

/// Rule ids whose finding on a workload means a container can reach the node.
pub const HOST_ACCESS_RULES: [&str; 6] =
    ["PSS001", "PSS002", "PSS003", "PSS004", "PSS011", "K8S008"];

fn setting<T>(
    c: &Container<'_>,
    pod: &PodTemplate<'_>,
    key: &str,
    read: impl Fn(&Node) -> Option<T>,
) -> Option<Setting<T>> {
    if let Some(v) = c
        .security_context()
        .and_then(|sc| sc.get(key))
        .and_then(&read)
    {
        return Some(Setting {
            value: v,
            field: c.sc_path().key(key.to_string()).render(),
        });
    }
    pod.security_context()
        .and_then(|sc| sc.get(key))
        .and_then(&read)
        .map(|v| Setting {
            value: v,
            field: pod.sc_path().key(key.to_string()).render(),
        })
}

/// What the joiner reads besides the objects.
pub struct Context<'m> {
    pub netpol: Option<&'m Engine<'m>>,
    /// (namespace, kind, name) → the engine's workload index.
    pub netpol_index: HashMap<(String, String, String), usize>,
    pub rbac: Option<&'m bulkhead_rbac::model::Model>,
    /// Every Service in the input.
    pub services: Vec<Service>,
}

/// A Service, for exposure through LoadBalancer/NodePort.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub ns: String,
    pub name: String,
    /// `spec.type` (`ClusterIP` when absent).
    pub ty: String,
    pub selector: Vec<(String, String)>,
}

/// (file, document, object) → the host-access findings on that object.
type HostAccess<'f> = HashMap<(&'f str, u32, &'f str), Vec<(String, String)>>;

/// The engine's workloads by (namespace, kind, name).
pub fn netpol_index(engine: &Engine<'_>) -> HashMap<(String, String, String), usize> {
    engine
        .model
        .workloads
        .iter()
        .enumerate()
        .map(|(i, w)| ((w.ns.clone(), w.kind.clone(), w.name.clone()), i))
        .collect()
}

/// Services of `objects`, for exposure through LoadBalancer/NodePort.
pub fn services(objects: &[&Object]) -> Vec<Service> {
    objects
        .iter()
        .filter(|o| o.kind == "Service")
        .map(|o| {
            let spec = o.root.get("spec");
            let ty = spec
                .and_then(|s| s.get("type"))
                .and_then(Node::as_str)
                .unwrap_or("ClusterIP")
                .to_string();
            let sel = spec
                .and_then(|s| s.get("selector"))
                .map(|s| {
                    s.entries()
                        .iter()
                        .filter_map(|e| {
                            Some((e.key.as_str()?.to_string(), e.value.as_str()?.to_string()))
                        })
                        .collect()
                })
                .unwrap_or_default();
            Service {
                ns: o.namespace.clone().unwrap_or_else(|| "default".into()),
                name: o.name.clone(),
                ty,
                selector: sel,
            }
        })
        .collect()
}

fn pod_labels(pod: &PodTemplate<'_>) -> Vec<(String, String)> {
    pod.meta
        .and_then(|m| m.get("labels"))
        .map(|l| {
            l.entries()
                .iter()
                .filter_map(|e| Some((e.key.as_str()?.to_string(), e.value.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn exposure(w: &Object, pod: &PodTemplate<'_>, ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let ns = w.namespace.as_deref().unwrap_or("default");
    let labels = pod_labels(pod);
    for s in &ctx.services {
        if s.ns == ns
            && (s.ty == "LoadBalancer" || s.ty == "NodePort")
            && !s.selector.is_empty()
            && s.selector.iter().all(|kv| labels.contains(kv))
        {
            out.push(format!(
                "exposed outside the cluster by Service {ns}/{} (type {})",
                s.name, s.ty
            ));
        }
    }
    let Some(engine) = ctx.netpol else {
        return out;
    };
    let Some(&wi) = ctx
        .netpol_index
        .get(&(ns.to_string(), w.kind.clone(), w.name.clone()))
    else {
        return out;
    };
    if !engine.ingress_controller(wi).is_empty() {
        out.push("exposed through an Ingress or Route backend".into());
    }
    let isolating = engine.ingress_of.get(wi).map_or(&[][..], Vec::as_slice);
    if isolating.is_empty() {
        out.push(
            "reachable from every pod of every namespace (no NetworkPolicy selects it for ingress)"
                .into(),
        );
        return out;
    }
    for &pi in isolating {
        let Some(p) = engine.model.policies.get(pi) else {
            continue;
        };
        let open = p.ingress.iter().find(|r| {
            r.peers.is_empty()
                || r.peers.iter().any(|peer| match peer {
                    PeerSel::Pods {
                        ns: Some(nsel),
                        pod,
                        ..
                    } => nsel.is_empty() && pod.as_ref().is_none_or(|s| s.is_empty()),
                    _ => false,
                })
        });
        if let Some(r) = open {
            out.push(format!(
                "reachable from every namespace (NetworkPolicy {}/{}, line {}, admits any source)",
                p.ns, p.name, r.line
            ));
            break;
        }
    }
    if !engine
        .ingress(Peer::External(0, u32::MAX), Peer::Workload(wi))
        .is_empty()
        && out.iter().any(|s| s.starts_with("exposed"))
    {
        out.push("reachable from outside the cluster (its ingress policies admit any IP)".into());
    }
    out
}

fn powers(ns: &str, sa: &str, model: &bulkhead_rbac::model::Model) -> Vec<String> {
    let az = Authorizer::new(model);
    let p = Principal::service_account(ns, sa);
    let checks: [(&str, Attrs); 6] = [
        ("do anything (`*` on `*`)", Attrs::resource("*", "*", "*")),
        ("read Secrets", Attrs::resource("get", "", "secrets")),
        ("list Secrets", Attrs::resource("list", "", "secrets")),
        ("create pods", Attrs::resource("create", "", "pods")),
        (
            "exec into pods",
            Attrs::resource("create", "", "pods").subresource("exec"),
        ),
        (
            "impersonate users",
            Attrs::resource("impersonate", "", "users"),
        ),
    ];
    let mut out = Vec::new();
    for (what, attrs) in checks {
        let (grant, scope) = match az.allowed(&p, &attrs) {
            Some(g) => (Some(g), "in every namespace".to_string()),
            None => (
                az.allowed(&p, &attrs.clone().in_ns(ns)),
                format!("in namespace {ns}"),
            ),
        };
        if let Some(g) = grant {
            let b = model.bindings.get(g.binding as usize).map(|b| b.display());
            let r = model.roles.get(g.role as usize).map(|r| r.display());
            out.push(format!(
                "service account {ns}/{sa} can {what} {scope} ({} grants {})",
                b.unwrap_or_default(),
                r.unwrap_or_default()
            ));
            if what.starts_with("do anything") {
                break;
            }
        }
    }
    out
}

/// Joins the workloads of `objects` with the image facts, the kube
/// findings on them, the RBAC model and the network engine.
pub fn join<'a>(
    objects: &[&'a Object],
    kube_findings: &[Finding],
    images: Images,
    ctx: &Context<'_>,
) -> Joined<'a> {
    let mut host: HostAccess<'_> = HashMap::new();
    for f in kube_findings.iter().filter(|f| !f.is_suppressed()) {
        if HOST_ACCESS_RULES.contains(&f.rule_id.as_str())
            && let (Some(doc), Some(obj)) = (f.location.document, f.location.object.as_deref())
        {
            host.entry((f.location.file.as_str(), doc, obj))
                .or_default()
                .push((f.rule_id.to_string(), f.message.clone()));
        }
    }
    let sa_automount: HashMap<(String, String), bool> = ctx
        .rbac
        .map(|m| {
            m.service_accounts
                .iter()
                .filter_map(|s| Some(((s.namespace.clone(), s.name.clone()), s.automount?)))
                .collect()
        })
        .unwrap_or_default();
    let mut workloads = Vec::new();
    for &obj in objects {
        let Some(pod) = pod_template(obj) else {
            continue;
        };
        let ns = obj.namespace.as_deref().unwrap_or("default");
        let containers = pod
            .containers
            .iter()
            .filter_map(|c| {
                let image = c.node.get("image").and_then(Node::as_str)?.to_string();
                let ports = c
                    .node
                    .get("ports")
                    .map(|ps| {
                        ps.items()
                            .iter()
                            .filter_map(|p| {
                                let n = u16::try_from(p.get("containerPort")?.as_i64()?).ok()?;
                                let proto = p
                                    .get("protocol")
                                    .and_then(Node::as_str)
                                    .unwrap_or("TCP")
                                    .to_ascii_lowercase();
                                Some((n, proto))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                Some(Ctr {
                    at: field_location(obj, obj.display(), &c.path.key("image")),
                    run_as_non_root: setting(c, &pod, "runAsNonRoot", Node::as_bool),
                    run_as_user: setting(c, &pod, "runAsUser", Node::as_i64),
                    ports,
                    image,
                    c: c.clone(),
                })
            })
            .collect();
        let sa = pod
            .spec
            .get("serviceAccountName")
            .or_else(|| pod.spec.get("serviceAccount"))
            .and_then(Node::as_str)
            .unwrap_or("default")
            .to_string();
        let token_mounted = match pod
            .spec
            .get("automountServiceAccountToken")
            .and_then(Node::as_bool)
        {
            Some(b) => b,
            None => sa_automount
                .get(&(ns.to_string(), sa.clone()))
                .copied()
                .unwrap_or(true),
        };
        let host_access = host
            .get(&(obj.source.name.as_str(), obj.doc, obj.display().as_str()))
            .cloned()
            .unwrap_or_default();
        let powers = match ctx.rbac {
            Some(m) => powers(ns, &sa, m),
            None => Vec::new(),
        };
        workloads.push(Workload {
            exposure: exposure(obj, &pod, ctx),
            obj,
            pod,
            containers,
            service_account: sa,
            token_mounted,
            host_access,
            powers,
        });
    }
    Joined { workloads, images }
}
