//! Restricted (v1.35+): /proc mount type, without the user-namespace relaxation.

use super::*;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "PSS019",
    slug: "proc-mount-restricted",
    title: "Unmasked /proc (restricted, even in a user namespace)",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["pss", "restricted", "runtime"],
    default_enabled: true,
    what: "A container sets `securityContext.procMount` to anything but `Default`, whether or not the pod uses a user namespace (PSS restricted control `procMount_restricted`, from v1.35, replacing the baseline `procMount` check at restricted).",
    why: "Even inside a user namespace an unmasked /proc exposes kernel interfaces (/proc/kcore, /proc/sysrq-trigger, /proc/sys) that the masks exist to hide; the restricted profile does not accept that exposure.",
    fix: "Remove `procMount` or set it to `Default`.",
    example: include_str!("../../fixtures/PSS019/fail.yaml"),
    example_fixed: include_str!("../../fixtures/PSS019/pass.yaml"),
    equivalents: &[eq("PSS", "procMount_restricted"), eq("Trivy", "KSV027")],
    references: &[PSS_DOC],
};

pub static CHECK: Check = Check {
    id: "procMount_restricted",
    level: Level::Restricted,
    rule: &RULE,
    versions: &[VersionedCheck {
        min: 35,
        check: v1_35,
        overrides: &["procMount"],
    }],
};

fn v1_35(pod: &PodTemplate<'_>) -> Vec<Violation> {
    super::proc_mount::unmasked(pod, &RULE)
}
