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

/// A stricter level never reports a violation at a lower severity than the
/// looser level does: on every fixture, at its version, each baseline
/// violation is reported at restricted on the same field with at least its
/// severity (issue: hostPath, Unconfined seccomp and added capabilities used
/// to drop from high to medium under restricted).
#[test]
fn restricted_never_lowers_a_baseline_severity() {
    let Some(root) = corpus(
        "restricted_never_lowers_a_baseline_severity",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/pss",
    ) else {
        return;
    };
    let (mut files, mut high_base, mut high_restricted, mut problems) = (0, 0, 0, Vec::new());
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("dir").flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|x| x.to_str()) != Some("yaml") {
                continue;
            }
            let version: Version = path
                .parent()
                .and_then(|p| p.parent())
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str())
                .and_then(|n| n.parse().ok())
                .expect("version dir");
            let text = std::fs::read_to_string(&path).expect("read");
            let loaded = load(
                Arc::new(Source::new(path.display().to_string(), text)),
                Limits::default(),
            );
            let pod = pod_template(&loaded.objects[0]).expect("pod template");
            let base = pss::evaluate(&pod, Level::Baseline, version);
            let strict = pss::evaluate(&pod, Level::Restricted, version);
            files += 1;
            let high = |vs: &[pss::Violation]| {
                vs.iter()
                    .filter(|v| v.rule.severity >= bulkhead_core::Severity::High)
                    .count()
            };
            high_base += high(&base);
            high_restricted += high(&strict);
            for b in &base {
                let kept = strict
                    .iter()
                    .any(|s| s.path == b.path && s.rule.severity >= b.rule.severity);
                if !kept {
                    problems.push(format!(
                        "{} at {version:?}: {} {} is lower or missing under restricted",
                        path.display(),
                        b.rule.id,
                        b.path
                    ));
                }
            }
        }
    }
    println!(
        "{files} fixtures: {high_base} high/critical violations at baseline, {high_restricted} at restricted"
    );
    assert!(files > 4000);
    assert!(high_restricted >= high_base);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
