//! OpenVEX documents (v0.2.0): statements that a vulnerability does not
//! affect a product (`not_affected`, with a justification or an impact
//! statement) or is `fixed` in it. Matching findings are marked suppressed
//! with the statement as the reason, never dropped: JSON and SARIF show
//! what a VEX document silenced and why. `affected` and
//! `under_investigation` statements change nothing.
//!
//! A statement applies to a finding when its vulnerability `name` (or one
//! of its `aliases`) is one of the finding's ids, and its products (or
//! their subcomponents) name the package: a purl equal to the package's,
//! or one without a version (any version of that package). A statement
//! whose products are only the image itself (`pkg:oci/...`) with no
//! subcomponents applies to every package of the image.

use bulkhead_core::{Finding, Suppression, SuppressionKind};
use serde_json::Value;
use std::path::Path;

/// One usable statement.
#[derive(Debug, Clone)]
pub struct Statement {
    pub ids: Vec<String>,
    /// Package purls; empty: every package.
    pub purls: Vec<String>,
    pub status: String,
    pub reason: String,
    pub source: String,
}

/// Reads OpenVEX documents; errors name the file and the problem.
pub fn load(paths: &[std::path::PathBuf]) -> Result<Vec<Statement>, String> {
    let mut out = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not an OpenVEX JSON document: {e}", p.display()))?;
        parse(&v, p, &mut out)?;
    }
    Ok(out)
}

fn strip_version(purl: &str) -> &str {
    let end = purl.find(['@', '?', '#']).unwrap_or(purl.len());
    &purl[..end]
}

fn parse(v: &Value, path: &Path, out: &mut Vec<Statement>) -> Result<(), String> {
    let ctx = v["@context"].as_str().unwrap_or("");
    if !ctx.starts_with("https://openvex.dev/ns") {
        return Err(format!(
            "{}: not an OpenVEX document (@context is '{ctx}')",
            path.display()
        ));
    }
    let stmts = v["statements"]
        .as_array()
        .ok_or_else(|| format!("{}: OpenVEX document without statements", path.display()))?;
    for (i, s) in stmts.iter().enumerate() {
        let status = s["status"].as_str().unwrap_or("");
        if !matches!(status, "not_affected" | "fixed") {
            continue;
        }
        let vuln = &s["vulnerability"];
        // v0.2.0: an object with name/aliases; v0.0.x: a plain string.
        let mut ids: Vec<String> = vuln["name"]
            .as_str()
            .or(vuln.as_str())
            .map(str::to_string)
            .into_iter()
            .collect();
        ids.extend(
            vuln["aliases"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str().map(str::to_string)),
        );
        if ids.is_empty() {
            return Err(format!(
                "{}: statement {} names no vulnerability",
                path.display(),
                i + 1
            ));
        }
        let mut purls = Vec::new();
        for prod in s["products"].as_array().into_iter().flatten() {
            let id = prod["@id"].as_str().or(prod.as_str()).unwrap_or("");
            let subs: Vec<&str> = prod["subcomponents"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["@id"].as_str())
                .collect();
            if !subs.is_empty() {
                purls.extend(subs.iter().map(|s| s.to_string()));
            } else if !id.starts_with("pkg:oci/") && !id.is_empty() {
                purls.push(id.to_string());
            }
        }
        let why = s["justification"]
            .as_str()
            .or(s["impact_statement"].as_str())
            .or(s["status_notes"].as_str())
            .unwrap_or("");
        out.push(Statement {
            ids,
            purls,
            status: status.to_string(),
            reason: if why.is_empty() {
                format!("VEX: {status}")
            } else {
                format!("VEX: {status} ({why})")
            },
            source: format!("{}#statement-{}", path.display(), i + 1),
        });
    }
    Ok(())
}

