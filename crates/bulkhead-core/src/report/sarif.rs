//! SARIF 2.1.0 (validated against the OASIS schema in the test suite).

use super::{Report, TOOL_VERSION};
use crate::finding::SuppressionKind;
use crate::rule::Catalogue;
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn uri(file: &str) -> (String, Option<&'static str>) {
    if file == "<stdin>" || file == "-" {
        return ("stdin".to_string(), None);
    }
    let enc = |s: &str| {
        s.replace('%', "%25")
            .replace(' ', "%20")
            .replace('#', "%23")
    };
    if let Some(abs) = file.strip_prefix('/') {
        (format!("file:///{}", enc(abs)), None)
    } else {
        (enc(file.trim_start_matches("./")), Some("%SRCROOT%"))
    }
}

pub fn render(report: &Report, catalogue: &Catalogue) -> String {
    // Rules referenced by results, in catalogue order, with their index.
    let used: std::collections::BTreeSet<&str> =
        report.findings.iter().map(|f| f.rule_id.as_str()).collect();
    let mut index = BTreeMap::new();
    let mut rules = Vec::new();
    for r in catalogue.rules().iter().filter(|r| used.contains(r.id)) {
        index.insert(r.id, rules.len());
        let mut tags: Vec<&str> = vec!["security"];
        tags.extend(r.tags.iter().copied());
        rules.push(json!({
            "id": r.id,
            "name": r.slug,
            "shortDescription": {"text": r.title},
            "fullDescription": {"text": format!("{} {}", r.what.trim(), r.why.trim())},
            "help": {"text": r.fix.trim(), "markdown": r.explain()},
            "defaultConfiguration": {"level": r.severity.sarif_level()},
            "properties": {
                "tags": tags,
                "security-severity": r.severity.security_severity(),
                "layer": r.layer,
                "equivalents": r.equivalents.iter().map(|e| format!("{}:{}", e.tool, e.id)).collect::<Vec<_>>(),
            },
        }));
    }
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let (u, base) = uri(&f.location.file);
            let mut artifact = json!({"uri": u});
            if let Some(b) = base {
                artifact["uriBaseId"] = json!(b);
            }
            let mut physical = json!({"artifactLocation": artifact});
            if let Some(line) = f.location.line {
                let mut region = json!({"startLine": line.max(1)});
                if let Some(c) = f.location.column {
                    region["startColumn"] = json!(c.max(1));
                }
                if let Some(s) = &f.location.snippet {
                    region["snippet"] = json!({"text": s});
                }
                physical["region"] = region;
            }
            let mut loc = json!({"physicalLocation": physical});
            if let Some(obj) = &f.location.object {
                let name = match &f.location.field {
                    Some(field) => format!("{obj}/{field}"),
                    None => obj.clone(),
                };
                loc["logicalLocations"] = json!([{"fullyQualifiedName": name, "kind": "object"}]);
            }
            let mut r = json!({
                "ruleId": f.rule_id,
                "level": f.severity.sarif_level(),
                "message": {"text": f.message},
                "locations": [loc],
                "properties": {"severity": f.severity.as_str()},
            });
            if let Some(i) = index.get(f.rule_id.as_str()) {
                r["ruleIndex"] = json!(i);
            }
            if !f.evidence.is_empty() {
                r["properties"]["evidence"] = json!(f.evidence);
            }
            if let Some(fix) = &f.fix {
                r["properties"]["fix"] = json!(fix);
            }
            if let Some(s) = &f.suppressed {
                let kind = match s.kind {
                    SuppressionKind::Inline => "inSource",
                    SuppressionKind::Config | SuppressionKind::Annotation => "external",
                };
                r["suppressions"] = json!([{"kind": kind, "justification": s.reason}]);
            }
            r
        })
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            let (u, base) = uri(&e.file);
            let mut artifact = json!({"uri": u});
            if let Some(b) = base {
                artifact["uriBaseId"] = json!(b);
            }
            let mut physical = json!({"artifactLocation": artifact});
            if let Some(l) = e.line {
                physical["region"] = json!({"startLine": l.max(1)});
            }
            json!({
                "level": "error",
                "message": {"text": e.message},
                "locations": [{"physicalLocation": physical}],
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "bulkhead",
                "version": TOOL_VERSION,
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The directory bulkhead ran in."}}},
            "results": results,
            "properties": {"command": report.command, "settings": report.settings},
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
