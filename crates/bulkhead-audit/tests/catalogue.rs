//! The AUD rules keep the catalogue contract: each fires on its
//! `fixtures/<ID>/fail.*` (audit events as JSON Lines; for AUD018 an RBAC
//! dump judged against the fixture's `log.jsonl`) and not on its `pass.*`,
//! and the outcome is a snapshot (see `bulkhead_core::testing`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_audit::analyze::{Collect, Judges, Options};
use bulkhead_core::source::InputPath;
use bulkhead_core::{Catalogue, Finding, RuleMeta};
use std::path::Path;
use std::sync::Arc;

fn analyse(log: &Path, rule: &'static RuleMeta, collect: Collect) -> bulkhead_audit::Analysis {
    let opts = Options {
        collect,
        // The fixture of AUD016 has 12 refusals, its pass 3.
        forbidden_threshold: 10,
        ..Options::default()
    };
    let only = move |r: &RuleMeta| r.id == rule.id;
    let catalogue = Catalogue::new();
    let judges = Judges {
        audit: &only,
        objects: &only,
        catalogue: &catalogue,
    };
    bulkhead_audit::run(&[InputPath::File(log.to_path_buf())], &opts, &judges)
}

fn run(path: &Path, rule: &'static RuleMeta) -> Result<Vec<Finding>, String> {
    if rule.id == bulkhead_audit::unused::RULE.id {
        let log = path.parent().unwrap().join("log.jsonl");
        let a = analyse(&log, rule, Collect::All);
        let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
        let src = Arc::new(bulkhead_kube::load::Source::new(
            path.file_name().unwrap().to_string_lossy(),
            text,
        ));
        let loaded = bulkhead_kube::load::load(src, Default::default());
        let model = bulkhead_rbac::model::Model::build(
            loaded.objects,
            bulkhead_rbac::model::ModelOptions {
                bootstrap_bindings: false,
                builtin_roles: true,
            },
        );
        return Ok(bulkhead_audit::unused::check(&model, &a.summary, false).0);
    }
    let a = analyse(path, rule, Collect::None);
    if let Some(e) = a.errors.first() {
        return Err(e.to_string());
    }
    if a.events == 0 {
        return Err("no event in the fixture".into());
    }
    let mut f = a.findings;
    for x in &mut f {
        x.location.file = path.file_name().unwrap().to_string_lossy().into_owned();
    }
    Ok(f)
}

#[test]
fn every_rule_fires_on_its_failing_fixture_only() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let metas = bulkhead_audit::rules();
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
