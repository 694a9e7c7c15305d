//! `bulkhead scan merge`: the JSON reports of a sharded scan (one per pod of
//! the indexed Job that `scan manifests` writes) joined back into one report.
//!
//! Reads bulkhead's own JSON report (schema 1.x, `docs/report.schema.json`):
//! findings, errors, notes and targets. Identical findings (same rule,
//! location and message — an image listed in two shards) are kept once;
//! fixes are not carried (a shard scans images, whose findings have none).
//! A part that is not such a report is one error naming it; the others are
//! still merged.

use bulkhead_core::{Finding, InputError, Location, Report, Severity, Target};
use serde_json::Value;
use std::collections::HashSet;

/// Interns evidence keys: `Finding` keys are `&'static str`, and a part's
/// keys come from the same few dozen literals, so each distinct key is
/// leaked once per process (bounded: at most [`MAX_KEYS`]).
struct Keys(Vec<&'static str>);

const MAX_KEYS: usize = 256;

impl Keys {
    fn get(&mut self, k: &str) -> Option<&'static str> {
        if let Some(found) = self.0.iter().find(|x| **x == k) {
            return Some(found);
        }
        if self.0.len() >= MAX_KEYS || k.len() > 64 {
            return None;
        }
        let leaked: &'static str = Box::leak(k.to_string().into_boxed_str());
        self.0.push(leaked);
        Some(leaked)
    }
}

fn finding(v: &Value, keys: &mut Keys) -> Result<Finding, String> {
    let rule_id = v["rule_id"].as_str().ok_or("a finding without rule_id")?;
    let severity: Severity = v["severity"]
        .as_str()
        .ok_or("a finding without severity")?
        .parse()
        .map_err(|e: String| e)?;
    let message = v["message"].as_str().ok_or("a finding without message")?;
    let location: Location = serde_json::from_value(v["location"].clone())
        .map_err(|e| format!("finding {rule_id}: bad location: {e}"))?;
    let mut evidence = indexmap::IndexMap::new();
    if let Some(m) = v["evidence"].as_object() {
        for (k, val) in m {
            if let (Some(k), Some(val)) = (keys.get(k), val.as_str()) {
                evidence.insert(k, val.to_string());
            }
        }
    }
    let suppressed = match v.get("suppressed") {
        Some(s) if !s.is_null() => Some(
            serde_json::from_value(s.clone())
                .map_err(|e| format!("finding {rule_id}: bad suppression: {e}"))?,
        ),
        _ => None,
    };
    Ok(Finding {
        rule_id: rule_id.to_string(),
        severity,
        message: message.to_string(),
        location,
        fix: None,
        evidence,
        suppressed,
    })
}

/// Reads one part into `into`; an error names the part.
fn read_part(name: &str, text: &str, into: &mut Report, keys: &mut Keys) -> Result<(), String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not a JSON report: {e}"))?;
    let version = v["schema_version"].as_str().unwrap_or("");
    if !version.starts_with("1.") {
        return Err(format!(
            "not a bulkhead JSON report (schema_version {:?}; `scan -f json` writes 1.x)",
            v.get("schema_version").cloned().unwrap_or(Value::Null)
        ));
    }
    let list = |k: &str| v[k].as_array().cloned().unwrap_or_default();
    let mut found = Vec::new();
    for f in list("findings") {
        found.push(finding(&f, keys)?);
    }
    into.findings.extend(found);
    for e in list("errors") {
        let e: InputError =
            serde_json::from_value(e).map_err(|e| format!("bad error entry: {e}"))?;
        into.errors.push(e);
    }
    for t in list("targets") {
        let t: Target = serde_json::from_value(t).map_err(|e| format!("bad target entry: {e}"))?;
        into.targets.push(t);
    }
    for n in list("notes") {
        if let Some(n) = n.as_str() {
            into.notes.push(format!("{name}: {n}"));
        }
    }
    Ok(())
}

/// Merges `parts` (display name, text) into one report.
pub fn merge(parts: &[(String, String)]) -> Report {
    let mut report = Report::new("scan merge");
    let mut keys = Keys(Vec::new());
    let mut merged = 0;
    for (name, text) in parts {
        let mut one = Report::default();
        match read_part(name, text, &mut one, &mut keys) {
            Ok(()) => {
                merged += 1;
                report.findings.append(&mut one.findings);
                report.errors.append(&mut one.errors);
                report.targets.append(&mut one.targets);
                report.notes.append(&mut one.notes);
            }
            Err(e) => report.errors.push(InputError::new(name, None, e)),
        }
    }
    let mut seen = HashSet::new();
    report.findings.retain(|f| {
        seen.insert((
            f.rule_id.clone(),
            serde_json::to_string(&f.location).unwrap_or_default(),
            f.message.clone(),
        ))
    });
    let mut seen_t = HashSet::new();
    report
        .targets
        .retain(|t| seen_t.insert((t.file.clone(), t.name.clone(), t.line)));
    report.settings.insert(
        "parts".into(),
        format!("{merged} of {} merged", parts.len()),
    );
    report
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn bad_parts_are_errors_and_good_ones_merge_once() {
        let part = r#"{"schema_version":"1.1","findings":[{"rule_id":"IMG001","severity":"critical","message":"m","location":{"file":"/etc/x","line":2},"evidence":{"kind":"aws"}}],"errors":[],"notes":["n"],"targets":[{"file":"oci:x","name":"sha256:1","line":null}]}"#;
        let parts = vec![
            ("0.json".to_string(), part.to_string()),
            ("1.json".to_string(), part.to_string()),
            ("2.json".to_string(), "{\"truncated".to_string()),
            ("3.json".to_string(), "{\"schema_version\": \"9\"}".to_string()),
            ("4.json".to_string(), r#"{"schema_version":"1.0","findings":[{"rule_id":"X","severity":"urgent","message":"m","location":{"file":"f"}}]}"#.to_string()),
        ];
        let r = merge(&parts);
        assert_eq!(r.findings.len(), 1);
        assert_eq!(
            r.findings[0].evidence.get("kind").map(String::as_str),
            Some("aws")
        );
        assert_eq!(r.targets.len(), 1);
        let bad: Vec<&str> = r.errors.iter().map(|e| e.file.as_str()).collect();
        assert_eq!(bad, ["2.json", "3.json", "4.json"]);
        assert!(r.errors.iter().all(|e| !e.message.contains('\n')));
    }
}
