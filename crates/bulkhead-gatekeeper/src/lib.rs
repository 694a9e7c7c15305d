//! OPA Gatekeeper policies: ConstraintTemplates whose Rego runs on the
//! [`regorus`] interpreter, Constraints with Gatekeeper's `spec.match`
//! semantics, and `gator verify`-style test suites ([`suite`]).
//!
//! What mirrors Gatekeeper (v3, `pkg/target`, `pkg/mutation/match`,
//! `pkg/gator/verify`, read to learn the behaviour, no code taken):
//! - the Rego input is `{"review": <AdmissionRequest>, "parameters":
//!   <constraint spec.parameters, default {}>}` and referential data is
//!   `data.inventory.namespace[ns][apiVersion][kind][name]` /
//!   `data.inventory.cluster[apiVersion][kind][name]`;
//! - a bare object is reviewed as an AdmissionRequest carrying its kind
//!   (`{group, version, kind}`), name, namespace and `object`, with an empty
//!   operation; a DELETE review evaluates its `oldObject` as `object`;
//! - `spec.match` ([`Match`]): kinds, scope, namespaces/excludedNamespaces
//!   (with `prefix*`/`*suffix` wildcards), labelSelector, namespaceSelector
//!   (the Namespace comes from the inventory), name, source; a review
//!   matches if its object or its oldObject matches;
//! - builtin errors make the expression undefined (OPA's non-strict mode);
//! - where regorus 0.14.1 parses or evaluates Rego v0 differently from OPA,
//!   the module source is rewritten first (see `rego_compat`: several
//!   bodies per rule, a `(` line after a term, `not f(ref)`); the rewritten
//!   source is what [`Template::modules`] holds.
//!
//! Hand-rolled here, because it is Kubernetes semantics, not a library:
//! label selectors (matchLabels/matchExpressions) and the wildcards above.
//! Each template is parsed and compiled once ([`Template::parse`]); each
//! evaluation clones the prepared engine (the modules are shared, so the
//! clone is cheap) and passes the inventory through `input`, re-bound to
//! `data.inventory` with `with`, so that no evaluation re-analyses the
//! policy. Evaluation has a wall-clock limit ([`Policies::set_time_limit`]).

use regorus::Engine;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::time::Duration;

mod matching;
mod rego_compat;
pub mod suite;

pub use matching::{KindSelector, LabelSelector, Match, Requirement, Scope};

/// The target Gatekeeper's admission templates are written for.
pub const ADMISSION_TARGET: &str = "admission.k8s.gatekeeper.sh";

/// Default wall-clock limit of one template evaluation.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(2);

/// Deepest review or inventory accepted (the conversions into the Rego
/// engine recurse; Kubernetes objects are far shallower).
pub const MAX_DEPTH: usize = 256;

/// Whether `v` nests deeper than `max` (iteratively, so any depth is safe).
fn depth_exceeds(v: &Value, max: usize) -> bool {
    let mut stack = vec![(v, 1usize)];
    while let Some((v, d)) = stack.pop() {
        if d > max {
            return true;
        }
        match v {
            Value::Array(a) => stack.extend(a.iter().map(|x| (x, d + 1))),
            Value::Object(m) => stack.extend(m.values().map(|x| (x, d + 1))),
            _ => {}
        }
    }
    false
}

const WRAPPER_PACKAGE: &str = "bulkhead_gatekeeper_entry";

/// Parses one YAML document (the first non-empty one) into JSON.
pub(crate) fn parse_yaml_doc(text: &str, name: &str) -> Result<Value, String> {
    let docs = parse_yaml_docs(text, name)?;
    let mut non_empty = docs.into_iter();
    match non_empty.next() {
        Some(v) => {
            if non_empty.next().is_some() {
                return Err(format!("{name}: expected one YAML document, found several"));
            }
            Ok(v)
        }
        None => Err(format!("{name}: no YAML document")),
    }
}

