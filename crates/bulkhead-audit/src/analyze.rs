//! The audit analyzer: inputs → lines (a reader thread, [`crate::read`]) →
//! events parsed in parallel (rayon, one chunk at a time) → per-event rule
//! checks → an in-order merge that groups hits, fills the activity
//! [`Summary`] and keeps every count bounded. Memory is the chunks in
//! flight plus what is reported (findings, capped per rule; subjects;
//! distinct requests only when `roles`/`unused` asks for them), never the
//! log.
//!
//! Objects that requests create are judged by the layers that own them:
//! pods and workloads by the PSS and hardening rules of `bulkhead-kube`
//! (at the PSS level of [`Options::pss`]), roles and bindings by the RBAC
//! rules of `bulkhead-rbac`, so `PSS002` fires on a privileged pod in an
//! audit log exactly as on the manifest in CI.

use crate::event::{Event, not_an_event};
use crate::read::{self, Item};
use crate::rules::{self, Hit};
use crate::summary::{Req, Seen, Summary};
use bulkhead_core::source::InputPath;
use bulkhead_core::{Catalogue, Finding, InputError, RuleMeta};
use indexmap::IndexMap;
use rayon::prelude::*;
use std::cell::OnceCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;

/// An IP network (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl std::str::FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Cidr, String> {
        let (a, p) = s.split_once('/').unwrap_or((s, ""));
        let addr: IpAddr = a
            .trim()
            .parse()
            .map_err(|_| format!("{s:?} is not an IP network (like 10.0.0.0/8)"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = if p.is_empty() {
            max
        } else {
            p.trim()
                .parse::<u8>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(|| format!("{s:?}: prefix length must be 0-{max}"))?
        };
        Ok(Cidr { addr, prefix })
    }
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// The networks taken for "inside the cluster" when `--cluster-cidr` is not given.
pub const DEFAULT_INTERNAL: &[&str] = &[
    "127.0.0.0/8",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "169.254.0.0/16",
    "::1/128",
    "fc00::/7",
    "fe80::/10",
];

/// Which subjects' distinct requests to keep (for `roles` and `unused`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Collect {
    #[default]
    None,
    Subjects(Vec<String>),
    All,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub since: Option<jiff::Timestamp>,
    pub until: Option<jiff::Timestamp>,
    pub internal: Vec<Cidr>,
    pub forbidden_threshold: u32,
    pub max_event: usize,
    pub max_findings_per_rule: usize,
    pub max_errors_per_input: usize,
    pub timeline_limit: usize,
    pub max_subjects: usize,
    pub max_requests_per_subject: usize,
    pub collect: Collect,
    /// Image prefixes allowed in pods created in kube-system/kube-public (AUD013).
    pub trusted_kube_images: Vec<String>,
    pub pss: bulkhead_kube::analyze::Options,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            since: None,
            until: None,
            internal: DEFAULT_INTERNAL
                .iter()
                .filter_map(|s| s.parse().ok())
                .collect(),
            forbidden_threshold: 10,
            max_event: read::DEFAULT_MAX_EVENT,
            max_findings_per_rule: 10_000,
            max_errors_per_input: 100,
            timeline_limit: 1000,
            max_subjects: 100_000,
            max_requests_per_subject: 100_000,
            collect: Collect::None,
            trusted_kube_images: Vec::new(),
            pss: bulkhead_kube::analyze::Options {
                level: bulkhead_kube::pss::Level::Baseline,
                version: bulkhead_kube::pss::LATEST,
            },
        }
    }
}

impl Options {
    pub fn is_internal(&self, ip: &str) -> bool {
        match ip.trim().parse::<IpAddr>() {
            Ok(a) => self.internal.iter().any(|c| c.contains(a)),
            // Not an address (a host name, garbage): not judged.
            Err(_) => true,
        }
    }
}

/// What every AUD rule reads: one event and where it is.
pub struct Ctx<'a> {
    pub ev: &'a Event<'a>,
    pub file: &'a str,
    pub line: u32,
    pub opts: &'a Options,
    obj: OnceCell<Option<serde_json::Value>>,
}

impl<'a> Ctx<'a> {
    pub fn new(ev: &'a Event<'a>, file: &'a str, line: u32, opts: &'a Options) -> Self {
        Ctx {
            ev,
            file,
            line,
            opts,
            obj: OnceCell::new(),
        }
    }

