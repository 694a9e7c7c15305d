//! The report model and its renderers. Reporters know nothing about rules
//! beyond the catalogue metadata they print.

mod json;
mod junit;
mod sarif;
mod table;

use crate::finding::{Finding, InputError};
use crate::rule::Catalogue;
use crate::severity::Severity;
use indexmap::IndexMap;
use serde::Serialize;
use std::str::FromStr;

/// Version of the JSON report schema (`docs/report.schema.json`).
pub const JSON_SCHEMA_VERSION: &str = "1.1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Sarif,
    Junit,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "table" | "text" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "junit" => Ok(Format::Junit),
            other => Err(format!(
                "unknown format '{other}' (expected table, json, sarif or junit)"
            )),
        }
    }
}

/// One thing that was analysed (a Kubernetes object, a Dockerfile stage,
/// an image), so reports can say what was clean too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Target {
    pub file: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub command: String,
    /// Settings that shape the result (PSS level and version, ...), printed
    /// in every report.
    pub settings: IndexMap<String, String>,
    pub targets: Vec<Target>,
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    /// Informational notes (skipped unknown kinds, expired suppressions).
    pub notes: Vec<String>,
    /// Counts of active findings grouped by a dimension ("layer",
    /// "workload"), for reports that join several inputs (`bulkhead scan`);
    /// empty for the others. Filled by [`Report::group_by`].
    pub breakdown: IndexMap<String, Vec<Group>>,
}

/// Active findings sharing one key of a breakdown dimension.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Group {
    pub key: String,
    pub findings: usize,
    pub by_severity: IndexMap<&'static str, usize>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    pub color: bool,
    /// Show suppressed findings in the table (JSON and SARIF always do).
    pub show_suppressed: bool,
    /// Table: findings only, no notes or summary.
    pub quiet: bool,
}

impl Report {
    pub fn new(command: &str) -> Self {
        Report {
            command: command.to_string(),
            ..Default::default()
        }
    }

    /// Orders findings by file, line, column, rule: reports are deterministic.
    pub fn sort(&mut self) {
        // Sort a permutation, not the (large) findings themselves, then move
        // each finding once. Stable: analyzers emit in a fixed order.
        let f = &self.findings;
        let mut order: Vec<usize> = (0..f.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&f[a], &f[b]);
            a.location
                .file
                .cmp(&b.location.file)
                .then(a.location.line.cmp(&b.location.line))
                .then(a.location.column.cmp(&b.location.column))
                .then_with(|| a.rule_id.cmp(&b.rule_id))
        });
        let mut slots: Vec<Option<Finding>> = std::mem::take(&mut self.findings)
            .into_iter()
            .map(Some)
            .collect();
        self.findings = order.iter().filter_map(|&i| slots[i].take()).collect();
        self.errors
            .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    }

    /// Adds (or replaces) the breakdown `dimension`: active findings counted
    /// by `key` (findings without a key are left out), largest group first,
    /// ties by key. Call after the severity filter so the counts match.
    pub fn group_by(&mut self, dimension: &str, key: impl Fn(&Finding) -> Option<String>) {
        let mut groups: IndexMap<String, Group> = IndexMap::new();
        for f in self.findings.iter().filter(|f| !f.is_suppressed()) {
            let Some(k) = key(f) else { continue };
            let g = match groups.get_index_of(&k) {
                Some(i) => &mut groups[i],
                None => groups.entry(k.clone()).or_insert_with(|| Group {
                    key: k,
                    ..Default::default()
                }),
            };
            g.findings += 1;
            *g.by_severity.entry(f.severity.as_str()).or_default() += 1;
        }
        let mut list: Vec<Group> = groups.into_values().collect();
        for g in &mut list {
            let mut sev: Vec<(&'static str, usize)> = g.by_severity.drain(..).collect();
            sev.sort_by_key(|(s, _)| {
                std::cmp::Reverse(
                    Severity::ALL
                        .iter()
                        .position(|x| x.as_str() == *s)
                        .unwrap_or(0),
                )
            });
            g.by_severity = sev.into_iter().collect();
        }
        list.sort_by(|a, b| b.findings.cmp(&a.findings).then_with(|| a.key.cmp(&b.key)));
        self.breakdown.insert(dimension.to_string(), list);
    }

    /// Keeps only findings whose severity is listed (empty list keeps all).
    pub fn filter_severities(&mut self, keep: &[Severity]) {
        if !keep.is_empty() {
            self.findings.retain(|f| keep.contains(&f.severity));
        }
    }

    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.is_suppressed())
    }

    /// Counts of unsuppressed findings per severity, most severe first.
    pub fn counts(&self) -> Vec<(Severity, usize)> {
        Severity::ALL
            .iter()
            .rev()
            .map(|s| (*s, self.active().filter(|f| f.severity == *s).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// Exit code per the CLI conventions: 2 when an input could not be read,
    /// 1 when an unsuppressed finding is at or above `fail_on`, else 0.
    pub fn exit_code(&self, fail_on: Option<Severity>) -> i32 {
        if !self.errors.is_empty() {
            return 2;
        }
        match fail_on {
            Some(t) if self.active().any(|f| f.severity >= t) => 1,
            _ => 0,
        }
    }

    pub fn render(&self, format: Format, catalogue: &Catalogue, opts: RenderOptions) -> String {
        match format {
            Format::Table => table::render(self, catalogue, opts),
            Format::Json => json::render(self, catalogue),
            Format::Sarif => sarif::render(self, catalogue),
            Format::Junit => junit::render(self, catalogue),
        }
    }
}

/// Text made safe inside XML or HTML text and attribute values: the five
/// markup characters escaped, control characters other than tab, newline
/// and carriage return dropped (XML 1.0 forbids them). The JUnit reporter,
/// the scan HTML page and the audit summary page all use this one.
pub fn escape_markup(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => o.push(c),
        }
    }
    o
}

/// The bulkhead version written into every report.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