/// Parses a YAML stream into its non-empty documents, as JSON.
///
/// One leniency of Go's YAML decoder (which Gatekeeper uses) is kept: the
/// continuation lines of a multi-line quoted scalar may be indented no more
/// than its key (gatekeeper-library's httpsonly template has one). YAML 1.2
/// requires more, so such lines are indented one column past the key and the
/// text parsed again; leading white space of continuation lines is folded
/// away, so the value is unchanged.
pub(crate) fn parse_yaml_docs(text: &str, name: &str) -> Result<Vec<Value>, String> {
    let mut text = std::borrow::Cow::Borrowed(text);
    for _ in 0..64 {
        match bulkhead_core::yaml::parse(&text, bulkhead_core::yaml::Limits::default()) {
            Ok(docs) => {
                return Ok(docs
                    .into_iter()
                    .map(|d| d.root.to_json())
                    .filter(|v| !v.is_null())
                    .collect());
            }
            Err(e) => {
                let fixed = if e.message.contains("indentation in quoted scalar") {
                    indent_quoted_continuation(&text, e.line, e.col)
                } else {
                    None
                };
                match fixed {
                    Some(f) => text = std::borrow::Cow::Owned(f),
                    None => return Err(format!("{name}: {e}")),
                }
            }
        }
    }
    Err(format!("{name}: too many under-indented quoted scalars"))
}

/// Indents the continuation lines of the quoted scalar that starts at
/// `line`:`col` (1-based) past the indentation of its first line.
fn indent_quoted_continuation(text: &str, line: u32, col: u32) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let first = *lines.get((line as usize).checked_sub(1)?)?;
    let key_indent = first.len() - first.trim_start_matches(' ').len();
    let start = (col as usize).checked_sub(1)?;
    let quote = *first.as_bytes().get(start)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    // Find the line of the closing quote.
    let mut li = line as usize - 1;
    let mut pos = start + 1;
    let mut end_line = None;
    while li < lines.len() {
        let b = lines[li].as_bytes();
        while pos < b.len() {
            match b[pos] {
                b'\\' if quote == b'"' => pos += 2,
                b'\'' if quote == b'\'' && b.get(pos + 1) == Some(&b'\'') => pos += 2,
                c if c == quote => {
                    end_line = Some(li);
                    break;
                }
                _ => pos += 1,
            }
        }
        if end_line.is_some() {
            break;
        }
        li += 1;
        pos = 0;
    }
    let end_line = end_line?;
    let mut changed = false;
    let mut out = String::with_capacity(text.len() + 16);
    for (i, l) in lines.iter().enumerate() {
        let ind = l.len() - l.trim_start_matches(' ').len();
        if i > line as usize - 1 && i <= end_line && !l.trim().is_empty() && ind <= key_indent {
            out.push_str(&" ".repeat(key_indent + 1 - ind));
            changed = true;
        }
        out.push_str(l);
    }
    changed.then_some(out)
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

/// A compiled ConstraintTemplate.
#[derive(Clone)]
pub struct Template {
    /// `metadata.name`.
    pub name: String,
    /// The Constraint kind it defines (`spec.crd.spec.names.kind`).
    pub kind: String,
    /// The Rego package of the main module, e.g. `k8sallowedrepos`.
    pub package: String,
    /// Rego modules as `(id, source)`: the main module first, then the libs.
    pub modules: Vec<(String, String)>,
    /// Whether the modules are Rego v1 (`code[].source.version: v1`).
    pub rego_v1: bool,
    engine: Engine,
}

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Template")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("package", &self.package)
            .field("modules", &self.modules.len())
            .field("rego_v1", &self.rego_v1)
            .finish()
    }
}

impl Template {
    /// Parses and compiles a ConstraintTemplate from YAML (or JSON) text.
    pub fn parse(yaml_text: &str, name_for_errors: &str) -> Result<Template, String> {
        let v = parse_yaml_doc(yaml_text, name_for_errors)?;
        Template::from_json(&v, name_for_errors)
    }