    /// The request object, parsed once on first use.
    pub fn object(&self) -> Option<&serde_json::Value> {
        self.obj.get_or_init(|| self.ev.request_json()).as_ref()
    }

    /// The object's name: the objectRef's, else the request object's.
    pub fn object_name(&self) -> String {
        let n = self.ev.name();
        if !n.is_empty() {
            return n.to_string();
        }
        self.object()
            .and_then(|o| {
                o["metadata"]["name"]
                    .as_str()
                    .or(o["metadata"]["generateName"].as_str())
            })
            .unwrap_or("")
            .to_string()
    }

    pub fn kind_of_role(&self) -> &'static str {
        if self.ev.resource() == "clusterroles" {
            "ClusterRole"
        } else {
            "Role"
        }
    }

    /// The command of an exec (`?command=sh&command=-c`), decoded.
    pub fn command(&self) -> String {
        let uri = self.ev.request_uri.as_deref().unwrap_or("");
        let Some((_, q)) = uri.split_once('?') else {
            return String::new();
        };
        q.split('&')
            .filter_map(|kv| kv.strip_prefix("command="))
            .map(percent_decode)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The result of one analysis.
#[derive(Debug, Default)]
pub struct Analysis {
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    pub notes: Vec<String>,
    pub summary: Summary,
    /// Lines read (events and malformed lines).
    pub lines: u64,
    pub events: u64,
    /// Events at RequestReceived/ResponseStarted that repeat a later stage.
    pub other_stages: u64,
    pub out_of_window: u64,
    pub inputs: Vec<String>,
}

/// The result of one line, computed in parallel.
#[derive(Default)]
struct LineOut {
    hits: Vec<Hit>,
    objects: Vec<Finding>,
    seen: Vec<Seen>,
    error: Option<String>,
    other_stage: u64,
    out_of_window: u64,
    /// (auditID, started): exec/attach/port-forward sessions, logged at
    /// ResponseStarted and again at ResponseComplete.
    session: Option<(String, bool)>,
    /// A workload or role written without its object in the log.
    unlogged_object: bool,
}

const WORKLOADS: &[&str] = &[
    "pods",
    "deployments",
    "statefulsets",
    "daemonsets",
    "replicasets",
    "replicationcontrollers",
    "jobs",
    "cronjobs",
    "podtemplates",
];
const RBAC: &[&str] = &[
    "roles",
    "clusterroles",
    "rolebindings",
    "clusterrolebindings",
];

/// The rules that judge objects found in the log: who decides which run.
pub struct Judges<'a> {
    /// AUD rules.
    pub audit: &'a (dyn Fn(&RuleMeta) -> bool + Sync),
    /// PSS, hardening and RBAC rules on request objects.
    pub objects: &'a (dyn Fn(&RuleMeta) -> bool + Sync),
    pub catalogue: &'a Catalogue,
}

fn strip_prefix(line: &[u8]) -> Result<&[u8], String> {
    let t = line.trim_ascii_start();
    if t.first() == Some(&b'{') {
        return Ok(t);
    }
    // `kubectl logs --timestamps` (`2024-05-01T10:00:00.1Z {...}`) and
    // `kubectl logs --prefix` (`[pod/kube-apiserver-x/kube-apiserver] {...}`).
    if let Some(i) = memchr::memchr(b'{', &t[..t.len().min(256)]) {
        let prefix = &t[..i];
        let stamp = prefix.first().is_some_and(u8::is_ascii_digit)
            && prefix.contains(&b'T')
            && prefix.ends_with(b" ");
        let bracket = prefix.first() == Some(&b'[') && prefix.trim_ascii_end().ends_with(b"]");
        if stamp || bracket {
            return Ok(&t[i..]);
        }
    }
    let shown: String = String::from_utf8_lossy(&t[..t.len().min(40)])
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    Err(format!("not a JSON audit event (starts with {shown:?})"))
}

#[derive(serde::Deserialize)]
struct List<'a> {
    #[serde(borrow, default)]
    items: Vec<Event<'a>>,
}

fn json_error(e: &serde_json::Error) -> String {
    let what = match e.classify() {
        serde_json::error::Category::Eof => "truncated event",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "not an audit Event",
        serde_json::error::Category::Io => "unreadable",
    };
    // serde_json says "at line 1 column N": the line is ours, the column is its.
    let text = e.to_string();
    let detail = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(d, _)| d);
    format!("{what}: {detail} (column {})", e.column())
}

