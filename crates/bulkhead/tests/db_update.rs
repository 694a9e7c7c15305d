//! `bulkhead db update --mirror URL` against a real HTTP server on loopback:
//! Debian's nginx (unpacked by scripts/get-nginx.sh, never installed as a
//! service) serving a directory of OSV `all.zip` files the test writes.
//! Checks the first download, the conditional re-download (304), resuming a
//! partial file (206), a stale partial file (If-Range → 200), a published
//! SHA-256 that does not match, a corrupt archive, and a missing ecosystem;
//! then that the rebuilt database finds a planted package's vulnerability.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use common::*;
use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Nginx {
    child: Child,
    port: u16,
    www: PathBuf,
    log: PathBuf,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Nginx {
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The access log lines so far: `STATUS URI "RANGE"`.
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

fn nginx_binary() -> Option<String> {
    let required = std::env::var_os("BULKHEAD_REQUIRE_IMAGES").is_some();
    let out = Command::new("bash")
        .arg(root().join("scripts/get-nginx.sh"))
        .output()
        .expect("run get-nginx.sh");
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr);
        assert!(!required, "no nginx for the mirror tests: {why}");
        eprintln!("SKIP db update tests: no nginx ({why})");
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn start(dir: &Path) -> Option<Nginx> {
    let bin = nginx_binary()?;
    let www = dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    let prefix = dir.join("nginx");
    std::fs::create_dir_all(prefix.join("tmp")).unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let p = prefix.display();
    let log = prefix.join("access.log");
    let conf = format!(
        "daemon off; master_process off; worker_processes 1; pid {p}/nginx.pid;
error_log {p}/error.log;
events {{ worker_connections 64; }}
http {{
  log_format r '$status $request_uri \"$http_range\"';
  access_log {p}/access.log r;
  client_body_temp_path {p}/tmp; proxy_temp_path {p}/tmp; fastcgi_temp_path {p}/tmp;
  uwsgi_temp_path {p}/tmp; scgi_temp_path {p}/tmp;
  server {{ listen 127.0.0.1:{port}; root {}; }}
}}
",
        www.display()
    );
    std::fs::write(prefix.join("nginx.conf"), conf).unwrap();
    let child = Command::new(&bin)
        .arg("-p")
        .arg(&prefix)
        .arg("-e")
        .arg(prefix.join("error.log"))
        .arg("-c")
        .arg(prefix.join("nginx.conf"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start nginx");
    let n = Nginx {
        child,
        port,
        www,
        log,
    };
    let t = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "nginx did not listen on {port}: {}",
            std::fs::read_to_string(prefix.join("error.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(n)
}

fn osv_zip(path: &Path, records: &[(&str, String)]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, body) in records {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(body.as_bytes()).unwrap();
    }
    w.finish().unwrap();
}

fn pypi_record(i: usize) -> String {
    // Padding in `details` makes the archive large enough to cut in two.
    let pad: String = (0..400)
        .map(|k| format!("{:x}", (k * 7919 + i) % 65536))
        .collect();
    format!(
        r#"{{"id":"PYSEC-TEST-{i}","aliases":["CVE-2099-{i}"],"summary":"test record {i}","details":"{pad}",
"affected":[{{"package":{{"ecosystem":"PyPI","name":"{}"}},"ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"0"}},{{"fixed":"2.31.0"}}]}}]}}]}}"#,
        if i == 0 { "requests" } else { "pkg-{i}" }
    )
}

fn sha256_hex(path: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string()
}

#[test]
fn db_update_from_a_loopback_mirror() {
    let d = tempfile::tempdir().unwrap();
    let Some(srv) = start(d.path()) else { return };
    let pypi: Vec<(String, String)> = (0..60)
        .map(|i| (format!("PYSEC-TEST-{i}.json"), pypi_record(i)))
        .collect();
    let pypi_zip = srv.www.join("PyPI/all.zip");
    osv_zip(
        &pypi_zip,
        &pypi
            .iter()
            .map(|(n, b)| (n.as_str(), b.clone()))
            .collect::<Vec<_>>(),
    );
    osv_zip(
        &srv.www.join("crates.io/all.zip"),
        &[(
            "RUSTSEC-2099-0001.json",
            r#"{"id":"RUSTSEC-2099-0001","affected":[{"package":{"ecosystem":"crates.io","name":"smallvec"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.6.1"}]}]}]}"#.to_string(),
        )],
    );
    let db = d.path().join("cache/vuln.db");
    let dbs = db.to_str().unwrap();
    let url = srv.url();
    let update = |extra: &[&str]| {
        let mut a = vec!["db", "update", "--mirror", &url, "--db", dbs];
        a.extend_from_slice(extra);
        run(&a)
    };
    let both = ["-e", "PyPI", "-e", "crates.io"];

    // 1. First download.
    let o = update(&both);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("PyPI: ") && stderr(&o).contains("MB downloaded"));
    let dl = d.path().join("cache/osv/PyPI/all.zip");
    assert_eq!(
        std::fs::read(&dl).unwrap(),
        std::fs::read(&pypi_zip).unwrap()
    );
    let info = json(&run(&["db", "info", "--db", dbs, "--format", "json"]));
    assert_eq!(info["vulnerabilities"], 61, "{info}");

    // 2. Unchanged on the mirror: a conditional request, 304, nothing downloaded.
    let o = update(&both);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("PyPI: unchanged"), "{}", stderr(&o));
    assert!(srv.log().contains("304 /PyPI/all.zip"), "{}", srv.log());

    // 3. An interrupted download resumes with a Range request.
    let full = std::fs::read(&pypi_zip).unwrap();
    let etag = std::fs::read_to_string(d.path().join("cache/osv/PyPI/all.zip.etag")).unwrap();
    std::fs::remove_file(&dl).unwrap();
    let part = d.path().join("cache/osv/PyPI/all.zip.part");
    std::fs::write(&part, &full[..full.len() / 2]).unwrap();
    std::fs::write(d.path().join("cache/osv/PyPI/all.zip.part.etag"), &etag).unwrap();
    let o = update(&["-e", "PyPI"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("resumed at"), "{}", stderr(&o));
    assert!(
        srv.log()
            .contains(&format!("206 /PyPI/all.zip \"bytes={}-\"", full.len() / 2)),
        "{}",
        srv.log()
    );
    assert_eq!(std::fs::read(&dl).unwrap(), full);
    assert!(!part.exists());

    // 4. A partial file of an older archive (ETag changed): sent whole, not spliced.
    std::fs::remove_file(&dl).unwrap();
    std::fs::write(&part, b"garbage from an older archive").unwrap();
    std::fs::write(d.path().join("cache/osv/PyPI/all.zip.part.etag"), "\"0-0\"").unwrap();
    let o = update(&["-e", "PyPI"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(&dl).unwrap(), full);

    // 5. A published digest that does not match: refused, nothing replaced.
    std::fs::write(
        srv.www.join("PyPI/all.zip.sha256"),
        format!("{}  all.zip\n", "ab".repeat(32)),
    )
    .unwrap();
    std::fs::remove_file(&dl).unwrap();
    let o = update(&["-e", "PyPI"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("SHA-256 mismatch") && stderr(&o).contains("/PyPI/all.zip"),
        "{}",
        stderr(&o)
    );
    assert!(!dl.exists() && !part.exists());
    // ... and the right digest is checked and accepted.
    std::fs::write(
        srv.www.join("PyPI/all.zip.sha256"),
        format!("{}  all.zip\n", sha256_hex(&pypi_zip)),
    )
    .unwrap();
    let o = update(&["-e", "PyPI"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("SHA-256 checked"), "{}", stderr(&o));

    // 6. A corrupt archive (cut short, no digest published): refused with the URL.
    std::fs::remove_file(srv.www.join("PyPI/all.zip.sha256")).unwrap();
    std::fs::write(&pypi_zip, &full[..full.len() - 100]).unwrap();
    std::fs::remove_file(&dl).unwrap();
    let o = update(&["-e", "PyPI"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("zip"), "{}", stderr(&o));
    std::fs::write(&pypi_zip, &full).unwrap();

    // 7. A named ecosystem the mirror lacks: an error naming the URL.
    let o = update(&["-e", "RubyGems"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("/RubyGems/all.zip: not found on the mirror (404)"),
        "{}",
        stderr(&o)
    );

    // 8. Default ecosystems: those missing on the mirror are skipped; the
    // database finds a planted package.
    let o = update(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("Go: not on this mirror, skipped"),
        "{}",
        stderr(&o)
    );
    let fs = d.path().join("rootfs");
    let meta = fs.join("usr/lib/python3/dist-packages/requests-2.25.0.dist-info");
    std::fs::create_dir_all(&meta).unwrap();
    std::fs::write(
        meta.join("METADATA"),
        "Metadata-Version: 2.1\nName: requests\nVersion: 2.25.0\n\n",
    )
    .unwrap();
    let o = run(&[
        "fs",
        fs.to_str().unwrap(),
        "--db",
        dbs,
        "--no-config",
        "-f",
        "json",
        "--fail-on",
        "none",
    ]);
    let v = json(&o);
    let hits: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "VULN001")
        .collect();
    assert_eq!(hits.len(), 1, "{v}");
    assert!(hits[0]["message"].as_str().unwrap().contains("CVE-2099-0"));

    // The server saw a bounded number of requests.
    assert!(srv.log().lines().count() < 40, "{}", srv.log());
}

#[test]
fn db_update_refuses_a_bad_mirror_url() {
    let o = run(&[
        "db",
        "update",
        "--mirror",
        "ftp://x",
        "--db",
        "/nonexistent/v.db",
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("not an http:// or https:// URL"),
        "{}",
        stderr(&o)
    );
}
