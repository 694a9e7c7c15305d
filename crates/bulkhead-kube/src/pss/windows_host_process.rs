//! Baseline: Windows HostProcess containers.

use super::*;
use bulkhead_core::rule::eq;
use bulkhead_core::yaml::Node;
use bulkhead_core::{RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "PSS011",
    slug: "windows-host-process",
    title: "Windows HostProcess container",
    severity: Severity::Critical,
    layer: "kubernetes",
    tags: &["pss", "baseline", "runtime"],
    default_enabled: true,
    what: "The pod or a container sets `securityContext.windowsOptions.hostProcess: true` (PSS baseline control `windowsHostProcess`).",
    why: "A HostProcess container runs directly on the Windows node as a host process, with the node's network and file system and typically as SYSTEM: it is not a container in any security sense, and code in it owns the node.",
    fix: "Remove `hostProcess: true`; run node management from a dedicated, separately reviewed namespace if it is really needed.",
    example: include_str!("../../fixtures/PSS011/fail.yaml"),
    example_fixed: include_str!("../../fixtures/PSS011/pass.yaml"),
    equivalents: &[eq("PSS", "windowsHostProcess"), eq("Trivy", "KSV103")],
    references: &[PSS_DOC],
};

pub static CHECK: Check = Check {
    id: "windowsHostProcess",
    level: Level::Baseline,
    rule: &RULE,
    versions: &[VersionedCheck {
        min: 0,
        check: v1_0,
        overrides: &[],
    }],
};

fn v1_0(pod: &PodTemplate<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut one = |sc: Option<&Node>, sc_path: FieldPath, who: String| {
        if sc
            .and_then(|s| s.path(&["windowsOptions", "hostProcess"]))
            .and_then(Node::as_bool)
            != Some(true)
        {
            return;
        }
        let p = sc_path.keys(&["windowsOptions", "hostProcess"]);
        out.push(violation(
            &RULE,
            p.clone(),
            format!("{who} must not set securityContext.windowsOptions.hostProcess=true"),
            fix("set hostProcess to false", vec![set(&p, json!(false))]),
        ));
    };
    one(pod.security_context(), pod.sc_path(), "pod".to_string());
    for c in &pod.containers {
        one(c.security_context(), c.sc_path(), c.label());
    }
    out
}