fn one_line(line: u32, bytes: &[u8], file: &str, opts: &Options, judges: &Judges<'_>) -> LineOut {
    let mut out = LineOut::default();
    let body = match strip_prefix(bytes) {
        Ok(b) => b,
        Err(e) => {
            out.error = Some(e);
            return out;
        }
    };
    let ev: Event<'_> = match serde_json::from_slice(body) {
        Ok(ev) => ev,
        Err(e) => {
            out.error = Some(json_error(&e));
            return out;
        }
    };
    if ev.kind.as_deref() == Some("EventList") {
        match serde_json::from_slice::<List<'_>>(body) {
            Ok(list) => {
                for ev in &list.items {
                    one_event(ev, line, file, opts, judges, &mut out);
                }
            }
            Err(e) => out.error = Some(json_error(&e)),
        }
        return out;
    }
    if let Some(why) = not_an_event(&ev) {
        out.error = Some(why);
        return out;
    }
    one_event(&ev, line, file, opts, judges, &mut out);
    out
}

fn in_window(ev: &Event<'_>, opts: &Options) -> bool {
    if opts.since.is_none() && opts.until.is_none() {
        return true;
    }
    let Ok(t) = ev.time().parse::<jiff::Timestamp>() else {
        // No readable time: kept (and visible), not silently dropped.
        return true;
    };
    opts.since.is_none_or(|s| t >= s) && opts.until.is_none_or(|u| t <= u)
}

fn one_event(
    ev: &Event<'_>,
    line: u32,
    file: &str,
    opts: &Options,
    judges: &Judges<'_>,
    out: &mut LineOut,
) {
    let session =
        ev.resource() == "pods" && matches!(ev.subresource(), "exec" | "attach" | "portforward");
    match ev.stage.as_deref() {
        Some("RequestReceived") => {
            out.other_stage += 1;
            return;
        }
        Some("ResponseStarted") if !session => {
            out.other_stage += 1;
            return;
        }
        _ => {}
    }
    if !in_window(ev, opts) {
        out.out_of_window += 1;
        return;
    }
    if session && let Some(id) = ev.audit_id.as_deref() {
        out.session = Some((
            id.to_string(),
            ev.stage.as_deref() == Some("ResponseStarted"),
        ));
    }
    let ctx = Ctx::new(ev, file, line, opts);
    for r in rules::REGISTRY.rules() {
        if (judges.audit)(r.meta()) {
            out.hits.extend(r.check(&ctx));
        }
    }
    object_findings(&ctx, judges, out);
    let (subject, groups) = ev.subject();
    let collect = match &opts.collect {
        Collect::None => false,
        Collect::All => true,
        Collect::Subjects(s) => s.iter().any(|x| x == subject),
    };
    out.seen.push(Seen {
        subject: subject.to_string(),
        user: if ev.username() != subject {
            ev.username().to_string()
        } else {
            String::new()
        },
        time: ev.time().to_string(),
        verb: ev.verb().to_string(),
        allowed: ev.allowed(),
        write: ev.is_write(),
        ip: ev.source_ip().to_string(),
        change: (ev.is_write() && ev.succeeded() && !noisy(ev.resource())).then(|| ev.describe()),
        code: ev.code(),
        line,
        req: collect.then(|| Req::of(ev)),
        groups: if collect {
            groups.iter().map(|g| g.to_string()).collect()
        } else {
            Vec::new()
        },
    });
}

/// Resources written all the time by the control plane, left out of the timeline.
fn noisy(resource: &str) -> bool {
    matches!(
        resource,
        "events"
            | "leases"
            | "endpoints"
            | "endpointslices"
            | "tokenreviews"
            | "subjectaccessreviews"
            | "selfsubjectaccessreviews"
            | "selfsubjectrulesreviews"
            | "localsubjectaccessreviews"
            | "serviceaccounts/token"
    ) || resource.is_empty()
}

