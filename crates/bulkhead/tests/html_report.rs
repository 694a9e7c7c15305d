//! The `scan --format html` report in a real browser: Debian's Chromium,
//! headless, renders it with no console error; the DOM after the scripts
//! ran has the findings table (paged), the filters with their values, the
//! attack paths and both graphs; a screenshot is taken; a report of
//! 50,000 findings renders its first page too (its size and render time are
//! printed, never asserted). The console check is shown to catch an error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Chromium, installed with apt when missing (root); a loud skip otherwise,
/// fatal where the test image is required (root with apt: .ci/run).
fn chromium() -> Option<PathBuf> {
    static FOUND: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    FOUND
        .get_or_init(|| {
            let find = || {
                ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
                    .iter()
                    .map(PathBuf::from)
                    .find(|p| p.is_file())
            };
            if let Some(p) = find() {
                return Some(p);
            }
            apt_install("chromium");
            let found = find();
            if found.is_none() {
                assert!(
                    std::env::var_os("BULKHEAD_REQUIRE_IMAGES").is_none(),
                    "chromium could not be installed and BULKHEAD_REQUIRE_IMAGES is set"
                );
                eprintln!(
                    "\n\n*** SKIPPED: chromium is not installed and could not be installed ***\n"
                );
            }
            found
        })
        .clone()
}

/// Runs headless Chromium on `page` with `extra` flags; (stdout, stderr).
fn browse(chrome: &Path, page: &Path, extra: &[&str]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=1",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Console messages that are errors (Chromium logs page console output as
/// `CONSOLE(line)] "message"` or `Uncaught ...`).
fn console_errors(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .filter(|l| {
            let low = l.to_ascii_lowercase();
            low.contains("error") || low.contains("uncaught") || low.contains("refused")
        })
        .map(str::to_string)
        .collect()
}

fn tree() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("deploy.yaml"),
        "apiVersion: apps/v1
kind: Deployment
metadata: {name: agent, namespace: tools}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      serviceAccountName: ops
      containers:
      - name: agent
        image: example/agent:1.0
        securityContext: {privileged: true}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ops-admin, namespace: tools}
subjects:
- {kind: ServiceAccount, name: ops, namespace: tools}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: api}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  containers: [{name: web, image: example/web:1.0, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec:
  containers: [{name: api, image: example/api:1.0}]
",
    )
    .unwrap();
    std::fs::create_dir(d.path().join("agent")).unwrap();
    std::fs::write(
        d.path().join("agent/Dockerfile"),
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\n",
    )
    .unwrap();
    d
}

