//! One small case per NetworkPolicy semantic trap.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_netpol::load::load_text;
use bulkhead_netpol::model::Proto;
use bulkhead_netpol::{Engine, Model, Options, Peer};

const PODS: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: a}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: b}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: a, labels: {app: web}}
spec:
  containers:
  - name: c
    image: x
    ports: [{containerPort: 8080, name: http}, {containerPort: 53, protocol: UDP, name: dns}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a, labels: {app: client}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: b, labels: {app: client}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: b, labels: {app: other}}
spec: {containers: [{name: c, image: x, ports: [{containerPort: 9000, name: http}]}]}
"#;

/// Allowed connections between two named workloads under `policies`.
fn reach(policies: &str, src: &str, dst: &str, proto: Proto, port: u16) -> bool {
    let text = format!("{PODS}\n---\n{policies}");
    let l = load_text("t.yaml", &text);
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let m = Model::build(l.objects.iter());
    let e = Engine::new(&m, Options::default());
    let s = Peer::Workload(e.find_workload(src).expect("src"));
    let d = Peer::Workload(e.find_workload(dst).expect("dst"));
    e.allowed(s, d).allows(proto, port)
}

fn external(policies: &str, ip: &str, dst: &str) -> bool {
    let text = format!("{PODS}\n---\n{policies}");
    let l = load_text("t.yaml", &text);
    let m = Model::build(l.objects.iter());
    let e = Engine::new(&m, Options::default());
    let s = e.parse_peer(ip).expect("ip");
    let d = Peer::Workload(e.find_workload(dst).expect("dst"));
    e.allowed(s, d).allows(Proto::Tcp, 8080)
}

const NP: &str =
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: a}\n";

#[test]
fn no_policy_means_allow_all() {
    assert!(reach("", "b/client", "a/web", Proto::Tcp, 8080));
}

#[test]
fn policy_types_default_to_ingress_only_without_egress_rules() {
    // No policyTypes, no rules: isolates ingress only; egress stays open.
    let p = format!("{NP}spec: {{podSelector: {{matchLabels: {{app: web}}}}}}");
    assert!(!reach(&p, "a/client", "a/web", Proto::Tcp, 8080));
    assert!(reach(&p, "a/web", "b/other", Proto::Tcp, 9000));
    // With egress rules, Egress is added to the defaults.
    let p = format!(
        "{NP}spec:\n  podSelector: {{matchLabels: {{app: web}}}}\n  egress: [{{to: [{{podSelector: {{matchLabels: {{app: client}}}}}}]}}]"
    );
    assert!(!reach(&p, "a/web", "b/other", Proto::Tcp, 9000));
    assert!(reach(&p, "a/web", "a/client", Proto::Tcp, 1));
}

#[test]
fn empty_ingress_list_denies_but_one_empty_rule_allows_all() {
    let deny = format!("{NP}spec: {{podSelector: {{}}, ingress: []}}");
    assert!(!reach(&deny, "b/client", "a/web", Proto::Tcp, 8080));
    let allow = format!("{NP}spec: {{podSelector: {{}}, ingress: [{{}}]}}");
    assert!(reach(&allow, "b/client", "a/web", Proto::Tcp, 8080));
}

#[test]
fn both_selectors_in_one_peer_are_and_two_peers_are_or() {
    let and = format!(
        "{NP}spec:\n  podSelector: {{matchLabels: {{app: web}}}}\n  ingress:\n  - from:\n    - namespaceSelector: {{matchLabels: {{team: b}}}}\n      podSelector: {{matchLabels: {{app: client}}}}"
    );
    assert!(reach(&and, "b/client", "a/web", Proto::Tcp, 8080));
    assert!(!reach(&and, "a/client", "a/web", Proto::Tcp, 8080));
    assert!(!reach(&and, "b/other", "a/web", Proto::Tcp, 8080));
    let or = format!(
        "{NP}spec:\n  podSelector: {{matchLabels: {{app: web}}}}\n  ingress:\n  - from:\n    - namespaceSelector: {{matchLabels: {{team: b}}}}\n    - podSelector: {{matchLabels: {{app: client}}}}"
    );
    assert!(reach(&or, "a/client", "a/web", Proto::Tcp, 8080));
    assert!(reach(&or, "b/other", "a/web", Proto::Tcp, 8080));
}

#[test]
fn named_ports_resolve_on_the_destination_pod() {
    // Egress from web to port "http": 9000 on b/other (its own http), not web's 8080.
    let p = format!(
        "{NP}spec:\n  podSelector: {{matchLabels: {{app: web}}}}\n  policyTypes: [Egress]\n  egress: [{{ports: [{{port: http}}]}}]"
    );
    assert!(reach(&p, "a/web", "b/other", Proto::Tcp, 9000));
    assert!(!reach(&p, "a/web", "b/other", Proto::Tcp, 8080));
    // a/client has no port named http: nothing allowed to it.
    assert!(!reach(&p, "a/web", "a/client", Proto::Tcp, 8080));
}

