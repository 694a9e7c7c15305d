//! Text in, findings out: parse, build the model, run the enabled rules,
//! attach locations and suppressions (bulkhead's `# bulkhead:ignore` and
//! hadolint's `# hadolint ignore=` / `# hadolint global ignore=` pragmas).

use crate::model::Model;
use crate::parser;
use crate::rules::{self, Config, Ctx};
use bulkhead_core::suppress::Directive;
use bulkhead_core::{
    Catalogue, Finding, InputError, Location, RuleMeta, Suppression, SuppressionKind, Target,
};

#[derive(Debug, Default)]
pub struct Output {
    pub findings: Vec<Finding>,
    pub targets: Vec<Target>,
    pub notes: Vec<String>,
}

/// hadolint ids named by a `hadolint ignore=` pragma in `comment`.
fn hadolint_ids(comment: &str, global: bool) -> Option<Vec<String>> {
    let rest = comment.trim().strip_prefix("hadolint")?.trim_start();
    let rest = if global {
        rest.strip_prefix("global")?.trim_start()
    } else {
        rest
    };
    let list = rest
        .strip_prefix("ignore")?
        .trim_start()
        .strip_prefix('=')?;
    Some(
        list.split(',')
            .map(|s| s.split_whitespace().next().unwrap_or("").to_string())
            .filter(|s| !s.is_empty())
            .collect(),
    )
}

/// Does this finding correspond to one of the hadolint `ids`?
fn matches_hadolint(rule: &RuleMeta, finding_id: Option<&str>, ids: &[String]) -> bool {
    ids.iter().any(|id| {
        finding_id == Some(id.as_str())
            || (finding_id.is_none()
                && rule
                    .equivalents
                    .iter()
                    .any(|e| e.tool == "hadolint" && e.id.split(" / ").any(|x| x == id)))
    })
}

/// The instructions BuildKit's dispatcher knows (`instructions.Parse`); any
/// other keyword fails the build there, so it is an input error here — a typo
/// (`FORM ubuntu`) or a file that is no Dockerfile at all (a YAML manifest)
/// must not pass as "no findings".
pub const INSTRUCTIONS: &[&str] = &[
    "add",
    "arg",
    "cmd",
    "copy",
    "entrypoint",
    "env",
    "expose",
    "from",
    "healthcheck",
    "label",
    "maintainer",
    "onbuild",
    "run",
    "shell",
    "stopsignal",
    "user",
    "volume",
    "workdir",
];

/// Levenshtein distance, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn check_instructions(name: &str, parsed: &parser::Parsed) -> Result<(), InputError> {
    for (n, inst) in parsed.instructions.iter().enumerate() {
        let mut i = inst;
        if i.is("onbuild")
            && let Some(sub) = i.sub()
        {
            i = sub;
        }
        let kw = i.keyword.to_ascii_lowercase();
        if INSTRUCTIONS.contains(&kw.as_str()) {
            continue;
        }
        let shown: String = i.keyword.chars().take(40).collect();
        let hint = INSTRUCTIONS
            .iter()
            .filter(|k| distance(&kw, k) <= 2)
            .min_by_key(|k| distance(&kw, k))
            .map(|k| format!(" (did you mean {}?)", k.to_ascii_uppercase()))
            .unwrap_or_else(|| {
                if n == 0 {
                    " (is this a Dockerfile?)".to_string()
                } else {
                    String::new()
                }
            });
        return Err(InputError::new(
            name,
            Some(inst.start_line),
            format!("unknown instruction: {shown}{hint}"),
        ));
    }
    Ok(())
}

