//! `bulkhead admission serve` as the API server meets it: a real process on
//! loopback, real TLS (certificates made with openssl), AdmissionReviews
//! over HTTPS. The PSS corpus and the Kyverno pod-security tests are judged
//! exactly as `bulkhead k8s` judges them; faults (bad policies, huge and
//! non-JSON bodies, idle connections, certificate rotation, SIGTERM with a
//! request in flight) and the image gates against a real registry.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use bulkhead_admission::offline::{KYVERNO_POLICIES, KYVERNO_RULE_FIELDS};
use bulkhead_core::testing::corpus;
use common::{Kill, bulkhead, have, start_registry, stderr, stdout, test_image};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn openssl() -> bool {
    if !have("openssl") {
        let _ = Command::new("apt-get")
            .args(["install", "-y", "-qq", "openssl"])
            .status();
    }
    let ok = have("openssl");
    if !ok {
        assert!(
            std::env::var_os("BULKHEAD_REQUIRE_IMAGES").is_none(),
            "openssl missing"
        );
        eprintln!("\n\n*** SKIPPED: openssl not available to make test certificates ***\n");
    }
    ok
}

/// A P-256 CA and a leaf certificate for localhost/127.0.0.1 it signed, as
/// cert-manager makes them: (leaf, key, CA).
fn make_cert(dir: &Path, name: &str, cn: &str) -> (PathBuf, PathBuf, PathBuf) {
    let p = |ext: &str| dir.join(format!("{name}.{ext}"));
    let sh = |script: String| {
        let ok = Command::new("sh")
            .arg("-c")
            .arg(&script)
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(ok.success(), "{script}");
    };
    sh(format!(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout {cakey} -out {ca} -days 2 -subj /CN={cn}-ca \
         && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout {key} -out {csr} -subj /CN={cn} \
         && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > {ext} \
         && openssl x509 -req -in {csr} -CA {ca} -CAkey {cakey} -CAcreateserial -days 2 -extfile {ext} -out {crt}",
        cakey = p("ca.key").display(),
        ca = p("ca.crt").display(),
        key = p("key").display(),
        csr = p("csr").display(),
        ext = p("ext").display(),
        crt = p("crt").display(),
    ));
    (p("crt"), p("key"), p("ca.crt"))
}

struct Server {
    proc: Kill,
    addr: String,
    log: Arc<Mutex<String>>,
}

impl Server {
    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    fn wait_log(&self, needle: &str, secs: u64) -> bool {
        let end = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < end {
            if self.log().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

fn start(cert: &Path, key: &Path, config: Option<&Path>, extra: &[&str]) -> Server {
    let mut c = bulkhead(&["admission", "serve", "--listen", "127.0.0.1:0"]);
    c.arg("--cert").arg(cert).arg("--key").arg(key);
    if let Some(p) = config {
        c.arg("--config").arg(p);
    }
    c.args(extra);
    let mut child = c
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let err = child.stderr.take().unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let l2 = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            if line.contains("\"msg\":\"listening\"") {
                let v: Value = serde_json::from_str(&line).unwrap();
                let _ = tx.send(v["addr"].as_str().unwrap().to_string());
            }
            let mut l = l2.lock().unwrap();
            l.push_str(&line);
            l.push('\n');
        }
    });
    let addr = match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(a) => a,
        Err(_) => panic!("server did not start: {}", log.lock().unwrap()),
    };
    Server {
        proc: Kill(child),
        addr,
        log,
    }
}

fn tls_config(cert: &Path) -> Arc<rustls::ClientConfig> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(cert).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth(),
    )
}

fn agent(cert: &Path) -> ureq::Agent {
    ureq::AgentBuilder::new()
        .tls_config(tls_config(cert))
        .timeout(Duration::from_secs(20))
        .build()
}

fn post(a: &ureq::Agent, addr: &str, path: &str, body: &str) -> (u16, Value) {
    let r = a
        .post(&format!("https://{addr}{path}"))
        .set("Content-Type", "application/json")
        .send_string(body);
    let resp = match r {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("POST {path}: {e}"),
    };
    let code = resp.status();
    let text = resp.into_string().unwrap();
    (
        code,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn get(a: &ureq::Agent, addr: &str, path: &str) -> (u16, String) {
    match a.get(&format!("https://{addr}{path}")).call() {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(c, r)) => (c, r.into_string().unwrap()),
        Err(e) => panic!("GET {path}: {e}"),
    }
}

/// One request written as raw bytes over TLS (write errors after the server
/// answered early are expected); the answer as text.
fn raw(ca: &Path, addr: &str, request: &[u8]) -> String {
    let tcp = std::net::TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let conn = rustls::ClientConnection::new(tls_config(ca), name).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let _ = tls.write_all(request).and_then(|()| tls.flush());
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).to_string()
}

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("metric {name} missing"))
}

/// An AdmissionReview for `obj` (CREATE), in `ns`.
fn review(uid: &str, ns: &str, obj: &Value) -> Value {
    let kind = obj["kind"].as_str().unwrap_or("");
    let api = obj["apiVersion"].as_str().unwrap_or("v1");
    let (group, version) = api.rsplit_once('/').unwrap_or(("", api));
    let resource = format!("{}s", kind.to_lowercase());
    let mut r = json!({
        "uid": uid,
        "kind": {"group": group, "version": version, "kind": kind},
        "resource": {"group": group, "version": version, "resource": resource},
        "name": obj["metadata"]["name"],
        "operation": "CREATE",
        "userInfo": {"username": "alice", "groups": ["system:authenticated"]},
        "object": obj,
        "dryRun": false,
    });
    if !ns.is_empty() {
        r["namespace"] = json!(ns);
    }
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": r})
}

