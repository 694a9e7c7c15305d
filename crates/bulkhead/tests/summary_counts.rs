//! What a command says it did (issue 13, point 9): `k8s --fix` tells, without
//! `-v`, how many objects it fixed in which files and what it skipped; the
//! summary lines of `netpol` and `rbac` count the objects and files they read.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use common::*;
use std::path::Path;

/// Two workloads PSS restricted can fix (no securityContext at all).
const WORKLOADS: &str = "apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers:
  - name: web
    image: nginx:1.27
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: nginx:1.27
";

/// A kind no layer checks: skipped with a note.
const UNKNOWN: &str = "apiVersion: example.com/v1
kind: Frobnicator
metadata: {name: x}
";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p.to_str().expect("utf8").to_string()
}

/// The last line of the table: "N findings (...) in N objects from N files [...]".
fn summary(o: &std::process::Output) -> String {
    let out = stdout(o);
    out.lines()
        .rev()
        .find(|l| l.contains(" from "))
        .unwrap_or_else(|| panic!("no summary line:\n{out}"))
        .to_string()
}

#[test]
fn k8s_fix_says_what_it_fixed_without_verbose() {
    let tmp = tempfile::tempdir().expect("tmp");
    let app = write(tmp.path(), "app.yaml", WORKLOADS);
    let other = write(tmp.path(), "other.yaml", UNKNOWN);
    let o = run(&["k8s", "--no-config", "--fix", &app, &other]);
    let err = stderr(&o);
    assert!(
        err.contains("fixed 2 objects in 1 file"),
        "stderr does not say what --fix did:\n{err}"
    );
    assert!(err.contains(&app), "the file written is not named:\n{err}");
    assert!(!err.contains(&other), "a file not written is named:\n{err}");
    assert!(err.contains("1 document skipped"), "{err}");
    assert_ne!(
        std::fs::read_to_string(&app).unwrap(),
        WORKLOADS,
        "not written"
    );
    // The table's collapsed note counts the one skipped document, not the fix.
    let out = stdout(&o);
    assert!(
        out.contains("note: 1 document(s) skipped or noted"),
        "{out}"
    );

    // Nothing to skip: no collapsed note at all (the fix is not "skipped or noted").
    let tmp = tempfile::tempdir().expect("tmp");
    let app = write(tmp.path(), "app.yaml", WORKLOADS);
    let o = run(&["k8s", "--no-config", "--fix", &app]);
    assert!(stderr(&o).contains("fixed 2 objects in 1 file"));
    assert!(!stdout(&o).contains("skipped or noted"), "{}", stdout(&o));

    // A second run has nothing left to fix, and says so.
    let o = run(&["k8s", "--no-config", "--fix", &app]);
    assert!(stderr(&o).contains("nothing fixed"), "{}", stderr(&o));
}

#[test]
fn k8s_fix_quiet_is_quiet_and_verbose_lists_each_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    let app = write(tmp.path(), "app.yaml", WORKLOADS);
    let o = run(&["k8s", "--no-config", "--fix", "-q", &app]);
    assert!(!stderr(&o).contains("fixed"), "{}", stderr(&o));

    let app = write(tmp.path(), "app2.yaml", WORKLOADS);
    let o = run(&["k8s", "--no-config", "--fix", "-v", &app]);
    assert!(
        stdout(&o).contains(&format!("note: {app}: fixed 2 objects")),
        "{}",
        stdout(&o)
    );

    // JSON lists the fix among the notes too.
    let app = write(tmp.path(), "app3.yaml", WORKLOADS);
    let o = run(&["k8s", "--no-config", "--fix", "-f", "json", &app]);
    let notes = json(&o)["notes"].to_string();
    assert!(notes.contains("fixed 2 objects"), "{notes}");
}

#[test]
fn k8s_fix_of_stdin_names_it() {
    let o = run_stdin(&["k8s", "--no-config", "--fix", "-"], WORKLOADS);
    let err = stderr(&o);
    assert!(err.contains("fixed 2 objects"), "{err}");
    assert!(err.contains("standard input"), "{err}");
}

#[test]
fn netpol_summary_counts_every_object_read() {
    let tmp = tempfile::tempdir().expect("tmp");
    // No NetworkPolicy at all: the findings are about the namespace and the
    // workloads, which were read.
    write(
        tmp.path(),
        "ns.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n",
    );
    write(tmp.path(), "app.yaml", WORKLOADS);
    let dir = tmp.path().to_str().unwrap();
    let o = run(&["netpol", "--no-config", dir]);
    let s = summary(&o);
    assert!(s.contains(" in 3 objects from 2 files"), "{s}");
    let o = run(&["netpol", "--no-config", "-f", "json", dir]);
    assert_eq!(json(&o)["summary"]["targets"], 3, "{}", stdout(&o));
}

#[test]
fn rbac_summary_counts_every_object_read() {
    let tmp = tempfile::tempdir().expect("tmp");
    write(
        tmp.path(),
        "binding.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-is-admin}
subjects:
- {kind: ServiceAccount, name: ci, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
",
    );
    write(
        tmp.path(),
        "sa.yaml",
        "apiVersion: v1
kind: ServiceAccount
metadata: {name: ci, namespace: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: runner, namespace: shop}
spec:
  serviceAccountName: ci
  containers: [{name: r, image: nginx:1.27}]
",
    );
    let dir = tmp.path().to_str().unwrap();
    let o = run(&["rbac", "--no-config", dir]);
    let s = summary(&o);
    assert!(s.contains(" in 3 objects from 2 files"), "{s}");

    // Only Kubernetes' own bindings (--bootstrap) carry findings: the objects
    // read are still counted, not "0 objects from 0 files".
    let only_sa = tmp.path().join("sa.yaml");
    let o = run(&[
        "rbac",
        "--no-config",
        "--bootstrap",
        "--include-system",
        only_sa.to_str().unwrap(),
    ]);
    let s = summary(&o);
    assert!(s.contains(" in 2 objects from 1 file"), "{s}");
}
