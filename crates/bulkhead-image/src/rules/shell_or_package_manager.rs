//! IMG004: Shell or package manager in the final image.

use crate::Scan;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "IMG004",
    slug: "shell-or-package-manager",
    title: "Shell or package manager in the final image",
    severity: Severity::Low,
    layer: "image",
    tags: &["image", "minimal"],
    default_enabled: true,
    what: "The final filesystem contains a shell (`/bin/sh`, `/bin/bash`) or a package manager (apt, dpkg, apk, rpm, dnf, yum, pip).",
    why: "An attacker with code execution uses the shell to script the next steps and the package manager to install tools (curl, netcat, compilers); a distroless image leaves them nothing to work with.",
    fix: "Build in one stage and copy the artefact onto a distroless or scratch base.",
    example: include_str!("../../fixtures/IMG004/fail.json"),
    example_fixed: include_str!("../../fixtures/IMG004/pass.json"),
    equivalents: &[eq("kube-linter", "n/a"), eq("Trivy", "n/a")],
    references: &["https://github.com/GoogleContainerTools/distroless"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Images> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(scan: &Scan) -> Vec<Finding> {
    let mut out = Vec::new();
    let tools = [
        ("bin/sh", "a shell"),
        ("bin/bash", "a shell"),
        ("usr/bin/apt-get", "a package manager"),
        ("usr/bin/dpkg", "a package manager"),
        ("sbin/apk", "a package manager"),
        ("usr/bin/rpm", "a package manager"),
        ("usr/bin/dnf", "a package manager"),
        ("usr/bin/yum", "a package manager"),
    ];
    let found: Vec<String> = tools
        .iter()
        .filter(|(p, _)| {
            scan.files.contains_key(*p) || scan.files.contains_key(&format!("usr/{p}"))
        })
        .map(|(p, w)| format!("/{p} ({w})"))
        .collect();
    if !found.is_empty() {
        out.push(Finding::new(
            &RULE,
            super::loc(scan, None, "", None),
            format!("the final image contains {}", found.join(", ")),
        ));
    }
    out
}