fn namespace(name: &str, labels: &[(&str, &str)]) -> Value {
    let l: BTreeMap<&str, &str> = labels.iter().copied().collect();
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": l}})
}

fn yaml_docs(text: &str) -> Vec<Value> {
    bulkhead_core::yaml::parse(text, bulkhead_core::yaml::Limits::default())
        .unwrap()
        .into_iter()
        .map(|d| d.root.to_json())
        .filter(|v| v.is_object())
        .collect()
}

fn pod(name: &str, image: &str, privileged: bool) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
        "spec": {"containers": [{"name": "app", "image": image,
            "securityContext": {"privileged": privileged}}]}})
}

fn allowed(v: &Value) -> bool {
    v["response"]["allowed"].as_bool().unwrap()
}

/// A server whose policy is PSS only, the level from each namespace's
/// labels: (its directory, the server, a client that trusts it).
fn pss_auto_server(extra: &[&str]) -> (tempfile::TempDir, Server, ureq::Agent) {
    let tmp = tempfile::tempdir().unwrap();
    let (crt, key, ca) = make_cert(tmp.path(), "tls", "localhost");
    let cfg = tmp.path().join("policy.yaml");
    std::fs::write(&cfg, "select: [pss]\nadmission:\n  pss: auto\n").unwrap();
    let mut args = vec!["--quiet"];
    args.extend_from_slice(extra);
    let s = start(&crt, &key, Some(&cfg), &args);
    (tmp, s, agent(&ca))
}

#[test]
fn pss_corpus_over_https_is_judged_as_k8s_judges_it() {
    let Some(root) = corpus(
        "pss_corpus_over_https",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/pss",
    ) else {
        return;
    };
    if !openssl() {
        return;
    }
    let (_tmp, s, a) = pss_auto_server(&[]);
    let (mut total, mut denied, mut mismatches) = (0, 0, Vec::new());
    for level in ["baseline", "restricted"] {
        let mut versions: Vec<String> = std::fs::read_dir(root.join(level))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        versions.sort();
        for version in versions {
            let vdir = root.join(level).join(&version);
            // bulkhead k8s's verdict per file, at this level and version.
            let o = bulkhead(&["k8s", "--no-config", "--select", "pss", "--pss", level])
                .args(["--pss-version", &version, "-f", "json", "--fail-on", "none"])
                .arg(&vdir)
                .output()
                .unwrap();
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
            let failing: BTreeSet<String> = v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["location"]["file"].as_str().unwrap().to_string())
                .collect();
            // The namespace carries the level and version as labels.
            let ns = format!("{level}-{}", version.replace('.', "-"));
            let nsr = review(
                &format!("ns-{ns}"),
                "",
                &namespace(
                    &ns,
                    &[
                        ("pod-security.kubernetes.io/enforce", level),
                        ("pod-security.kubernetes.io/enforce-version", &version),
                    ],
                ),
            );
            let (code, _) = post(&a, &s.addr, "/validate", &nsr.to_string());
            assert_eq!(code, 200);
            for expect in ["pass", "fail"] {
                let Ok(entries) = std::fs::read_dir(vdir.join(expect)) else {
                    continue;
                };
                for f in entries.flatten() {
                    let path = f.path();
                    let obj = yaml_docs(&std::fs::read_to_string(&path).unwrap()).remove(0);
                    let uid = format!(
                        "{level}/{version}/{expect}/{}",
                        f.file_name().to_string_lossy()
                    );
                    let (code, resp) = post(
                        &a,
                        &s.addr,
                        "/validate",
                        &review(&uid, &ns, &obj).to_string(),
                    );
                    assert_eq!(code, 200, "{uid}: {resp}");
                    assert_eq!(resp["response"]["uid"], json!(uid));
                    total += 1;
                    let k8s_fails = failing.contains(&path.display().to_string());
                    if !allowed(&resp) {
                        denied += 1;
                    }
                    if allowed(&resp) == k8s_fails {
                        mismatches.push(format!(
                            "{uid}: k8s fails={k8s_fails}, admission allowed={}",
                            allowed(&resp)
                        ));
                    }
                }
            }
        }
    }
    println!(
        "PSS corpus over HTTPS: {}/{total} judged as bulkhead k8s judges them ({denied} denied)",
        total - mismatches.len()
    );
    assert!(total > 4000, "only {total} fixtures");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(s.log().is_empty() || !s.log().contains("\"level\":\"error\""));
}

/// The fields each denied rule named in a denial message.
fn denied_fields(resp: &Value) -> Vec<(String, String)> {
    let msg = resp["response"]["status"]["message"].as_str().unwrap_or("");
    let mut out = Vec::new();
    for part in msg.split(": ").flat_map(|p| p.split("; ")) {
        if let Some((id, rest)) = part.split_once(" (")
            && id.len() == 6
            && id.starts_with("PSS")
        {
            out.push((id.to_string(), rest.trim_end_matches(')').to_string()));
        }
    }
    out
}

