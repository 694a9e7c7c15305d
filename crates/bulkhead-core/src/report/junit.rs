//! JUnit XML: one test suite per input file, one failing test case per
//! unsuppressed finding, one passing test case per clean target, and an
//! error test case per unreadable input. (Hand-written: the format is a few
//! elements and escaping; an XML crate would add nothing.)

use super::{Report, escape_markup as esc};
use crate::rule::Catalogue;
use indexmap::IndexMap;
use std::fmt::Write as _;

#[derive(Default)]
struct Suite {
    cases: Vec<String>,
    failures: usize,
    errors: usize,
}

pub fn render(report: &Report, catalogue: &Catalogue) -> String {
    let mut suites: IndexMap<&str, Suite> = IndexMap::new();
    for t in &report.targets {
        suites.entry(t.file.as_str()).or_default();
    }
    for f in report.active() {
        let s = suites.entry(f.location.file.as_str()).or_default();
        let title = catalogue.get(&f.rule_id).map_or("", |r| r.title);
        let name = match &f.location.object {
            Some(o) => format!("{o} {} {}", f.rule_id, title),
            None => format!("{} {}", f.rule_id, title),
        };
        s.failures += 1;
        s.cases.push(format!(
            "    <testcase classname=\"{}\" name=\"{}\">\n      <failure type=\"{}\" message=\"{}\">{}: {} [{}] {}</failure>\n    </testcase>\n",
            esc(&f.location.file),
            esc(&name),
            esc(f.severity.as_str()),
            esc(&f.message),
            esc(&f.location.short()),
            esc(f.severity.as_str()),
            esc(&f.rule_id),
            esc(&f.message),
        ));
    }
    for t in &report.targets {
        let failing = report.active().any(|f| {
            f.location.file == t.file && f.location.object.as_deref() == Some(t.name.as_str())
        });
        if !failing && let Some(s) = suites.get_mut(t.file.as_str()) {
            s.cases.push(format!(
                "    <testcase classname=\"{}\" name=\"{}\"/>\n",
                esc(&t.file),
                esc(&t.name)
            ));
        }
    }
    for e in &report.errors {
        let s = suites.entry(e.file.as_str()).or_default();
        s.errors += 1;
        s.cases.push(format!(
            "    <testcase classname=\"{}\" name=\"input\">\n      <error message=\"{}\">{}</error>\n    </testcase>\n",
            esc(&e.file),
            esc(&e.message),
            esc(&e.to_string()),
        ));
    }
    let total: usize = suites.values().map(|s| s.cases.len()).sum();
    let failures: usize = suites.values().map(|s| s.failures).sum();
    let errors: usize = suites.values().map(|s| s.errors).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"bulkhead {}\" tests=\"{total}\" failures=\"{failures}\" errors=\"{errors}\">",
        esc(&report.command)
    );
    for (file, s) in &suites {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
            esc(file),
            s.cases.len(),
            s.failures,
            s.errors
        );
        for c in &s.cases {
            out.push_str(c);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
