//! Conformance against np-guard netpol-analyzer's own test cases
//! (../shared/corpora/netpol/np-guard): for every case directory with a
//! `test_outputs/connlist/<case>_connlist_output.txt`, bulkhead's
//! connectivity list must equal the expected one as a set of
//! (src, dst, protocol, port range). Cases whose inputs use objects outside
//! core Kubernetes (AdminNetworkPolicy, BaselineAdminNetworkPolicy,
//! OpenShift Routes, Ingress controllers, UserDefinedNetworks, multi-network
//! policies) are counted separately, as out of scope.
//! Skips loudly when the corpus is absent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_netpol::load::load_text;
use bulkhead_netpol::{Engine, Model, Options};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/netpol/np-guard");
    p.is_dir().then_some(p)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(p);
        }
    }
}

/// Non-core kinds that change reachability: a case using them is out of scope.
const OUT_OF_SCOPE_KINDS: &[&str] = &[
    "AdminNetworkPolicy",
    "BaselineAdminNetworkPolicy",
    "ClusterNetworkPolicy",
    "UserDefinedNetwork",
    "ClusterUserDefinedNetwork",
    "MultiNetworkPolicy",
    "NetworkAttachmentDefinition",
    "VirtualMachine",
    "VirtualMachineInstance",
    "Route",
];

/// Expands one expected or computed line into atoms `src|dst|proto|lo-hi`
/// (or `src|dst|All`). Port lists like `TCP 80,UDP 53-55` are split.
fn atoms(line: &str, out: &mut BTreeSet<String>) {
    let Some((pair, conns)) = line.split_once(" : ") else {
        return;
    };
    let Some((src, dst)) = pair.split_once(" => ") else {
        return;
    };
    let (src, dst) = (src.trim(), dst.trim());
    let conns = conns.trim();
    if conns == "All Connections" {
        out.insert(format!("{src}|{dst}|All"));
        return;
    }
    // "TCP 80,8080-8090,UDP 53" : a protocol word starts a new group.
    let mut proto = "";
    for part in conns.split(',') {
        let part = part.trim();
        let ports = if let Some((p, rest)) = part.split_once(' ') {
            proto = p;
            rest.trim()
        } else if matches!(part, "TCP" | "UDP" | "SCTP") {
            proto = part;
            "0-65535"
        } else {
            part
        };
        let (lo, hi) = ports.split_once('-').unwrap_or((ports, ports));
        let (lo, hi): (u32, u32) = (lo.parse().unwrap_or(0), hi.parse().unwrap_or(65535));
        // Compare port by port so that `80-81` equals `80,81`.
        for p in lo..=hi.min(lo + 70000) {
            out.insert(format!("{src}|{dst}|{proto}|{p}"));
        }
    }
}

#[test]
fn np_guard_connlist_cases() {
    let Some(root) = corpus() else {
        eprintln!(
            "\n\n*** SKIPPED: ../shared/corpora/netpol/np-guard absent; NetworkPolicy conformance not run ***\n"
        );
        return;
    };
    let mut cases: Vec<String> = std::fs::read_dir(root.join("tests"))
        .expect("tests dir")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    cases.sort();
    let (mut passed, mut failed, mut out_of_scope) = (Vec::new(), Vec::new(), Vec::new());
    for case in cases {
        let expected_file = root
            .join("test_outputs/connlist")
            .join(format!("{case}_connlist_output.txt"));
        let Ok(expected_text) = std::fs::read_to_string(&expected_file) else {
            continue;
        };
        let mut paths = Vec::new();
        files(&root.join("tests").join(&case), &mut paths);
        let mut objects = Vec::new();
        let mut kinds = BTreeSet::new();
        for p in &paths {
            let Ok(text) = std::fs::read_to_string(p) else {
                continue;
            };
            let l = load_text(&p.display().to_string(), &text);
            for o in &l.objects {
                kinds.insert(o.kind.clone());
            }
            objects.extend(l.objects);
        }
        if let Some(k) = kinds
            .iter()
            .find(|k| OUT_OF_SCOPE_KINDS.contains(&k.as_str()))
        {
            out_of_scope.push(format!("{case} ({k})"));
            continue;
        }
        let model = Model::build(objects.iter());
        let engine = Engine::new(&model, Options::default());
        let conns = engine.connlist(&[]);
        let mut got = BTreeSet::new();
        for c in &conns {
            atoms(&bulkhead_netpol::output::line(c), &mut got);
        }
        let mut want = BTreeSet::new();
        for l in expected_text.lines() {
            atoms(l, &mut want);
        }
        if got == want {
            passed.push(case);
        } else {
            let missing: Vec<_> = want.difference(&got).take(3).cloned().collect();
            let extra: Vec<_> = got.difference(&want).take(3).cloned().collect();
            failed.push(format!(
                "{case}: missing {} e.g. {missing:?}; extra {} e.g. {extra:?}",
                want.difference(&got).count(),
                got.difference(&want).count()
            ));
        }
    }
    eprintln!(
        "np-guard connlist conformance: {}/{} in-scope cases pass; {} out of scope (non-core objects)",
        passed.len(),
        passed.len() + failed.len(),
        out_of_scope.len()
    );
    for f in &failed {
        eprintln!("  FAIL {f}");
    }
    for o in &out_of_scope {
        eprintln!("  out of scope: {o}");
    }
    assert!(!passed.is_empty());
    assert!(failed.is_empty(), "{} case(s) differ", failed.len());
}

