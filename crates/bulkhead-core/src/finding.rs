//! The one finding type every analyzer produces.

use crate::rule::RuleMeta;
use crate::severity::Severity;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// Where a finding is. Every field but `file` is optional so the same type
/// serves source files (line/column), Kubernetes objects (object + field path)
/// and image layers (layer + path inside the image).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// Path of the input as the user named it (`-` input shows as `<stdin>`).
    pub file: String,
    /// 1-based line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// 0-based index of the YAML document in a multi-document stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<u32>,
    /// The object the finding is about, e.g. `Deployment/shop/web`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// Field path inside the object, e.g.
    /// `spec.template.spec.containers[0].securityContext.privileged`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Image layer digest, for findings inside an image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// The offending source line, verbatim, or a window of it around the
    /// column when the line is long (see [`snippet`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
}

impl Location {
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            ..Default::default()
        }
    }

    /// `file:line:col` for terminals and one-line messages.
    pub fn short(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{}:{}", self.file, l, c),
            (Some(l), None) => format!("{}:{}", self.file, l),
            _ => self.file.clone(),
        }
    }
}

/// Lines up to this many bytes are quoted whole; a longer one (minified
/// JSON, a one-line List of 400 pods, a RUN of 1,000 commands) is quoted as
/// a window around the column, so no finding copies a whole huge line.
pub const SNIPPET_MAX: usize = 240;
const SNIPPET_BEFORE: usize = 80;
const SNIPPET_WINDOW: usize = 200;

/// The text to quote for a finding at 1-based `column` of `line`: the line
/// itself when short, else `…` + 200 characters starting 80 before the
/// column (+ `…` when more follows).
pub fn snippet(line: &str, column: Option<u32>) -> String {
    if line.len() <= SNIPPET_MAX {
        return line.to_string();
    }
    let col0 = column.unwrap_or(1).saturating_sub(1) as usize;
    let start = col0.saturating_sub(SNIPPET_BEFORE);
    let mut out = String::with_capacity(SNIPPET_WINDOW * 2);
    if start > 0 {
        out.push('…');
    }
    if line.is_ascii() {
        // Columns are bytes here: slice instead of walking the line per finding.
        let a = start.min(line.len());
        let b = (start + SNIPPET_WINDOW).min(line.len());
        out.push_str(&line[a..b]);
        if b < line.len() {
            out.push('…');
        }
        return out;
    }
    let mut rest = line.chars().skip(start);
    out.extend(rest.by_ref().take(SNIPPET_WINDOW));
    if rest.next().is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod snippet_tests {
    use super::*;

    #[test]
    fn long_lines_are_quoted_as_a_window_around_the_column() {
        assert_eq!(snippet("short line", Some(3)), "short line");
        let long: String = (0..1000)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        let s = snippet(&long, Some(500));
        assert!(s.starts_with('…') && s.ends_with('…'));
        assert_eq!(s.chars().count(), SNIPPET_WINDOW + 2);
        // The caret lands on the column's character.
        let caret = snippet_caret(&s, 500);
        assert_eq!(s.chars().nth(caret), long.chars().nth(499));
        // Near the start: no leading ellipsis, the caret where the column is.
        let s = snippet(&long, Some(10));
        assert!(!s.starts_with('…') && s.ends_with('…'));
        assert_eq!(snippet_caret(&s, 10), 9);
        // Multi-byte text is cut on characters, never inside one.
        let wide: String = "é".repeat(600);
        let s = snippet(&wide, Some(300));
        assert_eq!(s.chars().filter(|c| *c == 'é').count(), SNIPPET_WINDOW);
    }
}

/// Where the caret for 1-based `column` goes in a [`snippet`] (0-based chars).
pub fn snippet_caret(snippet: &str, column: u32) -> usize {
    let col0 = column.saturating_sub(1) as usize;
    if snippet.starts_with('…') && col0 > SNIPPET_BEFORE {
        SNIPPET_BEFORE + 1
    } else {
        col0
    }
}

/// One step of an automatic fix, expressed against the object's JSON view
/// with a JSON Pointer (RFC 6901) path. `Set` and `Append` create missing
/// parents; a fixer merges the ops of all findings on one object before it
/// renders them as text edits, an RFC 6902 JSON patch or a merge patch.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum PatchOp {
    /// Ensure `path` holds `value`.
    Set {
        path: String,
        value: serde_json::Value,
    },
    /// Ensure the sequence at `path` contains `value` (created if missing).
    Append {
        path: String,
        value: serde_json::Value,
    },
    /// Remove the field at `path`.
    Remove { path: String },
}

impl PatchOp {
    pub fn path(&self) -> &str {
        match self {
            PatchOp::Set { path, .. } | PatchOp::Append { path, .. } | PatchOp::Remove { path } => {
                path
            }
        }
    }
}

/// A text edit on the source file: at `line`:`column` (1-based), delete
/// `delete` characters, then insert `insert`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextEdit {
    pub line: u32,
    pub column: u32,
    pub delete: u32,
    pub insert: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fix {
    /// What the fix does, in words.
    pub description: String,
    /// Structured edits (JSON Pointer paths), empty when the fix is text or needs a human.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ops: Vec<PatchOp>,
    /// Text edits on the source file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<TextEdit>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuppressionKind {
    /// An entry in `bulkhead.yaml`.
    Config,
    /// A comment in the source file.
    Inline,
    /// A `bulkhead.dev/ignore` annotation on the Kubernetes object.
    Annotation,
    /// An OpenVEX statement (`not_affected` or `fixed`) for a vulnerability.
    Vex,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Where the suppression itself was written (`bulkhead.yaml:12`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule_id: String,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    /// Facts that support the finding (`control`, `value`, `pss_level`, ...).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub evidence: IndexMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

impl Finding {
    pub fn new(rule: &RuleMeta, location: Location, message: impl Into<String>) -> Self {
        Finding {
            rule_id: rule.id.to_string(),
            severity: rule.severity,
            message: message.into(),
            location,
            fix: None,
            evidence: IndexMap::new(),
            suppressed: None,
        }
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn with_evidence(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.evidence.insert(key, value.into());
        self
    }

    pub fn is_suppressed(&self) -> bool {
        self.suppressed.is_some()
    }
}

/// An input the run could not read or parse. Reported on stderr as one line
/// and in JSON/SARIF output; any input error makes the exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputError {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub message: String,
}

impl InputError {
    pub fn new(file: impl Into<String>, line: Option<u32>, message: impl Into<String>) -> Self {
        InputError {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.file, l, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}
