//! `bulkhead audit` end to end: standard input, exit codes, malformed lines
//! with their numbers, the summary as JSON, and the generated roles fed back
//! into `bulkhead rbac can` / `who-can`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use common::*;

fn fixture(id: &str, which: &str) -> String {
    std::fs::read_to_string(
        root().join(format!("crates/bulkhead-audit/fixtures/{id}/{which}.jsonl")),
    )
    .unwrap()
}

#[test]
fn stdin_findings_and_exit_codes() {
    let o = run_stdin(&["audit", "-", "-f", "json"], &fixture("AUD001", "fail"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v = json(&o);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "AUD001")
        .expect("AUD001 on the exec event");
    assert_eq!(f["location"]["file"], "<stdin>");
    assert_eq!(f["location"]["line"], 1);
    assert!(f["message"].as_str().unwrap().contains("alice"), "{f}");
    // The passing fixture: nothing to report, exit 0.
    let o = run_stdin(&["audit", "-"], &fixture("AUD001", "pass"));
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn malformed_lines_are_errors_with_their_number_and_the_rest_is_read() {
    let good = fixture("AUD001", "fail");
    let text = format!("{{\"not\": \"an event\"}}\n{{truncated\n{good}");
    let o = run_stdin(&["audit", "-", "-f", "json"], &text);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let v = json(&o);
    let lines: Vec<u64> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["line"].as_u64())
        .collect();
    assert!(lines.contains(&2), "{lines:?} {}", stderr(&o));
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == "AUD001" && f["location"]["line"] == 3)
    );
    for line in stderr(&o).lines() {
        assert!(line.len() < 400, "a long error line: {line}");
    }
}

#[test]
fn summary_json_counts_each_subject() {
    let p = root().join("crates/bulkhead-audit/fixtures/AUD001/fail.jsonl");
    let o = run(&["audit", "summary", p.to_str().unwrap(), "-f", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["events"], 1);
    let alice = &v["summary"]["subjects"]["alice"];
    assert_eq!(alice["events"], 1);
    assert_eq!(alice["verbs"]["create"], 1);
    assert_eq!(alice["source_ips"][0], "10.0.0.7");
}

#[test]
fn generated_roles_round_trip_through_rbac_can() {
    let Some(log) = bulkhead_core::testing::corpus(
        "generated_roles_round_trip_through_rbac_can",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/k8s-audit/audit2rbac/testdata/demo.log",
    ) else {
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let roles = d.path().join("alice.yaml");
    let o = run(&[
        "audit",
        "roles",
        log.to_str().unwrap(),
        "--user",
        "alice",
        "-o",
        roles.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let can = |ns: &str| {
        let o = run(&[
            "rbac",
            "can",
            "alice",
            roles.to_str().unwrap(),
            "-n",
            ns,
            "-f",
            "json",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        json(&o)["matrix"].as_array().unwrap().clone()
    };
    // What alice did in ns1 (read configmaps, pods and secrets) is granted there...
    let ns1 = can("ns1");
    for r in ["configmaps", "pods", "secrets"] {
        let row = ns1
            .iter()
            .find(|m| m["resource"] == r)
            .unwrap_or_else(|| panic!("{r} not granted in ns1: {ns1:?}"));
        let verbs: Vec<&str> = row["verbs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(
            verbs.contains(&"get") && verbs.contains(&"list"),
            "{verbs:?}"
        );
        assert!(
            !verbs.contains(&"delete") && !verbs.contains(&"create"),
            "{verbs:?}"
        );
    }
    // ...and nothing anywhere else.
    assert!(can("default").is_empty());
    let o = run(&[
        "rbac",
        "who-can",
        "delete",
        "pods",
        roles.to_str().unwrap(),
        "-n",
        "ns1",
        "-f",
        "json",
    ]);
    assert!(!stdout(&o).contains("alice"), "{}", stdout(&o));
}

#[test]
fn summary_as_sarif_carries_findings_and_the_activity() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("audit.log");
    std::fs::write(
        &input,
        format!("{}{}", fixture("AUD001", "fail"), fixture("AUD016", "fail")),
    )
    .unwrap();
    let o = run(&["audit", "summary", input.to_str().unwrap(), "-f", "sarif"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["version"], "2.1.0");
    let run0 = &v["runs"][0];
    let rules: Vec<&str> = run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"AUD001") && rules.contains(&"AUD016"),
        "{rules:?}"
    );
    assert_eq!(
        run0["properties"]["summary"]["subjects"]["alice"]["events"],
        1
    );
    assert!(run0["properties"]["events"].as_u64().unwrap() >= 2);
    let o = run(&["audit", "summary", input.to_str().unwrap(), "-f", "junit"]);
    assert_eq!(o.status.code(), Some(2));
}