/// The three truth tables (ingress, egress, combined) per probe in
/// cyclonus' `analyze --mode probe` output: rows are sources, columns
/// destinations, `.` allowed and `X` blocked.
fn cyclonus_tables(text: &str) -> Vec<Vec<Vec<bool>>> {
    let mut tables = Vec::new();
    let mut cur: Vec<Vec<bool>> = Vec::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() > 2 && cells[1].contains('/') && cells[1] == cells[1].to_lowercase() {
            cur.push(
                cells[2..cells.len() - 1]
                    .iter()
                    .map(|c| *c == ".")
                    .collect(),
            );
        } else if !cur.is_empty() && !line.starts_with('+') {
            tables.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        tables.push(cur);
    }
    tables
}

#[test]
fn cyclonus_probe_truth_tables() {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/netpol/cyclonus");
    if !root.is_dir() {
        eprintln!(
            "\n\n*** SKIPPED: ../shared/corpora/netpol/cyclonus absent; truth tables not checked ***\n"
        );
        return;
    }
    let probe: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("examples/probe.json")).expect("probe"),
    )
    .expect("probe json");
    // The probe's cluster as manifests.
    let mut yaml = String::new();
    let res = &probe["Resources"];
    for (ns, labels) in res["Namespaces"].as_object().expect("namespaces") {
        yaml.push_str(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"{ns}\"\n  labels: {labels}\n---\n"
        ));
    }
    let mut pods = Vec::new();
    for p in res["Pods"].as_array().expect("pods") {
        let (ns, name) = (
            p["Namespace"].as_str().expect("ns"),
            p["Name"].as_str().expect("name"),
        );
        pods.push(format!("{ns}/{name}"));
        let ports: Vec<String> = p["Containers"]
            .as_array()
            .expect("containers")
            .iter()
            .map(|c| {
                format!(
                    "{{name: {}, image: x, ports: [{{containerPort: {}, name: {}, protocol: {}}}]}}",
                    c["Name"].as_str().expect("name"),
                    c["Port"],
                    c["PortName"].as_str().expect("port name"),
                    c["Protocol"].as_str().expect("proto").to_uppercase()
                )
            })
            .collect();
        yaml.push_str(&format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"{name}\"\n  namespace: \"{ns}\"\n  labels: {}\nspec:\n  containers: [{}]\n---\n",
            p["Labels"],
            ports.join(", ")
        ));
    }
    let mut objects = load_text("probe.yaml", &yaml).objects;
    let mut paths = Vec::new();
    files(&root.join("networkpolicies/simple-example"), &mut paths);
    for p in &paths {
        let text = std::fs::read_to_string(p).expect("policy");
        objects.extend(load_text(&p.display().to_string(), &text).objects);
    }
    let model = Model::build(objects.iter());
    let engine = Engine::new(&model, Options::default());
    let idx: Vec<usize> = pods
        .iter()
        .map(|p| engine.find_workload(p).expect("pod in model"))
        .collect();
    let expected = cyclonus_tables(
        &std::fs::read_to_string(root.join("examples/cyclonus-output/analyze-probe.txt"))
            .expect("output"),
    );
    let probes = probe["Probes"].as_array().expect("probes");
    assert_eq!(expected.len(), probes.len() * 3, "three tables per probe");
    let (mut cells, mut wrong) = (0, Vec::new());
    for (pi, pr) in probes.iter().enumerate() {
        let proto = bulkhead_netpol::model::Proto::parse(pr["Protocol"].as_str().expect("proto"))
            .expect("proto");
        let port = u16::try_from(pr["Port"].as_u64().expect("port")).expect("port");
        for (ti, table) in ["ingress", "egress", "combined"].iter().enumerate() {
            let want = &expected[pi * 3 + ti];
            for (si, s) in idx.iter().enumerate() {
                for (di, d) in idx.iter().enumerate() {
                    let (sp, dp) = (
                        bulkhead_netpol::Peer::Workload(*s),
                        bulkhead_netpol::Peer::Workload(*d),
                    );
                    let got = match ti {
                        0 => engine.ingress(sp, dp),
                        1 => engine.egress(sp, dp),
                        _ => engine.allowed(sp, dp),
                    }
                    .allows(proto, port)
                        // A probe connects to a real server: a port no container
                        // of the destination serves is closed whatever the policies.
                        && engine.model.workloads[*d]
                            .ports
                            .iter()
                            .any(|cp| cp.proto == proto && cp.port == port);
                    cells += 1;
                    if want[si][di] != got {
                        wrong.push(format!(
                            "{} {port} {table}: {} -> {}: expected {}",
                            proto.as_str(),
                            pods[si],
                            pods[di],
                            want[si][di]
                        ));
                    }
                }
            }
        }
    }
    eprintln!(
        "cyclonus truth tables: {}/{cells} cells agree",
        cells - wrong.len()
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// `diff-type: T, source: S, destination: D, ref1: C1, ref2: C2` → key and
/// the two connection sets as atoms.
fn diff_atoms(line: &str) -> Option<(String, BTreeSet<String>, BTreeSet<String>)> {
    let rest = line.strip_prefix("diff-type: ")?;
    let (kind, rest) = rest.split_once(", source: ")?;
    let (src, rest) = rest.split_once(", destination: ")?;
    let (dst, rest) = rest.split_once(", ref1: ")?;
    let (r1, r2) = rest.split_once(", ref2: ")?;
    // netpol-analyzer appends which workload was added or removed; bulkhead
    // does not print that note.
    let r2 = r2.split(", workloads-diff-info:").next().unwrap_or(r2);
    let conv = |c: &str| {
        let mut out = BTreeSet::new();
        if c.trim() != "No Connections" {
            atoms(&format!("s => d : {}", c.trim()), &mut out);
        }
        out
    };
    Some((format!("{kind}|{src}|{dst}"), conv(r1), conv(r2)))
}

fn case_model(root: &Path, case: &str) -> Option<Model> {
    let mut paths = Vec::new();
    files(&root.join("tests").join(case), &mut paths);
    if paths.is_empty() {
        return None;
    }
    let mut objects = Vec::new();
    for p in &paths {
        let text = std::fs::read_to_string(p).ok()?;
        let l = load_text(&p.display().to_string(), &text);
        if l.objects
            .iter()
            .any(|o| OUT_OF_SCOPE_KINDS.contains(&o.kind.as_str()))
        {
            return None;
        }
        objects.extend(l.objects);
    }
    Some(Model::build(objects.iter()))
}

#[test]
fn np_guard_diff_cases() {
    let Some(root) = corpus() else {
        eprintln!(
            "\n\n*** SKIPPED: ../shared/corpora/netpol/np-guard absent; diff conformance not run ***\n"
        );
        return;
    };
    let mut names: Vec<String> = std::fs::read_dir(root.join("test_outputs/diff"))
        .expect("diff dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    let (mut passed, mut failed, mut skipped) = (0, Vec::new(), 0);
    for name in names {
        let Some((new, old)) = name
            .strip_prefix("diff_between_")
            .and_then(|n| n.strip_suffix(".txt"))
            .and_then(|n| n.split_once("_and_"))
        else {
            continue;
        };
        // ref1 is the second directory, ref2 the first.
        let (Some(m_old), Some(m_new)) = (case_model(&root, old), case_model(&root, new)) else {
            skipped += 1;
            continue;
        };
        let (mut e1, mut e2) = (
            Engine::new(&m_old, Options::default()),
            Engine::new(&m_new, Options::default()),
        );
        bulkhead_netpol::explain::share_atoms(&mut e1, &mut e2);
        let lines = bulkhead_netpol::explain::diff(&e1.connlist(&[]), &e2.connlist(&[]));
        let ours: BTreeSet<_> = bulkhead_netpol::explain::diff_text(&lines)
            .lines()
            .filter_map(diff_atoms)
            .collect();
        let text =
            std::fs::read_to_string(root.join("test_outputs/diff").join(&name)).expect("read");
        let want: BTreeSet<_> = text.lines().filter_map(diff_atoms).collect();
        if ours == want {
            passed += 1;
        } else {
            let miss: Vec<_> = want
                .difference(&ours)
                .take(2)
                .map(|x| x.0.clone())
                .collect();
            let extra: Vec<_> = ours
                .difference(&want)
                .take(2)
                .map(|x| x.0.clone())
                .collect();
            failed.push(format!("{name}: missing {miss:?} extra {extra:?}"));
        }
    }
    eprintln!(
        "np-guard diff conformance: {passed}/{} in-scope pairs agree; {skipped} pair(s) out of scope",
        passed + failed.len()
    );
    for f in &failed {
        eprintln!("  FAIL {f}");
    }
    assert!(passed > 0);
    // Known difference: netpol-analyzer merges adjacent [External] ranges
    // whose diff is the same; bulkhead reports each range of the shared
    // split (same connections, finer ranges).
    let unexplained: Vec<_> = failed
        .iter()
        .filter(|f| !f.contains("with-ipblock"))
        .collect();
    assert!(
        unexplained.is_empty(),
        "{} diff(s) differ",
        unexplained.len()
    );
}
