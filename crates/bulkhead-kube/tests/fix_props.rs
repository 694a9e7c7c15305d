//! Property test for `--fix`: for generated pods with random security
//! settings, the text fix leaves no fixable restricted-PSS violation, keeps
//! the YAML valid, and is idempotent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_core::yaml::Limits;
use bulkhead_kube::fix::{fix_yaml, want_for};
use bulkhead_kube::load::{Source, load};
use bulkhead_kube::pod::pod_template;
use bulkhead_kube::pss::{self, LATEST, Level};
use proptest::prelude::*;
use std::sync::Arc;

fn container(name: &str, opts: &[bool; 7]) -> String {
    let mut sc = Vec::new();
    if opts[0] {
        sc.push("        privileged: true".to_string());
    }
    if opts[1] {
        sc.push("        allowPrivilegeEscalation: true".to_string());
    }
    if opts[2] {
        sc.push("        capabilities:\n          add: [SYS_ADMIN, NET_BIND_SERVICE]".to_string());
    }
    if opts[3] {
        sc.push("        runAsUser: 0".to_string());
    }
    if opts[4] {
        sc.push("        seccompProfile:\n          type: Unconfined".to_string());
    }
    if opts[5] {
        sc.push("        procMount: Unmasked".to_string());
    }
    if opts[6] {
        sc.push("        runAsNonRoot: false  # set by hand".to_string());
    }
    let mut s = format!("    - name: {name}\n      image: app:1\n");
    if !sc.is_empty() {
        s.push_str("      securityContext:\n");
        s.push_str(&sc.join("\n"));
        s.push('\n');
    }
    s
}

fn pod(host_network: bool, pod_sc: bool, cs: &[[bool; 7]]) -> String {
    let mut s = String::from(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d # keep\nspec:\n  template:\n    spec:\n",
    );
    if host_network {
        s.push_str("      hostNetwork: true\n");
    }
    if pod_sc {
        s.push_str("      securityContext:\n        runAsUser: 0\n");
    }
    s.push_str("      containers:\n");
    for (i, o) in cs.iter().enumerate() {
        s.push_str(
            &container(&format!("c{i}"), o)
                .replace("\n    ", "\n      ")
                .replacen("    - name", "      - name", 1),
        );
    }
    s
}

fn violations(src: &str) -> (Vec<&'static str>, Vec<bulkhead_core::PatchOp>) {
    let l = load(
        Arc::new(Source::new("p.yaml", src.to_string())),
        Limits::default(),
    );
    assert!(l.errors.is_empty(), "{:?}\n{src}", l.errors);
    let o = &l.objects[0];
    let p = pod_template(o).expect("pod");
    let v = pss::evaluate(&p, Level::Restricted, LATEST);
    let ops = v
        .iter()
        .filter_map(|x| x.fix.as_ref())
        .flat_map(|f| f.ops.clone())
        .collect();
    (v.iter().map(|x| x.rule.id).collect(), ops)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn fix_clears_fixable_violations(host in any::<bool>(), psc in any::<bool>(), cs in prop::collection::vec(any::<[bool; 7]>(), 1..4)) {
        let src = pod(host, psc, &cs);
        let (_, ops) = violations(&src);
        let l = load(Arc::new(Source::new("p.yaml", src.clone())), Limits::default());
        let o = &l.objects[0];
        let refs: Vec<&bulkhead_core::PatchOp> = ops.iter().collect();
        let fixed = match want_for(o, &refs) {
            Some(w) => fix_yaml(&src, &[(o, w)]).expect("fix applies"),
            None => src.clone(),
        };
        let (after, ops_after) = violations(&fixed);
        prop_assert!(after.is_empty(), "left {:?}\n--- before\n{}\n--- after\n{}", after, src, fixed);
        prop_assert!(ops_after.is_empty());
        prop_assert!(fixed.contains("name: d # keep"));
    }
}
