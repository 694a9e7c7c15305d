//! `bulkhead scan` end to end: the np-guard application corpora plus the
//! real test image (scripts/build-test-image.sh) run by a Deployment; one run
//! reports at least four layers and an attack path; PolicyReports validate
//! against the transcribed wg-policy CRD schema; bad inputs are one-line
//! errors with exit 2 and the rest still reported.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use common::*;
use std::collections::BTreeSet;

/// A tree with a privileged Deployment running the planted test image in a
/// namespace no NetworkPolicy covers, its service account able to read
/// Secrets, and an image map pointing at the OCI layout.
fn app_tree(layout: &std::path::Path) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("deploy.yaml"),
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: planted
  namespace: tools
spec:
  selector:
    matchLabels: {app: planted}
  template:
    metadata:
      labels: {app: planted}
    spec:
      serviceAccountName: ops
      containers:
      - name: planted
        image: example/planted:1.0
        securityContext:
          privileged: true
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ops, namespace: tools}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ops-view-secrets, namespace: tools}
subjects:
- {kind: ServiceAccount, name: ops, namespace: tools}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
",
    )
    .unwrap();
    std::fs::write(
        d.path().join("images.yaml"),
        format!("example/planted:1.0: oci:{}:planted\n", layout.display()),
    )
    .unwrap();
    d
}

#[test]
fn one_scan_reports_four_layers_and_an_attack_path() {
    let Some(corpora) = bulkhead_core::testing::corpus(
        "one_scan_reports_four_layers_and_an_attack_path",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/netpol/np-guard/tests/online_boutique_workloads_no_ns",
    ) else {
        return;
    };
    let Some(images) = test_image() else { return };
    let tree = app_tree(&images.join("layout"));
    let map = tree.path().join("images.yaml");
    let o = run(&[
        "scan",
        corpora.to_str().unwrap(),
        tree.path().to_str().unwrap(),
        "--image-map",
        map.to_str().unwrap(),
        "--skip-vulns",
        "-f",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v = json(&o);
    let layers: BTreeSet<&str> = v["summary"]["by"]["layer"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].as_str().unwrap())
        .collect();
    for l in ["kubernetes", "netpol", "rbac", "image", "cross-layer"] {
        assert!(layers.contains(l), "layer {l} missing from {layers:?}");
    }
    let findings = v["findings"].as_array().unwrap();
    let on = |rule: &str, object: &str| {
        findings
            .iter()
            .find(|f| f["rule_id"] == rule && f["location"]["object"] == object)
            .unwrap_or_else(|| panic!("no {rule} on {object}"))
    };
    // The privileged pod in an uncovered namespace: an attack path with its chain.
    let path = on("XL005", "Deployment/tools/planted");
    let chain = path["evidence"]["attack_path"].as_str().unwrap();
    assert!(
        chain.contains("no NetworkPolicy selects it") && chain.contains("PSS002"),
        "{chain}"
    );
    // Its token: `admin` bound in the namespace reads Secrets.
    let sa = on("XL006", "Deployment/tools/planted");
    assert!(
        sa["message"]
            .as_str()
            .unwrap()
            .contains("RoleBinding/tools/ops-view-secrets")
    );
    // The image's planted secrets, attributed to the workload, and its root user.
    let img = on("XL004", "Deployment/tools/planted");
    assert!(img["message"].as_str().unwrap().contains("IMG001"), "{img}");
    on("XL002", "Deployment/tools/planted");
    // The boutique's own workloads are covered by NetworkPolicies: no attack path there.
    assert!(
        !findings
            .iter()
            .any(|f| f["rule_id"] == "XL005"
                && f["location"]["object"] != "Deployment/tools/planted"),
        "an attack path on a workload its NetworkPolicies isolate"
    );
    // The breakdown by workload joins the layers' names for one workload.
    let workloads: Vec<&str> = v["summary"]["by"]["workload"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].as_str().unwrap())
        .collect();
    assert!(workloads.contains(&"Deployment/default/frontend"));
    assert!(!workloads.contains(&"Deployment/frontend"), "{workloads:?}");
    // The table prints the same breakdown.
    let t = run(&[
        "scan",
        corpora.to_str().unwrap(),
        tree.path().to_str().unwrap(),
        "--image-map",
        map.to_str().unwrap(),
        "--skip-vulns",
    ]);
    let text = stdout(&t);
    assert!(
        text.contains("by layer:") && text.contains("cross-layer"),
        "{text}"
    );
}

