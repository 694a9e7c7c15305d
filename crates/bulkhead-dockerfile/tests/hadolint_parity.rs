//! Agreement with hadolint on its own rule tests
//! (`../shared/corpora/dockerfile/hadolint-tests/cases.jsonl`), for every
//! hadolint rule bulkhead maps. A case "hits" when bulkhead reports a finding
//! whose hadolint evidence is that rule. Config-dependent cases (label
//! schemas, registries given in Haskell config) are skipped.
//! Skips loudly when the corpus is absent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_core::Catalogue;
use bulkhead_dockerfile::analyze::analyze;
use bulkhead_dockerfile::rules::{self, Config};
use std::collections::BTreeMap;

const MAPPED: &[&str] = &[
    "DL3002", "DL3004", "DL3006", "DL3007", "DL3008", "DL3009", "DL3013", "DL3015", "DL3016",
    "DL3018", "DL3020", "DL3057",
];

/// Cases where bulkhead deliberately differs from hadolint, with the reason.
const DELIBERATE: &[(&str, &str)] = &[];

#[test]
fn hadolint_rule_parity() {
    let Some(cases) = bulkhead_core::testing::corpus(
        "hadolint_rule_parity",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/dockerfile/hadolint-tests/cases.jsonl",
    ) else {
        return;
    };
    let root = cases.parent().expect("corpus directory");
    let index = std::fs::read_to_string(&cases).expect("cases.jsonl");
    let mut cat = Catalogue::new();
    cat.extend(&rules::rules());
    let config = Config::default();
    let all = |_: &bulkhead_core::RuleMeta| true;
    let mut per_rule: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut bad = Vec::new();
    for line in index.lines() {
        let case: serde_json::Value = serde_json::from_str(line).expect("jsonl");
        let rule = case["rule"].as_str().unwrap_or("");
        let Some(rule) = MAPPED.iter().copied().find(|r| *r == rule) else {
            continue;
        };
        if case["hadolint_config"] != "def" {
            continue;
        }
        let file = case["file"].as_str().unwrap_or("");
        let text = std::fs::read_to_string(root.join(file)).expect("case file");
        let hits = match analyze(file, &text, &config, &all, &cat) {
            Ok(o) => o
                .findings
                .iter()
                .filter(|f| f.evidence.get("hadolint").map(String::as_str) == Some(rule))
                .count(),
            Err(_) => 0,
        };
        let expect_hit = case["expect"] == "hit";
        let exact_one = case["expect_count"] == "1";
        let ok = if expect_hit {
            hits >= 1 && (!exact_one || hits == 1)
        } else {
            hits == 0
        };
        let e = per_rule.entry(rule).or_default();
        e.1 += 1;
        if ok {
            e.0 += 1;
        } else if !DELIBERATE.iter().any(|(f, _)| *f == file) {
            bad.push(format!(
                "{file} ({}): expected {}, got {hits}\n{text}",
                case["test_name"], case["expect_count"]
            ));
        }
    }
    let (agree, total) = per_rule
        .values()
        .fold((0, 0), |(a, t), (x, y)| (a + x, t + y));
    for (r, (a, t)) in &per_rule {
        println!("hadolint parity {r}: {a}/{t}");
    }
    println!(
        "hadolint parity overall: {agree}/{total} ({:.1} %)",
        100.0 * agree as f64 / total.max(1) as f64
    );
    assert!(total > 50, "too few mapped cases: {total}");
    assert!(
        bad.is_empty(),
        "{} unexplained disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
