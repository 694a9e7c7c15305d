//! `bulkhead rbac` end to end: findings through the shared reporters,
//! who-can, one subject's access matrix, the graph, and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use common::*;

const CLUSTER: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-maker, namespace: apps}
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci-makes-pods, namespace: apps}
subjects:
- kind: ServiceAccount
  name: ci
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-maker}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-lister}
rules:
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: backup-reads-secrets}
subjects:
- kind: ServiceAccount
  name: backup
  namespace: apps
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-lister}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: named-reader, namespace: apps}
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  resourceNames: ["settings"]
  verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: jane-reads-settings, namespace: apps}
subjects:
- {kind: User, name: jane, apiGroup: rbac.authorization.k8s.io}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: named-reader}
"#;

fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            stdout(o),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

#[test]
fn findings_report_list_as_secret_read_and_the_escalation_chain() {
    let o = run_stdin(&["rbac", "-", "--no-config", "-f", "json"], CLUSTER);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let v = json(&o);
    let f = v["findings"].as_array().expect("findings");
    let ids: Vec<(&str, &str)> = f
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or(""),
                f["message"].as_str().unwrap_or(""),
            )
        })
        .collect();
    // `list` alone reveals every secret's data: reported (rbac-tool checks only `get`).
    assert!(
        ids.iter()
            .any(|(id, m)| *id == "RBAC001" && m.contains("ServiceAccount apps/backup")),
        "{ids:?}"
    );
    // ci can create pods in apps, where backup lives: it inherits backup's secret reading.
    assert!(
        ids.iter().any(|(id, m)| *id == "RBAC017"
            && m.contains("ServiceAccount apps/ci")
            && m.contains("apps/backup")),
        "{ids:?}"
    );
    // A name-restricted read of one configmap is not dangerous.
    assert!(!ids.iter().any(|(_, m)| m.contains("User jane")), "{ids:?}");

    // SARIF comes for free from the shared reporters.
    let o = run_stdin(&["rbac", "-", "--no-config", "-f", "sarif"], CLUSTER);
    let v = json(&o);
    assert_eq!(v["version"], "2.1.0");
    assert!(
        !v["runs"][0]["results"]
            .as_array()
            .expect("results")
            .is_empty()
    );
}

#[test]
fn who_can_honours_namespace_defaulting_and_resource_names() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("rbac.yaml");
    std::fs::write(&file, CLUSTER).expect("write");
    let path = file.to_str().expect("utf8");

    let o = run(&[
        "rbac", "who-can", "create", "pods", "-n", "apps", path, "-f", "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    let subjects: Vec<String> = v["subjects"]
        .as_array()
        .expect("subjects")
        .iter()
        .map(|s| format!("{}:{}:{}", s["kind"], s["namespace"], s["name"]))
        .collect();
    // The RoleBinding's ServiceAccount subject has no namespace: it defaults to the binding's.
    assert_eq!(subjects, vec![r#""ServiceAccount":"apps":"ci""#]);

    // Not in another namespace.
    let o = run(&[
        "rbac", "who-can", "create", "pods", "-n", "other", path, "-f", "json",
    ]);
    assert!(
        json(&o)["subjects"]
            .as_array()
            .expect("subjects")
            .is_empty()
    );

    // resourceNames: a named get matches, an unnamed list does not.
    let named = run(&[
        "rbac",
        "who-can",
        "get",
        "configmaps",
        "-n",
        "apps",
        "--name",
        "settings",
        path,
        "-f",
        "json",
    ]);
    assert_eq!(json(&named)["subjects"].as_array().map(Vec::len), Some(1));
    let list = run(&[
        "rbac",
        "who-can",
        "list",
        "configmaps",
        "-n",
        "apps",
        path,
        "-f",
        "json",
    ]);
    assert_eq!(json(&list)["subjects"].as_array().map(Vec::len), Some(0));

    // pods does not cover pods/exec.
    let exec = run(&[
        "rbac",
        "who-can",
        "create",
        "pods",
        "--subresource",
        "exec",
        "-n",
        "apps",
        path,
        "-f",
        "json",
    ]);
    assert_eq!(json(&exec)["subjects"].as_array().map(Vec::len), Some(0));
}

#[test]
fn can_prints_an_access_matrix_and_graph_renders() {
    let o = run_stdin(
        &["rbac", "can", "ServiceAccount:apps:ci", "-n", "apps", "-"],
        CLUSTER,
    );
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    let pods = out
        .lines()
        .find(|l| l.starts_with("pods "))
        .unwrap_or_else(|| panic!("no pods row:\n{out}"));
    let cells: Vec<&str> = pods.split_whitespace().collect();
    // RESOURCE GET LIST WATCH CREATE ...
    assert_eq!(cells.get(1), Some(&"✖"), "{pods}");
    assert_eq!(cells.get(4), Some(&"✔"), "{pods}");

    let dot = run_stdin(&["rbac", "graph", "-f", "dot", "-"], CLUSTER);
    let dot = stdout(&dot);
    assert!(dot.starts_with("digraph"), "{dot}");
    assert!(dot.contains("ServiceAccount apps/backup") || dot.contains("backup"));
    let svg = run_stdin(&["rbac", "graph", "-"], CLUSTER);
    assert!(stdout(&svg).starts_with("<svg"));
}

#[test]
fn bad_input_is_one_clear_error_and_exit_2() {
    let o = run_stdin(
        &["rbac", "-", "--no-config"],
        "kind: Role\nmetadata: {name: x\n",
    );
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("<stdin>") || err.contains("stdin"), "{err}");

    let o = run(&["rbac", "who-can", "get", "secrets", "/nonexistent/rbac"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/rbac"));

    // Nothing could be read: no empty answer before the error.
    for args in [
        &["rbac", "who-can", "get", "secrets", "-"][..],
        &["rbac", "can", "user:alice", "-"][..],
    ] {
        let o = run_stdin(args, "kind: Role\nmetadata: {name: x\n");
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stdout(&o).is_empty(), "{args:?}: {}", stdout(&o));
        assert!(String::from_utf8_lossy(&o.stderr).contains("invalid YAML"));
    }

    for bad in ["ServiceAccount:only-a-name", "Group:"] {
        let o = run_stdin(&["rbac", "can", bad, "-"], CLUSTER);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(String::from_utf8_lossy(&o.stderr).contains(bad), "{bad}");
    }
}
