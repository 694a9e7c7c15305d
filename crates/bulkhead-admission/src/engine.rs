//! The decision: an AdmissionReview in, an AdmissionReview out. The same
//! analyzers, rule selection and suppressions as `bulkhead k8s` and
//! `bulkhead rbac`, then the admission policy (deny threshold, warn-only
//! rules, per-namespace mode and PSS level, exemptions, image gates).
//!
//! Pure and synchronous except for the image signature gate, which may ask
//! a registry; the server runs it under the request deadline.

use crate::images::{self, ImageGate};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use bulkhead_core::config::{AdmissionConfig, Config, NamespacePolicy};
use bulkhead_core::yaml::Limits;
use bulkhead_core::{Catalogue, Finding, PatchOp, RuleMeta, Selection, Severity, suppress};
use bulkhead_kube::analyze::{Options, analyze_object};
use bulkhead_kube::load::{self, Source};
use bulkhead_kube::path::FieldPath;
use bulkhead_kube::pss::{Level, Version};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Enforce,
    Warn,
    Audit,
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Mode, String> {
        match s {
            "enforce" => Ok(Mode::Enforce),
            "warn" => Ok(Mode::Warn),
            "audit" => Ok(Mode::Audit),
            m => Err(format!(
                "unknown admission mode '{m}' (enforce, warn or audit)"
            )),
        }
    }
}

/// The PSS setting: a fixed level, or each namespace's enforce label.
#[derive(Debug, Clone, Copy)]
enum Pss {
    Fixed(Options),
    Auto(Version),
}

#[derive(Debug, Clone)]
struct Scope {
    names: Vec<String>,
    labels: BTreeMap<String, String>,
    mode: Option<Mode>,
    deny_on: Option<Severity>,
    pss: Option<Pss>,
}

/// A compiled policy: everything checked once, at load.
pub struct Policy {
    pub catalogue: Arc<Catalogue>,
    selection: Selection,
    config: Config,
    mode: Mode,
    deny_on: Severity,
    deny: Vec<String>,
    warn: Vec<String>,
    pss: Pss,
    scopes: Vec<Scope>,
    pub images: ImageGate,
    fail_open: bool,
    deadline: std::time::Duration,
    /// Gatekeeper templates and constraints (`admission.gatekeeper`).
    pub gatekeeper: Option<bulkhead_gatekeeper::Policies>,
}

fn parse_pss(level: Option<&str>, version: Option<&str>) -> Result<Option<Pss>, String> {
    if level.is_none() && version.is_none() {
        return Ok(None);
    }
    let version: Version = version.unwrap_or("latest").parse()?;
    // A version that cannot exist yet is a typo; a near-future one evaluates
    // as the newest known, as upstream does.
    version.requested()?;
    Ok(Some(match level.unwrap_or("restricted") {
        l if l.eq_ignore_ascii_case("auto") => Pss::Auto(version),
        l => Pss::Fixed(Options {
            level: l.parse()?,
            version,
        }),
    }))
}

