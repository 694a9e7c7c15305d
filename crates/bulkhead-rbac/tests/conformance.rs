//! Conformance against `../shared/corpora/rbac` (read in place, never
//! copied): kubescape's RBAC rule fixtures (`expected.json`: every expected
//! violation found, none extra, per mapped rule) and every `# Expect:`
//! who-can answer of rbac-tool's manifests.
//!
//! Deliberate differences — each asserted, so a change in behaviour shows:
//! bulkhead follows the Kubernetes authorizer, kubescape and rbac-tool match
//! rule text without the binding's scope.
//! - A RoleBinding never grants cluster-scoped resources (`nodes/proxy`,
//!   webhook configurations, `escalate` on `clusterroles`): the request for
//!   them has no namespace, so upstream only consults ClusterRoleBindings.
//!   kubescape flags these subjects; bulkhead reports RBAC019
//!   (ineffective-grant) on the binding instead.
//! - `pods/*` is not a wildcard upstream (`ResourceMatches` knows only `*`
//!   and `*/subresource`): kubescape counts it as exec or port-forward; bulkhead reports
//!   RBAC019 on the role.
//! - rbac-tool's nonresourceurl-reader expects a User bound through a
//!   RoleBinding to a non-resource URL: never granted upstream; bulkhead lists
//!   it among the ineffective bindings.
//! - rbac-tool's gateway operator `# Run:` asks `get gateways` but the role
//!   grants only create/update/delete/patch (rbac-tool's own matcher would
//!   not list them for `get` either): bulkhead answers the subjects for
//!   `create` and nobody for `get`.
//!
//! Mapped kubescape rules and the bulkhead rule they correspond to are in
//! `MAPPING`; a rule that holds `*` on `*` in every API group is reported
//! once as RBAC014 and stands for the specific rights (a documented
//! subsumption).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_core::Finding;
use bulkhead_rbac::access::{access, parse_subject, who_can_query};
use bulkhead_rbac::analyze::{Analysis, Options};
use bulkhead_rbac::authz::Authorizer;
use bulkhead_rbac::model::{ModelOptions, SubjectKind};
use bulkhead_rbac::model_from_texts;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn corpus(test: &str) -> Option<PathBuf> {
    bulkhead_core::testing::corpus(test, env!("CARGO_MANIFEST_DIR"), "corpora/rbac")
}

/// kubescape rule → (bulkhead rule, alert-message filter for rules that
/// mix two kinds of alerts).
const MAPPING: &[(&str, &str, &str)] = &[
    ("rule-can-list-get-secrets-v1", "RBAC001", ""),
    ("rule-can-create-pod", "RBAC002", ""),
    ("exec-into-container-v1", "RBAC003", ""),
    ("rule-can-portforward-v1", "RBAC004", ""),
    ("rule-can-access-proxy-subresource", "RBAC005", ""),
    ("rule-can-bind-escalate", "RBAC006", "can escalate"),
    ("rule-can-bind-escalate", "RBAC007", "can bind"),
    ("rule-can-impersonate-users-groups-v1", "RBAC008", ""),
    ("rule-can-create-service-account-token", "RBAC009", ""),
    ("rule-can-modify-admission-webhooks", "RBAC011", ""),
    ("rule-list-all-cluster-admins-v1", "RBAC014", ""),
    ("cluster-admin-role", "RBAC015", ""),
    ("workload-with-cluster-takeover-roles", "RBAC018", ""),
    ("workload-with-administrative-roles", "RBAC018", "admin"),
];

/// (kubescape rule, case, subject, why) expected by kubescape, reported by
/// bulkhead as RBAC019 instead.
const DELIBERATE: &[(&str, &str, &str, &str)] = &[
    (
        "rule-can-access-proxy-subresource",
        "clusterrole-rolebinding",
        "User jane",
        "nodes/proxy is cluster-scoped; a RoleBinding never grants it",
    ),
    (
        "rule-can-access-proxy-subresource",
        "role-rolebinding",
        "User jane",
        "nodes/proxy is cluster-scoped; a RoleBinding never grants it",
    ),
    (
        "rule-can-modify-admission-webhooks",
        "clusterrole-rolebinding",
        "User jane",
        "webhook configurations are cluster-scoped",
    ),
    (
        "rule-can-modify-admission-webhooks",
        "role-rolebinding",
        "User jane",
        "webhook configurations are cluster-scoped",
    ),
    (
        "rule-can-bind-escalate",
        "role-rolebinding",
        "User jane",
        "escalate on clusterroles is checked without a namespace",
    ),
    (
        "exec-into-container-v1",
        "clusterrole",
        "User dave",
        "pods/* does not match pods/exec upstream",
    ),
    (
        "rule-can-portforward-v1",
        "clusterrole-clusterrolebinding",
        "Group dev",
        "pods/* does not match pods/portforward upstream",
    ),
    (
        "rule-can-portforward-v1",
        "clusterrole-clusterrolebinding",
        "Group manager",
        "pods/* does not match pods/portforward upstream",
    ),
];

