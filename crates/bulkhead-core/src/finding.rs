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
    /// The offending source line, verbatim (for reports that quote it).
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