#[test]
fn the_report_renders_in_chromium_with_filters_paths_and_graphs() {
    let Some(chrome) = chromium() else { return };
    let t = tree();
    let page = t.path().join("report.html");
    let o = run(&[
        "scan",
        t.path().to_str().unwrap(),
        "-f",
        "html",
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let html = std::fs::read_to_string(&page).unwrap();
    // Self-contained: nothing to fetch.
    for needle in ["<link", "src=\"http", "src='http", "@import", "url(http"] {
        assert!(!html.contains(needle), "the report loads {needle}");
    }
    let (dom, log) = browse(&chrome, &page, &["--dump-dom"]);
    assert!(
        dom.contains("data-ready=\"1\""),
        "the scripts did not finish:\n{log}"
    );
    assert!(
        !dom.contains("data-js-error=\""),
        "a script error in the page"
    );
    let errors = console_errors(&log);
    assert!(errors.is_empty(), "console errors:\n{}", errors.join("\n"));
    let rows = dom.matches("<tr class=\"finding\"").count();
    let total: usize = {
        let j = run(&["scan", t.path().to_str().unwrap(), "-f", "json"]);
        json(&j)["summary"]["findings"].as_u64().unwrap() as usize
    };
    assert_eq!(rows, total.min(500), "rows in the table");
    for id in [
        "findings-table",
        "f-layer",
        "f-sev",
        "f-workload",
        "f-rule",
        "f-text",
        "attack-paths",
        "images",
    ] {
        assert!(dom.contains(&format!("id=\"{id}\"")), "no #{id} in the DOM");
    }
    // The filters are filled from the data.
    assert!(
        dom.contains("<option value=\"cross-layer\">"),
        "layer filter"
    );
    assert!(
        dom.contains("<option value=\"Deployment/tools/agent\">"),
        "workload filter"
    );
    assert!(dom.contains("<option value=\"XL005\">"), "rule filter");
    // The attack path is drawn as its steps.
    assert!(dom.contains("class=\"step\""), "attack path steps");
    // Both graphs, inline SVG.
    for id in ["netpol-graph", "rbac-graph"] {
        let at = dom.find(&format!("id=\"{id}\"")).unwrap();
        let section = &dom[at..dom[at..].find("</section>").map_or(dom.len(), |e| at + e)];
        assert!(section.contains("<svg"), "{id} has no SVG");
    }
    let shot = t.path().join("report.png");
    let _ = browse(
        &chrome,
        &page,
        &[
            "--window-size=1400,1800",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "screenshot of {} bytes",
        png.len()
    );
}

#[test]
fn the_console_check_catches_a_script_error() {
    let Some(chrome) = chromium() else { return };
    let d = tempfile::tempdir().unwrap();
    let page = d.path().join("broken.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><script>undefinedFunction();</script></body></html>",
    )
    .unwrap();
    let (_, log) = browse(&chrome, &page, &["--dump-dom"]);
    assert!(
        !console_errors(&log).is_empty(),
        "an uncaught error went unnoticed:\n{log}"
    );
}

#[test]
fn fifty_thousand_findings_render_their_first_page() {
    let Some(chrome) = chromium() else { return };
    let d = tempfile::tempdir().unwrap();
    // 5,000 pods with ~10 findings each.
    let mut yaml = String::new();
    for i in 0..5000 {
        yaml.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: ns{}}}\nspec:\n  containers: [{{name: c, image: example/app:{i}}}]\n",
            i % 50
        ));
    }
    std::fs::write(d.path().join("pods.yaml"), yaml).unwrap();
    let page = d.path().join("big.html");
    let t0 = std::time::Instant::now();
    let o = run(&[
        "scan",
        d.path().join("pods.yaml").to_str().unwrap(),
        "-f",
        "html",
        "-o",
        page.to_str().unwrap(),
    ]);
    let scan = t0.elapsed();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let size = std::fs::metadata(&page).unwrap().len();
    let j = run(&[
        "scan",
        d.path().join("pods.yaml").to_str().unwrap(),
        "-f",
        "json",
    ]);
    let total = json(&j)["summary"]["findings"].as_u64().unwrap();
    assert!(total >= 50_000, "{total} findings");
    let t1 = std::time::Instant::now();
    let (dom, log) = browse(&chrome, &page, &["--dump-dom"]);
    let browser = t1.elapsed();
    assert!(dom.contains("data-ready=\"1\""), "not rendered:\n{log}");
    assert!(
        console_errors(&log).is_empty(),
        "{}",
        console_errors(&log).join("\n")
    );
    assert_eq!(dom.matches("<tr class=\"finding\"").count(), 500);
    let render = dom
        .split("data-render-ms=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("?");
    eprintln!(
        "figure: {total} findings: HTML {:.1} MB, scan+render {scan:?}, chromium load+script {browser:?}, script {render} ms",
        size as f64 / 1e6
    );
}

#[test]
fn the_audit_summary_page_renders_with_its_subjects_and_timeline() {
    let Some(chrome) = chromium() else { return };
    let d = tempfile::tempdir().unwrap();
    let fx = root().join("crates/bulkhead-audit/fixtures");
    let mut log = String::new();
    for id in ["AUD001", "AUD004", "AUD016"] {
        log.push_str(&std::fs::read_to_string(fx.join(id).join("fail.jsonl")).unwrap());
    }
    let input = d.path().join("audit.log");
    std::fs::write(&input, log).unwrap();
    let page = d.path().join("audit.html");
    let o = run(&[
        "audit",
        "summary",
        input.to_str().unwrap(),
        "-f",
        "html",
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (dom, log) = browse(&chrome, &page, &["--dump-dom"]);
    assert!(dom.contains("data-ready=\"1\""), "not rendered:\n{log}");
    assert!(
        console_errors(&log).is_empty(),
        "{}",
        console_errors(&log).join("\n")
    );
    assert!(dom.contains("id=\"subjects\"") && dom.contains("id=\"timeline\""));
    assert!(dom.matches("<tr class=\"subject\">").count() >= 2);
    assert!(dom.contains(">alice<"), "alice's row");
    assert!(
        dom.contains("<option value=\"AUD001\">"),
        "the findings and their filters"
    );
}
