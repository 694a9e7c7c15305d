//! Resolves report settings from flags/environment (already merged by clap)
//! and the configuration file.

use crate::cli::ReportArgs;
use anyhow::{Context, Result, bail};
use bulkhead_core::config::{self, Config};
use bulkhead_core::report::RenderOptions;
use bulkhead_core::suppress;
use bulkhead_core::{Catalogue, Format, Report, RuleMeta, Selection, Severity};
use std::io::IsTerminal;
use std::path::PathBuf;

pub struct Settings {
    pub format: Format,
    pub output: Option<PathBuf>,
    pub severities: Vec<Severity>,
    pub fail_on: Option<Severity>,
    pub selection: Selection,
    pub config: Config,
    pub config_path: Option<PathBuf>,
    pub render: RenderOptions,
    pub quiet: bool,
    pub verbose: bool,
    pub max_bytes: u64,
    /// Notes about the settings themselves (a selection that names no rule
    /// of this command), printed on stderr when resolved and added to the
    /// report by [`Settings::finish`].
    pub notes: Vec<String>,
}

pub(crate) fn parse_size(s: &str) -> Result<u64> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().with_context(|| format!("bad size '{s}'"))?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "kib" => 1024,
        "m" | "mb" => 1_000_000,
        "mib" => 1024 * 1024,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1024 * 1024 * 1024,
        "t" | "tb" => 1_000_000_000_000,
        "tib" => 1 << 40,
        u => bail!("bad size unit '{u}' in '{s}' (use B, KB, KiB, MB, MiB, GB, GiB, TB, TiB)"),
    };
    Ok(n.saturating_mul(mult))
}

