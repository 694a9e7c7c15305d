//! The RT rules keep the catalogue contract: each fires on its
//! `fixtures/<ID>/fail.*` (a compose file, or a shell script with a
//! `docker run` line) and not on its `pass.*`, and the outcome is a snapshot
//! (see `bulkhead_core::testing`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_core::{Finding, RuleMeta};
use bulkhead_runtime::sources::compose::Env;
use bulkhead_runtime::{Input, load};
use std::path::Path;

fn run(path: &Path, rule: &'static RuleMeta) -> Result<Vec<Finding>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let loaded = load(&Input::new(name, text), &Env::with(&[]));
    if let Some(e) = loaded.errors.first() {
        return Err(e.to_string());
    }
    if loaded.containers.is_empty() {
        return Err("no container in the fixture".into());
    }
    Ok(bulkhead_runtime::rules::check(&loaded.containers, &|r| {
        r.id == rule.id
    }))
}

#[test]
fn every_rule_fires_on_its_failing_fixture_only() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let metas = bulkhead_runtime::rules::REGISTRY.metas();
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
