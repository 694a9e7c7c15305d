//! The ADM rules keep the catalogue contract: each fires on its
//! `fixtures/<ID>/fail.json` and not on its `pass.json`. A fixture is the
//! rules' input (`images::PodImages` as JSON: an object's images and the
//! gate settings); the server tests send the same gates real reviews.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_admission::images::PodImages;
use bulkhead_core::{Finding, RuleMeta};
use std::path::Path;

fn run(path: &Path, rule: &'static RuleMeta) -> Result<Vec<Finding>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let p: PodImages = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok(bulkhead_admission::rules::REGISTRY.run(&p, &|r: &RuleMeta| r.id == rule.id))
}

#[test]
fn every_rule_fires_on_its_failing_fixture_only() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let metas = bulkhead_admission::rules::REGISTRY.metas();
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
