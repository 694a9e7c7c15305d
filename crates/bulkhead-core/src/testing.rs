//! What every crate's tests share: the catalogue contract each layer's
//! `tests/catalogue.rs` runs over its rules, and visible, enforceable skips
//! for tests that need a corpus or a tool this machine may not have.
//!
//! Hand-rolled on purpose: it is a few dozen lines of directory walking and
//! string building, and it has to be the same for every layer.
//!
//! # The catalogue contract
//! Every rule has `fixtures/<ID>/fail.<ext>` and `fixtures/<ID>/pass.<ext>`
//! in its crate (a file, or a directory where the layer's input is a tree).
//! The rule must fire on `fail` and must not on `pass`; a file fixture is the
//! rule's documented example (`RuleMeta::example` / `example_fixed` are
//! `include_str!` of it), so every example shown by `bulkhead explain` is run.
//! A fixture directory for an id the layer does not have is an error too: ids
//! are never reused, so a removed rule's fixtures go with it.
//!
//! # Skips
//! The test harness captures `eprintln!` of passing tests, so a skipped
//! corpus test used to print `ok`. [`skip`] writes straight to the process's
//! standard error, which the harness does not capture, and panics instead
//! when `BULKHEAD_REQUIRE_CORPORA=1` (set by `.ci/run`), naming what is
//! missing.

use crate::finding::Finding;
use crate::rule::RuleMeta;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The variable that turns every corpus or tool skip into a failure.
pub const REQUIRE_CORPORA: &str = "BULKHEAD_REQUIRE_CORPORA";

/// Is `BULKHEAD_REQUIRE_CORPORA` set to something other than empty or `0`?
pub fn corpora_required() -> bool {
    std::env::var(REQUIRE_CORPORA).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Reports a skipped test so it can be seen, or fails it when skips are
/// fatal. `what` names the missing corpus or tool and how to get it.
#[allow(clippy::panic)] // failing the calling test is this function's job
pub fn skip(test: &str, what: &str) {
    if corpora_required() {
        panic!("{test}: {what}, and {REQUIRE_CORPORA}=1 makes that a failure");
    }
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED {test}: {what} (set {REQUIRE_CORPORA}=1 to make this fail) ***"
    );
}

/// `../shared/<rel>` from the workspace root, if it exists; otherwise the
/// skip is reported (or fails the test, see [`skip`]) and `None` returned.
pub fn corpus(test: &str, manifest_dir: &str, rel: &str) -> Option<PathBuf> {
    let root = Path::new(manifest_dir).join("../../../shared");
    let p = root.join(rel);
    if p.exists() {
        return Some(p);
    }
    skip(test, &format!("corpus ../shared/{rel} not found"));
    None
}

/// One rule's fixture outcome, ready for a snapshot (`insta::assert_snapshot!(id, text)`).
#[derive(Debug, Clone)]
pub struct Outcome {
    pub id: &'static str,
    pub text: String,
}

