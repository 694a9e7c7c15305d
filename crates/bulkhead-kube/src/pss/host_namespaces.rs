//! Baseline: host namespaces.

use super::*;
use bulkhead_core::rule::eq;
use bulkhead_core::yaml::Node;
use bulkhead_core::{RuleMeta, Severity};
use serde_json::json;

pub static RULE: RuleMeta = RuleMeta {
    id: "PSS001",
    slug: "host-namespaces",
    title: "Pod shares the host's network, PID or IPC namespace",
    severity: Severity::High,
    layer: "kubernetes",
    tags: &["pss", "baseline", "runtime"],
    default_enabled: true,
    what: "The pod sets `hostNetwork`, `hostPID` or `hostIPC` to true (PSS baseline control `hostNamespaces`).",
    why: "hostNetwork puts the pod on the node's network stack: it can bind node ports, sniff traffic of other pods on the node, bypass NetworkPolicy and reach the kubelet and cloud metadata endpoints on localhost. hostPID lets it see every process on the node and, with ptrace or a privileged peer, read their memory and environment (secrets included) or signal them. hostIPC exposes other processes' shared memory.",
    fix: "Remove `hostNetwork`, `hostPID` and `hostIPC` (or set them to false). Expose ports with a Service; use a node agent DaemonSet with a narrow exception only where a host namespace is truly needed.",
    example: include_str!("../../fixtures/PSS001/fail.yaml"),
    example_fixed: include_str!("../../fixtures/PSS001/pass.yaml"),
    equivalents: &[
        eq("Falco", "Create HostNetwork Pod"),
        eq("Falco", "Create HostPid Pod"),
        eq("Falco", "Create HostIPC Pod"),
        eq("PSS", "hostNamespaces"),
        eq("Trivy", "KSV008 / KSV009 / KSV010"),
        eq("Checkov", "CKV_K8S_17 / CKV_K8S_18 / CKV_K8S_19"),
        eq("kube-linter", "host-network / host-pid / host-ipc"),
    ],
    references: &[PSS_DOC],
};

pub static CHECK: Check = Check {
    id: "hostNamespaces",
    level: Level::Baseline,
    rule: &RULE,
    versions: &[VersionedCheck {
        min: 0,
        check: v1_0,
        overrides: &[],
    }],
};

fn v1_0(pod: &PodTemplate<'_>) -> Vec<Violation> {
    ["hostNetwork", "hostPID", "hostIPC"]
        .iter()
        .filter(|f| pod.spec.get(f).and_then(Node::as_bool) == Some(true))
        .map(|f| {
            let p = pod.spec_path.key(*f);
            violation(
                &RULE,
                p.clone(),
                format!("pod must not set {f}=true (host namespaces)"),
                fix(format!("set {f} to false"), vec![set(&p, json!(false))]),
            )
        })
        .collect()
}