#[test]
fn kyverno_pod_security_tests_over_https() {
    let Some(root) = corpus(
        "kyverno_pod_security_tests_over_https",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/admission/kyverno/pod-security",
    ) else {
        return;
    };
    if !openssl() {
        return;
    }
    let nsdir = tempfile::tempdir().unwrap();
    let nsfile = nsdir.path().join("ns.yaml");
    std::fs::write(
        &nsfile,
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: kyv-baseline\n    labels:\n      pod-security.kubernetes.io/enforce: baseline\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: kyv-restricted\n    labels:\n      pod-security.kubernetes.io/enforce: restricted\n",
    )
    .unwrap();
    let (_tmp, s, a) = pss_auto_server(&["--namespaces", nsfile.to_str().unwrap()]);
    let (mut checked, mut problems) = (0, Vec::new());
    for (name, level, rule_id) in KYVERNO_POLICIES {
        let dir = &format!("{level}/{name}");
        let tdir = root.join(dir).join(".kyverno-test");
        let test =
            yaml_docs(&std::fs::read_to_string(tdir.join("kyverno-test.yaml")).unwrap()).remove(0);
        let mut objects = Vec::new();
        for r in test["resources"].as_array().unwrap() {
            let text = std::fs::read_to_string(tdir.join(r.as_str().unwrap())).unwrap();
            objects.extend(yaml_docs(&text));
        }
        let ns = if dir.starts_with("baseline") {
            "kyv-baseline"
        } else {
            "kyv-restricted"
        };
        for res in test["results"].as_array().unwrap() {
            let kind = res["kind"].as_str().unwrap_or("");
            let expect_fail = match res["result"].as_str() {
                Some("fail") => true,
                Some("pass") => false,
                _ => continue,
            };
            let field = KYVERNO_RULE_FIELDS
                .iter()
                .find(|(r, _)| res["rule"].as_str() == Some(r))
                .map(|(_, f)| *f);
            for name in res["resources"].as_array().unwrap() {
                let name = name.as_str().unwrap();
                let Some(obj) = objects
                    .iter()
                    .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
                else {
                    problems.push(format!("{dir}: {kind}/{name} not in the resources"));
                    continue;
                };
                let uid = format!("{dir}/{kind}/{name}");
                let (code, resp) =
                    post(&a, &s.addr, "/validate", &review(&uid, ns, obj).to_string());
                assert_eq!(code, 200);
                checked += 1;
                let failed = denied_fields(&resp)
                    .iter()
                    .any(|(id, f)| id == rule_id && field.is_none_or(|x| f.ends_with(x)));
                if failed != expect_fail {
                    problems.push(format!(
                        "{uid}: Kyverno expects {}, bulkhead admission {} {rule_id}",
                        if expect_fail { "fail" } else { "pass" },
                        if failed {
                            "denies with"
                        } else {
                            "does not deny with"
                        }
                    ));
                }
            }
        }
    }
    println!(
        "Kyverno pod-security tests over HTTPS: {}/{checked} agree",
        checked - problems.len()
    );
    assert!(checked > 500, "only {checked}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_broken_policy_at_start_is_refused_in_one_line() {
    if !openssl() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (crt, key, _) = make_cert(tmp.path(), "tls", "localhost");
    for (text, needle) in [
        (
            "admission:\n  mode: enforce\n  deny-on: [high\n",
            "invalid YAML",
        ),
        (
            "admission:\n  mode: block\n",
            "unknown admission mode 'block'",
        ),
        ("admission:\n  deny: [NOPE999]\n", "matches no rule"),
        ("admission:\n  modes: warn\n", "unknown field"),
        ("admission:\n  timeout-ms: 60000\n", "timeout-ms"),
    ] {
        let cfg = tmp.path().join("bad.yaml");
        std::fs::write(&cfg, text).unwrap();
        let o = bulkhead(&["admission", "serve", "--listen", "127.0.0.1:0"])
            .arg("--cert")
            .arg(&crt)
            .arg("--key")
            .arg(&key)
            .arg("--config")
            .arg(&cfg)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{text}: {e}");
        assert_eq!(e.trim().lines().count(), 1, "{e}");
        assert!(e.contains(needle) && e.contains("bad.yaml"), "{e}");
    }
    // A key that is not the certificate's, and a missing file.
    let (_, other_key, _) = make_cert(tmp.path(), "other", "other");
    let o = bulkhead(&["admission", "serve", "--listen", "127.0.0.1:0"])
        .arg("--cert")
        .arg(&crt)
        .arg("--key")
        .arg(&other_key)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("does not belong to the certificate"),
        "{}",
        stderr(&o)
    );
    let o = bulkhead(&[
        "admission",
        "serve",
        "--cert",
        "/nonexistent.crt",
        "--key",
        "/nonexistent.key",
    ])
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent.crt"), "{}", stderr(&o));
}

