//! Least privilege from observed use, proved through the RBAC authorizer:
//! the Role generated for alice from audit2rbac's demo log grants the same
//! rights, as a set, as audit2rbac's documented output; for every subject
//! of the log the generated roles allow every request it made; and in exact
//! mode they allow nothing beyond those requests and what the default
//! bindings already allow.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_audit::analyze::{Collect, Judges, Options};
use bulkhead_audit::roles::{self, Generate, Subject};
use bulkhead_audit::summary::Req;
use bulkhead_core::source::InputPath;
use bulkhead_core::{Catalogue, RuleMeta};
use bulkhead_rbac::authz::{Attrs, Authorizer, Principal};
use bulkhead_rbac::model::{Model, ModelOptions};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

fn analyse(log: &Path) -> bulkhead_audit::Analysis {
    let none = |_: &RuleMeta| false;
    let c = Catalogue::new();
    let judges = Judges {
        audit: &none,
        objects: &none,
        catalogue: &c,
    };
    let opts = Options {
        collect: Collect::All,
        ..Options::default()
    };
    bulkhead_audit::run(&[InputPath::File(log.to_path_buf())], &opts, &judges)
}

fn model(yaml: &str, bootstrap: bool) -> Model {
    let src = Arc::new(bulkhead_kube::load::Source::new(
        "roles.yaml",
        yaml.to_string(),
    ));
    let l = bulkhead_kube::load::load(src, Default::default());
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    Model::build(
        l.objects,
        ModelOptions {
            bootstrap_bindings: bootstrap,
            builtin_roles: true,
        },
    )
}

const VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
];

fn rights(m: &Model, p: &Principal, resources: &[&str], namespaces: &[&str]) -> BTreeSet<String> {
    let a = Authorizer::new(m);
    let mut out = BTreeSet::new();
    for v in VERBS {
        for r in resources {
            for ns in namespaces {
                let attrs = Attrs::resource(v, "", r).in_ns(ns);
                if a.allowed(p, &attrs).is_some() {
                    out.insert(format!("{v} {r} in {ns:?}"));
                }
            }
        }
    }
    out
}

fn subject_of(name: &str) -> Subject {
    match name.strip_prefix("system:serviceaccount:") {
        Some(rest) => Subject::service_account(rest).unwrap(),
        None => Subject::User(name.to_string()),
    }
}

fn principal(s: &Subject) -> Principal {
    match s {
        Subject::User(u) => Principal::user(u, &[]),
        Subject::ServiceAccount { namespace, name } => Principal::service_account(namespace, name),
    }
}

