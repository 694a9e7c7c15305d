//! Helpers shared by the CLI tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

pub fn shared() -> Option<PathBuf> {
    let p = root().join("../shared/corpora");
    p.is_dir().then_some(p)
}

/// The binary, run from the workspace root with no config and no BULKHEAD_* env.
pub fn bulkhead(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bulkhead"));
    c.current_dir(root());
    for (k, _) in std::env::vars() {
        if k.starts_with("BULKHEAD_") {
            c.env_remove(k);
        }
    }
    c.env("NO_COLOR", "1");
    // No default vulnerability database from the developer's cache.
    c.env("XDG_CACHE_HOME", root().join("target/test-empty-cache"));
    c.args(args);
    c
}

pub fn run(args: &[&str]) -> Output {
    bulkhead(args)
        .stdin(Stdio::null())
        .output()
        .expect("run bulkhead")
}

pub fn run_stdin(args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = bulkhead(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let data = input.to_string();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(data.as_bytes());
    });
    let out = child.wait_with_output().expect("wait");
    let _ = writer.join();
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

pub const GOOD_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: good
  namespace: app
spec:
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
  - name: app
    image: registry.example/app:1.0@sha256:0f3e4b2c9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c
    resources:
      requests: {cpu: 100m, memory: 64Mi}
      limits: {cpu: 200m, memory: 128Mi}
    livenessProbe: {httpGet: {path: /healthz, port: 8080}}
    readinessProbe: {httpGet: {path: /ready, port: 8080}}
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities:
        drop: [ALL]
";

/// The real test image (`scripts/build-test-image.sh`), built once per run;
/// `None` (a loud skip) when it cannot be built, unless BULKHEAD_REQUIRE_IMAGES.
pub fn test_image() -> Option<PathBuf> {
    static BUILT: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    BUILT.get_or_init(build_test_image).clone()
}

fn build_test_image() -> Option<PathBuf> {
    let dir = root().join("target/test-images");
    if !dir.join("done").is_file() {
        let ok = Command::new("bash")
            .arg(root().join("scripts/build-test-image.sh"))
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            assert!(
                std::env::var_os("BULKHEAD_REQUIRE_IMAGES").is_none(),
                "scripts/build-test-image.sh failed and BULKHEAD_REQUIRE_IMAGES is set"
            );
            eprintln!(
                "\n\n*** SKIPPED: the test image could not be built (needs root, apt and a Debian mirror) ***\n"
            );
            return None;
        }
    }
    Some(dir)
}

/// `apt-get install -y PACKAGE`, one at a time within a test binary (two
/// concurrent apt-get fight over dpkg's lock and one fails).
pub fn apt_install(package: &str) {
    static APT: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = APT.lock();
    let _ = Command::new("apt-get")
        .args(["install", "-y", "-qq", package])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdout(Stdio::null())
        .status();
}

pub fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A child process killed when dropped.
pub struct Kill(pub std::process::Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A real OCI registry (Debian's docker-registry) on a free loopback port,
/// with its storage in a temporary directory; stopped when dropped.
pub struct LocalRegistry {
    pub host: String,
    _proc: Kill,
    _dir: tempfile::TempDir,
}

/// Starts a registry, installing docker-registry and skopeo with apt when
/// missing; `None` (a loud skip) when they are unavailable, unless
/// BULKHEAD_REQUIRE_IMAGES.
pub fn start_registry() -> Option<LocalRegistry> {
    for t in ["docker-registry", "skopeo"] {
        if !have(t) {
            apt_install(t);
        }
    }
    if !have("docker-registry") || !have("skopeo") {
        assert!(
            std::env::var_os("BULKHEAD_REQUIRE_IMAGES").is_none(),
            "docker-registry or skopeo missing"
        );
        eprintln!("\n\n*** SKIPPED: docker-registry/skopeo not available ***\n");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let tmp = tempfile::tempdir().expect("tmp");
    let cfg = tmp.path().join("config.yml");
    std::fs::write(
        &cfg,
        format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            tmp.path().join("data").display()
        ),
    )
    .expect("config");
    let proc = Kill(
        Command::new("docker-registry")
            .arg("serve")
            .arg(&cfg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start docker-registry"),
    );
    let host = format!("127.0.0.1:{port}");
    let up = (0..100).any(|_| {
        let ok = std::net::TcpStream::connect(&host).is_ok();
        if !ok {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        ok
    });
    assert!(up, "registry did not start");
    Some(LocalRegistry {
        host,
        _proc: proc,
        _dir: tmp,
    })
}

/// `skopeo copy` (all platforms of an index), plain HTTP to the registry.
pub fn skopeo_copy(from: &str, to: &str) {
    let ok = Command::new("skopeo")
        .args([
            "copy",
            "--quiet",
            "--all",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
        ])
        .args([from, to])
        .status()
        .expect("skopeo");
    assert!(ok.success(), "skopeo copy {from} {to} failed");
}
