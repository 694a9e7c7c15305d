//! The XL rules keep the catalogue contract: each fires on its
//! `fixtures/<ID>/fail/` tree (a Dockerfile or an image next to the
//! manifests that run it; `images.yaml` maps references to images) and not
//! on its `pass/` tree, and the outcome is a snapshot.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_core::{Catalogue, Finding, RuleMeta};
use bulkhead_kube::analyze::Options as Pss;
use bulkhead_kube::pss::{Level, Version};
use std::path::Path;

pub fn catalogue() -> Catalogue {
    let mut c = Catalogue::new();
    c.extend(&bulkhead_kube::rules());
    c.extend(&bulkhead_dockerfile::rules::rules());
    c.extend(&bulkhead_rbac::rules());
    c.extend(&bulkhead_netpol::rules());
    c.extend(&bulkhead_image::rules());
    c.extend(&bulkhead_runtime::rules());
    c.extend(&bulkhead_scan::rules());
    c
}

fn run(path: &Path, rule: &'static RuleMeta) -> Result<Vec<Finding>, String> {
    let map_file = path.join("images.yaml");
    let image_map = if map_file.is_file() {
        bulkhead_scan::imagemap::read(&[map_file.display().to_string()])?
    } else {
        Vec::new()
    };
    let catalogue = catalogue();
    let enabled = |r: &RuleMeta| r.id == rule.id;
    let facts = |r: &RuleMeta| r.default_enabled;
    let opts = bulkhead_scan::run::Options {
        pss: Pss {
            level: Level::Restricted,
            version: "latest".parse::<Version>().unwrap(),
        },
        max_bytes: 1 << 20,
        image_map,
        scan_images: false,
        graphs: false,
        extra_images: Vec::new(),
        open: Default::default(),
        vulns: None,
        enabled: &enabled,
        facts: &facts,
        catalogue: &catalogue,
    };
    let out = bulkhead_scan::run::scan(&[path.display().to_string()], &opts);
    if let Some(e) = out.report.errors.first() {
        return Err(e.to_string());
    }
    if out.workloads == 0 {
        return Err("no workload in the fixture".into());
    }
    let base = format!("{}/", path.display());
    Ok(out
        .report
        .findings
        .into_iter()
        .map(|mut f| {
            // Snapshots name fixture files relative to the fixture.
            f.location.file = f.location.file.replace(&base, "");
            for v in f.evidence.values_mut() {
                *v = v.replace(&base, "");
            }
            f.message = f.message.replace(&base, "");
            f
        })
        .collect())
}

#[test]
fn every_rule_fires_on_its_failing_fixture_only() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let metas = bulkhead_scan::rules::REGISTRY.metas();
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
