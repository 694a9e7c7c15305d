//! JSON report, schema `docs/report.schema.json`, version
//! [`super::JSON_SCHEMA_VERSION`]. Additive changes bump the minor version;
//! anything else bumps the major. Serialised straight from borrowed views
//! (no intermediate `serde_json::Value`): reports can hold 100k findings.

use super::{JSON_SCHEMA_VERSION, Report, TOOL_VERSION};
use crate::finding::{Finding, Fix, InputError, Location, Suppression};
use crate::report::Target;
use crate::rule::Catalogue;
use crate::severity::Severity;
use indexmap::IndexMap;
use serde::Serialize;

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary<'a> {
    findings: usize,
    suppressed: usize,
    errors: usize,
    targets: usize,
    by_severity: IndexMap<&'static str, usize>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    by: &'a IndexMap<String, Vec<super::Group>>,
}

fn no_evidence(e: &&IndexMap<&'static str, String>) -> bool {
    e.is_empty()
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'a str,
    rule_slug: &'a str,
    rule_title: &'a str,
    severity: Severity,
    message: &'a str,
    location: &'a Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<&'a Fix>,
    #[serde(skip_serializing_if = "no_evidence")]
    evidence: &'a IndexMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<&'a Suppression>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: &'static str,
    tool: Tool,
    command: &'a str,
    settings: &'a IndexMap<String, String>,
    summary: Summary<'a>,
    findings: Vec<JsonFinding<'a>>,
    errors: &'a [InputError],
    notes: &'a [String],
    targets: &'a [Target],
}

fn finding<'a>(f: &'a Finding, catalogue: &Catalogue) -> JsonFinding<'a> {
    let meta = catalogue.get(&f.rule_id);
    JsonFinding {
        rule_id: &f.rule_id,
        rule_slug: meta.map_or("", |m| m.slug),
        rule_title: meta.map_or("", |m| m.title),
        severity: f.severity,
        message: &f.message,
        location: &f.location,
        fix: f.fix.as_ref(),
        evidence: &f.evidence,
        suppressed: f.suppressed.as_ref(),
    }
}

/// Findings are the bulk of a report: each is serialised compactly on its
/// own line and spliced into the otherwise pretty document (a third of the
/// work of pretty-printing every field; still one finding per line).
pub fn render(report: &Report, catalogue: &Catalogue) -> String {
    let active = report.active().count();
    let doc = JsonReport {
        schema_version: JSON_SCHEMA_VERSION,
        tool: Tool {
            name: "bulkhead",
            version: TOOL_VERSION,
        },
        command: &report.command,
        settings: &report.settings,
        summary: Summary {
            findings: active,
            suppressed: report.findings.len() - active,
            errors: report.errors.len(),
            targets: report.targets.len(),
            by_severity: report
                .counts()
                .into_iter()
                .map(|(s, n)| (s.as_str(), n))
                .collect(),
            by: &report.breakdown,
        },
        findings: Vec::new(),
        errors: &report.errors,
        notes: &report.notes,
        targets: &report.targets,
    };
    let Ok(mut head) = serde_json::to_string_pretty(&doc) else {
        return String::from("{}\n");
    };
    let Some(at) = head.find("\"findings\": []") else {
        return head;
    };
    let tail = head.split_off(at + "\"findings\": [".len());
    let mut out: Vec<u8> = head.into_bytes();
    out.reserve(report.findings.len() * 600 + tail.len() + 16);
    for (i, f) in report.findings.iter().enumerate() {
        out.extend_from_slice(if i == 0 { b"\n    " } else { b",\n    " });
        if serde_json::to_writer(&mut out, &finding(f, catalogue)).is_err() {
            out.extend_from_slice(b"{}");
        }
    }
    if !report.findings.is_empty() {
        out.extend_from_slice(b"\n  ");
    }
    out.extend_from_slice(tail.as_bytes());
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_default()
}
