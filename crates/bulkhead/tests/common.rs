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