#[test]
fn end_port_is_an_inclusive_range_and_protocol_matters() {
    let p = format!(
        "{NP}spec:\n  podSelector: {{matchLabels: {{app: web}}}}\n  ingress: [{{ports: [{{port: 8000, endPort: 8080}}]}}]"
    );
    assert!(reach(&p, "a/client", "a/web", Proto::Tcp, 8000));
    assert!(reach(&p, "a/client", "a/web", Proto::Tcp, 8080));
    assert!(!reach(&p, "a/client", "a/web", Proto::Tcp, 8081));
    assert!(!reach(&p, "a/client", "a/web", Proto::Udp, 8000));
}

#[test]
fn ip_block_except_carves_holes() {
    let p = format!(
        "{NP}spec:\n  podSelector: {{matchLabels: {{app: web}}}}\n  ingress: [{{from: [{{ipBlock: {{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}}}]}}]"
    );
    assert!(external(&p, "10.2.3.4", "a/web"));
    assert!(!external(&p, "10.1.2.3", "a/web"));
    assert!(!external(&p, "192.168.0.1", "a/web"));
    // ipBlocks do not match cluster pods by default.
    assert!(!reach(&p, "a/client", "a/web", Proto::Tcp, 8080));
}

#[test]
fn a_connection_needs_egress_of_the_sender_and_ingress_of_the_receiver() {
    let egress_deny = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: e, namespace: b}\nspec: {podSelector: {matchLabels: {app: client}}, policyTypes: [Egress]}";
    let ingress_allow = format!("{NP}spec: {{podSelector: {{}}, ingress: [{{}}]}}");
    let both = format!("{egress_deny}\n---\n{ingress_allow}");
    assert!(!reach(&both, "b/client", "a/web", Proto::Tcp, 8080));
    assert!(reach(&both, "a/client", "a/web", Proto::Tcp, 8080));
}

/// Ports and IPv6 blocks the API server rejects are never read as "allow":
/// `endPort` without `port` once became "TCP 1-65535"; `/129` passed.
#[test]
fn invalid_ports_and_ipv6_blocks_are_reported_not_widened() {
    let pol = |ports: &str| {
        format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: a}}\nspec:\n  podSelector: {{matchLabels: {{app: web}}}}\n  ingress:\n  - ports: [{ports}]\n"
        )
    };
    // endPort without port: nothing allowed (and NP004 says why).
    assert!(!reach(
        &pol("{endPort: 9000}"),
        "a/client",
        "a/web",
        Proto::Tcp,
        8080
    ));
    let l = load_text("np.yaml", &format!("{PODS}---\n{}", pol("{endPort: 9000}")));
    let m = Model::build(l.objects.iter());
    let e = Engine::new(&m, Options::default());
    let f = bulkhead_netpol::rules::check(&e, &|_| true);
    assert!(
        f.iter()
            .any(|f| f.rule_id == "NP004" && f.message.contains("endPort is set without port")),
        "{:?}",
        f.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
    for (port, why) in [
        ("{port: 0}", "outside"),
        ("{port: 70000}", "outside"),
        ("{port: -5}", "outside"),
        ("{port: 9000, endPort: 8000}", "reversed"),
    ] {
        assert!(
            !reach(&pol(port), "a/client", "a/web", Proto::Tcp, 8080),
            "{port}"
        );
        let l = load_text("np.yaml", &format!("{PODS}---\n{}", pol(port)));
        let m = Model::build(l.objects.iter());
        let e = Engine::new(&m, Options::default());
        let f = bulkhead_netpol::rules::check(&e, &|_| true);
        assert!(
            f.iter()
                .any(|f| f.rule_id == "NP004" && f.message.contains(why)),
            "{port}"
        );
    }
    // An IPv6 prefix over 128 is an input error naming the policy.
    let v6 = format!(
        "{PODS}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: v6, namespace: a}}\nspec:\n  podSelector: {{}}\n  ingress:\n  - from: [{{ipBlock: {{cidr: 'fd00::/129'}}}}]\n"
    );
    let l = load_text("np.yaml", &v6);
    let m = Model::build(l.objects.iter());
    let errs: Vec<String> = m.errors.iter().map(|e| e.to_string()).collect();
    assert!(
        errs.iter()
            .any(|e| e.contains("fd00::/129") && e.contains("prefix")),
        "{errs:?}"
    );
    let ok = v6.replace("/129", "/64");
    let m = Model::build(load_text("np.yaml", &ok).objects.iter());
    assert!(m.errors.is_empty(), "{:?}", m.errors);
}
