//! The same PSS controls on workloads: the Kyverno pod-security policy tests
//! (`../shared/corpora/admission/kyverno/pod-security/`) list Pods,
//! Deployments, CronJobs (and more) that must pass or fail each control.
//! For every policy that maps to one upstream PSS control, every resource
//! Kyverno expects to fail must fail that control here, and every resource
//! expected to pass must pass it. Skips loudly when the corpus is absent
//! (fails with `BULKHEAD_REQUIRE_CORPORA=1`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_core::testing::corpus;
use bulkhead_core::yaml::{self, Limits, Node};
use bulkhead_kube::load::{Source, load};
use bulkhead_kube::pod::pod_template;
use bulkhead_kube::pss::{self, LATEST, Level};
use std::sync::Arc;

/// Kyverno policy directory → PSS rule id. `disallow-host-ports-range` is
/// left out on purpose: it allows a configurable port range, which the PSS
/// `hostPorts` control does not. Where one Kyverno policy splits a control
/// into rules, [`RULE_FIELDS`] narrows the comparison to the field the rule
/// is about.
const MAP: &[(&str, &str)] = &[
    ("baseline/disallow-capabilities", "PSS003"),
    ("baseline/disallow-host-namespaces", "PSS001"),
    ("baseline/disallow-host-path", "PSS004"),
    ("baseline/disallow-host-ports", "PSS005"),
    ("baseline/disallow-host-process", "PSS011"),
    ("baseline/disallow-privileged-containers", "PSS002"),
    ("baseline/disallow-proc-mount", "PSS008"),
    ("baseline/disallow-selinux", "PSS007"),
    ("baseline/restrict-apparmor-profiles", "PSS006"),
    ("baseline/restrict-seccomp", "PSS009"),
    ("baseline/restrict-sysctls", "PSS010"),
    ("restricted/disallow-capabilities-strict", "PSS014"),
    ("restricted/disallow-privilege-escalation", "PSS013"),
    ("restricted/require-run-as-non-root-user", "PSS016"),
    ("restricted/require-run-as-nonroot", "PSS015"),
    ("restricted/restrict-seccomp-strict", "PSS017"),
    ("restricted/restrict-volume-types", "PSS018"),
];

/// (Kyverno rule name, field the violation must be on).
const RULE_FIELDS: &[(&str, &str)] = &[
    ("adding-capabilities-strict", "capabilities.add"),
    ("require-drop-all", "capabilities.drop"),
];

#[test]
fn kyverno_pod_security_workloads() {
    let Some(root) = corpus(
        "kyverno_pod_security_workloads",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/admission/kyverno/pod-security",
    ) else {
        return;
    };
    let mut checked = 0;
    let mut kinds = std::collections::BTreeSet::new();
    let mut problems = Vec::new();
    for (dir, rule_id) in MAP {
        let tdir = root.join(dir).join(".kyverno-test");
        let test_text =
            std::fs::read_to_string(tdir.join("kyverno-test.yaml")).expect("kyverno-test.yaml");
        let test = yaml::parse(&test_text, Limits::default())
            .expect("parse")
            .remove(0)
            .root;
        // Load every resource file of the test.
        let mut objects = Vec::new();
        for r in test.get("resources").map(Node::items).unwrap_or(&[]) {
            let file = tdir.join(r.as_str().expect("resource path"));
            let text = std::fs::read_to_string(&file).expect("resource");
            let loaded = load(
                Arc::new(Source::new(file.display().to_string(), text)),
                Limits::default(),
            );
            assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
            objects.extend(loaded.objects);
        }
        let level = if dir.starts_with("baseline") {
            Level::Baseline
        } else {
            Level::Restricted
        };
        for res in test.get("results").map(Node::items).unwrap_or(&[]) {
            let kind = res.get("kind").and_then(Node::as_str).unwrap_or("");
            let expect_fail = match res.get("result").and_then(Node::as_str) {
                Some("fail") => true,
                Some("pass") => false,
                _ => continue,
            };
            for name in res.get("resources").map(Node::items).unwrap_or(&[]) {
                let name = name.as_str().unwrap_or("");
                let Some(obj) = objects.iter().find(|o| o.kind == kind && o.name == name) else {
                    problems.push(format!("{dir}: {kind}/{name} not found in resources"));
                    continue;
                };
                let Some(pod) = pod_template(obj) else {
                    problems.push(format!("{dir}: {kind}/{name} has no pod template"));
                    continue;
                };
                kinds.insert(kind.to_string());
                let krule = res.get("rule").and_then(Node::as_str).unwrap_or("");
                let field = RULE_FIELDS
                    .iter()
                    .find(|(r, _)| *r == krule)
                    .map(|(_, f)| *f);
                let failed = pss::evaluate(&pod, level, LATEST).iter().any(|v| {
                    v.rule.id == *rule_id && field.is_none_or(|f| v.path.to_string().ends_with(f))
                });
                checked += 1;
                if failed != expect_fail {
                    problems.push(format!(
                        "{dir}: {kind}/{name}: Kyverno expects {}, bulkhead {} {rule_id}",
                        if expect_fail { "fail" } else { "pass" },
                        if failed { "fails" } else { "passes" }
                    ));
                }
            }
        }
    }
    println!(
        "Kyverno pod-security workloads: {}/{checked} agree; kinds: {kinds:?}",
        checked - problems.len()
    );
    assert!(checked > 500, "only {checked} resources checked");
    assert!(
        problems.is_empty(),
        "{} disagreements:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