impl Settings {
    /// `catalogue` is every layer's rules (a selector must name one of them);
    /// `own` is the running command's rules. A `select` none of whose
    /// selectors names one of `own` — `select: [pss]` in a shared
    /// `bulkhead.yaml` while linting a Dockerfile — would leave the command
    /// nothing to run and report a silent "no findings": the command runs its
    /// default rules instead and says so in a note.
    pub fn resolve(
        args: &ReportArgs,
        catalogue: &Catalogue,
        own: &[&'static RuleMeta],
    ) -> Result<Settings> {
        let config_path = if args.no_config {
            None
        } else if let Some(p) = &args.config {
            if !p.is_file() {
                bail!("{}: configuration file not found", p.display());
            }
            Some(p.clone())
        } else {
            std::env::current_dir()
                .ok()
                .and_then(|d| config::discover(&d))
        };
        let config = match &config_path {
            Some(p) => config::load(p).map_err(anyhow::Error::msg)?,
            None => Config::default(),
        };
        let format: Format = args
            .format
            .clone()
            .or_else(|| config.format.clone())
            .unwrap_or_else(|| "table".into())
            .parse()
            .map_err(anyhow::Error::msg)?;
        let sev_strings = if args.severity.is_empty() {
            &config.severity
        } else {
            &args.severity
        };
        let mut severities = Vec::new();
        for s in sev_strings {
            severities.extend(bulkhead_core::severity::parse_list(s).map_err(anyhow::Error::msg)?);
        }
        let fail_on = match args
            .fail_on
            .clone()
            .or_else(|| config.fail_on.clone())
            .as_deref()
        {
            None => Some(Severity::Info),
            Some(s) if s.eq_ignore_ascii_case("none") || s.eq_ignore_ascii_case("never") => None,
            Some(s) => Some(
                s.parse::<Severity>()
                    .map_err(|e| anyhow::anyhow!("--fail-on: {e}"))?,
            ),
        };
        let select = if args.select.is_empty() {
            config.select.clone()
        } else {
            args.select.clone()
        };
        let ignore = if args.ignore.is_empty() {
            config.ignore.clone()
        } else {
            args.ignore.clone()
        };
        let mut selection = Selection::new(select, ignore);
        let unknown = selection.unknown(catalogue);
        if !unknown.is_empty() {
            bail!(
                "unknown rule selector{} {} (see `bulkhead rules`)",
                if unknown.len() == 1 { "" } else { "s" },
                unknown.join(", ")
            );
        }
        let mut notes = Vec::new();
        if !selection.select.is_empty() && !own.is_empty() && !selection.selects_any(own) {
            let from = if args.select.is_empty() {
                config_path.as_ref().map_or_else(
                    || "the configuration".to_string(),
                    |p| p.display().to_string(),
                )
            } else {
                "--select/BULKHEAD_SELECT".to_string()
            };
            let note = format!(
                "the selection {} ({from}) names no rule of this command; running its default rules",
                selection.select.join(", ")
            );
            eprintln!("bulkhead: note: {note}");
            notes.push(note);
            selection.select.clear();
        }
        let no_color = args.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = !no_color && args.output.is_none() && std::io::stdout().is_terminal();
        let max_bytes = match &args.max_file_size {
            Some(s) => parse_size(s)?,
            None => bulkhead_core::source::DEFAULT_MAX_BYTES,
        };
        Ok(Settings {
            format,
            output: args.output.clone(),
            severities,
            fail_on,
            selection,
            config,
            config_path,
            render: RenderOptions {
                color,
                show_suppressed: args.show_suppressed,
                quiet: args.quiet,
            },
            quiet: args.quiet,
            verbose: args.verbose,
            max_bytes,
            notes,
        })
    }

    /// Applies the configuration file's suppressions (rule, path globs,
    /// reason, expiry); expired entries become warnings and notes.
    pub fn apply_suppressions(&self, catalogue: &Catalogue, report: &mut Report) {
        if self.config.suppressions.is_empty() {
            return;
        }
        let today = jiff::Zoned::now().date();
        let name = self
            .config_path
            .as_ref()
            .map_or_else(|| "bulkhead.yaml".to_string(), |p| p.display().to_string());
        let warnings = suppress::apply_config(
            &mut report.findings,
            &self.config.suppressions,
            catalogue,
            today,
            &name,
        );
        for w in warnings {
            eprintln!("bulkhead: warning: {w}");
            report.notes.push(w);
        }
    }

    /// The tail every findings command shares before rendering: findings in
    /// order, the --severity filter, input errors on stderr, and — in the
    /// table without --verbose, when `collapse_notes_as` names them — the
    /// notes collapsed into one line counting them.
    pub fn finish(&self, report: &mut Report, collapse_notes_as: Option<&str>) {
        report.sort();
        report.filter_severities(&self.severities);
        for e in &report.errors {
            eprintln!("bulkhead: {e}");
        }
        if let Some(what) = collapse_notes_as
            && !self.verbose
            && self.format == Format::Table
        {
            let n = report.notes.len();
            report.notes.clear();
            if n > 0 && !self.quiet {
                report
                    .notes
                    .push(format!("{n} {what} (use --verbose to list them)"));
            }
        }
        report.notes.extend(self.notes.iter().cloned());
    }

    /// Writes the rendered report to --output or stdout.
    pub fn emit(&self, text: &str) -> Result<()> {
        match &self.output {
            Some(p) => std::fs::write(p, text)
                .with_context(|| format!("{}: cannot write report", p.display())),
            None => {
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                // A closed pipe (`| head`) is not an error worth a message.
                let _ = out.write_all(text.as_bytes());
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("20MiB").ok(), Some(20 * 1024 * 1024));
        assert_eq!(parse_size("500KB").ok(), Some(500_000));
        assert_eq!(parse_size("1048576").ok(), Some(1_048_576));
        assert!(parse_size("12 parsecs").is_err());
        assert_eq!(parse_size("64GiB").ok(), Some(64 << 30));
        assert_eq!(parse_size("1TiB").ok(), Some(1 << 40));
    }
}
