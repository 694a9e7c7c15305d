//! The ADM rules keep the catalogue contract: each fires on its
//! `fixtures/<ID>/fail.json` and not on its `pass.json`. A fixture is the
//! rules' input (`images::PodImages` as JSON: an object's images and the
//! gate settings); the server tests send the same gates real reviews.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_admission::images::PodImages;
use bulkhead_core::{Finding, RuleMeta};
use std::path::Path;

fn run(path: &Path, rule: &'static RuleMeta) -> Result<Vec<Finding>, String> {
    if path.is_dir() {
        return gatekeeper(path, rule);
    }
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let p: PodImages = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok(bulkhead_admission::rules::REGISTRY.run(&p, &|r: &RuleMeta| r.id == rule.id))
}

/// A Gatekeeper fixture: a directory with a template, a constraint and the
/// object, evaluated by the real Rego engine through the admission engine.
fn gatekeeper(dir: &Path, rule: &'static RuleMeta) -> Result<Vec<Finding>, String> {
    use bulkhead_admission::engine::{self, Namespaces, Policy};
    use bulkhead_core::config::Config;
    let mut config = Config {
        select: vec![rule.id.to_string()],
        ..Config::default()
    };
    config.admission.gatekeeper.templates = vec![dir.join("template.yaml")];
    config.admission.gatekeeper.constraints = vec![dir.join("constraint.yaml")];
    let mut catalogue = bulkhead_core::Catalogue::new();
    catalogue.extend(&bulkhead_admission::rules());
    catalogue.extend(&bulkhead_kube::rules());
    let policy = Policy::new(config, std::sync::Arc::new(catalogue))?;
    let text = std::fs::read_to_string(dir.join("object.yaml")).map_err(|e| e.to_string())?;
    let obj = bulkhead_core::yaml::parse(&text, bulkhead_core::yaml::Limits::default())
        .map_err(|e| e.to_string())?
        .remove(0)
        .root
        .to_json();
    let req = bulkhead_admission::offline::request_for(&obj, "default");
    let d = engine::evaluate(&policy, &Namespaces::default(), &req, false);
    Ok(d.denied.into_iter().chain(d.warned).collect())
}

#[test]
fn every_rule_fires_on_its_failing_fixture_only() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let metas = bulkhead_admission::rules();
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
