//! The DF rules keep the catalogue contract: each fires on its
//! `fixtures/<ID>/fail.Dockerfile`, not on its `pass.Dockerfile`, and the
//! outcome is a snapshot (see `bulkhead_core::testing`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_core::{Catalogue, Finding, RuleMeta};
use bulkhead_dockerfile::analyze::analyze;
use bulkhead_dockerfile::rules::{Config, REGISTRY};
use std::path::Path;

fn run(path: &Path, rule: &'static RuleMeta) -> Result<Vec<Finding>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut catalogue = Catalogue::new();
    catalogue.extend(&REGISTRY.metas());
    // DF003 is inactive without a trusted list; its fixtures name this one.
    let config = Config {
        trusted_registries: vec!["registry.corp.example".into()],
        ..Config::default()
    };
    analyze(&name, &text, &config, &|r| r.id == rule.id, &catalogue)
        .map(|o| o.findings)
        .map_err(|e| e.to_string())
}

#[test]
fn every_rule_fires_on_its_failing_fixture_only() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let metas = REGISTRY.metas();
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
