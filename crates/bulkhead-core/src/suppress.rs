//! Suppressions: config entries (rule, path globs, reason, optional expiry)
//! and the `RULE[,RULE] reason` directive shared by inline comments
//! (`# bulkhead:ignore RULE reason`) and the `bulkhead.dev/ignore` annotation.
//! A suppressed finding is kept and marked, never dropped, so JSON and SARIF
//! show what was silenced and why.

use crate::finding::{Finding, Suppression, SuppressionKind};
use crate::rule::Catalogue;
use crate::select;
use globset::{Glob, GlobMatcher};
use serde::Deserialize;

/// The marker an inline comment starts with.
pub const INLINE_MARKER: &str = "bulkhead:ignore";
/// The Kubernetes annotation key.
pub const ANNOTATION: &str = "bulkhead.dev/ignore";

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ConfigSuppression {
    /// A rule id, slug, prefix or tag.
    pub rule: String,
    /// Globs matched against the input path; empty means every path.
    #[serde(default, alias = "path")]
    pub paths: Vec<String>,
    pub reason: String,
    /// `YYYY-MM-DD`: the suppression stops applying after this day.
    #[serde(default)]
    pub expires: Option<String>,
}

/// A parsed `RULE[,RULE] reason` directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub rules: Vec<String>,
    pub reason: String,
}

impl Directive {
    /// Parses the text after the marker (or an annotation value).
    pub fn parse(text: &str) -> Option<Directive> {
        let text = text.trim();
        let (rules, reason) = match text.find(char::is_whitespace) {
            Some(i) => (&text[..i], text[i..].trim()),
            None => (text, ""),
        };
        let rules: Vec<String> = rules
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect();
        if rules.is_empty() {
            return None;
        }
        let reason = reason.trim_start_matches(['-', ':', ' ']).trim();
        Some(Directive {
            rules,
            reason: reason.to_string(),
        })
    }

    /// Finds `bulkhead:ignore ...` inside a comment's text.
    pub fn from_comment(comment: &str) -> Option<Directive> {
        let i = comment.find(INLINE_MARKER)?;
        Directive::parse(&comment[i + INLINE_MARKER.len()..])
    }

    pub fn covers(&self, rule_id: &str, catalogue: &Catalogue) -> bool {
        self.rules.iter().any(|sel| {
            sel.eq_ignore_ascii_case(rule_id)
                || catalogue
                    .get(rule_id)
                    .is_some_and(|meta| select::matches(sel, meta))
        })
    }

    pub fn to_suppression(&self, kind: SuppressionKind, source: Option<String>) -> Suppression {
        Suppression {
            kind,
            reason: if self.reason.is_empty() {
                "(no reason given)".to_string()
            } else {
                self.reason.clone()
            },
            expires: None,
            source,
        }
    }
}

struct Compiled<'a> {
    entry: &'a ConfigSuppression,
    globs: Vec<GlobMatcher>,
    index: usize,
}

/// Marks findings matched by config suppressions. Returns warnings: bad globs
/// and expired entries (which no longer apply).
pub fn apply_config(
    findings: &mut [Finding],
    entries: &[ConfigSuppression],
    catalogue: &Catalogue,
    today: jiff::civil::Date,
    source: &str,
) -> Vec<String> {
    let mut warnings = Vec::new();
    let mut compiled = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        if let Some(exp) = &entry.expires {
            match exp.parse::<jiff::civil::Date>() {
                Ok(d) if d < today => {
                    warnings.push(format!(
                        "{source}: suppression #{} for {} expired on {exp}; it no longer applies",
                        index + 1,
                        entry.rule
                    ));
                    continue;
                }
                Ok(_) => {}
                Err(e) => {
                    warnings.push(format!(
                        "{source}: suppression #{} has a bad expiry date '{exp}': {e}",
                        index + 1
                    ));
                    continue;
                }
            }
        }
        let mut globs = Vec::new();
        for p in &entry.paths {
            match Glob::new(p) {
                Ok(g) => globs.push(g.compile_matcher()),
                Err(e) => warnings.push(format!(
                    "{source}: suppression #{} has a bad path glob '{p}': {e}",
                    index + 1
                )),
            }
        }
        compiled.push(Compiled {
            entry,
            globs,
            index,
        });
    }
    for f in findings.iter_mut().filter(|f| f.suppressed.is_none()) {
        let path = f.location.file.trim_start_matches("./");
        for c in &compiled {
            let rule_ok = Directive {
                rules: vec![c.entry.rule.clone()],
                reason: String::new(),
            }
            .covers(&f.rule_id, catalogue);
            let path_ok = c.entry.paths.is_empty() || c.globs.iter().any(|g| g.is_match(path));
            if rule_ok && path_ok {
                f.suppressed = Some(Suppression {
                    kind: SuppressionKind::Config,
                    reason: c.entry.reason.clone(),
                    expires: c.entry.expires.clone(),
                    source: Some(format!("{source} suppressions[{}]", c.index)),
                });
                break;
            }
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Location, RuleMeta, Severity};

    static R: RuleMeta = RuleMeta {
        id: "K8S004",
        slug: "readonly-root-fs",
        title: "",
        severity: Severity::Low,
        layer: "kubernetes",
        tags: &["hardening"],
        default_enabled: true,
        what: "",
        why: "",
        fix: "",
        example: "",
        example_fixed: "",
        equivalents: &[],
        references: &[],
    };

    #[test]
    fn directive_parsing() {
        let d = Directive::from_comment("# bulkhead:ignore PSS001,K8S004 needs host network")
            .expect("d");
        assert_eq!(d.rules, vec!["PSS001", "K8S004"]);
        assert_eq!(d.reason, "needs host network");
        assert!(Directive::from_comment("# nothing here").is_none());
        assert!(Directive::parse("   ").is_none());
    }

    #[test]
    fn config_entries_apply_by_rule_glob_and_expiry() {
        let mut c = Catalogue::new();
        c.extend(&[&R]);
        let mk = |file: &str| Finding::new(&R, Location::file(file), "m");
        let mut fs = vec![mk("charts/a.yaml"), mk("apps/b.yaml")];
        let entries = vec![
            ConfigSuppression {
                rule: "readonly-root-fs".into(),
                paths: vec!["charts/**".into()],
                reason: "vendored chart".into(),
                expires: Some("2099-01-01".into()),
            },
            ConfigSuppression {
                rule: "K8S004".into(),
                paths: vec![],
                reason: "old".into(),
                expires: Some("2000-01-01".into()),
            },
        ];
        let today: jiff::civil::Date = "2026-11-22".parse().expect("date");
        let w = apply_config(&mut fs, &entries, &c, today, "bulkhead.yaml");
        assert!(fs[0].is_suppressed());
        assert!(!fs[1].is_suppressed());
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("expired"));
    }
}
