//! ADM005: a Gatekeeper constraint is violated.

use crate::gatekeeper::{Violations, location};
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "ADM005",
    slug: "gatekeeper-constraint-violated",
    title: "Gatekeeper constraint violated",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["admission", "gatekeeper", "rego"],
    default_enabled: true,
    what: "A Constraint of a Gatekeeper ConstraintTemplate loaded through `admission.gatekeeper` matches the object and its Rego `violation` rule fires. The message is the template's, prefixed with the constraint's kind and name. The constraint's `enforcementAction` decides: `deny` denies, `warn` warns, `dryrun` only records an audit annotation.",
    why: "Your own policies (allowed repositories, required labels, forbidden Service types, ...) are enforced where they cannot be skipped: an object that violates one never reaches etcd, whatever tool or person submitted it.",
    fix: "Change the object as the message says, or, if the policy is wrong, change the constraint's parameters or its `match`; test the change with `bulkhead admission test` on the template's suite.",
    example: include_str!("../../fixtures/ADM005/fail/object.yaml"),
    example_fixed: include_str!("../../fixtures/ADM005/pass/object.yaml"),
    equivalents: &[],
    references: &["https://open-policy-agent.github.io/gatekeeper/website/docs/howto"],
};

pub static CHECK: bulkhead_core::FnRule<crate::GatekeeperLayer> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(v: &Violations) -> Vec<Finding> {
    v.violations
        .iter()
        .map(|(kind, name, msg, action)| {
            Finding::new(&RULE, location(v), format!("[{kind}/{name}] {msg}"))
                .with_evidence("enforcement", action.clone())
        })
        .collect()
}
