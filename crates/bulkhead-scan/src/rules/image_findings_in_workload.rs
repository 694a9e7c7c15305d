//! XL004: a workload runs an image with secrets, vulnerabilities or other
//! findings of its own, attributed to the workload.

use crate::join::Joined;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};
use std::collections::BTreeMap;

pub static RULE: RuleMeta = RuleMeta {
    id: "XL004",
    slug: "image-findings-in-workload",
    title: "A workload runs an image with high or critical findings",
    severity: Severity::High,
    layer: "cross-layer",
    tags: &["cross-layer", "image", "vulnerabilities", "secrets"],
    default_enabled: true,
    what: "The image a container runs (scanned with `--images` or named in the image map) has unsuppressed findings of severity high or critical: secrets in a layer or the config (IMG001, IMG002), known vulnerabilities (VULN rules) and the other image rules. The finding is placed at the manifest's `image:` field and takes the most severe severity among them, so the workload that ships the problem is named, not only the image.",
    why: "An image report says what is wrong with an image; the owner of a Deployment rarely reads it. Attributed to the workload, a leaked cloud key or a remotely exploitable CVE becomes a finding on the object that runs it, in the report the team already reads, with the namespace and service account that decide its blast radius.",
    fix: "Rebuild the image without the secret (and rotate it) or on a base with the fixed packages; pin the workload to the fixed digest. Suppress with a reason when a vulnerability does not apply (VEX).",
    example: "# images.yaml (manifest reference → scanned image)\nexample/app:1.0: rootfs\n# rootfs/root/.aws/credentials holds an AWS key\n# deploy.yaml\ncontainers:\n- name: app\n  image: example/app:1.0\n",
    example_fixed: "# images.yaml\nexample/app:1.0: rootfs\n# rootfs holds no secret\n",
    equivalents: &[eq(
        "Trivy operator",
        "VulnerabilityReport / ExposedSecretReport per workload",
    )],
    references: &["https://aquasecurity.github.io/trivy-operator/latest/docs/crds/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::CrossLayer> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(j: &Joined<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for w in &j.workloads {
        for c in &w.containers {
            let Some(info) = j.image(c) else { continue };
            let serious: Vec<&Finding> = info
                .findings
                .iter()
                .filter(|f| !f.is_suppressed() && f.severity >= Severity::High)
                .collect();
            let Some(sev) = serious.iter().map(|f| f.severity).max() else {
                continue;
            };
            let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
            for f in &serious {
                *by_rule.entry(f.rule_id.as_str()).or_default() += 1;
            }
            let list: Vec<String> = by_rule.iter().map(|(r, n)| format!("{n}× {r}")).collect();
            let mut f = super::at_image(
                &RULE,
                c,
                format!(
                    "{} of {} runs image {} with {} high/critical finding(s): {}",
                    c.c.label(),
                    w.display(),
                    c.image,
                    serious.len(),
                    list.join(", ")
                ),
            )
            .with_evidence("image_source", info.origin.clone());
            f.severity = sev;
            out.push(f);
        }
    }
    out
}
