//! The terminal report: each finding with its location, the object and field
//! it concerns, and the offending source line quoted (cargo-deny style).

use super::{RenderOptions, Report};
use crate::rule::Catalogue;
use crate::severity::Severity;
use std::fmt::Write as _;

fn paint(on: bool, code: &str, s: &str) -> String {
    if on {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

fn severity_upper(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Info => "INFO",
    }
}

fn sev_code(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;35",
        Severity::High => "1;31",
        Severity::Medium => "1;33",
        Severity::Low => "1;36",
        Severity::Info => "2",
    }
}

/// Appends `s`, wrapped in an ANSI style when colour is on.
fn styled(out: &mut String, on: bool, code: &str, s: &str) {
    if on {
        out.push_str("\x1b[");
        out.push_str(code);
        out.push('m');
        out.push_str(s);
        out.push_str("\x1b[0m");
    } else {
        out.push_str(s);
    }
}

fn location(out: &mut String, on: bool, f: &crate::finding::Location) {
    let mut s = String::with_capacity(f.file.len() + 12);
    s.push_str(&f.file);
    if let Some(l) = f.line {
        let _ = write!(s, ":{l}");
        if let Some(c) = f.column {
            let _ = write!(s, ":{c}");
        }
    }
    styled(out, on, "1", &s);
}

pub fn render(report: &Report, catalogue: &Catalogue, opts: RenderOptions) -> String {
    let c = opts.color;
    let mut out = String::with_capacity(report.findings.len() * 300 + 256);
    for f in &report.findings {
        if f.is_suppressed() && !opts.show_suppressed {
            continue;
        }
        let slug = catalogue.get(&f.rule_id).map_or("", |r| r.slug);
        location(&mut out, c, &f.location);
        out.push_str(": ");
        styled(
            &mut out,
            c,
            sev_code(f.severity),
            severity_upper(f.severity),
        );
        out.push(' ');
        styled(&mut out, c, "1", &f.rule_id);
        out.push(' ');
        if c {
            out.push_str("\x1b[2m");
        }
        out.push('[');
        out.push_str(slug);
        out.push(']');
        if c {
            out.push_str("\x1b[0m");
        }
        out.push(' ');
        out.push_str(&f.message);
        out.push('\n');
        let loc = &f.location;
        if loc.object.is_some() || loc.field.is_some() || loc.layer.is_some() {
            out.push_str("   ");
            if c {
                out.push_str("\x1b[2m");
            }
            let mut first = true;
            for part in [loc.object.as_deref(), loc.field.as_deref()]
                .into_iter()
                .flatten()
            {
                if !first {
                    out.push_str("  ");
                }
                out.push_str(part);
                first = false;
            }
            if let Some(layer) = &loc.layer {
                if !first {
                    out.push_str("  ");
                }
                out.push_str("layer ");
                out.push_str(layer);
            }
            if c {
                out.push_str("\x1b[0m");
            }
            out.push('\n');
        }
        if let (Some(line), Some(snippet)) = (loc.line, &loc.snippet) {
            let num = line.to_string();
            out.push_str("   ");
            styled(&mut out, c, "34", &num);
            out.push_str(" | ");
            out.push_str(snippet);
            out.push('\n');
            if let Some(col) = loc.column {
                let skip = crate::finding::snippet_caret(snippet, col);
                let width = snippet
                    .chars()
                    .skip(skip)
                    .take_while(|ch| !ch.is_whitespace())
                    .take(60)
                    .count()
                    .max(1);
                out.push_str("   ");
                out.extend(std::iter::repeat_n(' ', num.len()));
                out.push_str(" | ");
                out.extend(std::iter::repeat_n(' ', skip));
                styled(&mut out, c, sev_code(f.severity), &"^".repeat(width));
                out.push('\n');
            }
        }
        if let Some(s) = &f.suppressed {
            let _ = writeln!(out, "   suppressed ({:?}): {}", s.kind, s.reason);
        }
    }
    // Input errors go to stderr as they happen; the summary counts them.
    if opts.quiet {
        return out;
    }
    for n in &report.notes {
        let _ = writeln!(out, "{} {}", paint(c, "2", "note:"), n);
    }
    for (dim, groups) in &report.breakdown {
        const SHOWN: usize = 25;
        let _ = writeln!(out, "{}", paint(c, "1", &format!("by {dim}:")));
        let width = groups
            .iter()
            .take(SHOWN)
            .map(|g| g.key.chars().count())
            .max()
            .unwrap_or(0);
        for g in groups.iter().take(SHOWN) {
            let parts: Vec<String> = g
                .by_severity
                .iter()
                .map(|(s, n)| format!("{n} {s}"))
                .collect();
            let _ = writeln!(
                out,
                "  {:<width$}  {:>6}  ({})",
                g.key,
                g.findings,
                parts.join(", ")
            );
        }
        if groups.len() > SHOWN {
            let _ = writeln!(
                out,
                "  … {} more (JSON: summary.by.{dim})",
                groups.len() - SHOWN
            );
        }
    }
    let active = report.active().count();
    let suppressed = report.findings.len() - active;
    let mut summary = if active == 0 {
        "no findings".to_string()
    } else {
        let parts: Vec<String> = report
            .counts()
            .iter()
            .map(|(s, n)| format!("{n} {s}"))
            .collect();
        format!(
            "{active} finding{} ({})",
            if active == 1 { "" } else { "s" },
            parts.join(", ")
        )
    };
    if suppressed > 0 {
        let _ = write!(summary, ", {suppressed} suppressed");
    }
    if !report.errors.is_empty() {
        let _ = write!(
            summary,
            ", {} input error{}",
            report.errors.len(),
            if report.errors.len() == 1 { "" } else { "s" }
        );
    }
    let files: std::collections::BTreeSet<&str> =
        report.targets.iter().map(|t| t.file.as_str()).collect();
    let _ = write!(
        summary,
        " in {} object{} from {} file{}",
        report.targets.len(),
        if report.targets.len() == 1 { "" } else { "s" },
        files.len(),
        if files.len() == 1 { "" } else { "s" }
    );
    if !report.settings.is_empty() {
        let s: Vec<String> = report
            .settings
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let _ = write!(summary, " [{}]", s.join(" "));
    }
    let _ = writeln!(out, "{}", paint(c, "1", &summary));
    out
}
