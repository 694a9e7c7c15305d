//! SARIF 2.1.0 (validated against the OASIS schema in the test suite).
//! Serialised from borrowed views, without an intermediate JSON tree.

use super::{Report, TOOL_VERSION};
use crate::finding::{Fix, SuppressionKind};
use crate::rule::Catalogue;
use indexmap::IndexMap;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Artifact {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region<'a> {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Text<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical<'a> {
    artifact_location: Artifact,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Logical {
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    physical_location: Physical<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<Logical>,
}

#[derive(Serialize)]
struct ResultProps<'a> {
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<&'a IndexMap<&'static str, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<&'a Fix>,
}

#[derive(Serialize)]
struct SarifSuppression<'a> {
    kind: &'static str,
    justification: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text<'a>,
    locations: Vec<SarifLocation<'a>>,
    properties: ResultProps<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Help {
    text: &'static str,
    markdown: String,
}

#[derive(Serialize)]
struct Level {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProps {
    tags: Vec<&'static str>,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    layer: &'static str,
    equivalents: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRule {
    id: &'static str,
    name: &'static str,
    short_description: Text<'static>,
    full_description: FullText,
    help: Help,
    default_configuration: Level,
    properties: RuleProps,
}

#[derive(Serialize)]
struct FullText {
    text: String,
}

#[derive(Serialize)]
struct Notification<'a> {
    level: &'static str,
    message: Text<'a>,
    locations: Vec<SarifLocation<'a>>,
}

fn uri(file: &str) -> Artifact {
    if file == "<stdin>" || file == "-" {
        return Artifact {
            uri: "stdin".to_string(),
            uri_base_id: None,
        };
    }
    let enc = |s: &str| {
        s.replace('%', "%25")
            .replace(' ', "%20")
            .replace('#', "%23")
    };
    match file.strip_prefix('/') {
        Some(abs) => Artifact {
            uri: format!("file:///{}", enc(abs)),
            uri_base_id: None,
        },
        None => Artifact {
            uri: enc(file.trim_start_matches("./")),
            uri_base_id: Some("%SRCROOT%"),
        },
    }
}

pub fn render(report: &Report, catalogue: &Catalogue) -> String {
    let used: std::collections::BTreeSet<&str> =
        report.findings.iter().map(|f| f.rule_id.as_str()).collect();
    let mut index = BTreeMap::new();
    let mut rules = Vec::new();
    for r in catalogue.rules().iter().filter(|r| used.contains(r.id)) {
        index.insert(r.id, rules.len());
        let mut tags: Vec<&'static str> = vec!["security"];
        tags.extend(r.tags.iter().copied());
        rules.push(SarifRule {
            id: r.id,
            name: r.slug,
            short_description: Text { text: r.title },
            full_description: FullText {
                text: format!("{} {}", r.what.trim(), r.why.trim()),
            },
            help: Help {
                text: r.fix.trim(),
                markdown: r.explain(),
            },
            default_configuration: Level {
                level: r.severity.sarif_level(),
            },
            properties: RuleProps {
                tags,
                security_severity: r.severity.security_severity(),
                layer: r.layer,
                equivalents: r
                    .equivalents
                    .iter()
                    .map(|e| format!("{}:{}", e.tool, e.id))
                    .collect(),
            },
        });
    }
    let results: Vec<SarifResult<'_>> = report
        .findings
        .iter()
        .map(|f| {
            let region = f.location.line.map(|line| Region {
                start_line: line.max(1),
                start_column: f.location.column.map(|c| c.max(1)),
                snippet: f.location.snippet.as_deref().map(|s| Text { text: s }),
            });
            let logical = f
                .location
                .object
                .as_ref()
                .map(|obj| Logical {
                    fully_qualified_name: match &f.location.field {
                        Some(field) => format!("{obj}/{field}"),
                        None => obj.clone(),
                    },
                    kind: "object",
                })
                .into_iter()
                .collect();
            SarifResult {
                rule_id: &f.rule_id,
                rule_index: index.get(f.rule_id.as_str()).copied(),
                level: f.severity.sarif_level(),
                message: Text { text: &f.message },
                locations: vec![SarifLocation {
                    physical_location: Physical {
                        artifact_location: uri(&f.location.file),
                        region,
                    },
                    logical_locations: logical,
                }],
                properties: ResultProps {
                    severity: f.severity.as_str(),
                    evidence: (!f.evidence.is_empty()).then_some(&f.evidence),
                    fix: f.fix.as_ref(),
                },
                suppressions: f
                    .suppressed
                    .iter()
                    .map(|s| SarifSuppression {
                        kind: match s.kind {
                            SuppressionKind::Inline => "inSource",
                            SuppressionKind::Config
                            | SuppressionKind::Annotation
                            | SuppressionKind::Vex => "external",
                        },
                        justification: &s.reason,
                    })
                    .collect(),
            }
        })
        .collect();
    let notifications: Vec<Notification<'_>> = report
        .errors
        .iter()
        .map(|e| Notification {
            level: "error",
            message: Text { text: &e.message },
            locations: vec![SarifLocation {
                physical_location: Physical {
                    artifact_location: uri(&e.file),
                    region: e.line.map(|l| Region {
                        start_line: l.max(1),
                        start_column: None,
                        snippet: None,
                    }),
                },
                logical_locations: Vec::new(),
            }],
        })
        .collect();
    let doc = Sarif {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: serde_json::json!({"driver": {"name": "bulkhead", "version": TOOL_VERSION, "rules": rules}}),
            invocations: vec![Invocation {
                execution_successful: report.errors.is_empty(),
                tool_execution_notifications: notifications,
            }],
            original_uri_base_ids: serde_json::json!({"%SRCROOT%": {"description": {"text": "The directory bulkhead ran in."}}}),
            results,
            properties: serde_json::json!({"command": report.command, "settings": report.settings}),
        }],
    };
    let mut buf = Vec::with_capacity(4096 + report.findings.len() * 1200);
    if serde_json::to_writer_pretty(&mut buf, &doc).is_err() {
        return String::from("{}\n");
    }
    buf.push(b'\n');
    String::from_utf8(buf).unwrap_or_default()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: serde_json::Value,
    invocations: Vec<Invocation<'a>>,
    original_uri_base_ids: serde_json::Value,
    results: Vec<SarifResult<'a>>,
    properties: serde_json::Value,
}

#[derive(Serialize)]
struct Sarif<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}
