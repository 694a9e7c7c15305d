//! Malformed and hostile inputs: errors that name the culprit, bounded time, no panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_gatekeeper::{Constraint, Policies, Template, review_for_object};
use serde_json::json;
use std::time::{Duration, Instant};

fn template(kind: &str, rego: &str) -> String {
    let rego: String = rego.lines().map(|l| format!("        {l}\n")).collect();
    format!(
        "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata:\n  name: {lower}\nspec:\n  crd:\n    spec:\n      names:\n        kind: {kind}\n  targets:\n    - target: admission.k8s.gatekeeper.sh\n      rego: |\n{rego}",
        lower = kind.to_lowercase()
    )
}

fn constraint(kind: &str) -> String {
    format!(
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: {kind}\nmetadata:\n  name: c\nspec:\n  match:\n    kinds:\n      - apiGroups: [\"\"]\n        kinds: [\"Pod\"]\n"
    )
}

const IMAGES: &str = r#"package images
violation[{"msg": msg}] {
  c := input.review.object.spec.containers[_]
  not startswith(c.image, "ok/")
  msg := sprintf("container %v has image %v", [c.name, c.image])
}
"#;

#[test]
fn rego_syntax_error_names_the_template() {
    let t = template(
        "K8sBroken",
        "package broken\nviolation[{\"msg\": msg}] {\n  msg := \n}\n",
    );
    let err = Template::parse(&t, "broken/template.yaml").unwrap_err();
    assert!(err.contains("broken/template.yaml"), "{err}");
    assert!(err.contains("rego"), "{err}");
}

#[test]
fn malformed_documents_are_errors() {
    for (text, want) in [
        ("kind: [", "t.yaml"),
        ("kind: Pod\n", "not a ConstraintTemplate"),
        ("kind: ConstraintTemplate\nspec: {}\n", "names.kind"),
        (
            "kind: ConstraintTemplate\nspec:\n  crd: {spec: {names: {kind: K}}}\n  targets: [{target: admission.k8s.gatekeeper.sh}]\n",
            "no Rego",
        ),
    ] {
        let err = Template::parse(text, "t.yaml").unwrap_err();
        assert!(err.contains(want), "{text:?}: {err}");
    }
    let err = Constraint::parse("kind: K\nmetadata: {name: c}\nspec:\n  match:\n    labelSelector:\n      matchExpressions: [{key: a, operator: In}]\n", "c.yaml").unwrap_err();
    assert!(
        err.contains("c.yaml") && err.contains("needs values"),
        "{err}"
    );
}

#[test]
fn suite_with_missing_template_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let suite_dir = dir.path().join("general").join("nothing");
    std::fs::create_dir_all(&suite_dir).unwrap();
    std::fs::write(suite_dir.join("c.yaml"), constraint("K8sNothing")).unwrap();
    std::fs::write(
        suite_dir.join("suite.yaml"),
        "kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\nmetadata: {name: nothing}\ntests:\n- name: t\n  template: template.yaml\n  constraint: c.yaml\n  cases: []\n",
    )
    .unwrap();
    let err = bulkhead_gatekeeper::suite::run(&suite_dir.join("suite.yaml"), Some(dir.path()))
        .unwrap_err();
    assert!(err.contains("template.yaml not found"), "{err}");
    let err = bulkhead_gatekeeper::suite::run(&dir.path().join("absent.yaml"), None).unwrap_err();
    assert!(err.contains("absent.yaml"), "{err}");
}

fn policies(kind: &str, rego: &str) -> Policies {
    let mut p = Policies::new();
    p.add_template(Template::parse(&template(kind, rego), "t").unwrap())
        .unwrap();
    p.add_constraint(Constraint::parse(&constraint(kind), "c").unwrap())
        .unwrap();
    p
}

#[test]
fn deeply_nested_object_is_refused_quickly() {
    // Building, cloning and dropping a deep serde_json value recurses (in
    // the test, not in evaluate): give that a big stack.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| {
            let p = policies("K8sImages", IMAGES);
            let mut deep = json!("leaf");
            for _ in 0..2_000 {
                deep = json!([deep]);
            }
            let obj = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"x": deep}});
            let review = review_for_object(&obj);
            let start = Instant::now();
            let err = p.evaluate(&review, None).unwrap_err();
            assert!(err.contains("nested deeper"), "{err}");
            assert!(start.elapsed() < Duration::from_secs(10));
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn deeply_nested_yaml_object_fails_its_case() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("general").join("images");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("template.yaml"), template("K8sImages", IMAGES)).unwrap();
    std::fs::write(d.join("c.yaml"), constraint("K8sImages")).unwrap();
    let deep = format!("{}1{}", "[".repeat(50_000), "]".repeat(50_000));
    std::fs::write(
        d.join("deep.yaml"),
        format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec: {{x: {deep}}}\n"),
    )
    .unwrap();
    std::fs::write(
        d.join("suite.yaml"),
        "kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\nmetadata: {name: images}\ntests:\n- name: t\n  template: template.yaml\n  constraint: c.yaml\n  cases:\n  - name: deep\n    object: deep.yaml\n    assertions: [{violations: no}]\n",
    )
    .unwrap();
    let start = Instant::now();
    let r = bulkhead_gatekeeper::suite::run(&d.join("suite.yaml"), None).unwrap();
    assert_eq!(r.len(), 1);
    assert!(
        !r[0].passed && r[0].detail.contains("deep.yaml"),
        "{:?}",
        r[0]
    );
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[test]
fn huge_object_is_bounded() {
    let p = policies("K8sImages", IMAGES);
    let containers: Vec<_> = (0..20_000)
        .map(|i| json!({"name": format!("c{i}"), "image": format!("bad/{i}")}))
        .collect();
    let obj = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": containers}});
    let start = Instant::now();
    match p.evaluate(&review_for_object(&obj), None) {
        Ok(v) => assert_eq!(v.len(), 20_000),
        Err(e) => assert!(e.contains("time"), "{e}"),
    }
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn runaway_rego_hits_the_time_limit() {
    let mut p = policies(
        "K8sSlow",
        "package slow\nviolation[{\"msg\": msg}] {\n  n := count([1 | numbers.range(1, 5000)[_]; numbers.range(1, 5000)[_]])\n  msg := sprintf(\"%v\", [n])\n}\n",
    );
    p.set_time_limit(Duration::from_millis(200));
    let obj = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}});
    let start = Instant::now();
    let err = p.evaluate(&review_for_object(&obj), None).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    assert!(err.contains("K8sSlow"), "{err}");
}

#[test]
fn policies_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Policies>();
}