impl Statement {
    fn applies(&self, f: &Finding) -> bool {
        let ids: Vec<&str> = std::iter::once(f.evidence.get("vulnerability").map(String::as_str))
            .flatten()
            .chain(
                f.evidence
                    .get("aliases")
                    .map(|a| a.split(',').filter(|x| !x.is_empty()).collect::<Vec<_>>())
                    .unwrap_or_default(),
            )
            .collect();
        if !self.ids.iter().any(|i| ids.contains(&i.as_str())) {
            return false;
        }
        if self.purls.is_empty() {
            return true;
        }
        let Some(purl) = f.location.object.as_deref() else {
            return false;
        };
        self.purls
            .iter()
            .any(|p| p == purl || (!p.contains('@') && strip_version(p) == strip_version(purl)))
    }
}

/// Marks the findings a statement covers as suppressed; returns how many.
pub fn apply(statements: &[Statement], findings: &mut [Finding]) -> usize {
    let mut n = 0;
    for f in findings.iter_mut().filter(|f| f.suppressed.is_none()) {
        if let Some(s) = statements.iter().find(|s| s.applies(f)) {
            f.suppressed = Some(Suppression {
                kind: SuppressionKind::Vex,
                reason: s.reason.clone(),
                expires: None,
                source: Some(s.source.clone()),
            });
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulkhead_core::Location;

    fn finding(id: &str, aliases: &str, purl: &str) -> Finding {
        let mut f = Finding::new(
            &crate::VULNERABLE_PACKAGE,
            Location {
                object: Some(purl.into()),
                ..Default::default()
            },
            "x",
        );
        f.evidence.insert("vulnerability", id.into());
        f.evidence.insert("aliases", aliases.into());
        f
    }

    #[test]
    fn statements_apply_by_id_alias_and_purl() {
        let doc = serde_json::json!({
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://example.com/vex/1",
            "author": "sec team",
            "timestamp": "2026-11-01T00:00:00Z",
            "version": 1,
            "statements": [
                {"vulnerability": {"name": "GHSA-43w2-9j62-hq99"},
                 "products": [{"@id": "pkg:cargo/smallvec"}],
                 "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
                {"vulnerability": {"name": "CVE-2023-32681"},
                 "products": [{"@id": "pkg:oci/app", "subcomponents": [{"@id": "pkg:pypi/requests@2.25.0"}]}],
                 "status": "fixed"},
                {"vulnerability": {"name": "CVE-2020-26235"}, "status": "affected",
                 "action_statement": "upgrade"}
            ]
        });
        let mut st = Vec::new();
        parse(&doc, Path::new("app.vex.json"), &mut st).expect("parses");
        assert_eq!(st.len(), 2, "affected statements change nothing");
        let mut fs = vec![
            finding(
                "CVE-2021-25900",
                "GHSA-43w2-9j62-hq99,RUSTSEC-2021-0003",
                "pkg:cargo/smallvec@1.6.0",
            ),
            finding(
                "CVE-2023-32681",
                "PYSEC-2023-74",
                "pkg:pypi/requests@2.25.0",
            ),
            finding(
                "CVE-2023-32681",
                "PYSEC-2023-74",
                "pkg:pypi/requests@2.26.0",
            ),
            finding("CVE-2020-26235", "", "pkg:cargo/time@0.1.43"),
        ];
        assert_eq!(apply(&st, &mut fs), 2);
        let s = fs[0].suppressed.as_ref().expect("suppressed");
        assert_eq!(s.kind, SuppressionKind::Vex);
        assert!(s.reason.contains("vulnerable_code_not_in_execute_path"));
        assert_eq!(s.source.as_deref(), Some("app.vex.json#statement-1"));
        assert!(fs[1].suppressed.is_some());
        assert!(fs[2].suppressed.is_none(), "another version");
        assert!(fs[3].suppressed.is_none());
        let bad = serde_json::json!({"@context": "https://cyclonedx.org", "statements": []});
        let e = parse(&bad, Path::new("x.json"), &mut Vec::new()).expect_err("refused");
        assert!(e.contains("x.json") && e.contains("not an OpenVEX"));
    }
}
