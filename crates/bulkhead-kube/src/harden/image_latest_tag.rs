//! K8S006: image with `:latest` or no tag.

use super::Ctx;
use crate::pss::{Violation, manual, violation};
use bulkhead_core::rule::eq;
use bulkhead_core::yaml::Node;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "K8S006",
    slug: "image-latest-tag",
    title: "Image uses :latest or no tag",
    severity: Severity::Medium,
    layer: "kubernetes",
    tags: &["hardening", "supply-chain"],
    default_enabled: true,
    what: "A container image has no tag, or the tag `latest`, and no digest.",
    why: "A moving tag means the cluster runs whatever the registry serves at pull time: a compromised registry account or a poisoned upstream push reaches production on the next restart, nodes may run different code for the same pod, and you cannot tell which version a vulnerability report is about.",
    fix: "Use a specific version tag, and better a digest (`image: app:1.4.2@sha256:...`).",
    example: include_str!("../../fixtures/K8S006/fail.yaml"),
    example_fixed: include_str!("../../fixtures/K8S006/pass.yaml"),
    equivalents: &[
        eq("Checkov", "CKV_K8S_14"),
        eq("Trivy", "KSV013"),
        eq("kube-linter", "latest-tag"),
        eq("Polaris", "tagNotSpecified"),
    ],
    references: &["https://kubernetes.io/docs/concepts/containers/images/#image-names"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Hardening> =
    bulkhead_core::FnRule { meta: &RULE, check };

/// Splits an image reference into (name, tag, digest).
pub(crate) fn parse_ref(image: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(i) => (
            &rest[..last_slash + i],
            Some(&rest[last_slash + i + 1..]),
            digest,
        ),
        None => (rest, None, digest),
    }
}

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for c in &ctx.pod.containers {
        let Some(image) = c.node.get("image").and_then(Node::as_str) else {
            continue;
        };
        let (_, tag, digest) = parse_ref(image);
        if digest.is_some() || tag.is_some_and(|t| t != "latest") {
            continue;
        }
        out.push(violation(
            &RULE,
            c.path.key("image"),
            format!(
                "{} uses image \"{image}\" {}",
                c.label(),
                if tag.is_none() {
                    "without a tag (means :latest)"
                } else {
                    "with the moving tag :latest"
                }
            ),
            manual("pin a version tag and a digest"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::parse_ref;

    #[test]
    fn references() {
        assert_eq!(parse_ref("nginx"), ("nginx", None, None));
        assert_eq!(
            parse_ref("localhost:5000/app"),
            ("localhost:5000/app", None, None)
        );
        assert_eq!(
            parse_ref("localhost:5000/app:1.2"),
            ("localhost:5000/app", Some("1.2"), None)
        );
        assert_eq!(parse_ref("app@sha256:ab"), ("app", None, Some("sha256:ab")));
        assert_eq!(
            parse_ref("r.io/a/b:v1@sha256:ab"),
            ("r.io/a/b", Some("v1"), Some("sha256:ab"))
        );
    }
}