fn object_findings(ctx: &Ctx<'_>, judges: &Judges<'_>, out: &mut LineOut) {
    let ev = ctx.ev;
    if !matches!(ev.verb(), "create" | "update") || !ev.subresource().is_empty() || ev.forbidden() {
        return;
    }
    let res = ev.resource();
    let workload = WORKLOADS.contains(&res);
    let rbac = RBAC.contains(&res) && ev.api_group() == "rbac.authorization.k8s.io";
    if !workload && !rbac {
        return;
    }
    let Some(obj) = ctx.object() else {
        out.unlogged_object = true;
        return;
    };
    let mut obj = obj.clone();
    if let Some(m) = obj.get_mut("metadata").and_then(|m| m.as_object_mut()) {
        if !ev.namespace().is_empty() && m.get("namespace").is_none() {
            m.insert("namespace".into(), ev.namespace().into());
        }
        if m.get("name")
            .and_then(|n| n.as_str())
            .is_none_or(str::is_empty)
        {
            let n = ctx.object_name();
            m.insert("name".into(), n.into());
        }
    }
    let source = Arc::new(bulkhead_kube::load::Source::new(ctx.file, String::new()));
    let loaded = bulkhead_kube::load::load_json(source, &obj);
    let mut found = Vec::new();
    if workload {
        for o in &loaded.objects {
            found.extend(
                bulkhead_kube::analyze::analyze_object(
                    o,
                    &ctx.opts.pss,
                    judges.objects,
                    judges.catalogue,
                )
                .findings,
            );
        }
    } else {
        use bulkhead_rbac::analyze::{Analysis as Rbac, Options as RbacOptions};
        use bulkhead_rbac::model::{Model, ModelOptions};
        let model = Model::build(
            loaded.objects,
            ModelOptions {
                bootstrap_bindings: false,
                builtin_roles: true,
            },
        );
        let a = Rbac::new(
            &model,
            RbacOptions {
                include_system: true,
            },
        );
        found.extend(a.findings(judges.objects));
    }
    let who = rules::who(ctx);
    for mut f in found {
        let field = f.location.field.take();
        let object = f.location.object.take();
        f.location = rules::location(ctx);
        f.location.field = field;
        let what = object.clone().unwrap_or_else(|| ev.describe());
        if let Some(o) = object {
            f.location.object = Some(format!("{o} ({})", ev.describe()));
        }
        f.message = format!("{who} {}d {what}: {}", ev.verb(), f.message);
        f = rules::describe_event(ctx, f);
        out.objects.push(f);
    }
}

/// Hits of one rule and group, merged.
struct Group {
    finding: Finding,
    min: u32,
    count: u64,
    denied: u64,
    last: String,
    names: BTreeSet<String>,
}

struct Merge<'o> {
    opts: &'o Options,
    a: Analysis,
    groups: IndexMap<(String, String), Group>,
    per_rule: HashMap<String, usize>,
    dropped: IndexMap<String, u64>,
    sessions: HashSet<String>,
    errors_per_input: HashMap<Arc<str>, usize>,
    unlogged: u64,
}