/// kubescape rules whose fixtures are not mapped (and why).
const UNMAPPED: &[(&str, &str)] = &[
    (
        "rule-can-delete-k8s-events-v1",
        "deleting events is not a privilege escalation",
    ),
    (
        "rule-excessive-delete-rights-v1",
        "delete rights are not an escalation",
    ),
    (
        "ensure-default-service-accounts-has-only-default-roles",
        "covered by RBAC018 when a workload mounts the token",
    ),
];

fn read_inputs(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .filter_map(|p| Some((p.display().to_string(), std::fs::read_to_string(&p).ok()?)))
        .collect()
}

fn analyse(texts: &[(String, String)], opts: ModelOptions) -> Vec<Finding> {
    let refs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let model = model_from_texts(&refs, opts);
    assert!(model.errors.is_empty(), "{:?}", model.errors);
    let a = Analysis::new(&model, Options::default());
    a.findings(&|_| true)
}

/// "Subject: Group-dev can ..." → "Group dev"; workload alerts → "Pod default/test-pd".
fn expected_key(alert: &serde_json::Value) -> String {
    let msg = alert["alertMessage"].as_str().unwrap_or("");
    if let Some(rest) = msg.strip_prefix("Subject: ") {
        let who = rest.split(' ').next().unwrap_or("");
        let (kind, name) = who.split_once('-').unwrap_or((who, ""));
        return format!("{kind} {name}");
    }
    // "Pod: test-pd in the following namespace: default has ..."
    let name = msg.split(' ').nth(1).unwrap_or("");
    let ns = msg
        .split("namespace: ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .unwrap_or("");
    format!("Pod {ns}/{name}")
}

fn our_key(f: &Finding) -> String {
    if f.rule_id == "RBAC018" {
        let obj = f.location.object.clone().unwrap_or_default();
        let mut parts = obj.splitn(3, '/');
        let (k, ns, n) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        return format!("{k} {ns}/{n}");
    }
    f.evidence.get("subject").cloned().unwrap_or_default()
}

#[test]
fn kubescape_rules() {
    let Some(root) = corpus("kubescape_rules") else {
        return;
    };
    let rules_dir = root.join("kubescape-regolibrary/rules");
    let mut report = Vec::new();
    let mut total = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for (ks_rule, ours, filter) in MAPPING {
        let mut cases: Vec<_> = std::fs::read_dir(rules_dir.join(ks_rule).join("test"))
            .expect("cases")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        cases.sort();
        let (mut expected_n, mut agreed, mut deliberate) = (0, 0, 0);
        for case in cases {
            let case_name = case
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_string();
            let expected: Vec<serde_json::Value> = serde_json::from_str(
                &std::fs::read_to_string(case.join("expected.json")).expect("expected.json"),
            )
            .expect("json");
            let want: BTreeSet<String> = expected
                .iter()
                .filter(|a| {
                    filter.is_empty()
                        || *filter == "admin"
                        || a["alertMessage"]
                            .as_str()
                            .is_some_and(|m| m.contains(filter))
                })
                .map(expected_key)
                .collect();
            let findings = analyse(&read_inputs(&case.join("input")), ModelOptions::default());
            let got: BTreeSet<String> = findings
                .iter()
                .filter(|f| {
                    f.rule_id == *ours
                        && (*filter != "admin"
                            || f.evidence
                                .get("rights")
                                .is_some_and(|r| r.contains("RBAC014")))
                })
                .map(our_key)
                .collect();
            // RBAC014 stands for every specific right of a full-wildcard rule.
            let subsumed: BTreeSet<String> = findings
                .iter()
                .filter(|f| {
                    f.rule_id == "RBAC014" && ours.starts_with("RBAC0") && *ours != "RBAC015"
                })
                .map(our_key)
                .collect();
            let deliberate_here: BTreeSet<String> = DELIBERATE
                .iter()
                .filter(|(r, c, _, _)| r == ks_rule && *c == case_name && *ours != "RBAC007")
                .map(|(_, _, s, _)| s.to_string())
                .collect();
            for s in &deliberate_here {
                let rbac019 = findings.iter().any(|f| f.rule_id == "RBAC019");
                if want.contains(s) && !got.contains(s) && rbac019 {
                    deliberate += 1;
                } else {
                    failures.push(format!(
                        "{ks_rule}/{case_name}: deliberate difference for {s} no longer holds (expected by kubescape: {}, reported: {}, RBAC019: {rbac019})",
                        want.contains(s),
                        got.contains(s)
                    ));
                }
            }
            let want: BTreeSet<String> = want.difference(&deliberate_here).cloned().collect();
            expected_n += want.len();
            for w in &want {
                if got.contains(w) || subsumed.contains(w) {
                    if !got.contains(w) {
                        println!(
                            "  ({ks_rule}/{case_name}: {w} reported once as RBAC014, which subsumes {ours})"
                        );
                    }
                    agreed += 1;
                } else {
                    failures.push(format!("{ks_rule}/{case_name}: missing {ours} for {w}"));
                }
            }
            for g in got.difference(&want) {
                failures.push(format!("{ks_rule}/{case_name}: extra {ours} for {g}"));
            }
        }
        total.0 += expected_n;
        total.1 += agreed;
        total.2 += deliberate;
        report.push(format!(
            "{ks_rule:<42} -> {ours}{}: {agreed}/{expected_n} expected violations found, 0 extra, {deliberate} deliberate difference(s)",
            if filter.is_empty() { String::new() } else { format!(" [{filter}]") }
        ));
    }
    println!("kubescape RBAC conformance:");
    for r in &report {
        println!("  {r}");
    }
    for (r, why) in UNMAPPED {
        println!("  {r:<42} -> not mapped ({why})");
    }
    println!(
        "  total: {}/{} agreed, {} deliberate differences (see the module comment)",
        total.1, total.0, total.2
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(total.0, total.1);
    assert_eq!(total.2, DELIBERATE.len());
}

/// (kind, name, namespace) rows of an `# Expect:` block.
fn expect_rows(text: &str) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    let mut on = false;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Some(c) = line.strip_prefix('#') else {
            break;
        };
        if c.trim_start().starts_with("Expect:") {
            on = true;
            continue;
        }
        if !on || !c.contains('|') || c.contains("TYPE") || c.contains("+-") {
            continue;
        }
        let cells: Vec<&str> = c.split('|').map(str::trim).collect();
        if cells.len() >= 2 && !cells[0].is_empty() {
            out.insert((
                cells[0].to_string(),
                cells[1].to_string(),
                cells.get(2).copied().unwrap_or("").to_string(),
            ));
        }
    }
    out
}