    /// Compiles a ConstraintTemplate already decoded to JSON.
    pub fn from_json(v: &Value, name_for_errors: &str) -> Result<Template, String> {
        let err = |m: &str| format!("{name_for_errors}: {m}");
        if str_at(v, &["kind"]) != Some("ConstraintTemplate") {
            return Err(err(
                "not a ConstraintTemplate (kind must be ConstraintTemplate)",
            ));
        }
        let name = str_at(v, &["metadata", "name"]).unwrap_or("").to_string();
        let kind = str_at(v, &["spec", "crd", "spec", "names", "kind"])
            .ok_or_else(|| err("spec.crd.spec.names.kind is missing"))?
            .to_string();
        let targets = v
            .pointer("/spec/targets")
            .and_then(Value::as_array)
            .ok_or_else(|| err("spec.targets is missing"))?;
        let target = targets
            .iter()
            .find(|t| str_at(t, &["target"]) == Some(ADMISSION_TARGET))
            .ok_or_else(|| err(&format!("no target {ADMISSION_TARGET} in spec.targets")))?;
        let (rego, libs, rego_v1) = rego_source(target).map_err(|m| err(&m))?;
        let mut modules = vec![(format!("{name_for_errors}#rego"), rego)];
        for (i, lib) in libs.iter().enumerate() {
            let lib = lib
                .as_str()
                .ok_or_else(|| err(&format!("libs[{i}] is not a string")))?;
            modules.push((format!("{name_for_errors}#libs[{i}]"), lib.to_string()));
        }
        if !rego_v1 {
            let functions: std::collections::BTreeSet<String> = modules
                .iter()
                .flat_map(|(_, src)| rego_compat::function_names(src))
                .collect();
            for (_, src) in &mut modules {
                *src = rego_compat::rewrite(src, &functions);
            }
        }
        let mut engine = Engine::new();
        engine.set_rego_v0(!rego_v1);
        engine.set_strict_builtin_errors(false);
        let mut package = String::new();
        for (i, (id, src)) in modules.iter().enumerate() {
            let p = engine
                .add_policy(id.clone(), src.clone())
                .map_err(|e| err(&format!("rego: {e}")))?;
            if i == 0 {
                package = p;
            }
        }
        let package = package
            .strip_prefix("data.")
            .unwrap_or(&package)
            .to_string();
        if package.starts_with("lib.") || package == "lib" {
            return Err(err("the main rego module must not be in package lib"));
        }
        // The entry point: violations of the template, with the inventory
        // passed through input (see the module doc).
        let wrapper = format!(
            "package {WRAPPER_PACKAGE}\n\
             violations := {{v | data.{package}.violation[v] with input as input.i with data.inventory as input.inv}}\n"
        );
        engine.set_rego_v0(true);
        engine
            .add_policy(format!("{name_for_errors}#entry"), wrapper)
            .map_err(|e| err(&format!("rego: {e}")))?;
        // Compile now (analysis, imports, rule gathering), so that errors
        // name the template and evaluations start from a prepared engine.
        engine.set_input(json!({"i": {"review": {}, "parameters": {}}, "inv": {}}).into());
        engine
            .eval_rule(format!("data.{WRAPPER_PACKAGE}.violations"))
            .map_err(|e| err(&format!("rego: {e}")))?;
        Ok(Template {
            name,
            kind,
            package,
            modules,
            rego_v1,
            engine,
        })
    }

    /// Runs the template's `violation` rule on `input.review`.
    fn violations(
        &self,
        review: &Value,
        parameters: &Value,
        inventory: &Value,
        time_limit: Duration,
    ) -> Result<Vec<Value>, String> {
        let mut engine = self.engine.clone();
        engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
            limit: time_limit,
            check_interval: CHECK_INTERVAL,
        });
        let input = json!({
            "i": {"review": review, "parameters": parameters},
            "inv": inventory,
        });
        engine.set_input(regorus::Value::from(input));
        let out = engine
            .eval_rule(format!("data.{WRAPPER_PACKAGE}.violations"))
            .map_err(|e| format!("template {}: {e}", self.kind))?;
        if out == regorus::Value::Undefined {
            return Ok(Vec::new());
        }
        let out = serde_json::to_value(&out).map_err(|e| format!("template {}: {e}", self.kind))?;
        match out {
            Value::Array(items) => Ok(items),
            Value::Null => Ok(Vec::new()),
            other => Err(format!(
                "template {}: violation is not a set ({})",
                self.kind,
                short(&other.to_string())
            )),
        }
    }
}

