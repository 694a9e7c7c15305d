//! K8S013: NET_RAW not dropped.

use super::Ctx;
use crate::pss::{Level, Violation, append, fix, violation};
use bulkhead_core::rule::eq;
use bulkhead_core::yaml::Node;
use bulkhead_core::{RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "K8S013",
    slug: "net-raw-not-dropped",
    title: "NET_RAW capability not dropped",
    severity: Severity::Medium,
    layer: "kubernetes",
    tags: &["hardening", "runtime"],
    default_enabled: true,
    what: "A container's `capabilities.drop` contains neither `ALL` nor `NET_RAW`. Not reported at `--pss restricted` from v1.22, where PSS014 (capabilities-restricted) already requires dropping ALL.",
    why: "NET_RAW is in the runtime's default capability set. It lets a process craft raw packets: ARP spoofing and DNS spoofing of other pods on the same node, intercepting or redirecting their traffic — a classic lateral-movement step after compromising one pod.",
    fix: "Drop ALL capabilities (`capabilities.drop: [ALL]`), or at least NET_RAW.",
    example: include_str!("../../fixtures/K8S013/fail.yaml"),
    example_fixed: include_str!("../../fixtures/K8S013/pass.yaml"),
    equivalents: &[
        eq("Checkov", "CKV_K8S_28"),
        eq("kube-linter", "drop-net-raw-capability"),
        eq("Trivy", "KSV003"),
    ],
    references: &["https://man7.org/linux/man-pages/man7/capabilities.7.html"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Hardening> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    if ctx.level == Level::Restricted && ctx.version.0 >= 22 && !ctx.pod.is_windows() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for c in &ctx.pod.containers {
        let drops = c
            .security_context()
            .and_then(|s| s.path(&["capabilities", "drop"]))
            .map(|d| {
                d.items().iter().filter_map(Node::as_str).any(|n| {
                    let n = n.trim_start_matches("CAP_").trim_start_matches("cap_");
                    n.eq_ignore_ascii_case("ALL") || n.eq_ignore_ascii_case("NET_RAW")
                })
            })
            .unwrap_or(false);
        if drops {
            continue;
        }
        let p = c.sc_path().keys(&["capabilities", "drop"]);
        out.push(violation(
            &RULE,
            p.clone(),
            format!("{} does not drop NET_RAW (or ALL)", c.label()),
            fix(
                "add ALL to capabilities.drop",
                vec![append(&p, json!("ALL"))],
            ),
        ));
    }
    out
}
