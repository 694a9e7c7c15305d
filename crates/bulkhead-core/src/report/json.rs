//! JSON report, schema `docs/report.schema.json`, version
//! [`super::JSON_SCHEMA_VERSION`]. Additive changes bump the minor version;
//! anything else bumps the major.

use super::{JSON_SCHEMA_VERSION, Report, TOOL_VERSION};
use crate::rule::Catalogue;
use serde_json::{Value, json};

pub fn render(report: &Report, catalogue: &Catalogue) -> String {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut v = serde_json::to_value(f).unwrap_or(Value::Null);
            if let (Value::Object(m), Some(meta)) = (&mut v, catalogue.get(&f.rule_id)) {
                m.insert("rule_slug".into(), json!(meta.slug));
                m.insert("rule_title".into(), json!(meta.title));
            }
            v
        })
        .collect();
    let summary: serde_json::Map<String, Value> = report
        .counts()
        .into_iter()
        .map(|(s, n)| (s.as_str().to_string(), json!(n)))
        .collect();
    let doc = json!({
        "schema_version": JSON_SCHEMA_VERSION,
        "tool": {"name": "bulkhead", "version": TOOL_VERSION},
        "command": report.command,
        "settings": report.settings,
        "summary": {
            "findings": report.active().count(),
            "suppressed": report.findings.len() - report.active().count(),
            "errors": report.errors.len(),
            "targets": report.targets.len(),
            "by_severity": summary,
        },
        "findings": findings,
        "errors": report.errors,
        "notes": report.notes,
        "targets": report.targets,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
