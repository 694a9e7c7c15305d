//! The whole catalogue keeps the rule contract: every rule `bulkhead rules`
//! lists has a `fixtures/<ID>/{fail,pass}` pair in exactly one crate, and
//! every crate with fixtures runs them in its own `tests/catalogue.rs`
//! (where the outcome is snapshot-tested and the documented example is
//! checked to be the fixture).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use common::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[test]
fn every_rule_has_fixtures_run_by_its_crate() {
    let o = run(&["rules", "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("rules json");
    let all: Vec<String> = v
        .as_array()
        .expect("a list of rules")
        .iter()
        .map(|r| r["id"].as_str().expect("rule id").to_string())
        .collect();
    assert!(all.len() >= 90, "only {} rules listed", all.len());

    // Where each rule's fixtures are.
    let mut homes: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let crates = root().join("crates");
    for krate in std::fs::read_dir(&crates).expect("crates").flatten() {
        let fixtures = krate.path().join("fixtures");
        let Ok(entries) = std::fs::read_dir(&fixtures) else {
            continue;
        };
        assert!(
            krate.path().join("tests/catalogue.rs").is_file(),
            "{} has fixtures but no tests/catalogue.rs running them",
            krate.path().display()
        );
        for e in entries.flatten() {
            homes
                .entry(e.file_name().to_string_lossy().into_owned())
                .or_default()
                .push(e.path());
        }
    }
    let mut problems = Vec::new();
    for id in &all {
        match homes.get(id).map(Vec::as_slice) {
            None | Some([]) => problems.push(format!("{id}: no fixtures/{id} in any crate")),
            Some([dir]) => {
                for stem in ["fail", "pass"] {
                    let found = std::fs::read_dir(dir)
                        .expect("fixture dir")
                        .flatten()
                        .any(|e| {
                            let n = e.file_name().to_string_lossy().into_owned();
                            n == stem || n.starts_with(&format!("{stem}."))
                        });
                    if !found {
                        problems.push(format!("{}: no {stem}.* fixture", dir.display()));
                    }
                }
            }
            Some(many) => problems.push(format!("{id}: fixtures in several crates: {many:?}")),
        }
    }
    for id in homes.keys() {
        if !all.contains(id) {
            problems.push(format!("fixtures/{id}: not a rule of the catalogue"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} rule(s) break the catalogue contract:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