/// `who-can VERB TARGET [| grep PATTERN]` lines of a `# Run:` block.
fn run_lines(text: &str) -> Vec<(String, String, Option<String>)> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .take_while(|l| l.starts_with('#'))
        .filter_map(|l| {
            let i = l.find("who-can ")?;
            let rest = &l[i + "who-can ".len()..];
            let (cmd, grep) = match rest.split_once('|') {
                Some((c, g)) => (
                    c,
                    g.trim().strip_prefix("grep ").map(|p| p.trim().to_string()),
                ),
                None => (rest, None),
            };
            let mut w = cmd.split_whitespace();
            Some((w.next()?.to_string(), w.next()?.to_string(), grep))
        })
        .collect()
}

#[test]
fn rbac_tool_who_can() {
    let Some(root) = corpus("rbac_tool_who_can") else {
        return;
    };
    let dir = root.join("rbac-tool/testdata/whocan");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut checked = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        let name = f
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        let expect = expect_rows(&text);
        let runs = run_lines(&text);
        assert!(
            !expect.is_empty() && !runs.is_empty(),
            "{name}: no Run/Expect"
        );
        // A live cluster has the default bindings (system:masters is cluster-admin).
        let model = model_from_texts(
            &[(name.as_str(), text.as_str())],
            ModelOptions {
                bootstrap_bindings: true,
                builtin_roles: true,
            },
        );
        assert!(model.errors.is_empty(), "{name}: {:?}", model.errors);
        let az = Authorizer::new(&model);
        for (verb, target, grep) in runs {
            let ask = |verb: &str| {
                let q = who_can_query(&model, verb, &target, None, None, None);
                let w = az.who_can(&q.attrs, None, q.namespaced);
                let rows =
                    |v: &[bulkhead_rbac::authz::WhoRow]| -> BTreeSet<(String, String, String)> {
                        v.iter()
                            .map(|r| {
                                let ns = if r.subject.kind == SubjectKind::ServiceAccount {
                                    r.subject.namespace.clone()
                                } else {
                                    String::new()
                                };
                                (
                                    r.subject.kind.as_str().to_string(),
                                    r.subject.name.clone(),
                                    ns,
                                )
                            })
                            .filter(|(k, n, ns)| {
                                grep.as_ref()
                                    .is_none_or(|g| format!("{k} {n} {ns}").contains(g.as_str()))
                            })
                            .collect()
                    };
                (rows(&w.rows), rows(&w.ineffective))
            };
            let (got, ineffective) = ask(&verb);
            match name.as_str() {
                "nonresourceurl-reader.yaml" => {
                    // Deliberate: the RoleBinding cannot grant a URL.
                    let user = (
                        "User".to_string(),
                        "test-nonresourceurl-reader".to_string(),
                        String::new(),
                    );
                    assert!(
                        expect.contains(&user)
                            && !got.contains(&user)
                            && ineffective.contains(&user),
                        "{name}"
                    );
                    let mut want = expect.clone();
                    want.remove(&user);
                    assert_eq!(got, want, "{name}: who-can {verb} {target}");
                }
                "gatewat-api-operator.yaml" => {
                    // Deliberate: the role has no `get`; the subjects can `create`.
                    assert!(got.is_empty(), "{name}: nobody can get gateways: {got:?}");
                    let (created, _) = ask("create");
                    assert_eq!(created, expect, "{name}: who-can create {target}");
                }
                _ => assert_eq!(got, expect, "{name}: who-can {verb} {target}"),
            }
            checked += 1;
            let note = match name.as_str() {
                "nonresourceurl-reader.yaml" | "gatewat-api-operator.yaml" => {
                    " (with the documented deliberate difference)"
                }
                _ => "",
            };
            println!(
                "rbac-tool {name}: who-can {verb} {target}: {} expected subject(s) checked{note}",
                expect.len()
            );
        }
    }
    assert_eq!(checked, 8, "every Run line of the 7 who-can manifests");
}

