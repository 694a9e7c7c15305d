//! Conformance with Falco's k8s_audit regression suite
//! (`../shared/corpora/k8s-audit/falco-legacy`, oracle indexed in
//! `INDEX-falco-legacy.tsv`): for every test case, the bulkhead rules that
//! name the expected Falco rule as an equivalent (read from the catalogue,
//! not from a table here) fire exactly the expected number of times, on
//! lines of the trace; cases that expect nothing see no finding of any rule
//! with a Falco equivalent. Falco's activity rules (`K8s Deployment
//! Created`, ...) are the timeline's changes in bulkhead; cases that depend
//! on a site's allow-lists (trusted images, allowed users/namespaces,
//! engine-v4 overrides, the json-pointer example) are counted as not
//! applicable, loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_audit::analyze::{Judges, Options};
use bulkhead_core::source::InputPath;
use bulkhead_core::{Catalogue, RuleMeta};
use std::collections::BTreeMap;

fn catalogue() -> Catalogue {
    let mut c = Catalogue::new();
    c.extend(&bulkhead_kube::rules());
    c.extend(&bulkhead_rbac::rules());
    c.extend(&bulkhead_audit::rules());
    c
}

/// Falco rule name → bulkhead ids that say they are its equivalent.
fn falco_map(c: &Catalogue) -> BTreeMap<String, Vec<&'static str>> {
    let mut m: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
    for r in c.rules() {
        for e in r.equivalents {
            if e.tool == "Falco" {
                m.entry(e.id.to_string()).or_default().push(r.id);
            }
        }
    }
    m
}

/// Rules a site configures (allow-lists), not judged by default.
/// A case is not applicable when it expects a site-list rule, or expects
/// nothing because a site's trust/allow list silences a detection.
fn site_specific(detect: bool, rule: &str, extra: &str) -> bool {
    let lists = extra.split(',').any(|f| {
        let base = f.rsplit('/').next().unwrap_or(f);
        base.starts_with("allow_") || base.starts_with("trust_")
    });
    matches!(
        rule,
        "Disallowed K8s User"
            | "Create Disallowed Pod"
            | "Create Disallowed Namespace"
            | "json_pointer_example"
    ) || (!detect && lists)
}

#[test]
fn falco_k8s_audit_suite() {
    let Some(root) = bulkhead_core::testing::corpus(
        "falco_k8s_audit_suite",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/k8s-audit",
    ) else {
        return;
    };
    let index = std::fs::read_to_string(root.join("INDEX-falco-legacy.tsv")).unwrap();
    let traces = root.join("falco-legacy/test/trace_files/k8s_audit");
    let c = catalogue();
    let map = falco_map(&c);
    let with_falco: Vec<&str> = map.values().flatten().copied().collect();
    let enabled = |r: &RuleMeta| r.default_enabled;
    let judges = Judges {
        audit: &enabled,
        objects: &|r: &RuleMeta| {
            r.id.starts_with("PSS") || r.id.starts_with("RBAC") || r.id == "K8S008"
        },
        catalogue: &c,
    };
    let opts = Options::default();
    let (mut checked, mut activity, mut na) = (0, 0, Vec::new());
    let mut problems = Vec::new();
    for row in index.lines().skip(1) {
        let col: Vec<&str> = row.split('\t').collect();
        let (test, trace, detect, rule, count, new_rule, extra) = (
            col[0],
            col[1],
            col[3] == "1",
            col[5],
            col[6],
            col[7],
            col[8],
        );
        let path = traces.join(trace);
        let a = bulkhead_audit::run(&[InputPath::File(path.clone())], &opts, &judges);
        let lines = std::fs::read_to_string(&path).unwrap().lines().count() as u32;
        if site_specific(detect, rule, extra) {
            na.push(test);
            continue;
        }
        if !detect {
            let fired: Vec<String> = a
                .findings
                .iter()
                .filter(|f| with_falco.contains(&f.rule_id.as_str()))
                .map(|f| format!("{} {}", f.rule_id, f.message))
                .collect();
            if !fired.is_empty() {
                problems.push(format!("{test} ({trace}): expected nothing, got {fired:?}"));
            }
            if test == "fal_01_003" && a.errors.is_empty() {
                problems.push(format!(
                    "{test}: the malformed event must be an input error"
                ));
            }
            checked += 1;
            continue;
        }
        let want: usize = count.parse().unwrap();
        let ids = map
            .get(rule)
            .or_else(|| map.get(new_rule))
            .cloned()
            .unwrap_or_default();
        if ids.is_empty() {
            // Activity: the change is in the timeline, with its line.
            let verb = if rule.ends_with("Created") {
                "create"
            } else {
                "delete"
            };
            let n = a
                .summary
                .changes
                .iter()
                .filter(|ch| ch.request.starts_with(verb) && ch.line >= 1 && ch.line <= lines)
                .count();
            if n != want {
                problems.push(format!(
                    "{test} ({trace}): activity rule {rule:?} expects {want} {verb} change(s) in the timeline, found {n}"
                ));
            }
            activity += 1;
            continue;
        }
        let got: Vec<_> = a
            .findings
            .iter()
            .filter(|f| ids.contains(&f.rule_id.as_str()))
            .collect();
        let lines_ok = got
            .iter()
            .all(|f| f.location.line.is_some_and(|l| l >= 1 && l <= lines));
        if got.len() != want || !lines_ok {
            problems.push(format!(
                "{test} ({trace}): {rule:?} = {ids:?} expected ×{want}, got ×{} {:?}",
                got.len(),
                got.iter().map(|f| &f.message).collect::<Vec<_>>()
            ));
        }
        checked += 1;
    }
    eprintln!(
        "falco k8s_audit suite: {checked} detection case(s) checked, {activity} activity case(s) checked in the timeline, {} site-specific case(s) not applicable: {}",
        na.len(),
        na.join(", ")
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        checked + activity >= 45,
        "only {checked} + {activity} cases checked"
    );
}
