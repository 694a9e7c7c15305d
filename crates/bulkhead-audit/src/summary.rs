//! Who did what: per-subject activity, an hourly timeline and the list of
//! changes, built while the log streams (bounded: subjects, changes and
//! distinct requests are capped, and the caps are reported).

use crate::analyze::Options;
use crate::event::Event;
use bulkhead_core::report::escape_markup as esc;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One request as the authorizer sees it (for `roles` and `unused`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Req {
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: String,
    pub namespace: String,
    pub name: String,
    /// A non-resource URL (`/healthz`).
    pub path: Option<String>,
}

impl Req {
    pub fn of(ev: &Event<'_>) -> Req {
        match ev.non_resource_path() {
            Some(p) => Req {
                verb: ev.verb().to_string(),
                group: String::new(),
                resource: String::new(),
                subresource: String::new(),
                namespace: String::new(),
                name: String::new(),
                path: Some(p.to_string()),
            },
            None => Req {
                verb: ev.verb().to_string(),
                group: ev.api_group().to_string(),
                resource: ev.resource().to_string(),
                subresource: ev.subresource().to_string(),
                namespace: ev.namespace().to_string(),
                name: ev.name().to_string(),
                path: None,
            },
        }
    }

    /// The same request for the RBAC authorizer.
    pub fn attrs(&self) -> bulkhead_rbac::authz::Attrs {
        use bulkhead_rbac::authz::Attrs;
        match &self.path {
            Some(p) => Attrs::non_resource(&self.verb, p),
            None => Attrs::resource(&self.verb, &self.group, &self.resource)
                .subresource(&self.subresource)
                .named(&self.name)
                .in_ns(&self.namespace),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ReqCount {
    pub allowed: u64,
    pub denied: u64,
}

/// What one event adds to the summary.
#[derive(Debug, Clone)]
pub struct Seen {
    pub subject: String,
    /// The authenticated user when it impersonated `subject`.
    pub user: String,
    pub time: String,
    pub verb: String,
    pub allowed: bool,
    pub write: bool,
    pub ip: String,
    /// A successful write, described, for the timeline.
    pub change: Option<String>,
    pub code: Option<i64>,
    pub line: u32,
    pub req: Option<Req>,
    /// The subject's groups (kept only when requests are collected).
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SubjectStats {
    pub events: u64,
    pub allowed: u64,
    pub denied: u64,
    pub writes: u64,
    pub first: String,
    pub last: String,
    pub verbs: BTreeMap<String, u64>,
    pub source_ips: BTreeSet<String>,
    pub impersonated_by: BTreeSet<String>,
    #[serde(skip)]
    pub groups: BTreeSet<String>,
    #[serde(skip)]
    pub requests: BTreeMap<Req, ReqCount>,
    #[serde(skip)]
    pub requests_dropped: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Bucket {
    pub events: u64,
    pub denied: u64,
    pub writes: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub time: String,
    pub line: u32,
    pub subject: String,
    pub request: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub subjects: BTreeMap<String, SubjectStats>,
    /// Events per hour (`2024-05-01T10`).
    pub hours: BTreeMap<String, Bucket>,
    pub changes: Vec<Change>,
    pub changes_dropped: u64,
    pub subjects_dropped: u64,
}

const OTHER: &str = "<other subjects>";
const MAX_IPS: usize = 20;

impl Summary {
    pub fn add(&mut self, s: Seen, opts: &Options) {
        let hour = s.time.get(..13).unwrap_or("unknown").to_string();
        let b = self.hours.entry(hour).or_default();
        b.events += 1;
        b.denied += u64::from(!s.allowed);
        b.writes += u64::from(s.write);
        if let Some(c) = &s.change {
            if self.changes.len() < opts.timeline_limit {
                self.changes.push(Change {
                    time: s.time.clone(),
                    line: s.line,
                    subject: s.subject.clone(),
                    request: c.clone(),
                    code: s.code,
                });
            } else {
                self.changes_dropped += 1;
            }
        }
        let key =
            if self.subjects.contains_key(&s.subject) || self.subjects.len() < opts.max_subjects {
                s.subject
            } else {
                self.subjects_dropped += 1;
                OTHER.to_string()
            };
        let st = self.subjects.entry(key).or_default();
        st.events += 1;
        if s.allowed {
            st.allowed += 1;
        } else {
            st.denied += 1;
        }
        st.writes += u64::from(s.write);
        if st.first.is_empty() || (!s.time.is_empty() && s.time < st.first) {
            st.first = s.time.clone();
        }
        if s.time > st.last {
            st.last = s.time;
        }
        match st.verbs.get_mut(&s.verb) {
            Some(n) => *n += 1,
            None => {
                st.verbs.insert(s.verb, 1);
            }
        }
        if !s.ip.is_empty() && st.source_ips.len() < MAX_IPS && !st.source_ips.contains(&s.ip) {
            st.source_ips.insert(s.ip);
        }
        if !s.user.is_empty() && !st.impersonated_by.contains(&s.user) {
            st.impersonated_by.insert(s.user);
        }
        for g in s.groups {
            if st.groups.len() < 256 {
                st.groups.insert(g);
            }
        }
        if let Some(r) = s.req {
            let n = st.requests.len();
            match st.requests.get_mut(&r) {
                Some(c) => {
                    if s.allowed {
                        c.allowed += 1
                    } else {
                        c.denied += 1
                    }
                }
                None if n < opts.max_requests_per_subject => {
                    st.requests.insert(
                        r,
                        ReqCount {
                            allowed: u64::from(s.allowed),
                            denied: u64::from(!s.allowed),
                        },
                    );
                }
                None => st.requests_dropped += 1,
            }
        }
    }

    pub fn notes(&self, opts: &Options) -> Vec<String> {
        let mut n = Vec::new();
        if self.changes_dropped > 0 {
            n.push(format!(
                "timeline: {} more change(s) after the first {} not listed (--timeline-limit)",
                self.changes_dropped, opts.timeline_limit
            ));
        }
        if self.subjects_dropped > 0 {
            n.push(format!(
                "{} event(s) of subjects beyond the first {} are counted under {OTHER}",
                self.subjects_dropped, opts.max_subjects
            ));
        }
        for (s, st) in &self.subjects {
            if st.requests_dropped > 0 {
                n.push(format!(
                    "{s}: {} distinct request(s) beyond the first {} were not kept",
                    st.requests_dropped, opts.max_requests_per_subject
                ));
            }
        }
        n
    }

    /// The activity table and the timeline, as text.
    /// Subjects, busiest first, each with its four most used verbs (`get:12`).
    fn rows(&self) -> Vec<(&String, &SubjectStats, Vec<String>)> {
        let mut rows: Vec<(&String, &SubjectStats)> = self.subjects.iter().collect();
        rows.sort_by(|a, b| b.1.events.cmp(&a.1.events).then(a.0.cmp(b.0)));
        rows.into_iter()
            .map(|(s, st)| {
                let mut verbs: Vec<(&String, &u64)> = st.verbs.iter().collect();
                verbs.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                let top = verbs
                    .iter()
                    .take(4)
                    .map(|(v, n)| format!("{v}:{n}"))
                    .collect();
                (s, st, top)
            })
            .collect()
    }

    pub fn render_table(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let w = self
            .subjects
            .keys()
            .map(|k| k.chars().count())
            .max()
            .unwrap_or(7)
            .clamp(7, 60);
        let _ = writeln!(
            out,
            "{:<w$}  {:>8}  {:>8}  {:>7}  {:>7}  {:<20}  {:<20}  top verbs",
            "SUBJECT", "EVENTS", "ALLOWED", "DENIED", "WRITES", "FIRST", "LAST"
        );
        for (s, st, top) in self.rows() {
            let mut name = s.clone();
            if !st.impersonated_by.is_empty() {
                let by: Vec<&str> = st.impersonated_by.iter().map(String::as_str).collect();
                name = format!("{s} (via {})", by.join(", "));
            }
            let _ = writeln!(
                out,
                "{:<w$}  {:>8}  {:>8}  {:>7}  {:>7}  {:<20}  {:<20}  {}",
                name,
                st.events,
                st.allowed,
                st.denied,
                st.writes,
                short(&st.first),
                short(&st.last),
                top.join(" ")
            );
        }
        if !self.hours.is_empty() {
            let _ = writeln!(out, "\nTIMELINE (per hour, UTC)");
            let max = self
                .hours
                .values()
                .map(|b| b.events)
                .max()
                .unwrap_or(1)
                .max(1);
            for (h, b) in &self.hours {
                let bar = "#".repeat(((b.events * 40).div_ceil(max)) as usize);
                let _ = writeln!(
                    out,
                    "{h}:00  {:>8} events {:>6} denied {:>6} writes  {bar}",
                    b.events, b.denied, b.writes
                );
            }
        }
        if !self.changes.is_empty() {
            let _ = writeln!(out, "\nCHANGES");
            for c in &self.changes {
                let _ = writeln!(
                    out,
                    "{:<20}  line {:<7}  {}  {}",
                    short(&c.time),
                    c.line,
                    c.subject,
                    c.request
                );
            }
            if self.changes_dropped > 0 {
                let _ = writeln!(out, "... and {} more", self.changes_dropped);
            }
        }
        out
    }
}

impl Summary {
    /// The summary as HTML sections (escaped; no script): the subjects
    /// table, the hourly timeline as bars, the changes.
    pub fn render_html(&self) -> String {
        use std::fmt::Write;
        let mut h = String::new();
        h.push_str("<table id=\"subjects\"><thead><tr><th>subject</th><th>events</th><th>allowed</th><th>denied</th><th>writes</th><th>first</th><th>last</th><th>top verbs</th><th>source IPs</th></tr></thead><tbody>");
        for (s, st, top) in self.rows() {
            let ips: Vec<&str> = st.source_ips.iter().map(String::as_str).collect();
            let mut name = esc(s);
            if !st.impersonated_by.is_empty() {
                let by: Vec<&str> = st.impersonated_by.iter().map(String::as_str).collect();
                let _ = write!(
                    name,
                    " <span class=\"mute\">(via {})</span>",
                    esc(&by.join(", "))
                );
            }
            let _ = write!(
                h,
                "<tr class=\"subject\"><td>{name}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                st.events,
                st.allowed,
                st.denied,
                st.writes,
                esc(short(&st.first)),
                esc(short(&st.last)),
                esc(&top.join(" ")),
                esc(&ips.join(", "))
            );
        }
        h.push_str("</tbody></table>");
        let max = self
            .hours
            .values()
            .map(|b| b.events)
            .max()
            .unwrap_or(1)
            .max(1);
        h.push_str("<h2>Timeline (per hour, UTC)</h2><table id=\"timeline\"><tr><th>hour</th><th>events</th><th>denied</th><th>writes</th><th></th></tr>");
        for (hour, b) in &self.hours {
            let pct = (b.events * 100).div_ceil(max);
            let _ = write!(
                h,
                "<tr class=\"hour\"><td>{}:00</td><td>{}</td><td>{}</td><td>{}</td><td style=\"width:50%\"><div style=\"background:#1565c0;height:10px;width:{pct}%\"></div></td></tr>",
                esc(hour),
                b.events,
                b.denied,
                b.writes
            );
        }
        h.push_str("</table>");
        if !self.changes.is_empty() {
            h.push_str("<h2>Changes</h2><table id=\"changes\"><tr><th>time</th><th>line</th><th>subject</th><th>request</th></tr>");
            for c in &self.changes {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(short(&c.time)),
                    c.line,
                    esc(&c.subject),
                    esc(&c.request)
                );
            }
            if self.changes_dropped > 0 {
                let _ = write!(
                    h,
                    "<tr><td colspan=\"4\">… and {} more</td></tr>",
                    self.changes_dropped
                );
            }
            h.push_str("</table>");
        }
        h
    }
}

fn short(t: &str) -> &str {
    // 2024-05-01T10:00:00.123456Z → 2024-05-01T10:00:00Z (the width of the column).
    t.get(..19).unwrap_or(t)
}