#[test]
fn policy_reports_validate_against_the_crd_schema() {
    let Some(images) = test_image() else { return };
    let tree = app_tree(&images.join("layout"));
    let map = tree.path().join("images.yaml");
    let o = run(&[
        "scan",
        tree.path().to_str().unwrap(),
        "--image-map",
        map.to_str().unwrap(),
        "--skip-vulns",
        "-f",
        "policyreport",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v = json(&o);
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/policyreport.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("compile schema");
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let items = v["items"].as_array().unwrap();
    let ns = items
        .iter()
        .find(|i| i["kind"] == "PolicyReport" && i["metadata"]["namespace"] == "tools")
        .expect("a PolicyReport for namespace tools");
    let results = ns["results"].as_array().unwrap();
    assert_eq!(
        ns["summary"]["fail"].as_u64().unwrap() as usize,
        results.len()
    );
    let xl5 = results
        .iter()
        .find(|r| r["policy"] == "XL005")
        .expect("XL005 result");
    assert_eq!(xl5["severity"], "critical");
    assert_eq!(xl5["resources"][0]["kind"], "Deployment");
    assert_eq!(xl5["resources"][0]["apiVersion"], "apps/v1");
    // Image findings have no namespace: the ClusterPolicyReport holds them.
    let cluster = items
        .iter()
        .find(|i| i["kind"] == "ClusterPolicyReport")
        .unwrap();
    assert!(
        cluster["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["policy"] == "IMG001")
    );
    // The schema is not vacuous: a result with a severity outside the CRD's enum fails it.
    let mut bad = v.clone();
    bad["items"][0]["results"][0]["severity"] = "urgent".into();
    assert!(!validator.is_valid(&bad));
}

#[test]
fn bad_inputs_are_one_line_errors_and_the_rest_is_reported() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("broken.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: [\n",
    )
    .unwrap();
    std::fs::create_dir(d.path().join("web")).unwrap();
    std::fs::write(
        d.path().join("web/Dockerfile"),
        "FROM alpine:3.20\nRUNN echo hi\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: example/c:1\n    securityContext: {privileged: true}\n",
    )
    .unwrap();
    let o = run(&[
        "scan",
        d.path().to_str().unwrap(),
        "--image-map",
        "example/c:1=oci:/nonexistent/layout:tag",
        "-f",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let v = json(&o);
    let errors: Vec<String> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["file"].as_str().unwrap(),
                e["message"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        errors.iter().any(|e| e.contains("broken.yaml")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("web/Dockerfile") && e.contains("RUNN")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("/nonexistent/layout")),
        "{errors:?}"
    );
    for e in &errors {
        assert!(!e.contains('\n'), "multi-line error: {e}");
    }
    // The good pod is still analysed.
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == "PSS002" && f["location"]["object"] == "Pod/p")
    );
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    // A missing path and a bad map are errors before any scan.
    let o = run(&["scan", "/nonexistent/tree"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[
        "scan",
        d.path().to_str().unwrap(),
        "--image-map",
        "no-equals-sign",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("neither a file nor REF=SOURCE"),
        "{}",
        stderr(&o)
    );
}

/// The fleet mode, locally: N processes with JOB_COMPLETION_INDEX set each
/// scan their shard of the list; `scan merge` joins the parts into what one
/// unsharded run reports.
#[test]
fn sharded_scans_merge_into_the_unsharded_report() {
    let Some(images) = test_image() else { return };
    let d = tempfile::tempdir().unwrap();
    let list = d.path().join("images.txt");
    let layout = images.join("layout");
    let refs = [
        format!("oci:{}:base", layout.display()),
        format!("oci:{}:planted", layout.display()),
        format!("oci-archive:{}", images.join("app.oci.tar").display()),
        format!("docker-archive:{}", images.join("app.docker.tar").display()),
    ];
    std::fs::write(&list, format!("# fleet\n{}\n", refs.join("\n"))).unwrap();
    let parts = d.path().join("reports");
    std::fs::create_dir(&parts).unwrap();
    let mut seen: Vec<String> = Vec::new();
    for i in 0..3 {
        let out = parts.join(format!("{i}.json"));
        let o = bulkhead(&[
            "scan",
            "--images-from",
            list.to_str().unwrap(),
            "--shards",
            "3",
            "--skip-vulns",
            "--fail-on",
            "none",
            "-f",
            "json",
            "-o",
            out.to_str().unwrap(),
        ])
        .env("JOB_COMPLETION_INDEX", i.to_string())
        .output()
        .unwrap();
        assert_eq!(o.status.code(), Some(0), "shard {i}: {}", stderr(&o));
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        for t in v["targets"].as_array().unwrap() {
            seen.push(t["file"].as_str().unwrap().to_string());
        }
    }
    seen.sort();
    let mut want: Vec<String> = refs.to_vec();
    want.sort();
    assert_eq!(seen, want, "every image scanned by exactly one shard");
    let whole = run(&[
        "scan",
        "--images-from",
        list.to_str().unwrap(),
        "--skip-vulns",
        "-f",
        "json",
    ]);
    let whole = json(&whole);
    let merged = run(&["scan", "merge", parts.to_str().unwrap(), "-f", "json"]);
    assert_eq!(merged.status.code(), Some(1), "{}", stderr(&merged));
    let merged = json(&merged);
    assert_eq!(merged["summary"]["findings"], whole["summary"]["findings"]);
    assert!(whole["summary"]["findings"].as_u64().unwrap() > 0);
    let ids = |v: &serde_json::Value| {
        let mut x: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} {} {}",
                    f["rule_id"], f["location"]["object"], f["location"]["file"]
                )
            })
            .collect();
        x.sort();
        x
    };
    assert_eq!(ids(&merged), ids(&whole));
    // A part that is not a report is an error naming it; the others still merge.
    std::fs::write(parts.join("9.json"), "{\"truncated").unwrap();
    let o = run(&["scan", "merge", parts.to_str().unwrap(), "-f", "json"]);
    assert_eq!(o.status.code(), Some(2));
    let v = json(&o);
    assert!(v["errors"][0]["file"].as_str().unwrap().ends_with("9.json"));
    assert_eq!(v["summary"]["findings"], whole["summary"]["findings"]);
    // An index outside the shards is refused.
    let o = bulkhead(&[
        "scan",
        "--images-from",
        list.to_str().unwrap(),
        "--shards",
        "3",
    ])
    .env("JOB_COMPLETION_INDEX", "3")
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not below --shards 3"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn fleet_manifests_pass_pss_restricted_with_no_finding() {
    let d = tempfile::tempdir().unwrap();
    let list = d.path().join("images.txt");
    std::fs::write(
        &list,
        "registry.example/shop/web:1.4\nregistry.example/shop/api:2.0\n",
    )
    .unwrap();
    let digest = format!("bulkhead@sha256:{}", "ab".repeat(32));
    let o = run(&[
        "scan",
        "manifests",
        "--image",
        &digest,
        "--images-from",
        list.to_str().unwrap(),
        "--shards",
        "3",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let yaml = stdout(&o);
    assert!(yaml.contains("completionMode: Indexed") && yaml.contains("completions: 3"));
    assert!(yaml.contains("registry.example/shop/api:2.0"));
    let k = run_stdin(&["k8s", "--pss", "restricted", "-", "-f", "json"], &yaml);
    assert_eq!(k.status.code(), Some(0), "{}{}", stdout(&k), stderr(&k));
    let v = json(&k);
    assert_eq!(v["summary"]["findings"], 0);
    assert!(
        v["summary"]["targets"].as_u64().unwrap() >= 1,
        "the CronJob was analysed"
    );
    // An image by tag is refused: a CronJob would run whatever the tag points to next.
    let o = run(&["scan", "manifests", "--image", "bulkhead:latest"]);
    assert_eq!(o.status.code(), Some(2));
}

/// `--images` pulls every referenced image from a real registry (Debian's
/// docker-registry on loopback), once each even when several workloads run
/// it, and joins it: the planted secrets attributed to both workloads; an
/// image missing from the registry is one error naming it.
#[test]
fn images_flag_pulls_referenced_images_from_a_registry() {
    let Some(images) = test_image() else { return };
    let Some(registry) = start_registry() else {
        return;
    };
    let host = registry.host.clone();
    skopeo_copy(
        &format!("oci:{}:planted", images.join("layout").display()),
        &format!("docker://{host}/shop/app:1"),
    );
    let d = tempfile::tempdir().unwrap();
    let pod = |name: &str, image: &str| {
        format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: shop}}\nspec:\n  containers: [{{name: c, image: \"{image}\"}}]\n"
        )
    };
    std::fs::write(
        d.path().join("pods.yaml"),
        format!(
            "{}{}{}",
            pod("a", &format!("{host}/shop/app:1")),
            pod("b", &format!("{host}/shop/app:1")),
            pod("c", &format!("{host}/shop/missing:1"))
        ),
    )
    .unwrap();
    let o = run(&[
        "scan",
        d.path().to_str().unwrap(),
        "--images",
        "--insecure",
        "--skip-vulns",
        "-f",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let v = json(&o);
    let xl4: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "XL004")
        .map(|f| f["location"]["object"].as_str().unwrap())
        .collect();
    assert_eq!(xl4, ["Pod/shop/a", "Pod/shop/b"], "{xl4:?}");
    // Pulled once: one image target, its findings once.
    let pulled = v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["file"].as_str().unwrap().ends_with("shop/app:1"))
        .count();
    assert_eq!(pulled, 1);
    let errors: Vec<String> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("shop/missing:1"), "{errors:?}");
}

/// Debian's kubectl (package kubernetes-client), installed once when
/// missing; false (a loud skip, fatal where images are required) otherwise.
fn kubectl() -> bool {
    static OK: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *OK.get_or_init(|| {
        if !have("kubectl") {
            apt_install("kubernetes-client");
        }
        let ok = have("kubectl");
        if !ok {
            assert!(
                std::env::var_os("BULKHEAD_REQUIRE_IMAGES").is_none(),
                "kubectl (Debian kubernetes-client) could not be installed and BULKHEAD_REQUIRE_IMAGES is set"
            );
            eprintln!("\n\n*** SKIPPED: kubectl not installed ***\n");
        }
        ok
    })
}

/// A kustomize tree: the overlay is rendered with `kubectl kustomize` (its
/// namespace and patch applied), the base it uses is not scanned again, and
/// without kubectl a note says the files were read as they are.
#[test]
fn kustomize_overlays_are_rendered_with_kubectl() {
    if !kubectl() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let (base, overlay) = (d.path().join("base"), d.path().join("overlays/prod"));
    std::fs::create_dir_all(&base).unwrap();
    std::fs::create_dir_all(&overlay).unwrap();
    std::fs::write(
        base.join("deploy.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: example/web:1.0\n",
    )
    .unwrap();
    std::fs::write(
        base.join("kustomization.yaml"),
        "resources:\n- deploy.yaml\n",
    )
    .unwrap();
    std::fs::write(
        overlay.join("kustomization.yaml"),
        "namespace: prod\nresources:\n- ../../base\npatches:\n- path: privileged.yaml\n",
    )
    .unwrap();
    std::fs::write(
        overlay.join("privileged.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        securityContext:\n          privileged: true\n",
    )
    .unwrap();
    let o = run(&["scan", d.path().to_str().unwrap(), "-f", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v = json(&o);
    let findings = v["findings"].as_array().unwrap();
    let pss2: Vec<(&str, &str)> = findings
        .iter()
        .filter(|f| f["rule_id"] == "PSS002")
        .map(|f| {
            (
                f["location"]["object"].as_str().unwrap(),
                f["location"]["file"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(pss2.len(), 1, "{pss2:?}");
    assert_eq!(pss2[0].0, "Deployment/prod/web");
    assert!(pss2[0].1.ends_with("overlays/prod (kustomize)"), "{pss2:?}");
    assert!(
        !findings
            .iter()
            .any(|f| f["location"]["object"] == "Deployment/web"),
        "the base was scanned on its own too"
    );
    // Without kubectl: the files as they are, and a note that says so.
    let o = bulkhead(&["scan", d.path().to_str().unwrap(), "-f", "json"])
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    let v = json(&o);
    let notes: Vec<&str> = v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("kubectl is not on PATH")),
        "{notes:?}"
    );
}

/// With `--images`, an OCI layout found in the tree is scanned even when no
/// manifest names it; without, a note says it was not.
#[test]
fn layouts_in_the_tree_are_scanned_with_images() {
    let d = tempfile::tempdir().unwrap();
    let src = root().join("crates/bulkhead-scan/fixtures/XL008/fail/layout");
    let dst = d.path().join("build/layout");
    std::fs::create_dir_all(dst.join("blobs/sha256")).unwrap();
    for f in ["oci-layout", "index.json"] {
        std::fs::copy(src.join(f), dst.join(f)).unwrap();
    }
    for e in std::fs::read_dir(src.join("blobs/sha256")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dst.join("blobs/sha256").join(e.file_name())).unwrap();
    }
    let o = run(&[
        "scan",
        d.path().to_str().unwrap(),
        "--images",
        "--skip-vulns",
        "-f",
        "json",
    ]);
    let v = json(&o);
    assert!(
        v["errors"].as_array().unwrap().is_empty(),
        "{}",
        v["errors"]
    );
    let t = &v["targets"][0];
    assert!(t["file"].as_str().unwrap().ends_with("build/layout"), "{t}");
    assert!(
        t["name"].as_str().unwrap().starts_with("sha256:a0430a7c"),
        "{t}"
    );
    let o = run(&["scan", d.path().to_str().unwrap(), "-f", "json"]);
    let v = json(&o);
    assert!(
        v["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("OCI image layout not scanned")),
        "{}",
        v["notes"]
    );
}

/// A kustomization kubectl cannot render is one error naming its directory;
/// the other files are still scanned.
#[test]
fn a_broken_kustomization_is_one_error() {
    if !kubectl() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let k = d.path().join("broken");
    std::fs::create_dir_all(&k).unwrap();
    std::fs::write(k.join("kustomization.yaml"), "resources:\n- missing.yaml\n").unwrap();
    std::fs::write(
        d.path().join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x/y:1, securityContext: {privileged: true}}]\n",
    )
    .unwrap();
    let o = run(&["scan", d.path().to_str().unwrap(), "-f", "json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let v = json(&o);
    let errors: Vec<String> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("broken") && errors[0].contains("kubectl kustomize failed"),
        "{errors:?}"
    );
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == "PSS002")
    );
}