#[test]
fn faults_reloads_and_shutdown() {
    if !openssl() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (crt, key, ca) = make_cert(tmp.path(), "tls", "first");
    let cfg = tmp.path().join("policy.yaml");
    std::fs::write(&cfg, "admission:\n  deny-on: high\n").unwrap();
    let mut s = start(&crt, &key, Some(&cfg), &[]);
    let a = agent(&ca);
    let bad = review("u-bad", "shop", &pod("web", "shop/web:1.0", true)).to_string();

    assert_eq!(get(&a, &s.addr, "/healthz"), (200, "ok\n".into()));
    assert_eq!(get(&a, &s.addr, "/readyz").0, 200);
    let (code, r) = post(&a, &s.addr, "/validate", &bad);
    assert_eq!(code, 200);
    assert!(!allowed(&r), "{r}");
    let msg = r["response"]["status"]["message"].as_str().unwrap();
    assert!(
        msg.contains("PSS002 (spec.containers[0].securityContext.privileged)"),
        "{msg}"
    );
    // Below deny-on: warnings, in the audit annotations too.
    assert!(
        r["response"]["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().starts_with("K8S"))
    );
    assert!(
        r["response"]["auditAnnotations"]["bulkhead.dev/violations"]
            .as_str()
            .unwrap()
            .contains("PSS002")
    );
    assert!(s.wait_log("\"uid\":\"u-bad\"", 5), "{}", s.log());

    // /mutate: the --fix patch, base64 JSON Patch, always allowed.
    let (_, m) = post(&a, &s.addr, "/mutate", &bad);
    assert!(allowed(&m));
    assert_eq!(m["response"]["patchType"], "JSONPatch");
    use base64::Engine as _;
    let patch: Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(m["response"]["patch"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert!(patch.as_array().unwrap().contains(&json!(
        {"op": "replace", "path": "/spec/containers/0/securityContext/privileged", "value": false}
    )), "{patch}");

    // Bodies: not JSON, not a review, 10 MB, wrong method, unknown path.
    let (code, e) = post(&a, &s.addr, "/validate", "this is not json");
    assert_eq!(code, 400);
    assert!(e["error"].as_str().unwrap().contains("not JSON"));
    let (code, _) = post(&a, &s.addr, "/validate", r#"{"kind":"Pod"}"#);
    assert_eq!(code, 400);
    // 10 MB announced: refused before it is read.
    let answer = raw(&ca, &s.addr, format!(
        "POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{{",
        10 * 1024 * 1024
    ).as_bytes());
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // Chunked, with no length: cut off at the limit (the client may see the
    // 413 or, still writing, a reset; the server counts it and goes on).
    let mut chunked = String::from(
        "POST /validate HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    let chunk = "a".repeat(64 * 1024);
    for _ in 0..60 {
        chunked.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
    }
    let answer = raw(&ca, &s.addr, chunked.as_bytes());
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 413"),
        "{}",
        &answer[..answer.len().min(300)]
    );
    let (_, metrics) = get(&a, &s.addr, "/metrics");
    assert_eq!(metric(&metrics, "bulkhead_admission_too_large_total"), 2.0);
    assert_eq!(get(&a, &s.addr, "/validate").0, 405);
    assert_eq!(get(&a, &s.addr, "/nope").0, 404);

    // Slow clients: 64 idle TCP connections, and one that stops mid-handshake,
    // do not stop reviews.
    let idle: Vec<std::net::TcpStream> = (0..64)
        .map(|_| std::net::TcpStream::connect(&s.addr).unwrap())
        .collect();
    let t = Instant::now();
    let (code, _) = post(&a, &s.addr, "/validate", &bad);
    assert_eq!(code, 200);
    assert!(t.elapsed() < Duration::from_secs(5));
    drop(idle);

    // A bad policy pushed while running: the last good one stays.
    std::fs::write(&cfg, "admission:\n  mode: [\n").unwrap();
    assert!(s.wait_log("policy change refused", 10), "{}", s.log());
    let (_, r) = post(&a, &s.addr, "/validate", &bad);
    assert!(!allowed(&r));
    let (_, metrics) = get(&a, &s.addr, "/metrics");
    assert_eq!(
        metric(&metrics, "bulkhead_admission_policy_reload_failures_total"),
        1.0
    );
    // A good one is taken: warn mode allows with warnings.
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(&cfg, "admission:\n  mode: warn\n").unwrap();
    assert!(s.wait_log("policy reloaded", 10), "{}", s.log());
    let (_, r) = post(&a, &s.addr, "/validate", &bad);
    assert!(allowed(&r), "{r}");
    assert!(
        r["response"]["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().starts_with("PSS002"))
    );

    // Certificate rotation: a new pair moved into place is served; a broken
    // one is refused and the last good one stays.
    let rot = tempfile::tempdir().unwrap();
    let (crt2, key2, ca2) = make_cert(rot.path(), "tls", "second");
    std::fs::copy(&key2, &key).unwrap();
    std::fs::copy(&crt2, &crt).unwrap();
    assert!(s.wait_log("certificate reloaded", 10), "{}", s.log());
    let a2 = agent(&ca2);
    assert_eq!(get(&a2, &s.addr, "/healthz").0, 200);
    std::fs::write(&crt, "-----BEGIN CERTIFICATE-----\nnot base64\n").unwrap();
    assert!(s.wait_log("certificate change refused", 10), "{}", s.log());
    assert_eq!(get(&agent(&ca2), &s.addr, "/healthz").0, 200);
    let (_, metrics) = get(&a2, &s.addr, "/metrics");
    assert_eq!(
        metric(&metrics, "bulkhead_admission_cert_reloads_total"),
        1.0
    );
    assert!(metric(&metrics, "bulkhead_admission_cert_reload_failures_total") >= 1.0);
    assert!(metric(&metrics, "bulkhead_admission_too_large_total") >= 1.0);
    assert!(metrics.contains(
        "bulkhead_admission_request_duration_seconds_bucket{endpoint=\"validate\",le=\"+Inf\"}"
    ));

    // SIGTERM with a request in flight: its body is half sent when the
    // signal arrives; it is still answered, then the server exits 0.
    let tcp = std::net::TcpStream::connect(&s.addr).unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let conn = rustls::ClientConnection::new(tls_config(&ca2), name).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let body = review("u-inflight", "shop", &pod("web", "shop/web:1.0", false)).to_string();
    let (head, tail) = body.split_at(body.len() / 2);
    write!(
        tls,
        "POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{head}",
        body.len()
    )
    .unwrap();
    tls.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let pid = s.proc.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    assert!(s.wait_log("shutting down", 10), "{}", s.log());
    tls.write_all(tail.as_bytes()).unwrap();
    tls.flush().unwrap();
    let mut answer = String::new();
    let _ = tls.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"uid\":\"u-inflight\""), "{answer}");
    let t = Instant::now();
    let status = loop {
        if let Some(st) = s.proc.0.try_wait().unwrap() {
            break st;
        }
        assert!(t.elapsed() < Duration::from_secs(20), "server did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0), "{}", s.log());
    assert!(s.wait_log("drained; stopped", 5), "{}", s.log());
    assert!(std::net::TcpStream::connect(&s.addr).is_err());
}

#[test]
fn http2_and_offline_review_agree() {
    if !openssl() || !have("curl") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (crt, key, ca) = make_cert(tmp.path(), "tls", "localhost");
    let s = start(&crt, &key, None, &[]);
    let body = review("u-h2", "shop", &pod("web", "shop/web:1.0", true)).to_string();
    let file = tmp.path().join("review.json");
    std::fs::write(&file, &body).unwrap();
    let o = Command::new("curl")
        .args(["-s", "--http2", "-w", "\n%{http_version}", "--cacert"])
        .arg(&ca)
        .args(["--data-binary", &format!("@{}", file.display())])
        .arg(format!("https://{}/validate", s.addr))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let (json_text, version) = out.rsplit_once('\n').unwrap();
    assert_eq!(version, "2", "{out}");
    let online: Value = serde_json::from_str(json_text).unwrap();
    // `admission review` answers the same offline (exit 1: denied).
    let o = bulkhead(&["admission", "review"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let offline: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(online["response"]["status"], offline["response"]["status"]);
    assert_eq!(online["response"]["allowed"], json!(false));
}

#[test]
fn manifests_pass_restricted_and_write_a_kustomize_base() {
    let image = format!("bulkhead@sha256:{}", "ab".repeat(32));
    let o = bulkhead(&["admission", "manifests", "--image", &image])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    for kind in [
        "Deployment",
        "PodDisruptionBudget",
        "Service",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
        "Certificate",
    ] {
        assert!(
            text.contains(&format!("kind: {kind}\n")),
            "{kind} missing:\n{text}"
        );
    }
    let docs = yaml_docs(&text);
    let deploy = docs.iter().find(|d| d["kind"] == "Deployment").unwrap();
    assert!(deploy["spec"]["replicas"].as_u64().unwrap() >= 2);
    let vwc = docs
        .iter()
        .find(|d| d["kind"] == "ValidatingWebhookConfiguration")
        .unwrap();
    let hook = &vwc["webhooks"][0];
    assert_eq!(hook["sideEffects"], "None");
    assert_eq!(hook["failurePolicy"], "Fail");
    let exempt = &hook["namespaceSelector"]["matchExpressions"][0]["values"];
    assert!(exempt.as_array().unwrap().contains(&json!("kube-system")));
    assert!(
        exempt
            .as_array()
            .unwrap()
            .contains(&json!("bulkhead-system"))
    );
    // The server's own objects pass restricted PSS and every hardening rule.
    let o = common::run_stdin(&["k8s", "--no-config", "--pss", "restricted", "-"], &text);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    // The policy it ships is one the server accepts.
    let cm = docs.iter().find(|d| d["kind"] == "ConfigMap").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let policy = tmp.path().join("bulkhead.yaml");
    std::fs::write(&policy, cm["data"]["bulkhead.yaml"].as_str().unwrap()).unwrap();
    let rev = tmp.path().join("r.json");
    std::fs::write(
        &rev,
        review("u", "shop", &pod("web", "shop/web:1.0", true)).to_string(),
    )
    .unwrap();
    let o = bulkhead(&["admission", "review", "--config"])
        .arg(&policy)
        .arg(&rev)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // --dir writes the base once; again without --force is refused.
    let dir = tmp.path().join("base");
    let o = bulkhead(&["admission", "manifests", "--image", &image, "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let k = std::fs::read_to_string(dir.join("kustomization.yaml")).unwrap();
    for f in [
        "deployment.yaml",
        "webhooks.yaml",
        "certificate.yaml",
        "pdb.yaml",
    ] {
        assert!(k.contains(f) && dir.join(f).is_file(), "{f}");
    }
    let o = bulkhead(&["admission", "manifests", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("exists"), "{}", stderr(&o));
}

#[test]
fn image_gates_against_a_real_registry() {
    let Some(img) = test_image() else { return };
    if !openssl() {
        return;
    }
    let Some(reg) = start_registry() else { return };
    let host = reg.host.clone();
    let tmp = tempfile::tempdir().unwrap();
    let layout = img.join("layout");
    let oci = |tag: &str| format!("oci:{}:{tag}", layout.display());
    common::skopeo_copy(&oci("planted"), &format!("docker://{host}/shop/signed:v1"));
    common::skopeo_copy(&oci("base"), &format!("docker://{host}/shop/unsigned:v1"));
    let bh = |args: &[&str]| {
        bulkhead(args)
            .env("BULKHEAD_PASSWORD", "pw")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let prefix = tmp.path().join("cosign");
    let o = bh(&[
        "sign",
        "keygen",
        "--output-key-prefix",
        prefix.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let key = format!("{}.key", prefix.display());
    let public = format!("{}.pub", prefix.display());
    let o = bh(&[
        "sign",
        "--insecure",
        "--key",
        &key,
        &format!("{host}/shop/signed:v1"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let digest = |name: &str| {
        let s = bulkhead_sign::store::RegistryStore::new(&host, name, true);
        bulkhead_sign::sign::resolve(&s, "v1").unwrap().digest
    };
    let signed = format!("{host}/shop/signed@{}", digest("shop/signed"));
    let unsigned = format!("{host}/shop/unsigned@{}", digest("shop/unsigned"));

    let (crt, tkey, ca) = make_cert(tmp.path(), "tls", "localhost");
    let cfg = tmp.path().join("policy.yaml");
    std::fs::write(
        &cfg,
        format!(
            "select: [ADM, SIGN]\nadmission:\n  timeout-ms: 1500\n  images:\n    registries: [\"{host}\"]\n    require-digest: true\n    insecure-registries: true\n    keys: [\"{public}\"]\n"
        ),
    )
    .unwrap();
    let s = start(&crt, &tkey, Some(&cfg), &[]);
    let a = agent(&ca);
    let ask = |uid: &str, image: &str| {
        let (code, r) = post(
            &a,
            &s.addr,
            "/validate",
            &review(uid, "shop", &pod("web", image, false)).to_string(),
        );
        assert_eq!(code, 200);
        r
    };
    let ids = |r: &Value| {
        r["response"]["auditAnnotations"]["bulkhead.dev/violations"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    let r = ask("signed", &signed);
    assert!(allowed(&r), "{r}");
    let r = ask("signed-again", &signed);
    assert!(allowed(&r), "{r}");
    let r = ask("unsigned", &unsigned);
    assert!(!allowed(&r));
    assert_eq!(ids(&r), "SIGN001", "{r}");
    let r = ask("by-tag", &format!("{host}/shop/signed:v1"));
    assert!(ids(&r).contains("ADM002"), "{r}");
    let r = ask(
        "elsewhere",
        "other.example/shop/web@sha256:0000000000000000000000000000000000000000000000000000000000000000",
    );
    assert!(ids(&r).contains("ADM001"), "{r}");
    let (_, metrics) = get(&a, &s.addr, "/metrics");
    assert!(
        metric(&metrics, "bulkhead_admission_image_cache_hits_total") >= 1.0,
        "{metrics}"
    );

    // A registry that accepts connections and never answers: the review is
    // answered at the deadline by the failure policy (fail: denied).
    let hang = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hang_host = hang.local_addr().unwrap().to_string();
    let cfg2 = format!(
        "select: [ADM, SIGN]\nadmission:\n  timeout-ms: 800\n  images:\n    insecure-registries: true\n    keys: [\"{public}\"]\n"
    );
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(&cfg, cfg2).unwrap();
    assert!(s.wait_log("policy reloaded", 10), "{}", s.log());
    let t = Instant::now();
    let r = ask(
        "hang",
        &format!("{hang_host}/shop/web@sha256:{}", "1".repeat(64)),
    );
    let took = t.elapsed();
    assert!(!allowed(&r), "{r}");
    assert!(
        r["response"]["status"]["message"]
            .as_str()
            .unwrap()
            .contains("deadline"),
        "{r}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    drop(hang);

    // The vulnerability gate: the image is scanned once (by digest) and its
    // packages matched against a database built from the Debian advisories.
    let Some(adv) = corpus(
        "admission_vulnerability_gate",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/advisories/debian-12",
    ) else {
        return;
    };
    let db = tmp.path().join("vuln.db");
    let o = bulkhead(&["db", "import", "--db"])
        .arg(&db)
        .arg(&adv)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for (severity, expect_denied) in [("medium", true), ("high", false)] {
        std::thread::sleep(Duration::from_millis(1100));
        let reloads = s.log().matches("policy reloaded").count();
        std::fs::write(
            &cfg,
            format!(
                "select: [ADM, VULN]\nadmission:\n  timeout-ms: 20000\n  images:\n    insecure-registries: true\n    vulnerabilities:\n      db: \"{}\"\n      severity: {severity}\n",
                db.display()
            ),
        )
        .unwrap();
        let end = Instant::now() + Duration::from_secs(10);
        while s.log().matches("policy reloaded").count() == reloads {
            assert!(Instant::now() < end, "{}", s.log());
            std::thread::sleep(Duration::from_millis(50));
        }
        let t = Instant::now();
        let r = ask(&format!("vuln-{severity}"), &unsigned);
        let first = t.elapsed();
        let t = Instant::now();
        let again = ask(&format!("vuln-{severity}-again"), &unsigned);
        let cached = t.elapsed();
        println!(
            "vulnerability gate at {severity}: first review {first:?} (pull + scan), again {cached:?} (cached)"
        );
        assert_eq!(!allowed(&r), expect_denied, "{r}");
        assert_eq!(r["response"], again["response"].clone().tap_uid(&r));
        if expect_denied {
            assert!(ids(&r).starts_with("VULN001"), "{r}");
            assert!(
                r["response"]["status"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("VULN001 (spec.containers[0].image)"),
                "{r}"
            );
        }
    }
}

trait TapUid {
    fn tap_uid(self, like: &Value) -> Value;
}

impl TapUid for Value {
    /// The same response with `like`'s uid, to compare two answers.
    fn tap_uid(mut self, like: &Value) -> Value {
        self["uid"] = like["response"]["uid"].clone();
        self
    }
}

#[test]
fn admission_test_runs_kyverno_tests_offline() {
    // A test of our own: one case right, one expected wrongly.
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().join(".kyverno-test");
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(
        t.join("kyverno-test.yaml"),
        "apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\nmetadata:\n  name: t\npolicies:\n- ../disallow-privileged-containers.yaml\nresources:\n- resource.yaml\nresults:\n- policy: disallow-privileged-containers\n  rule: privileged-containers\n  kind: Pod\n  resources: [bad]\n  result: fail\n- policy: disallow-privileged-containers\n  rule: privileged-containers\n  kind: Pod\n  resources: [good]\n  result: fail\n",
    )
    .unwrap();
    std::fs::write(
        t.join("resource.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n    securityContext:\n      privileged: true\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: good\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n",
    )
    .unwrap();
    std::fs::write(tmp.path().join("disallow-privileged-containers.yaml"), "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: disallow-privileged-containers\n").unwrap();
    let o = bulkhead(&["admission", "test", "-f", "json"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["summary"]["cases"], 2);
    assert_eq!(v["summary"]["failed"], 1);
    let wrong = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["passed"] == false)
        .unwrap();
    assert_eq!(wrong["case"], "Pod/good (privileged-containers)");
    assert_eq!(
        (wrong["expected"].as_str(), wrong["actual"].as_str()),
        (Some("fail"), Some("pass"))
    );
    // Not a test file; no test at all.
    let junk = tmp.path().join("suite.yaml");
    std::fs::write(&junk, "kind: Pod\n").unwrap();
    let o = bulkhead(&["admission", "test"])
        .arg(&junk)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a Kyverno test or a Gatekeeper suite"),
        "{}",
        stderr(&o)
    );
    let empty = tempfile::tempdir().unwrap();
    let o = bulkhead(&["admission", "test"])
        .arg(empty.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));

    // The Kyverno pod-security corpus: every mapped case agrees; what is not
    // mapped is the port-range policy alone.
    let Some(root) = corpus(
        "admission_test_kyverno_corpus",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/admission/kyverno/pod-security",
    ) else {
        return;
    };
    let o = bulkhead(&["admission", "test", "-f", "json"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let s = &v["summary"];
    println!(
        "admission test, Kyverno pod-security: {} of {} cases pass, {} unsupported",
        s["passed"], s["cases"], s["unsupported"]
    );
    assert_eq!(s["failed"], 0);
    assert!(s["passed"].as_u64().unwrap() >= 885, "{s}");
    for c in v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["actual"] == "unsupported")
    {
        assert_eq!(c["policy"], "disallow-host-ports-range", "{c}");
    }
}

/// `admission review` on each kind the server judges, and the requests it
/// lets through unjudged.
#[test]
fn every_kind_and_the_requests_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("policy.yaml");
    std::fs::write(&cfg, "admission:\n  exemptions:\n    usernames: [system:serviceaccount:ci:deployer]\n    runtime-classes: [kata]\n").unwrap();
    let judge = |name: &str, review: Value| -> Value {
        let f = tmp.path().join(format!("{name}.json"));
        std::fs::write(&f, review.to_string()).unwrap();
        let o = bulkhead(&["admission", "review", "--config"])
            .arg(&cfg)
            .arg(&f)
            .output()
            .unwrap();
        assert!(
            o.status.code().is_some_and(|c| c < 2),
            "{name}: {}",
            stderr(&o)
        );
        serde_json::from_str(&stdout(&o)).unwrap()
    };
    let ids = |r: &Value| {
        r["response"]["auditAnnotations"]["bulkhead.dev/violations"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    let crb = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": "everyone-admin"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"kind": "Group", "name": "developers", "apiGroup": "rbac.authorization.k8s.io"}]});
    let r = judge("crb", review("crb", "", &crb));
    assert!(!allowed(&r) && ids(&r).contains("RBAC015"), "{r}");
    let np = json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "db"},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress"],
                 "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 22}]}]}});
    let r = judge("np", review("np", "shop", &np));
    assert_eq!(ids(&r), "NP006", "{r}");
    let deploy = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}},
            "spec": {"hostNetwork": true, "containers": [{"name": "c", "image": "shop/web:1"}]}}}});
    let r = judge("deploy", review("deploy", "shop", &deploy));
    assert!(ids(&r).contains("PSS001"), "{r}");
    assert!(
        r["response"]["status"]["message"]
            .as_str()
            .unwrap()
            .contains("PSS001 (spec.template.spec.hostNetwork)"),
        "{r}"
    );
    // An ephemeral debug container added to a running pod.
    let mut eph = review(
        "eph",
        "shop",
        &json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
        "spec": {"containers": [{"name": "c", "image": "shop/web:1"}],
                 "ephemeralContainers": [{"name": "dbg", "image": "busybox:1.36", "securityContext": {"privileged": true}}]}}),
    );
    eph["request"]["subResource"] = json!("ephemeralcontainers");
    eph["request"]["operation"] = json!("UPDATE");
    let r = judge("eph", eph);
    assert!(
        r["response"]["status"]["message"]
            .as_str()
            .unwrap()
            .contains("PSS002 (spec.ephemeralContainers[0].securityContext.privileged)"),
        "{r}"
    );
    // Left alone: exec (CONNECT), DELETE, an exempt user, an exempt runtime class.
    let mut exec = review(
        "exec",
        "shop",
        &json!({"apiVersion": "v1", "kind": "PodExecOptions", "command": ["sh"]}),
    );
    exec["request"]["subResource"] = json!("exec");
    exec["request"]["operation"] = json!("CONNECT");
    assert!(allowed(&judge("exec", exec)));
    let mut del = review("del", "shop", &pod("web", "x", true));
    del["request"]["operation"] = json!("DELETE");
    assert!(allowed(&judge("del", del)));
    let mut ci = review("ci", "shop", &pod("web", "x", true));
    ci["request"]["userInfo"]["username"] = json!("system:serviceaccount:ci:deployer");
    let r = judge("ci", ci);
    assert!(
        allowed(&r) && r["response"]["auditAnnotations"]["bulkhead.dev/exempt"] == "true",
        "{r}"
    );
    let mut kata = pod("web", "x", true);
    kata["spec"]["runtimeClassName"] = json!("kata");
    assert!(allowed(&judge("kata", review("kata", "shop", &kata))));
    // The uid is answered as sent; an unknown apiVersion is refused.
    let r = judge("uid", review("f00d-1", "shop", &pod("web", "x", false)));
    assert_eq!(r["response"]["uid"], "f00d-1");
    let f = tmp.path().join("v2.json");
    std::fs::write(
        &f,
        r#"{"apiVersion":"admission.k8s.io/v2","kind":"AdmissionReview","request":{"uid":"x"}}"#,
    )
    .unwrap();
    let o = bulkhead(&["admission", "review"]).arg(&f).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unsupported apiVersion"),
        "{}",
        stderr(&o)
    );
}

/// Gatekeeper: the library's suites through `admission test` (as `gator
/// verify` runs them), and a library template enforced by the admission
/// engine with each enforcementAction.
#[test]
fn gatekeeper_suites_and_constraints() {
    let Some(suites) = corpus(
        "gatekeeper_suites_cli",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/admission/gatekeeper",
    ) else {
        return;
    };
    let templates = suites.parent().unwrap().join("gatekeeper-templates");
    let o = bulkhead(&["admission", "test", "-f", "json", "--gatekeeper-templates"])
        .arg(&templates)
        .arg(&suites)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    println!(
        "admission test, Gatekeeper library suites: {} of {} cases pass",
        v["summary"]["passed"], v["summary"]["cases"]
    );
    assert_eq!(v["summary"]["cases"], 270);
    assert_eq!(v["summary"]["passed"], 270);
    let case = &v["cases"][0];
    for k in ["file", "policy", "case", "expected", "actual", "passed"] {
        assert!(case.get(k).is_some(), "{case}");
    }

    // allowedrepos, enforced with deny, warn and dryrun.
    let tmp = tempfile::tempdir().unwrap();
    let rev = tmp.path().join("r.json");
    std::fs::write(
        &rev,
        review("gk", "shop", &pod("web", "evil.example/miner:1", false)).to_string(),
    )
    .unwrap();
    let good = tmp.path().join("g.json");
    std::fs::write(
        &good,
        review("gk-ok", "shop", &pod("web", "shop/web:1", false)).to_string(),
    )
    .unwrap();
    for action in ["deny", "warn", "dryrun"] {
        let c = tmp.path().join(format!("{action}.yaml"));
        std::fs::write(
            &c,
            format!("apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\nmetadata:\n  name: shop-only\nspec:\n  enforcementAction: {action}\n  match:\n    kinds:\n    - apiGroups: [\"\"]\n      kinds: [\"Pod\"]\n  parameters:\n    repos: [\"shop/\"]\n"),
        )
        .unwrap();
        let cfg = tmp.path().join(format!("policy-{action}.yaml"));
        std::fs::write(
            &cfg,
            format!(
                "select: [ADM]\nadmission:\n  deny-on: critical\n  gatekeeper:\n    templates: [\"{}\"]\n    constraints: [\"{}\"]\n",
                templates.join("general/allowedrepos/template.yaml").display(),
                c.display()
            ),
        )
        .unwrap();
        let o = bulkhead(&["admission", "review", "--config"])
            .arg(&cfg)
            .arg(&rev)
            .arg(&good)
            .output()
            .unwrap();
        assert!(o.status.code().is_some_and(|c| c < 2), "{}", stderr(&o));
        let text = stdout(&o);
        let mut answers = serde_json::Deserializer::from_str(&text).into_iter::<Value>();
        let r = answers.next().unwrap().unwrap();
        let ok = answers.next().unwrap().unwrap();
        assert!(
            allowed(&ok) && ok["response"].get("warnings").is_none(),
            "{ok}"
        );
        let want = "[K8sAllowedRepos/shop-only] container <app> has an invalid image repo <evil.example/miner:1>";
        match action {
            "deny" => {
                assert!(!allowed(&r), "{r}");
                assert!(
                    r["response"]["status"]["message"]
                        .as_str()
                        .unwrap()
                        .contains(want),
                    "{r}"
                );
            }
            "warn" => {
                assert!(allowed(&r), "{r}");
                assert!(
                    r["response"]["warnings"][0]
                        .as_str()
                        .unwrap()
                        .contains(want),
                    "{r}"
                );
            }
            _ => {
                assert!(
                    allowed(&r) && r["response"].get("warnings").is_none(),
                    "{r}"
                );
                assert!(
                    r["response"]["auditAnnotations"]["bulkhead.dev/gatekeeper-dryrun"]
                        .as_str()
                        .unwrap()
                        .contains(want),
                    "{r}"
                );
            }
        }
    }
    // A template with a Rego syntax error: the policy is refused in one line.
    let broken = tmp.path().join("broken.yaml");
    std::fs::write(&broken, "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata:\n  name: broken\nspec:\n  crd:\n    spec:\n      names:\n        kind: Broken\n  targets:\n  - target: admission.k8s.gatekeeper.sh\n    rego: |\n      package broken\n      violation[{\"msg\": msg}] { msg := \n").unwrap();
    let cfg = tmp.path().join("policy-broken.yaml");
    std::fs::write(
        &cfg,
        format!(
            "admission:\n  gatekeeper:\n    templates: [\"{}\"]\n",
            broken.display()
        ),
    )
    .unwrap();
    let o = bulkhead(&["admission", "review", "--config"])
        .arg(&cfg)
        .arg(&rev)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("broken.yaml"), "{}", stderr(&o));
}
