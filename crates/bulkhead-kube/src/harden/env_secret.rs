//! K8S011: secrets as literal environment values.

use super::Ctx;
use crate::pss::{Violation, manual, violation};
use bulkhead_core::rule::eq;
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
    example: "env:\n- name: DB_PASSWORD\n  value: hunter2",
    example_fixed: "env:\n- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef: {name: db, key: password}",
    equivalents: &[
        eq("Checkov", "CKV_K8S_35"),
        eq("kube-linter", "env-var-secret"),
        eq("Trivy", "KSV-secret (generic)"),
    ],
    references: &[
        "https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables",
    ],
};

const NAME_MARKERS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "CREDENTIAL",
    "AUTH_KEY",
    "CLIENT_SECRET",
];

const NAME_EXCLUSIONS: &[&str] = &[
    "_FILE",
    "_PATH",
    "_DIR",
    "_URL",
    "_ENDPOINT",
    "_NAME",
    "_ID",
    "_TYPE",
    "_LENGTH",
    "_TTL",
    "_EXPIRY",
    "_TIMEOUT",
];

const PLACEHOLDERS: &[&str] = &[
    "",
    "changeme",
    "change-me",
    "xxx",
    "none",
    "null",
    "todo",
    "placeholder",
    "<redacted>",
    "redacted",
    "true",
    "false",
];

/// Does a value have the shape of a well-known credential?
fn looks_like_key(v: &str) -> Option<&'static str> {
    let alnum = |s: &str, n: usize| {
        s.len() >= n
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    if (v.starts_with("AKIA") || v.starts_with("ASIA"))
        && v.len() == 20
        && v.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Some("an AWS access key id");
    }
    for (prefix, what) in [
        ("ghp_", "a GitHub token"),
        ("gho_", "a GitHub token"),
        ("ghs_", "a GitHub token"),
        ("github_pat_", "a GitHub token"),
        ("glpat-", "a GitLab token"),
        ("xoxb-", "a Slack token"),
        ("xoxp-", "a Slack token"),
        ("sk_live_", "a Stripe key"),
        ("npm_", "an npm token"),
        ("pypi-", "a PyPI token"),
    ] {
        if let Some(rest) = v.strip_prefix(prefix)
            && alnum(rest, 16)
        {
            return Some(what);
        }
    }
    if v.contains("-----BEGIN") && v.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    None
}

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
            let upper = name.to_ascii_uppercase();
            let by_name = NAME_MARKERS.iter().any(|m| upper.contains(m))
                && !NAME_EXCLUSIONS.iter().any(|x| upper.ends_with(x))
                && !PLACEHOLDERS.contains(&value.to_ascii_lowercase().as_str())
                && !value.starts_with("$(")
                && value.len() >= 4;
            let shape = looks_like_key(value);
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

#[cfg(test)]
mod tests {
    use super::looks_like_key;

    #[test]
    fn key_shapes() {
        assert!(looks_like_key("AKIAIOSFODNN7EXAMPLE").is_some());
        assert!(looks_like_key("ghp_0123456789abcdefABCDEF0123456789abcd").is_some());
        assert!(looks_like_key("hello world").is_none());
        assert!(looks_like_key("ghp_short").is_none());
    }
}