#[test]
fn rbac_tool_policy_rules() {
    let Some(root) = corpus("rbac_tool_policy_rules") else {
        return;
    };
    let path = root.join("rbac-tool/testdata/policyrules/multiple-role-bindings.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    // "#   ServiceAccount | the-test-user | get | policyrules | core | * | | | Roles>>policyrules/some-rules"
    let mut want = BTreeSet::new();
    for l in text.lines().take_while(|l| l.starts_with('#')) {
        let cells: Vec<&str> = l
            .trim_start_matches('#')
            .split('|')
            .map(str::trim)
            .collect();
        if cells.len() == 9 && cells[0] == "ServiceAccount" {
            let role = cells[8].rsplit('/').next().unwrap_or("").to_string();
            want.insert((
                cells[2].to_string(),
                cells[5].to_string(),
                cells[6].to_string(),
                role,
            ));
        }
    }
    assert_eq!(want.len(), 6);
    let model = model_from_texts(&[("p.yaml", text.as_str())], ModelOptions::default());
    let p = parse_subject("ServiceAccount:policyrules:the-test-user", &[]).expect("subject");
    let acc = access(&model, &p, None);
    let mut got = BTreeSet::new();
    for r in &acc.rules {
        let (Some(rule), Some(role)) = (model.rule(r.rule), model.roles.get(r.role as usize))
        else {
            continue;
        };
        for v in &rule.verbs {
            for res in &rule.resources {
                let names: Vec<&str> = rule
                    .resource_names
                    .iter()
                    .map(|n| n.value.as_str())
                    .collect();
                got.insert((
                    v.value.clone(),
                    res.value.clone(),
                    names.join(","),
                    role.name.clone(),
                ));
            }
        }
    }
    assert_eq!(got, want);
    println!("rbac-tool policy-rules: {} rows as expected", want.len());
}

#[test]
fn bootstrap_bindings_match_upstream_testdata() {
    let Some(root) = corpus("bootstrap_bindings_match_upstream_testdata") else {
        return;
    };
    let text =
        std::fs::read_to_string(root.join("kubernetes-bootstrappolicy/cluster-role-bindings.yaml"))
            .expect("read");
    let upstream = model_from_texts(&[("crb.yaml", text.as_str())], ModelOptions::default());
    let describe =
        |bs: &[bulkhead_rbac::model::Binding]| -> BTreeMap<String, (String, Vec<String>)> {
            bs.iter()
                .map(|b| {
                    let mut subjects: Vec<String> = b
                        .subjects
                        .iter()
                        .filter_map(|s| b.subject_key(s))
                        .map(|k| k.display())
                        .collect();
                    subjects.sort();
                    (b.name.clone(), (b.role_name.clone(), subjects))
                })
                .collect()
        };
    let ours = bulkhead_rbac::bootstrap::bindings();
    assert_eq!(describe(&ours), describe(&upstream.bindings));
    println!(
        "bootstrap: {} default ClusterRoleBindings as upstream",
        ours.len()
    );
}