const CHECK_INTERVAL: NonZeroU32 = match NonZeroU32::new(256) {
    Some(n) => n,
    None => NonZeroU32::MIN,
};

fn short(s: &str) -> String {
    if s.len() <= 120 {
        return s.to_string();
    }
    let mut end = 120;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// The Rego of a target: `rego`+`libs`, or `code[engine: Rego].source`.
fn rego_source(target: &Value) -> Result<(String, Vec<Value>, bool), String> {
    let libs_of = |v: Option<&Value>| -> Result<Vec<Value>, String> {
        match v {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(a)) => Ok(a.clone()),
            Some(_) => Err("libs is not a list".to_string()),
        }
    };
    if let Some(rego) = target.get("rego").and_then(Value::as_str)
        && !rego.trim().is_empty()
    {
        return Ok((rego.to_string(), libs_of(target.get("libs"))?, false));
    }
    if let Some(code) = target.get("code").and_then(Value::as_array) {
        for c in code {
            if str_at(c, &["engine"]) != Some("Rego") {
                continue;
            }
            let src = c.get("source").ok_or("code[engine: Rego] has no source")?;
            let rego = src
                .get("rego")
                .and_then(Value::as_str)
                .ok_or("code[engine: Rego].source.rego is missing")?;
            let v1 = matches!(str_at(src, &["version"]), Some("v1"));
            return Ok((rego.to_string(), libs_of(src.get("libs"))?, v1));
        }
    }
    Err("no Rego in the admission target (neither rego nor code[engine: Rego])".to_string())
}

/// A Constraint: an instance of a template's kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    pub kind: String,
    pub name: String,
    /// `spec.parameters` (`{}` when absent).
    pub parameters: Value,
    pub matcher: Match,
    /// `spec.enforcementAction`, `deny` when absent.
    pub enforcement_action: String,
}

impl Constraint {
    /// Parses a Constraint from YAML (or JSON) text.
    pub fn parse(yaml_text: &str, name_for_errors: &str) -> Result<Constraint, String> {
        let v = parse_yaml_doc(yaml_text, name_for_errors)?;
        Constraint::from_json(&v, name_for_errors)
    }

    /// Reads a Constraint already decoded to JSON.
    pub fn from_json(v: &Value, name_for_errors: &str) -> Result<Constraint, String> {
        let err = |m: &str| format!("{name_for_errors}: {m}");
        let kind = str_at(v, &["kind"])
            .filter(|k| !k.is_empty())
            .ok_or_else(|| err("kind is missing"))?
            .to_string();
        let name = str_at(v, &["metadata", "name"])
            .ok_or_else(|| err("metadata.name is missing"))?
            .to_string();
        let spec = v.get("spec").cloned().unwrap_or(Value::Null);
        let parameters = match spec.get("parameters") {
            None | Some(Value::Null) => json!({}),
            Some(p) => p.clone(),
        };
        let matcher = match spec.get("match") {
            None | Some(Value::Null) => Match::default(),
            Some(m) => Match::from_json(m).map_err(|e| err(&format!("spec.match: {e}")))?,
        };
        let enforcement_action = match spec.get("enforcementAction") {
            None | Some(Value::Null) => "deny".to_string(),
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::String(_)) => "deny".to_string(),
            Some(_) => return Err(err("spec.enforcementAction is not a string")),
        };
        Ok(Constraint {
            kind,
            name,
            parameters,
            matcher,
            enforcement_action,
        })
    }
}

/// One violation of one constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub constraint_kind: String,
    pub constraint_name: String,
    pub msg: String,
    pub enforcement_action: String,
    /// The rule's `details` (`{}` when absent).
    pub details: Value,
}

/// Templates and their constraints.
#[derive(Debug, Clone)]
pub struct Policies {
    templates: BTreeMap<String, Template>,
    constraints: Vec<Constraint>,
    time_limit: Duration,
}

impl Default for Policies {
    fn default() -> Self {
        Policies {
            templates: BTreeMap::new(),
            constraints: Vec::new(),
            time_limit: DEFAULT_TIME_LIMIT,
        }
    }
}

impl Policies {
    pub fn new() -> Self {
        Policies::default()
    }

