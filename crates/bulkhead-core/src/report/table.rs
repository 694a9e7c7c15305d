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

fn sev_code(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;35",
        Severity::High => "1;31",
        Severity::Medium => "1;33",
        Severity::Low => "1;36",
        Severity::Info => "2",
    }
}

pub fn render(report: &Report, catalogue: &Catalogue, opts: RenderOptions) -> String {
    let c = opts.color;
    let mut out = String::new();
    for f in &report.findings {
        if f.is_suppressed() && !opts.show_suppressed {
            continue;
        }
        let slug = catalogue.get(&f.rule_id).map_or("", |r| r.slug);
        let sev = f.severity.as_str().to_ascii_uppercase();
        let _ = writeln!(
            out,
            "{}: {} {} {} {}",
            paint(c, "1", &f.location.short()),
            paint(c, sev_code(f.severity), &sev),
            paint(c, "1", &f.rule_id),
            paint(c, "2", &format!("[{slug}]")),
            f.message
        );
        let mut ctx = Vec::new();
        if let Some(o) = &f.location.object {
            ctx.push(o.clone());
        }
        if let Some(field) = &f.location.field {
            ctx.push(field.clone());
        }
        if let Some(layer) = &f.location.layer {
            ctx.push(format!("layer {layer}"));
        }
        if !ctx.is_empty() {
            let _ = writeln!(out, "   {}", paint(c, "2", &ctx.join("  ")));
        }
        if let (Some(line), Some(snippet)) = (f.location.line, &f.location.snippet) {
            let num = line.to_string();
            let _ = writeln!(out, "   {} | {}", paint(c, "34", &num), snippet);
            if let Some(col) = f.location.column {
                let width = snippet
                    .chars()
                    .skip(col.saturating_sub(1) as usize)
                    .take_while(|ch| !ch.is_whitespace())
                    .count()
                    .max(1);
                let _ = writeln!(
                    out,
                    "   {} | {}{}",
                    " ".repeat(num.len()),
                    " ".repeat(col.saturating_sub(1) as usize),
                    paint(c, sev_code(f.severity), &"^".repeat(width))
                );
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