pub fn analyze(
    name: &str,
    text: &str,
    config: &Config,
    enabled: &dyn Fn(&RuleMeta) -> bool,
    catalogue: &Catalogue,
) -> Result<Output, InputError> {
    let parsed = parser::parse(text).map_err(|e| {
        InputError::new(
            name,
            Some(e.line),
            format!("invalid Dockerfile: {}", e.message),
        )
    })?;
    check_instructions(name, &parsed)?;
    let model = Model::new(&parsed);
    let ctx = Ctx {
        model: &model,
        lines: text.lines().collect(),
        config,
    };
    let mut out = Output::default();
    out.targets.push(Target {
        file: name.to_string(),
        name: format!(
            "Dockerfile ({} stage{})",
            model.stages.len(),
            if model.stages.len() == 1 { "" } else { "s" }
        ),
        line: None,
    });
    for w in &parsed.warnings {
        out.notes.push(format!("{name}:{}: {}", w.line, w.message));
    }
    for r in &model.runs {
        if r.commands
            .iter()
            .any(|c| c.program() == crate::shell::TOO_DEEP)
        {
            out.notes.push(format!(
                "{name}:{}: RUN nests sh -c / $(…) deeper than {} levels; the commands below that depth were not checked",
                model.inst(r.index).start_line,
                crate::shell::MAX_DEPTH
            ));
        }
    }
    // File-wide hadolint pragmas.
    let global: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix('#'))
        .filter_map(|c| hadolint_ids(c, true))
        .flatten()
        .collect();
    for v in rules::check(&ctx, enabled) {
        let inst = model.inst(v.inst);
        let mut f = Finding::new(
            v.rule,
            Location {
                file: name.to_string(),
                line: Some(v.line),
                column: Some(v.column),
                document: None,
                object: None,
                field: Some(format!(
                    "{} (line {})",
                    inst.keyword.to_ascii_uppercase(),
                    inst.start_line
                )),
                layer: None,
                snippet: ctx
                    .lines
                    .get((v.line as usize).saturating_sub(1))
                    .map(|s| bulkhead_core::finding::snippet(s, Some(v.column))),
            },
            v.message,
        );
        if let Some(h) = v.hadolint {
            f = f.with_evidence("hadolint", h);
        }
        f.fix = v.fix;
        // Suppressions: bulkhead directive or hadolint pragma above the instruction, or global pragma.
        for c in &inst.comments {
            if let Some(d) = Directive::from_comment(c)
                && d.covers(v.rule.id, catalogue)
            {
                f.suppressed = Some(d.to_suppression(
                    SuppressionKind::Inline,
                    Some(format!("{name}: comment above line {}", inst.start_line)),
                ));
                break;
            }
            if let Some(ids) = hadolint_ids(c, false)
                && matches_hadolint(v.rule, v.hadolint, &ids)
            {
                f.suppressed = Some(Suppression {
                    kind: SuppressionKind::Inline,
                    reason: format!("hadolint ignore={}", ids.join(",")),
                    expires: None,
                    source: Some(format!("{name}: comment above line {}", inst.start_line)),
                });
                break;
            }
        }
        if f.suppressed.is_none() && matches_hadolint(v.rule, v.hadolint, &global) {
            f.suppressed = Some(Suppression {
                kind: SuppressionKind::Inline,
                reason: format!("hadolint global ignore={}", global.join(",")),
                expires: None,
                source: Some(name.to_string()),
            });
        }
        out.findings.push(f);
    }
    Ok(out)
}

/// Applies the text edits of unsuppressed findings and returns a unified diff
/// (`None` when nothing changes).
pub fn fix_diff(name: &str, text: &str, findings: &[Finding]) -> Option<String> {
    let mut edits: Vec<&bulkhead_core::TextEdit> = findings
        .iter()
        .filter(|f| !f.is_suppressed() && f.location.file == name)
        .filter_map(|f| f.fix.as_ref())
        .flat_map(|fx| fx.edits.iter())
        .collect();
    if edits.is_empty() {
        return None;
    }
    edits.sort_by_key(|e| (std::cmp::Reverse(e.line), std::cmp::Reverse(e.column)));
    edits.dedup_by(|a, b| a == b);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for e in edits {
        let idx = e.line as usize - 1;
        if idx >= lines.len() {
            let ins = e.insert.trim_end_matches('\n');
            lines.push(ins.to_string());
            continue;
        }
        if e.insert.ends_with('\n') && e.column == 1 && e.delete == 0 {
            lines.insert(idx, e.insert.trim_end_matches('\n').to_string());
            continue;
        }
        let line = &mut lines[idx];
        let start: usize = line
            .char_indices()
            .nth(e.column as usize - 1)
            .map_or(line.len(), |(b, _)| b);
        let end: usize = line[start..]
            .char_indices()
            .nth(e.delete as usize)
            .map_or(line.len(), |(b, _)| start + b);
        line.replace_range(start..end, &e.insert);
    }
    let mut new = lines.join("\n");
    if text.ends_with('\n') {
        new.push('\n');
    }
    Some(unified_diff(name, text, &new))
}

/// A minimal unified diff (whole-file hunks of changed line ranges, 3 lines of context).
fn unified_diff(name: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // LCS table; Dockerfiles are small.
    let (n, m) = (a.len(), b.len());
    let mut dp = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            dp[i][j] = if a[i] == b[j] {
                dp[i + 1][j + 1] + 1
            } else {
                dp[i + 1][j].max(dp[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str, usize, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', a[i], i, j));
            i += 1;
            j += 1;
        } else if j < m && (i == n || dp[i][j + 1] >= dp[i + 1][j]) {
            ops.push(('+', b[j], i, j));
            j += 1;
        } else {
            ops.push(('-', a[i], i, j));
            i += 1;
        }
    }
    let mut out = format!("--- {name}\n+++ {name}\n");
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, o)| o.0 != ' ')
        .map(|(k, _)| k)
        .collect();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(3);
        let mut end = changed[k];
        while k < changed.len() && changed[k] <= end + 6 {
            end = changed[k];
            k += 1;
        }
        let end = (end + 3).min(ops.len() - 1);
        let hunk = &ops[start..=end];
        let a_start = hunk.iter().find(|o| o.0 != '+').map_or(hunk[0].2, |o| o.2) + 1;
        let b_start = hunk.iter().find(|o| o.0 != '-').map_or(hunk[0].3, |o| o.3) + 1;
        let a_len = hunk.iter().filter(|o| o.0 != '+').count();
        let b_len = hunk.iter().filter(|o| o.0 != '-').count();
        out.push_str(&format!("@@ -{a_start},{a_len} +{b_start},{b_len} @@\n"));
        for o in hunk {
            out.push(o.0);
            out.push_str(o.1);
            out.push('\n');
        }
    }
    out
}
