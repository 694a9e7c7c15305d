//! The PSS and K8S rules keep the catalogue contract: each fires on its
//! `fixtures/<ID>/fail.yaml`, not on its `pass.yaml`, and the outcome is a
//! snapshot (see `bulkhead_core::testing`). A PSS rule runs at its own level
//! (a restricted check replaces some baseline ones there), a hardening rule
//! at baseline (where K8S013 does not stand down for PSS014); all at the
//! newest version.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_core::yaml::Limits;
use bulkhead_core::{Catalogue, Finding, RuleMeta};
use bulkhead_kube::analyze::{Options, analyze_object};
use bulkhead_kube::load::{Source, load};
use bulkhead_kube::pss::{self, LATEST, Level};
use std::path::Path;
use std::sync::Arc;

fn run(path: &Path, rule: &'static RuleMeta) -> Result<Vec<Finding>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let loaded = load(Arc::new(Source::new(name, text)), Limits::default());
    if let Some(e) = loaded.errors.first() {
        return Err(e.to_string());
    }
    if loaded.objects.is_empty() {
        return Err("no objects".into());
    }
    let level = pss::CHECKS
        .iter()
        .find(|c| std::ptr::eq(c.rule, rule))
        .map_or(Level::Baseline, |c| c.level);
    let opts = Options {
        level,
        version: LATEST,
    };
    let mut catalogue = Catalogue::new();
    catalogue.extend(&bulkhead_kube::rules());
    Ok(loaded
        .objects
        .iter()
        .flat_map(|o| analyze_object(o, &opts, &|r| r.id == rule.id, &catalogue).findings)
        .collect())
}

#[test]
fn every_rule_fires_on_its_failing_fixture_only() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let metas = bulkhead_kube::rules();
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