impl Merge<'_> {
    fn push_finding(&mut self, f: Finding) {
        let n = self.per_rule.entry(f.rule_id.clone()).or_default();
        if *n >= self.opts.max_findings_per_rule {
            *self.dropped.entry(f.rule_id).or_default() += 1;
            return;
        }
        *n += 1;
        self.a.findings.push(f);
    }

    fn error(&mut self, file: &Arc<str>, line: Option<u32>, msg: String) {
        let n = self.errors_per_input.entry(file.clone()).or_default();
        *n += 1;
        if *n <= self.opts.max_errors_per_input {
            self.a
                .errors
                .push(InputError::new(file.to_string(), line, msg));
        }
    }

    fn line(&mut self, file: &Arc<str>, line: u32, out: LineOut) {
        self.a.lines += 1;
        if let Some(e) = out.error {
            self.error(file, Some(line), e);
            return;
        }
        self.a.other_stages += out.other_stage;
        self.a.out_of_window += out.out_of_window;
        if let Some((id, started)) = out.session {
            // A session seen at ResponseStarted is not counted again at
            // ResponseComplete.
            if started {
                if self.sessions.len() < 1_000_000 {
                    self.sessions.insert(id);
                }
            } else if self.sessions.remove(&id) {
                return;
            }
        }
        if out.unlogged_object {
            self.unlogged += 1;
        }
        self.a.events += out.seen.len() as u64;
        for s in out.seen {
            self.a.summary.add(s, self.opts);
        }
        for f in out.objects {
            self.push_finding(f);
        }
        for h in out.hits {
            match h.group {
                None => self.push_finding(h.finding),
                Some(key) => {
                    let denied =
                        h.finding.evidence.get("decision").map(String::as_str) == Some("forbid");
                    let time = h.finding.evidence.get("time").cloned().unwrap_or_default();
                    let name = h.finding.evidence.get("name").cloned();
                    let g = self
                        .groups
                        .entry((h.finding.rule_id.clone(), key))
                        .or_insert_with(|| Group {
                            finding: h.finding,
                            min: h.min_group,
                            count: 0,
                            denied: 0,
                            last: String::new(),
                            names: BTreeSet::new(),
                        });
                    g.count += 1;
                    g.denied += u64::from(denied);
                    g.last = time;
                    if let Some(n) = name
                        && g.names.len() < 20
                    {
                        g.names.insert(n);
                    }
                }
            }
        }
    }

    fn finish(mut self) -> Analysis {
        let groups = std::mem::take(&mut self.groups);
        for (_, g) in groups {
            if g.count < u64::from(g.min) {
                continue;
            }
            let mut f = g.finding;
            let first = f.evidence.get("time").cloned().unwrap_or_default();
            let mut tail = format!(
                ": {} request{}",
                g.count,
                if g.count == 1 { "" } else { "s" }
            );
            if g.denied > 0 {
                tail.push_str(&format!(", {} denied", g.denied));
            }
            if g.count > 1 && !first.is_empty() && first != g.last {
                tail.push_str(&format!(", {first} .. {}", g.last));
            }
            if !g.names.is_empty() {
                let names: Vec<&str> = g.names.iter().map(String::as_str).collect();
                tail.push_str(&format!(" (names: {})", names.join(", ")));
            }
            f.message.push_str(&tail);
            f = f
                .with_evidence("events", g.count.to_string())
                .with_evidence("denied_events", g.denied.to_string())
                .with_evidence("last_time", g.last);
            self.push_finding(f);
        }
        let mut a = self.a;
        for (rule, n) in &self.dropped {
            a.notes.push(format!(
                "{rule}: {n} more finding(s) not listed (limit {} per rule)",
                self.opts.max_findings_per_rule
            ));
        }
        for (file, n) in &self.errors_per_input {
            if *n > self.opts.max_errors_per_input {
                a.notes.push(format!(
                    "{file}: {} more malformed line(s) not listed",
                    n - self.opts.max_errors_per_input
                ));
            }
        }
        if a.other_stages > 0 {
            a.notes.push(format!(
                "{} event(s) at stage RequestReceived/ResponseStarted repeat a final stage and were counted once",
                a.other_stages
            ));
        }
        if a.out_of_window > 0 {
            a.notes.push(format!(
                "{} event(s) outside --since/--until",
                a.out_of_window
            ));
        }
        if self.unlogged > 0 {
            a.notes.push(format!(
                "{} write(s) of pods, workloads or roles were logged without their object (audit level Metadata): their specs could not be checked; log them at level Request",
                self.unlogged
            ));
        }
        a.notes.extend(a.summary.notes(self.opts));
        a.findings.sort_by(|x, y| {
            (&x.location.file, x.location.line, &x.rule_id).cmp(&(
                &y.location.file,
                y.location.line,
                &y.rule_id,
            ))
        });
        a
    }
}

/// Analyses the logs, in order.
pub fn run(inputs: &[InputPath], opts: &Options, judges: &Judges<'_>) -> Analysis {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Item>(3);
    let mut m = Merge {
        opts,
        a: Analysis {
            inputs: inputs.iter().map(InputPath::display).collect(),
            ..Analysis::default()
        },
        groups: IndexMap::new(),
        per_rule: HashMap::new(),
        dropped: IndexMap::new(),
        sessions: HashSet::new(),
        errors_per_input: HashMap::new(),
        unlogged: 0,
    };
    std::thread::scope(|s| {
        s.spawn(move || {
            for input in inputs {
                let mut ok = true;
                read::stream(input, opts.max_event, &mut |item| {
                    ok = tx.send(item).is_ok();
                    ok
                });
                if !ok {
                    break;
                }
            }
        });
        for item in rx {
            match item {
                Item::Error(e) => {
                    let file: Arc<str> = Arc::from(e.file.as_str());
                    m.error(&file, e.line, e.message);
                }
                Item::Chunk(chunk) => {
                    let outs: Vec<LineOut> = (0..chunk.lines.len())
                        .into_par_iter()
                        .map(|i| {
                            let (n, bytes) = chunk.line(i);
                            one_line(n, bytes, &chunk.file, opts, judges)
                        })
                        .collect();
                    for (i, out) in outs.into_iter().enumerate() {
                        m.line(&chunk.file, chunk.lines[i].0, out);
                    }
                }
            }
        }
    });
    m.finish()
}
