//! XL008: the manifest pins a digest that is not the image scanned for it.

use crate::join::Joined;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "XL008",
    slug: "image-digest-mismatch",
    title: "The manifest pins a different image than the one scanned",
    severity: Severity::High,
    layer: "cross-layer",
    tags: &["cross-layer", "image", "supply-chain", "drift"],
    default_enabled: true,
    what: "A container's image is pinned by digest (`name@sha256:…`), and the image scanned for that reference (through `--image-map` or `--images`) has a different manifest digest. Pins that match, references without a digest and images not scanned are not checked.",
    why: "Every verdict about the image — no secrets, no critical CVE, a non-root user, a valid signature — was reached on bytes that are not the ones the cluster will pull. A stale pin after a rebuild runs yesterday's image with yesterday's vulnerabilities; a pin edited by hand (or by an attacker with write access to the manifests) runs an image nobody scanned, while the report stays green.",
    fix: "Pin the digest the pipeline built and scanned (`crane digest`, `skopeo inspect`, or the digest bulkhead prints in the report's targets), or rescan the image the pin names; let one pipeline step write both.",
    example: "# images.yaml: example/app:1.0 → the layout CI built (sha256:a043…)\n# deploy.yaml\ncontainers:\n- name: app\n  image: example/app:1.0@sha256:bbbb…\n",
    example_fixed: "# deploy.yaml\ncontainers:\n- name: app\n  image: example/app:1.0@sha256:a043…\n",
    equivalents: &[],
    references: &["https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests"],
};

pub static CHECK: bulkhead_core::FnRule<crate::CrossLayer> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(j: &Joined<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for w in &j.workloads {
        for c in &w.containers {
            let Some((_, pinned)) = c.image.split_once('@') else {
                continue;
            };
            let Some(info) = j.image(c) else { continue };
            let Some(scanned) = &info.digest else {
                continue;
            };
            if pinned.eq_ignore_ascii_case(scanned) {
                continue;
            }
            out.push(
                super::at_image(
                    &RULE,
                    c,
                    format!(
                        "{} of {} pins {pinned}, but the image scanned for it ({}) is {scanned}: the findings describe another image",
                        c.c.label(),
                        w.display(),
                        info.origin
                    ),
                )
                .with_evidence("pinned", pinned.to_string())
                .with_evidence("scanned", scanned.clone()),
            );
        }
    }
    out
}