    /// Adds a template; its kind must be new.
    pub fn add_template(&mut self, template: Template) -> Result<(), String> {
        if self.templates.contains_key(&template.kind) {
            return Err(format!(
                "template {}: kind {} is already defined",
                template.name, template.kind
            ));
        }
        self.templates.insert(template.kind.clone(), template);
        Ok(())
    }

    /// Adds a constraint; its template must be there, and its kind+name new.
    pub fn add_constraint(&mut self, constraint: Constraint) -> Result<(), String> {
        if !self.templates.contains_key(&constraint.kind) {
            return Err(format!(
                "constraint {} {}: no template defines kind {}",
                constraint.kind, constraint.name, constraint.kind
            ));
        }
        if self
            .constraints
            .iter()
            .any(|c| c.kind == constraint.kind && c.name == constraint.name)
        {
            return Err(format!(
                "constraint {} {}: already defined",
                constraint.kind, constraint.name
            ));
        }
        self.constraints.push(constraint);
        Ok(())
    }

    pub fn templates(&self) -> impl Iterator<Item = &Template> {
        self.templates.values()
    }

    pub fn constraints(&self) -> &[Constraint] {
        &self.constraints
    }

    /// Wall-clock limit of one template evaluation.
    pub fn set_time_limit(&mut self, limit: Duration) {
        self.time_limit = limit;
    }

    /// Evaluates every constraint that matches the review.
    ///
    /// `review` is the AdmissionRequest-like `input.review` (see
    /// [`review_for_object`] and [`review_from_admission_request`]);
    /// `inventory` is `data.inventory` (see [`inventory_from_objects`]).
    /// An error is a review that cannot be evaluated (no object, a
    /// namespaceSelector on a namespaced object whose Namespace is not in
    /// the inventory, a Rego runtime error or time-out).
    pub fn evaluate(
        &self,
        review: &Value,
        inventory: Option<&Value>,
    ) -> Result<Vec<Violation>, String> {
        let empty = json!({});
        let inventory = inventory.unwrap_or(&empty);
        for (what, v) in [("review", review), ("inventory", inventory)] {
            if depth_exceeds(v, MAX_DEPTH) {
                return Err(format!("{what} is nested deeper than {MAX_DEPTH} levels"));
            }
        }
        let review = normalize_review(review)?;
        let target = matching::Target::new(&review, inventory)?;
        let mut out = Vec::new();
        for c in &self.constraints {
            let Some(t) = self.templates.get(&c.kind) else {
                continue;
            };
            let matched = target
                .matches(&c.matcher)
                .map_err(|e| format!("constraint {} {}: {e}", c.kind, c.name))?;
            if !matched {
                continue;
            }
            let results = t
                .violations(&review, &c.parameters, inventory, self.time_limit)
                .map_err(|e| format!("constraint {} {}: {e}", c.kind, c.name))?;
            for r in results {
                let msg = match r.get("msg") {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                };
                let details = match r.get("details") {
                    None | Some(Value::Null) => json!({}),
                    Some(d) => d.clone(),
                };
                out.push(Violation {
                    constraint_kind: c.kind.clone(),
                    constraint_name: c.name.clone(),
                    msg,
                    enforcement_action: c.enforcement_action.clone(),
                    details,
                });
            }
        }
        Ok(out)
    }
}

/// The `input.review` Gatekeeper builds for a bare object (as gator does):
/// kind `{group, version, kind}`, name, namespace, `object`, no operation.
pub fn review_for_object(obj: &Value) -> Value {
    let api_version = str_at(obj, &["apiVersion"]).unwrap_or("");
    let (group, version) = split_api_version(api_version);
    let mut r = Map::new();
    r.insert("uid".into(), json!(""));
    r.insert(
        "kind".into(),
        json!({"group": group, "version": version, "kind": str_at(obj, &["kind"]).unwrap_or("")}),
    );
    r.insert(
        "resource".into(),
        json!({"group": "", "version": "", "resource": ""}),
    );
    if let Some(n) = str_at(obj, &["metadata", "name"]).filter(|s| !s.is_empty()) {
        r.insert("name".into(), json!(n));
    }
    if let Some(n) = str_at(obj, &["metadata", "namespace"]).filter(|s| !s.is_empty()) {
        r.insert("namespace".into(), json!(n));
    }
    r.insert("operation".into(), json!(""));
    r.insert("userInfo".into(), json!({}));
    r.insert("object".into(), obj.clone());
    r.insert("oldObject".into(), Value::Null);
    r.insert("options".into(), Value::Null);
    Value::Object(r)
}

