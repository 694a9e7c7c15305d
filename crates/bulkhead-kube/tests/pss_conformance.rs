//! Pod Security Standards conformance against the upstream fixtures of
//! kubernetes/pod-security-admission in `../shared/corpora/pss/`:
//! every `pass` fixture must produce no PSS violation at its level and
//! version, every `fail` fixture at least one, by the control its file name
//! names (or the restricted control that replaces it at that version).
//! Skips loudly when the corpus is absent (fails with
//! `BULKHEAD_REQUIRE_CORPORA=1`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_core::testing::corpus;
use bulkhead_core::yaml::Limits;
use bulkhead_kube::load::{Source, load};
use bulkhead_kube::pod::pod_template;
use bulkhead_kube::pss::{self, Level, Version};
use std::sync::Arc;

#[test]
fn pss_fixtures_conform() {
    let Some(root) = corpus(
        "pss_fixtures_conform",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/pss",
    ) else {
        return;
    };
    let mut total = 0;
    let mut failures = Vec::new();
    for level_name in ["baseline", "restricted"] {
        let level: Level = level_name.parse().expect("level");
        let mut versions: Vec<_> = std::fs::read_dir(root.join(level_name))
            .expect("dir")
            .flatten()
            .collect();
        versions.sort_by_key(|e| e.file_name());
        for vdir in versions {
            let vname = vdir.file_name().to_string_lossy().to_string();
            let version: Version = vname.parse().expect("version");
            for expect in ["pass", "fail"] {
                let dir = vdir.path().join(expect);
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    continue;
                };
                for f in entries.flatten() {
                    let path = f.path();
                    let text = std::fs::read_to_string(&path).expect("read");
                    let loaded = load(
                        Arc::new(Source::new(path.display().to_string(), text)),
                        Limits::default(),
                    );
                    assert!(
                        loaded.errors.is_empty(),
                        "{}: {:?}",
                        path.display(),
                        loaded.errors
                    );
                    assert_eq!(loaded.objects.len(), 1, "{}", path.display());
                    let pod = pod_template(&loaded.objects[0]).expect("pod template");
                    let violations = pss::evaluate(&pod, level, version);
                    total += 1;
                    let stem = path
                        .file_stem()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .to_string();
                    let ok = if expect == "pass" {
                        violations.is_empty()
                    } else {
                        match pss::controls_for_fixture(&stem, level, version) {
                            Some(accepted) => violations.iter().any(|v| {
                                pss::CHECKS.iter().any(|c| {
                                    std::ptr::eq(c.rule, v.rule) && accepted.contains(&c.id)
                                })
                            }),
                            None => !violations.is_empty(),
                        }
                    };
                    if !ok {
                        failures.push(format!(
                            "{level_name}/{vname}/{expect}/{}: got {:?}",
                            path.file_name().unwrap_or_default().to_string_lossy(),
                            violations
                                .iter()
                                .map(|v| (v.rule.id, v.message.clone()))
                                .collect::<Vec<_>>()
                        ));
                    }
                }
            }
        }
    }
    let passed = total - failures.len();
    println!(
        "PSS conformance: {passed}/{total} fixtures ({:.2} %)",
        100.0 * passed as f64 / total.max(1) as f64
    );
    assert!(
        total > 4000,
        "expected the full corpus, found {total} fixtures"
    );
    assert!(
        failures.is_empty(),
        "{} nonconforming fixtures:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
