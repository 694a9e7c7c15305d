//! The RBAC rules keep the catalogue contract: each fires on its
//! `fixtures/<ID>/fail.yaml`, not on its `pass.yaml`, and the outcome is a
//! snapshot (see `bulkhead_core::testing`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_core::{Finding, RuleMeta};
use bulkhead_rbac::analyze::{Analysis, Options};
use bulkhead_rbac::model::ModelOptions;
use bulkhead_rbac::model_from_texts;
use std::path::Path;

fn run(path: &Path, rule: &'static RuleMeta) -> Result<Vec<Finding>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // As `bulkhead rbac` reads manifests: Kubernetes' default ClusterRoles
    // (cluster-admin, edit, ...) resolve; its own bindings are not added.
    let model = model_from_texts(
        &[(&name, &text)],
        ModelOptions {
            bootstrap_bindings: false,
            builtin_roles: true,
        },
    );
    if let Some(e) = model.errors.first() {
        return Err(e.to_string());
    }
    let analysis = Analysis::new(&model, Options::default());
    Ok(analysis.findings(&|r| r.id == rule.id))
}

#[test]
fn every_rule_fires_on_its_failing_fixture_only() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let metas = bulkhead_rbac::rules::REGISTRY.metas();
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