/// The `input.review` for an AdmissionReview's `request`, with the fields
/// a typed AdmissionRequest always carries filled in.
pub fn review_from_admission_request(request: &Value) -> Result<Value, String> {
    let Value::Object(req) = request else {
        return Err("AdmissionReview has no request".to_string());
    };
    let mut r = req.clone();
    let defaults = [
        ("uid", json!("")),
        ("kind", json!({"group": "", "version": "", "kind": ""})),
        (
            "resource",
            json!({"group": "", "version": "", "resource": ""}),
        ),
        ("operation", json!("")),
        ("userInfo", json!({})),
        ("object", Value::Null),
        ("oldObject", Value::Null),
        ("options", Value::Null),
    ];
    for (k, d) in defaults {
        if r.get(k).is_none_or(Value::is_null) {
            r.insert(k.to_string(), d);
        }
    }
    if r.get("object").is_none_or(Value::is_null) && r.get("oldObject").is_none_or(Value::is_null) {
        return Err("AdmissionRequest has neither object nor oldObject to review".to_string());
    }
    Ok(Value::Object(r))
}

/// Whether a document is an AdmissionReview (group admission.k8s.io).
pub fn is_admission_review(obj: &Value) -> bool {
    str_at(obj, &["kind"]) == Some("AdmissionReview")
        && split_api_version(str_at(obj, &["apiVersion"]).unwrap_or("")).0 == "admission.k8s.io"
}

/// A DELETE review is evaluated on its oldObject (Gatekeeper's
/// setObjectOnDelete); the review must be an object.
fn normalize_review(review: &Value) -> Result<Value, String> {
    if !review.is_object() {
        return Err("review is not an object".to_string());
    }
    if str_at(review, &["operation"]) == Some("DELETE") {
        let old = review.get("oldObject").filter(|v| !v.is_null());
        let Some(old) = old else {
            return Err("oldObject cannot be nil for DELETE operations".to_string());
        };
        let mut r = review.clone();
        if let Some(m) = r.as_object_mut() {
            m.insert("object".into(), old.clone());
        }
        return Ok(r);
    }
    Ok(review.clone())
}

pub(crate) fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

/// Builds `data.inventory` from objects, keyed as Gatekeeper's sync cache:
/// `namespace[ns][apiVersion][kind][name]` or `cluster[apiVersion][kind][name]`.
pub fn inventory_from_objects<'a>(
    objects: impl IntoIterator<Item = &'a Value>,
) -> Result<Value, String> {
    let mut inv = json!({"cluster": {}, "namespace": {}});
    for obj in objects {
        let api_version = str_at(obj, &["apiVersion"]).unwrap_or("");
        let kind = str_at(obj, &["kind"]).unwrap_or("");
        let name = str_at(obj, &["metadata", "name"]).unwrap_or("");
        if split_api_version(api_version).1.is_empty() {
            return Err(format!("inventory object {name:?} has no version"));
        }
        if kind.is_empty() {
            return Err(format!("inventory object {name:?} has no kind"));
        }
        let ns = str_at(obj, &["metadata", "namespace"]).unwrap_or("");
        let path: Vec<&str> = if ns.is_empty() {
            vec!["cluster", api_version, kind, name]
        } else {
            vec!["namespace", ns, api_version, kind, name]
        };
        let mut cur = &mut inv;
        for (i, p) in path.iter().enumerate() {
            let Value::Object(m) = cur else {
                return Err("inventory is not an object".to_string());
            };
            if i + 1 == path.len() {
                m.insert((*p).to_string(), obj.clone());
                break;
            }
            cur = m.entry((*p).to_string()).or_insert_with(|| json!({}));
        }
    }
    Ok(inv)
}
