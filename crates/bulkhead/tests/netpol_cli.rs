//! `bulkhead netpol` end to end: findings, reach, explain, diff, graph, errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use common::*;

const SHOP: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: x, ports: [{containerPort: 8080, name: http}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec: {containers: [{name: c, image: x, ports: [{containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]
"#;

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(&p, text).expect("write");
    p.to_str().expect("utf8").to_string()
}

#[test]
fn reach_lists_connections_in_netpol_analyzer_syntax() {
    let o = run_stdin(&["netpol", "reach", "-"], SHOP);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.contains("shop/web[Pod] => shop/db[Pod] : TCP 5432\n"),
        "{out}"
    );
    assert!(
        out.contains("shop/db[Pod] => shop/web[Pod] : All Connections\n"),
        "{out}"
    );
    assert!(
        !out.contains("0.0.0.0-255.255.255.255[External] => shop/db"),
        "{out}"
    );
    // Assumptions go to stderr so the list stays comparable.
    assert!(String::from_utf8_lossy(&o.stderr).contains("host_network"));

    let o = run_stdin(
        &[
            "netpol",
            "reach",
            "-",
            "-f",
            "json",
            "--focus-workload",
            "db",
        ],
        SHOP,
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let rows = v.as_array().expect("array");
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|r| r.to_string().contains("shop/db")),
        "{v}"
    );
}

#[test]
fn explain_names_the_policy_and_rule() {
    let o = run_stdin(
        &[
            "netpol", "explain", "shop/web", "shop/db", "-", "--port", "5432",
        ],
        SHOP,
    );
    let out = stdout(&o);
    assert!(out.contains("ALLOWED"), "{out}");
    assert!(out.contains("NetworkPolicy shop/db-from-web"), "{out}");
    let o = run_stdin(&["netpol", "explain", "10.0.0.1", "shop/db", "-"], SHOP);
    let out = stdout(&o);
    assert!(
        out.contains("10.0.0.1[External]") && out.contains("does not match"),
        "{out}"
    );
}

#[test]
fn findings_diff_graph_and_errors() {
    let o = run_stdin(&["netpol", "-", "--no-config", "-f", "json"], SHOP);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert!(ids.contains(&"NP001"), "{ids:?}");

    let dir = tempfile::tempdir().expect("tmp");
    let old = write(dir.path(), "old/a.yaml", SHOP);
    let new = write(
        dir.path(),
        "new/a.yaml",
        &SHOP.replace(
            "ports: [{port: 5432}]",
            "ports: [{port: 5432}, {port: 9187}]",
        ),
    );
    let o = run(&["netpol", "diff", &old, &new, "--fail-on-change"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("diff-type: changed, source: shop/web[Pod], destination: shop/db[Pod], ref1: TCP 5432, ref2: TCP 5432,9187"),
        "{out}"
    );
    let o = run(&["netpol", "diff", &old, &old, "--fail-on-change"]);
    assert_eq!(o.status.code(), Some(0));

    let o = run_stdin(&["netpol", "graph", "-", "-f", "dot"], SHOP);
    assert!(stdout(&o).starts_with("digraph"));
    let o = run_stdin(&["netpol", "graph", "-"], SHOP);
    assert!(stdout(&o).contains("<svg"));

    let o = run_stdin(&["netpol", "explain", "nope", "shop/db", "-"], SHOP);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope"));
    let o = run_stdin(&["netpol", "reach", "-"], "kind: NetworkPolicy\nspec: [\n");
    assert_eq!(o.status.code(), Some(2));
}