/// Analyses one fixture (a file or directory) with at least that rule enabled.
pub type RunFixture<'a> = &'a dyn Fn(&Path, &'static RuleMeta) -> Result<Vec<Finding>, String>;

/// Runs the catalogue contract over `rules` with fixtures under `fixtures`.
/// `run(input, rule)` analyses one fixture with (at least) that rule
/// enabled. Every problem is collected, so one failure lists them all.
pub fn check_catalogue(
    fixtures: &Path,
    rules: &[&'static RuleMeta],
    run: RunFixture<'_>,
) -> Result<Vec<Outcome>, Vec<String>> {
    let mut problems = Vec::new();
    let mut outcomes = Vec::new();
    let known: std::collections::HashSet<&str> = rules.iter().map(|r| r.id).collect();
    match std::fs::read_dir(fixtures) {
        Ok(entries) => {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if !known.contains(name.as_str()) {
                    problems.push(format!(
                        "{}: fixtures for '{name}', which is not a rule of this layer",
                        e.path().display()
                    ));
                }
            }
        }
        Err(e) => problems.push(format!("{}: {e}", fixtures.display())),
    }
    for rule in rules {
        let dir = fixtures.join(rule.id);
        let fail = find(&dir, "fail");
        let pass = find(&dir, "pass");
        let (Some(fail), Some(pass)) = (fail, pass) else {
            problems.push(format!(
                "{}: rule {} needs a fail.* and a pass.* fixture",
                dir.display(),
                rule.id
            ));
            continue;
        };
        let mut text = String::new();
        for (path, must_fire, example, field) in [
            (&fail, true, rule.example, "example"),
            (&pass, false, rule.example_fixed, "example_fixed"),
        ] {
            let shown = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            if path.is_file() {
                match std::fs::read_to_string(path) {
                    Ok(body) if body.trim_end() != example.trim_end() => problems.push(format!(
                        "{}: rule {}'s `{field}` is not this fixture (make it include_str!(\"…/{}/{shown}\"))",
                        path.display(),
                        rule.id,
                        rule.id
                    )),
                    Ok(_) => {}
                    Err(e) => problems.push(format!("{}: {e}", path.display())),
                }
            } else if example.trim().is_empty() {
                problems.push(format!(
                    "rule {}: `{field}` is empty (a directory fixture still needs a documented example)",
                    rule.id
                ));
            }
            let findings = match run(path, rule) {
                Ok(f) => f,
                Err(e) => {
                    problems.push(format!("{}: {e}", path.display()));
                    continue;
                }
            };
            let fired = findings
                .iter()
                .any(|f| f.rule_id == rule.id && f.suppressed.is_none());
            if fired != must_fire {
                problems.push(format!(
                    "{}: rule {} {}",
                    path.display(),
                    rule.id,
                    if must_fire {
                        "does not fire on its failing fixture"
                    } else {
                        "fires on its passing fixture"
                    }
                ));
            }
            let _ = writeln!(text, "{shown}:");
            if findings.is_empty() {
                let _ = writeln!(text, "  (no findings)");
            }
            for f in &findings {
                let _ = writeln!(text, "  {}", line(f));
            }
        }
        outcomes.push(Outcome { id: rule.id, text });
    }
    if problems.is_empty() {
        Ok(outcomes)
    } else {
        Err(problems)
    }
}

/// The entry `<stem>` or `<stem>.<ext>` in `dir`, if there is exactly one.
fn find(dir: &Path, stem: &str) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                let n = n.to_string_lossy();
                n == stem || n.split_once('.').is_some_and(|(s, _)| s == stem)
            })
        })
        .collect();
    if found.len() == 1 { found.pop() } else { None }
}

/// One finding as a snapshot line: id, severity, position, object, field, message.
fn line(f: &Finding) -> String {
    let l = &f.location;
    let mut s = format!("{} {}", f.rule_id, f.severity.as_str());
    match (l.line, l.column) {
        (Some(a), Some(b)) => {
            let _ = write!(s, " {a}:{b}");
        }
        (Some(a), None) => {
            let _ = write!(s, " {a}");
        }
        _ => {}
    }
    for part in [&l.object, &l.field, &l.layer].into_iter().flatten() {
        let _ = write!(s, " {part}");
    }
    let _ = write!(s, ": {}", f.message);
    if f.suppressed.is_some() {
        s.push_str(" (suppressed)");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Location;
    use crate::rule::eq;
    use crate::severity::Severity;

    static R: RuleMeta = RuleMeta {
        id: "T001",
        slug: "test-rule",
        title: "A test rule",
        severity: Severity::High,
        layer: "kubernetes",
        tags: &[],
        default_enabled: true,
        what: "w",
        why: "y",
        fix: "f",
        example: "bad\n",
        example_fixed: "good\n",
        equivalents: &[eq("Trivy", "KSV001")],
        references: &[],
    };

    fn run(p: &Path, r: &'static RuleMeta) -> Result<Vec<Finding>, String> {
        let body = std::fs::read_to_string(p).map_err(|e| e.to_string())?;
        Ok(if body.contains("bad") {
            vec![Finding::new(r, Location::file("x"), "is bad")]
        } else {
            Vec::new()
        })
    }

    #[test]
    fn contract_holds_and_breaks() {
        let dir = tempfile_dir();
        let d = dir.join("T001");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("fail.txt"), "bad\n").unwrap();
        std::fs::write(d.join("pass.txt"), "good\n").unwrap();
        let ok = check_catalogue(&dir, &[&R], &run).unwrap();
        assert_eq!(ok.len(), 1);
        assert!(ok[0].text.contains("T001 high: is bad"), "{}", ok[0].text);
        // A passing fixture that fires, an example that is not the fixture,
        // and fixtures for an unknown id are all reported together.
        std::fs::write(d.join("pass.txt"), "bad too\n").unwrap();
        std::fs::create_dir_all(dir.join("T999")).unwrap();
        let errs = check_catalogue(&dir, &[&R], &run).unwrap_err();
        assert!(
            errs.iter()
                .any(|e| e.contains("fires on its passing fixture"))
        );
        assert!(
            errs.iter()
                .any(|e| e.contains("`example_fixed` is not this fixture"))
        );
        assert!(
            errs.iter()
                .any(|e| e.contains("'T999', which is not a rule"))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn tempfile_dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!("bulkhead-core-fixtures-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