/// audit2rbac's README: the expected output for `--user alice`.
fn expected_alice(readme: &str) -> String {
    let start = readme.find("more alice-roles.yaml").unwrap();
    let rest = &readme[start..];
    let open = rest.find("```yaml").unwrap() + "```yaml".len();
    let close = rest[open..].find("```").unwrap();
    rest[open..open + close]
        .lines()
        .map(|l| l.strip_prefix("    ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn alice_matches_audit2rbac_as_a_set_of_rights() {
    let Some(root) = bulkhead_core::testing::corpus(
        "alice_matches_audit2rbac_as_a_set_of_rights",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/k8s-audit/audit2rbac",
    ) else {
        return;
    };
    let a = analyse(&root.join("testdata/demo.log"));
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    let alice = Subject::User("alice".into());
    let st = &a.summary.subjects["alice"];
    let g = roles::generate(&alice, &[], &st.requests, Generate::default());
    let ours = model(&roles::to_yaml(&alice, &g, "demo.log"), false);
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let theirs = model(&expected_alice(&readme), false);
    let res = [
        "pods",
        "configmaps",
        "secrets",
        "nodes",
        "services",
        "deployments",
    ];
    let nss = ["ns1", "default", "kube-system", ""];
    let p = principal(&alice);
    let want = rights(&theirs, &p, &res, &nss);
    assert_eq!(
        want.len(),
        9,
        "audit2rbac's alice: 3 verbs x 3 resources in ns1"
    );
    assert_eq!(rights(&ours, &p, &res, &nss), want);
}

#[test]
fn generated_roles_allow_every_request_and_in_exact_mode_nothing_more() {
    let Some(root) = bulkhead_core::testing::corpus(
        "generated_roles_allow_every_request_and_in_exact_mode_nothing_more",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/k8s-audit/audit2rbac",
    ) else {
        return;
    };
    let a = analyse(&root.join("testdata/demo.log"));
    let defaults = model("", true);
    let mut checked = 0;
    for name in ["alice", "bob", "system:serviceaccount:ns1:sa1"] {
        let s = subject_of(name);
        let st = &a.summary.subjects[name];
        let p = principal(&s);
        for mode in [Generate::default(), Generate::exact()] {
            let g = roles::generate(&s, &[], &st.requests, mode);
            let yaml = roles::to_yaml(&s, &g, "demo.log");
            let m = model(&yaml, true);
            let authz = Authorizer::new(&m);
            for req in st.requests.keys() {
                assert!(
                    authz.allowed(&p, &req.attrs()).is_some(),
                    "{name}: {req:?} not allowed by\n{yaml}"
                );
                checked += 1;
            }
            if mode.expand_verbs {
                continue;
            }
            // Exact: every allowed request over the universe was observed,
            // or is allowed by the default bindings alone.
            let observed: BTreeSet<(String, String, String)> = st
                .requests
                .keys()
                .filter(|r| r.path.is_none())
                .map(|r| (r.verb.clone(), r.resource.clone(), r.namespace.clone()))
                .collect();
            let base = Authorizer::new(&defaults);
            let res: BTreeSet<&str> = st
                .requests
                .keys()
                .map(|r| r.resource.as_str())
                .filter(|r| !r.is_empty())
                .chain(["secrets", "pods", "nodes"])
                .collect();
            for v in VERBS {
                for r in &res {
                    for ns in ["ns1", "default", "other", ""] {
                        let attrs = Attrs::resource(v, "", r).in_ns(ns);
                        if authz.allowed(&p, &attrs).is_some() {
                            // A cluster-wide request (ns "") needs the right in every namespace.
                            let seen =
                                observed.contains(&(v.to_string(), r.to_string(), ns.to_string()))
                                    || observed.contains(&(
                                        v.to_string(),
                                        r.to_string(),
                                        String::new(),
                                    ));
                            assert!(
                                seen || base.allowed(&p, &attrs).is_some(),
                                "{name}: exact roles allow {v} {r} in {ns:?}, never requested"
                            );
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 30, "{checked}");
}

#[test]
fn promotion_names_and_subresources() {
    let reqs: std::collections::BTreeMap<Req, bulkhead_audit::summary::ReqCount> = [
        ("get", "pods", "exec", "a", "web-1"),
        ("get", "configmaps", "", "a", "cfg"),
        ("get", "configmaps", "", "b", "cfg"),
        ("get", "secrets", "", "a", "one"),
        ("get", "secrets", "", "a", "two"),
    ]
    .into_iter()
    .map(|(v, r, sub, ns, n)| {
        (
            Req {
                verb: v.into(),
                group: String::new(),
                resource: r.into(),
                subresource: sub.into(),
                namespace: ns.into(),
                name: n.into(),
                path: None,
            },
            Default::default(),
        )
    })
    .collect();
    let s = Subject::User("dev".into());
    let g = roles::generate(&s, &[], &reqs, Generate::default());
    // configmaps in two namespaces → the ClusterRole, by its one name.
    assert!(
        g.cluster
            .iter()
            .any(|r| r.resources == ["configmaps"] && r.resource_names == ["cfg"])
    );
    // secrets by two names → unnamed; pods/exec by one name → named.
    let a = &g.namespaced["a"];
    assert!(
        a.iter()
            .any(|r| r.resources == ["secrets"] && r.resource_names.is_empty())
    );
    assert!(
        a.iter()
            .any(|r| r.resources == ["pods/exec"] && r.resource_names == ["web-1"])
    );
}
