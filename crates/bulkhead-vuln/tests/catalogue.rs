//! The VULN rules keep the catalogue contract: each fires on its
//! `fixtures/<ID>/fail.json` and not on its `pass.json`, and the outcome is a
//! snapshot (see `bulkhead_core::testing`).
//!
//! A fixture is what the matcher reads: an inventory (`bulkhead_core::Inventory`
//! as JSON, as an image scan produces it) and the advisories it is matched
//! against, by file name (an OSV record as a JSON object, a RustSec advisory
//! as its Markdown text). The advisories are written to a directory and go
//! through the real importer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_core::{Finding, Inventory, RuleMeta};
use bulkhead_vuln::{MatchOptions, import, match_inventory};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    /// What is wrong (or fixed): JSON has no comments.
    #[serde(default)]
    #[allow(dead_code)]
    comment: String,
    inventory: Inventory,
    advisories: BTreeMap<String, serde_json::Value>,
}

fn run(path: &Path, rule: &'static RuleMeta) -> Result<Vec<Finding>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let fx: Fixture = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    for (name, record) in &fx.advisories {
        let body = match record {
            serde_json::Value::String(s) => s.clone(),
            v => serde_json::to_string_pretty(v).map_err(|e| e.to_string())?,
        };
        std::fs::write(dir.path().join(name), body).map_err(|e| e.to_string())?;
    }
    let adv = import::import(&[dir.path().to_path_buf()])?;
    if let Some(e) = adv.errors.first() {
        return Err(e.clone());
    }
    let mut findings = match_inventory(&adv, &fx.inventory, MatchOptions::default())?;
    // The matcher decides which rule a hit is; keep the one under test.
    findings.retain(|f| f.rule_id == rule.id);
    Ok(findings)
}

#[test]
fn every_rule_fires_on_its_failing_fixture_only() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let metas = bulkhead_vuln::rules();
    match bulkhead_core::testing::check_catalogue(&fixtures, &metas, &run) {
        Ok(outcomes) => {
            assert_eq!(outcomes.len(), metas.len());
            for o in outcomes {
                insta::assert_snapshot!(o.id, o.text);
            }
        }
        Err(problems) => panic!("{}", problems.join("\n")),
    }
}