impl Policy {
    /// Compiles `config` (the `bulkhead.yaml` schema): an error names the problem.
    pub fn new(config: Config, catalogue: Arc<Catalogue>) -> Result<Policy, String> {
        let a: &AdmissionConfig = &config.admission;
        let selection = Selection::new(config.select.clone(), config.ignore.clone());
        let unknown = selection.unknown(&catalogue);
        if !unknown.is_empty() {
            return Err(format!("unknown rule selector(s) {}", unknown.join(", ")));
        }
        for s in a.deny.iter().chain(&a.warn) {
            if !catalogue
                .rules()
                .iter()
                .any(|r| bulkhead_core::select::matches(s, r))
            {
                return Err(format!("admission: selector '{s}' matches no rule"));
            }
        }
        let mode = a.mode.as_deref().unwrap_or("enforce").parse()?;
        let deny_on = a.deny_on.as_deref().unwrap_or("info").parse::<Severity>()?;
        let pss = parse_pss(
            a.pss.as_deref().or(config.kubernetes.pss.as_deref()),
            a.pss_version
                .as_deref()
                .or(config.kubernetes.pss_version.as_deref()),
        )?
        .unwrap_or(Pss::Fixed(Options {
            level: Level::Restricted,
            version: "latest".parse()?,
        }));
        let scopes = a
            .namespaces
            .iter()
            .map(|n: &NamespacePolicy| {
                Ok(Scope {
                    names: n.names.clone(),
                    labels: n.match_labels.clone(),
                    mode: n.mode.as_deref().map(str::parse).transpose()?,
                    deny_on: n.deny_on.as_deref().map(str::parse).transpose()?,
                    pss: parse_pss(n.pss.as_deref(), n.pss_version.as_deref())?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let images = ImageGate::new(&a.images)?;
        let fail_open = match a.failure_policy.as_deref().unwrap_or("fail") {
            f if f.eq_ignore_ascii_case("fail") => false,
            f if f.eq_ignore_ascii_case("ignore") => true,
            f => {
                return Err(format!(
                    "admission: unknown failure-policy '{f}' (fail or ignore)"
                ));
            }
        };
        let ms = a.timeout_ms.unwrap_or(2500);
        if !(1..=29_000).contains(&ms) {
            return Err(format!(
                "admission: timeout-ms {ms} is outside 1..29000 (the webhook timeout is at most 30 s)"
            ));
        }
        let gatekeeper = crate::gatekeeper::load(&a.gatekeeper)?;
        Ok(Policy {
            gatekeeper,
            fail_open,
            deadline: std::time::Duration::from_millis(ms),
            catalogue,
            selection,
            mode,
            deny_on,
            deny: a.deny.clone(),
            warn: a.warn.clone(),
            pss,
            scopes,
            images,
            config,
        })
    }

    pub fn enabled(&self, r: &RuleMeta) -> bool {
        self.selection.enabled(r)
    }

    /// The request deadline (below the webhook's `timeoutSeconds`).
    pub fn deadline(&self) -> std::time::Duration {
        self.deadline
    }

    /// The answer when no decision could be made (deadline, internal
    /// error): allowed under `failure-policy: ignore`, denied otherwise.
    pub fn failure_decision(&self, why: &str) -> Decision {
        let mut d = Decision::allow("failure-policy", Mode::Enforce);
        d.audit
            .insert("bulkhead.dev/failure".into(), why.to_string());
        if !self.fail_open {
            d.allowed = false;
            d.message = Some(format!(
                "bulkhead could not decide ({why}); failure-policy is fail"
            ));
        }
        d
    }
}

/// Namespace labels learnt from Namespace objects (admission requests for
/// Namespaces, or a `kubectl get ns -o yaml` file given at start).
#[derive(Default)]
pub struct Namespaces {
    labels: RwLock<HashMap<String, BTreeMap<String, String>>>,
}

impl Namespaces {
    pub fn set(&self, name: &str, labels: BTreeMap<String, String>) {
        if let Ok(mut m) = self.labels.write() {
            m.insert(name.to_string(), labels);
        }
    }

    pub fn remove(&self, name: &str) {
        if let Ok(mut m) = self.labels.write() {
            m.remove(name);
        }
    }

    pub fn get(&self, name: &str) -> BTreeMap<String, String> {
        self.labels
            .read()
            .ok()
            .and_then(|m| m.get(name).cloned())
            .unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.labels.read().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Learns every Namespace in a YAML/JSON text (a `kubectl get ns` dump).
    pub fn load_text(&self, name: &str, text: String) -> Result<usize, String> {
        let loaded = load::load(Arc::new(Source::new(name, text)), Limits::default());
        if let Some(e) = loaded.errors.first() {
            return Err(e.to_string());
        }
        let mut n = 0;
        for o in loaded.objects.iter().filter(|o| o.kind == "Namespace") {
            self.set(&o.name, labels_of(&o.root.to_json()));
            n += 1;
        }
        Ok(n)
    }
}

fn labels_of(obj: &Value) -> BTreeMap<String, String> {
    obj["metadata"]["labels"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// What a review asked, as read from the request.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub api_version: String,
    pub uid: String,
    pub kind: String,
    pub group: String,
    pub version: String,
    pub resource: String,
    pub sub_resource: String,
    pub namespace: String,
    pub name: String,
    pub operation: String,
    pub username: String,
    pub groups: Vec<String>,
    pub dry_run: bool,
    pub object: Value,
    pub old_object: Value,
}

/// A request that is not an AdmissionReview: the server answers 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadReview(pub String);

pub fn parse_review(body: &[u8]) -> Result<Request, BadReview> {
    let mut v: Value =
        serde_json::from_slice(body).map_err(|e| BadReview(format!("body is not JSON: {e}")))?;
    if v["kind"] != "AdmissionReview" {
        return Err(BadReview(format!(
            "kind is {}, not AdmissionReview",
            v["kind"]
        )));
    }
    let api_version = v["apiVersion"].as_str().unwrap_or("").to_string();
    if api_version != "admission.k8s.io/v1" && api_version != "admission.k8s.io/v1beta1" {
        return Err(BadReview(format!("unsupported apiVersion {api_version:?}")));
    }
    let r = &v["request"];
    let uid = r["uid"]
        .as_str()
        .filter(|u| !u.is_empty())
        .ok_or_else(|| BadReview("request.uid missing".into()))?
        .to_string();
    let s = |x: &Value| x.as_str().unwrap_or("").to_string();
    // requestKind/requestResource are what the user sent (before conversion).
    let kind = if r["requestKind"]["kind"].is_string() {
        &r["requestKind"]
    } else {
        &r["kind"]
    };
    let res = if r["requestResource"]["resource"].is_string() {
        &r["requestResource"]
    } else {
        &r["resource"]
    };
    let sub = r["requestSubResource"]
        .as_str()
        .or(r["subResource"].as_str())
        .unwrap_or("");
    let mut req = Request {
        api_version,
        uid,
        kind: s(&kind["kind"]),
        group: s(&kind["group"]),
        version: s(&kind["version"]),
        resource: s(&res["resource"]),
        sub_resource: sub.to_string(),
        namespace: s(&r["namespace"]),
        name: s(&r["name"]),
        operation: s(&r["operation"]),
        username: s(&r["userInfo"]["username"]),
        groups: r["userInfo"]["groups"]
            .as_array()
            .map(|g| {
                g.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        dry_run: r["dryRun"].as_bool().unwrap_or(false),
        object: Value::Null,
        old_object: Value::Null,
    };
    // The objects are moved out, not copied: they are most of the body.
    if let Some(r) = v.get_mut("request") {
        req.object = r.get_mut("object").map(Value::take).unwrap_or_default();
        req.old_object = r.get_mut("oldObject").map(Value::take).unwrap_or_default();
    }
    Ok(req)
}

/// The decision for one request.
#[derive(Debug, Clone)]
pub struct Decision {
    pub allowed: bool,
    pub denied: Vec<Finding>,
    pub warned: Vec<Finding>,
    pub message: Option<String>,
    pub patch: Option<Vec<Value>>,
    pub audit: BTreeMap<String, String>,
    /// `exempt`, `skipped` (kind not checked), `checked`.
    pub why: &'static str,
    pub mode: Mode,
}

impl Decision {
    fn allow(why: &'static str, mode: Mode) -> Decision {
        Decision {
            allowed: true,
            denied: Vec::new(),
            warned: Vec::new(),
            message: None,
            patch: None,
            audit: BTreeMap::new(),
            why,
            mode,
        }
    }
}

const RBAC_KINDS: [&str; 4] = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];

fn glob(p: &str, s: &str) -> bool {
    match p.strip_suffix('*') {
        Some(prefix) => s.starts_with(prefix),
        None => p == s,
    }
}

/// Evaluates one request under `policy`. `mutate`: also compute the JSON
/// Patch of the fixes (`/mutate`); the decision is then always "allowed".
pub fn evaluate(policy: &Policy, ns: &Namespaces, req: &Request, mutate: bool) -> Decision {
    let a = &policy.config.admission;
    // Namespaces teach the label cache (PSS `auto`, namespace selectors).
    if req.kind == "Namespace" && req.group.is_empty() {
        match req.operation.as_str() {
            "DELETE" => ns.remove(&req.name),
            _ => ns.set(&req.name, labels_of(&req.object)),
        }
    }
    let labels = ns.get(&req.namespace);
    let scope = policy.scopes.iter().find(|s| {
        (s.names.is_empty() || s.names.iter().any(|n| glob(n, &req.namespace)))
            && s.labels.iter().all(|(k, v)| labels.get(k) == Some(v))
    });
    let mode = scope.and_then(|s| s.mode).unwrap_or(policy.mode);
    let deny_on = scope.and_then(|s| s.deny_on).unwrap_or(policy.deny_on);
    let ex = &a.exemptions;
    if ex.usernames.contains(&req.username)
        || ex.groups.iter().any(|g| req.groups.contains(g))
        || ex.namespaces.iter().any(|n| glob(n, &req.namespace))
    {
        let mut d = Decision::allow("exempt", mode);
        d.audit.insert("bulkhead.dev/exempt".into(), "true".into());
        return d;
    }
    if matches!(req.operation.as_str(), "DELETE" | "CONNECT") || req.object.is_null() {
        return Decision::allow("skipped", mode);
    }
    // Subresources other than ephemeral containers (exec, attach, status,
    // scale, binding) carry no pod spec to judge.
    if !req.sub_resource.is_empty() && req.sub_resource != "ephemeralcontainers" {
        return Decision::allow("skipped", mode);
    }
    let rc = req.object["spec"]["runtimeClassName"]
        .as_str()
        .or(req.object["spec"]["template"]["spec"]["runtimeClassName"].as_str());
    if let Some(rc) = rc
        && ex.runtime_classes.iter().any(|x| x == rc)
    {
        let mut d = Decision::allow("exempt", mode);
        d.audit
            .insert("bulkhead.dev/exempt".into(), format!("runtimeClass {rc}"));
        return d;
    }
    // The object as a manifest: namespace and name from the request.
    // Namespace and name from the request when the object lacks them (a
    // copy only then: the API server has usually set them already).
    let meta = &req.object["metadata"];
    let needs_ns =
        !req.namespace.is_empty() && meta["namespace"].as_str() != Some(req.namespace.as_str());
    let needs_name = meta["name"].as_str().is_none_or(str::is_empty);
    let mut owned = None;
    if needs_ns || needs_name {
        owned = Some(req.object.clone());
    }
    if let Some(m) = owned
        .as_mut()
        .and_then(|o| o.get_mut("metadata"))
        .and_then(Value::as_object_mut)
    {
        if !req.namespace.is_empty() {
            m.insert("namespace".into(), Value::String(req.namespace.clone()));
        }
        if m.get("name")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            let n = if req.name.is_empty() {
                m.get("generateName")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            } else {
                req.name.clone()
            };
            m.insert("name".into(), Value::String(n));
        }
    }
    let obj: &Value = owned.as_ref().unwrap_or(&req.object);
    let source_name = if req.namespace.is_empty() {
        format!("admission/{}", req.kind)
    } else {
        format!("admission/{}/{}", req.namespace, req.kind)
    };
    let source = Arc::new(Source::new(source_name, String::new()));
    let loaded = load::load_json(Arc::clone(&source), obj);
    let Some(o) = loaded.objects.into_iter().next() else {
        let mut d = Decision::allow("skipped", mode);
        if let Some(e) = loaded.errors.first() {
            d.audit.insert("bulkhead.dev/error".into(), e.to_string());
        }
        return d;
    };
    let opts = match scope.and_then(|s| s.pss).unwrap_or(policy.pss) {
        Pss::Fixed(o) => o,
        Pss::Auto(version) => {
            let level = labels
                .get("pod-security.kubernetes.io/enforce")
                .and_then(|l| l.parse::<Level>().ok())
                .unwrap_or(Level::Restricted);
            let version = labels
                .get("pod-security.kubernetes.io/enforce-version")
                .and_then(|v| v.parse::<Version>().ok())
                .unwrap_or(version);
            Options { level, version }
        }
    };
    let enabled = |r: &RuleMeta| policy.enabled(r);
    let mut findings = if o.kind == "NetworkPolicy" {
        netpol_findings(&o, &enabled)
    } else if RBAC_KINDS.contains(&o.kind.as_str()) {
        let again = load::load_json(Arc::clone(&source), obj);
        rbac_findings(again.objects, &enabled)
    } else {
        analyze_object(&o, &opts, &enabled, &policy.catalogue).findings
    };
    findings.extend(images::check(&policy.images, &o, &enabled));
    if let Some(gk) = &policy.gatekeeper {
        match gk.evaluate(&gatekeeper_review(req, obj), None) {
            Ok(vs) if !vs.is_empty() => {
                let input = crate::gatekeeper::input(&o.display(), &o.source.name, &vs);
                findings.extend(crate::gatekeeper::findings(&input, &enabled));
            }
            Ok(_) => {}
            Err(e) => {
                // A policy that cannot be evaluated is the failure policy's case.
                return policy.failure_decision(&format!("Gatekeeper policy: {e}"));
            }
        }
    }
    let today = jiff::Zoned::now().date();
    let _ = suppress::apply_config(
        &mut findings,
        &policy.config.suppressions,
        &policy.catalogue,
        today,
        "bulkhead.yaml",
    );
    // One order whatever the analyzer's: by rule, then field.
    findings.sort_by(|a, b| {
        a.rule_id
            .cmp(&b.rule_id)
            .then_with(|| a.location.field.cmp(&b.location.field))
            .then_with(|| a.message.cmp(&b.message))
    });
    let mut d = Decision::allow("checked", mode);
    for f in findings.into_iter().filter(|f| !f.is_suppressed()) {
        let rule = policy.catalogue.get(&f.rule_id);
        let forced = rule.is_some_and(|r| {
            policy
                .deny
                .iter()
                .any(|s| bulkhead_core::select::matches(s, r))
        });
        // A Gatekeeper constraint's enforcementAction decides for it.
        let action = f.evidence.get("enforcement").map(String::as_str);
        if action == Some("dryrun") {
            d.audit
                .entry("bulkhead.dev/gatekeeper-dryrun".into())
                .and_modify(|v| {
                    v.push_str("; ");
                    v.push_str(&f.message);
                })
                .or_insert_with(|| f.message.clone());
            continue;
        }
        let forced = forced || action == Some("deny");
        let warn_only_action = action == Some("warn");
        let warn_only = rule.is_some_and(|r| {
            policy
                .warn
                .iter()
                .any(|s| bulkhead_core::select::matches(s, r))
        }) || warn_only_action;
        if (forced || f.severity >= deny_on) && !warn_only {
            d.denied.push(f);
        } else {
            d.warned.push(f);
        }
    }
    let ids = |fs: &[Finding]| {
        let mut v: Vec<&str> = fs.iter().map(|f| f.rule_id.as_str()).collect();
        v.sort_unstable();
        v.dedup();
        v.join(",")
    };
    if !d.denied.is_empty() {
        d.audit
            .insert("bulkhead.dev/violations".into(), ids(&d.denied));
    }
    if !d.warned.is_empty() {
        d.audit
            .insert("bulkhead.dev/warnings".into(), ids(&d.warned));
    }
    if mutate {
        let ops: Vec<&PatchOp> = d
            .denied
            .iter()
            .chain(&d.warned)
            .filter_map(|f| f.fix.as_ref())
            .flat_map(|fx| fx.ops.iter())
            .collect();
        if let Some(w) = bulkhead_kube::fix::want_for(&o, &ops) {
            let mut patch = Vec::new();
            bulkhead_kube::fix::json_patch(Some(&o.root), &w, &FieldPath::root(), &mut patch);
            if !patch.is_empty() {
                d.patch = Some(patch);
            }
        }
        return d;
    }
    if !d.denied.is_empty() && mode == Mode::Enforce {
        d.allowed = false;
        let parts: Vec<String> = d.denied.iter().map(describe).collect();
        d.message = Some(format!(
            "bulkhead denied {}: {}",
            o.display(),
            parts.join("; ")
        ));
    }
    d
}

fn describe(f: &Finding) -> String {
    match &f.location.field {
        Some(field) => format!("{} ({field}): {}", f.rule_id, f.message),
        None => format!("{}: {}", f.rule_id, f.message),
    }
}

fn rbac_findings(
    objects: Vec<load::Object>,
    enabled: &(dyn Fn(&RuleMeta) -> bool + Sync),
) -> Vec<Finding> {
    use bulkhead_rbac::analyze::{Analysis, Options as RbacOptions};
    use bulkhead_rbac::model::{Model, ModelOptions};
    let model = Model::build(
        objects,
        ModelOptions {
            bootstrap_bindings: false,
            builtin_roles: true,
        },
    );
    let a = Analysis::new(
        &model,
        RbacOptions {
            include_system: true,
        },
    );
    a.findings(enabled)
}

/// Gatekeeper's `input.review` for a request: the AdmissionRequest with
/// the object as judged (namespace and name filled in).
fn gatekeeper_review(req: &Request, obj: &Value) -> Value {
    let mut r = json!({
        "uid": req.uid,
        "kind": {"group": req.group, "version": req.version, "kind": req.kind},
        "resource": {"group": req.group, "version": req.version, "resource": req.resource},
        "name": req.name,
        "namespace": req.namespace,
        "operation": req.operation,
        "userInfo": {"username": req.username, "groups": req.groups},
        "object": obj,
        "oldObject": req.old_object,
        "dryRun": req.dry_run,
    });
    if !req.sub_resource.is_empty() {
        r["subResource"] = json!(req.sub_resource);
    }
    bulkhead_gatekeeper::review_from_admission_request(&r).unwrap_or(r)
}

/// The NetworkPolicy rules that judge one policy on its own (a rule that
/// can never match, DNS blocked by egress isolation, the world let in to a
/// sensitive port); the ones that need the cluster's workloads (NP001-003)
/// are CI's (`bulkhead netpol`).
const NETPOL_PER_POLICY: [&str; 3] = ["NP004", "NP005", "NP006"];

fn netpol_findings(o: &load::Object, enabled: &dyn Fn(&RuleMeta) -> bool) -> Vec<Finding> {
    let model = bulkhead_netpol::Model::build([o]);
    let engine = bulkhead_netpol::Engine::new(&model, bulkhead_netpol::Options::default());
    bulkhead_netpol::rules::check(&engine, &|r| {
        NETPOL_PER_POLICY.contains(&r.id) && enabled(r)
    })
}

/// The AdmissionReview answering `req` with `d`.
pub fn response(req: &Request, d: &Decision) -> Value {
    let mut r = Map::new();
    r.insert("uid".into(), json!(req.uid));
    let allowed = d.allowed || d.mode != Mode::Enforce;
    r.insert("allowed".into(), json!(allowed));
    if let Some(m) = &d.message {
        r.insert(
            "status".into(),
            json!({"code": 403, "reason": "Forbidden", "message": m}),
        );
    }
    // Warnings: findings below the deny threshold, and denials not enforced.
    let mut warnings: Vec<String> = Vec::new();
    if d.mode != Mode::Audit {
        let not_enforced = if d.mode == Mode::Warn {
            &d.denied[..]
        } else {
            &[]
        };
        for f in d.warned.iter().chain(not_enforced) {
            let mut w = describe(f);
            if w.len() > 240 {
                let mut cut = 240;
                while !w.is_char_boundary(cut) {
                    cut -= 1;
                }
                w.truncate(cut);
                w.push('…');
            }
            warnings.push(w);
        }
    }
    if !warnings.is_empty() {
        r.insert("warnings".into(), json!(warnings));
    }
    if !d.audit.is_empty() {
        r.insert("auditAnnotations".into(), json!(d.audit));
    }
    if let Some(p) = &d.patch {
        r.insert("patchType".into(), json!("JSONPatch"));
        r.insert(
            "patch".into(),
            json!(B64.encode(serde_json::to_vec(p).unwrap_or_default())),
        );
    }
    json!({"apiVersion": req.api_version, "kind": "AdmissionReview", "response": Value::Object(r)})
}
