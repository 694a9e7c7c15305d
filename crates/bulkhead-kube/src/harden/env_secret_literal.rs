//! K8S011: secrets as literal environment values.

use super::Ctx;
use crate::pss::{Violation, manual, violation};
use bulkhead_core::rule::eq;
use bulkhead_core::secrets;
use bulkhead_core::yaml::Node;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "K8S011",
    slug: "env-secret-literal",
    title: "Secret written as a literal environment value",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["hardening", "secrets"],
    default_enabled: true,
    what: "A container `env` entry has a literal `value` that is a credential: its name says so (PASSWORD, SECRET, TOKEN, API_KEY, PRIVATE_KEY, ACCESS_KEY, CREDENTIALS, ...) or the value has the shape of a known key (AWS access key id, GitHub/GitLab/Slack/Stripe token, private key block). Values that reference other variables (`$(VAR)`) and obvious placeholders are ignored.",
    why: "A literal in the manifest is in Git history, in every CI log that prints the rendered chart, in `kubectl get -o yaml` for anyone with read access to the workload (a much wider group than Secret readers) and in the Deployment's revision history. Whoever reads any of those has the credential.",
    fix: "Move the value into a Secret and reference it with `valueFrom.secretKeyRef` (or mount it as a file); rotate the exposed credential.",
    example: include_str!("../../fixtures/K8S011/fail.yaml"),
    example_fixed: include_str!("../../fixtures/K8S011/pass.yaml"),
    equivalents: &[
        eq("Checkov", "CKV_K8S_35"),
        eq("kube-linter", "env-var-secret"),
        eq("Trivy", "KSV-secret (generic)"),
    ],
    references: &[
        "https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables",
    ],
};

pub static CHECK: bulkhead_core::FnRule<crate::Hardening> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for c in &ctx.pod.containers {
        let Some(env) = c.node.get("env") else {
            continue;
        };
        for (i, e) in env.items().iter().enumerate() {
            let name = e.get("name").and_then(Node::as_str).unwrap_or("");
            let Some(value) = e.get("value").and_then(Node::as_str) else {
                continue;
            };
            let by_name = secrets::secret_name(name) && !secrets::placeholder(value);
            let shape = secrets::looks_like_key(value);
            if !by_name && shape.is_none() {
                continue;
            }
            let why = shape.map_or_else(
                || "a credential by its name".to_string(),
                |s| format!("{s} by its shape"),
            );
            out.push(violation(
                &RULE,
                c.path.key("env").index(i).key("value"),
                format!(
                    "{} sets env {name} to a literal value that is {why}",
                    c.label()
                ),
                manual("move the value into a Secret and use valueFrom.secretKeyRef; rotate it"),
            ));
        }
    }
    out
}
