//! Finding the inputs of every layer in a tree, reading each file once.
//!
//! A file goes to one layer, by name first and content second:
//! `Dockerfile`, `Containerfile`, `*.Dockerfile`, `Dockerfile.*` to the
//! Dockerfile layer; YAML/JSON with top-level `apiVersion` and `kind` to the
//! Kubernetes layers (PSS, hardening, RBAC, NetworkPolicy and the join);
//! Compose files, OCI `config.json`, inspect output and scripts with
//! `docker run` lines to the runtime layer. A directory holding an
//! `oci-layout` file is an OCI image layout (scanned with `--images`), and
//! its blobs are not read as files. A directory with a `kustomization.yaml`
//! is rendered with `kubectl kustomize` when kubectl is on PATH (its files
//! are then not read one by one); otherwise its files are read as they are
//! and a note says patches and overlays were not applied.

use bulkhead_core::InputError;
use bulkhead_core::source::{self, InputPath};
use bulkhead_kube::load::Source;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What the walk found, read and sorted by layer.
#[derive(Debug, Default)]
pub struct Inputs {
    /// (display name, text).
    pub dockerfiles: Vec<(String, String)>,
    pub manifests: Vec<Arc<Source>>,
    pub runtime: Vec<bulkhead_runtime::Input>,
    /// OCI image layout directories.
    pub layouts: Vec<PathBuf>,
    pub errors: Vec<InputError>,
    pub notes: Vec<String>,
    /// YAML/JSON files that none of the layers reads.
    pub skipped: usize,
}

/// The file name is a Dockerfile's.
pub fn is_dockerfile(path: &Path) -> bool {
    let Some(n) = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
    else {
        return false;
    };
    // Documentation, data and source files named after Dockerfiles
    // (`dockerfile.rs`, `Dockerfile.md`) are not Dockerfiles.
    const NOT: [&str; 16] = [
        ".rs",
        ".go",
        ".py",
        ".js",
        ".ts",
        ".snap",
        ".md",
        ".yaml",
        ".yml",
        ".json",
        ".txt",
        ".sh",
        ".bak",
        ".orig",
        ".swp",
        ".dockerignore",
    ];
    if NOT.iter().any(|x| n.ends_with(x)) {
        return false;
    }
    n == "dockerfile"
        || n == "containerfile"
        || n.starts_with("dockerfile.")
        || n.starts_with("containerfile.")
        || n.ends_with(".dockerfile")
        || n.ends_with(".containerfile")
}

fn is_kustomization(path: &Path) -> bool {
    path.file_name().is_some_and(|n| {
        let n = n.to_string_lossy();
        n == "kustomization.yaml" || n == "kustomization.yml" || n == "Kustomization"
    })
}

fn wanted(path: &Path) -> bool {
    let name = path.to_string_lossy();
    is_dockerfile(path)
        || path.file_name().is_some_and(|n| n == "oci-layout")
        || is_kustomization(path)
        || name.ends_with(".json")
        || bulkhead_runtime::sources::wanted(&name)
}

/// Top-level `apiVersion:` and `kind:` (YAML), or both keys (JSON).
fn looks_like_manifest(text: &str) -> bool {
    let head = text.trim_start();
    if head.starts_with('{') || head.starts_with('[') {
        let probe = &text[..text.len().min(1 << 16)];
        return probe.contains("\"apiVersion\"") && probe.contains("\"kind\"");
    }
    let (mut api, mut kind) = (false, false);
    for l in text.lines() {
        api |= l.starts_with("apiVersion:");
        kind |= l.starts_with("kind:");
        if api && kind {
            return true;
        }
    }
    false
}

fn kubectl() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("kubectl"))
        .find(|p| p.is_file())
}

/// `kubectl kustomize DIR`, its output as one source.
/// How long one `kubectl kustomize` may run (a remote base can hang).
const KUSTOMIZE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);
/// The most rendered YAML read from one kustomization.
const KUSTOMIZE_MAX_BYTES: u64 = 256 << 20;

fn kustomize(kubectl: &Path, dir: &Path) -> Result<Arc<Source>, InputError> {
    use std::io::Read;
    let shown = dir.display().to_string();
    let fail = |m: String| InputError::new(&shown, None, m);
    let mut child = std::process::Command::new(kubectl)
        .arg("kustomize")
        .arg(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("cannot run kubectl kustomize: {e}")))?;
    // Read both pipes beside the wait, so a large output cannot block it.
    let reader = |p: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut b = Vec::new();
            if let Some(p) = p {
                let _ = p.take(KUSTOMIZE_MAX_BYTES + 1).read_to_end(&mut b);
            }
            b
        })
    };
    let out_t = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err_t = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let start = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > KUSTOMIZE_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(fail(format!(
                    "kubectl kustomize ran longer than {} s: stopped",
                    KUSTOMIZE_TIMEOUT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(20)),
            Err(e) => return Err(fail(format!("kubectl kustomize: {e}"))),
        }
    };
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    if !status.success() {
        let err = String::from_utf8_lossy(&stderr);
        let first = err.lines().next().unwrap_or("").trim();
        return Err(fail(format!(
            "kubectl kustomize failed: {}",
            source::printable(first, 300)
        )));
    }
    if stdout.len() as u64 > KUSTOMIZE_MAX_BYTES {
        return Err(fail(format!(
            "kubectl kustomize printed more than {KUSTOMIZE_MAX_BYTES} bytes: not read"
        )));
    }
    let text = String::from_utf8(stdout)
        .map_err(|_| fail("kubectl kustomize printed non-UTF-8 output".into()))?;
    Ok(Arc::new(Source::new(format!("{shown} (kustomize)"), text)))
}

/// The directories the kustomizations in `dirs` name in `resources`,
/// `bases` or `components` (canonical paths; files and URLs left out).
fn referenced_kustomizations(dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for d in dirs {
        let Some(file) = ["kustomization.yaml", "kustomization.yml", "Kustomization"]
            .iter()
            .map(|n| d.join(n))
            .find(|p| p.is_file())
        else {
            continue;
        };
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let Ok(docs) = bulkhead_core::yaml::parse(&text, bulkhead_core::yaml::Limits::default())
        else {
            continue;
        };
        for doc in &docs {
            for key in ["resources", "bases", "components"] {
                for item in doc.root.get(key).map_or(&[][..], |n| n.items()) {
                    let Some(r) = item.as_str() else { continue };
                    if r.contains("://") {
                        continue;
                    }
                    if let Ok(c) = d.join(r).canonicalize()
                        && c.is_dir()
                    {
                        out.push(c);
                    }
                }
            }
        }
    }
    out
}

enum Read {
    Dockerfile(String, String),
    Manifest(Arc<Source>),
    Runtime(bulkhead_runtime::Input),
    Skipped,
    Error(InputError),
}

/// Walks `paths` (files, directories, `-`; `.gitignore` honoured) and reads
/// each input once, in parallel, bounded by `max_bytes` per file.
pub fn discover(paths: &[String], max_bytes: u64) -> Inputs {
    let mut out = Inputs::default();
    let (files, errors) = source::collect(paths, &wanted);
    out.errors = errors;
    let mut layouts: Vec<PathBuf> = Vec::new();
    let mut kustomized: Vec<PathBuf> = Vec::new();
    for f in &files {
        if let InputPath::File(p) = f {
            let parent = p.parent().map(Path::to_path_buf).unwrap_or_default();
            if p.file_name().is_some_and(|n| n == "oci-layout") {
                layouts.push(parent);
            } else if is_kustomization(p) {
                kustomized.push(parent);
            }
        }
    }
    let kubectl = if kustomized.is_empty() {
        None
    } else {
        kubectl()
    };
    let mut rendered: Vec<PathBuf> = Vec::new();
    // A kustomization another one uses (`resources: [../base]`) is a base:
    // render only the roots, and read no file of a base or root one by one.
    let bases = if kubectl.is_some() {
        referenced_kustomizations(&kustomized)
    } else {
        Vec::new()
    };
    for dir in &kustomized {
        let is_base = dir.canonicalize().is_ok_and(|c| bases.contains(&c));
        match &kubectl {
            Some(_) if is_base => rendered.push(dir.clone()),
            Some(k) => match kustomize(k, dir) {
                Ok(src) => {
                    out.manifests.push(src);
                    rendered.push(dir.clone());
                }
                Err(e) => out.errors.push(e),
            },
            None => out.notes.push(format!(
                "{}: kustomization.yaml found but kubectl is not on PATH: its files are scanned as they are (patches and overlays not applied)",
                dir.display()
            )),
        }
    }
    let inside = |p: &Path, dirs: &[PathBuf]| dirs.iter().any(|d| p.starts_with(d));
    let todo: Vec<&InputPath> = files
        .iter()
        .filter(|f| match f {
            InputPath::File(p) => {
                !inside(p, &layouts) && !inside(p, &rendered) && !is_kustomization(p)
            }
            InputPath::Stdin => true,
        })
        .collect();
    let read: Vec<Read> = todo
        .par_iter()
        .map(|f| {
            let text = match source::read_text(f, max_bytes) {
                Ok(t) => t,
                Err(e) => return Read::Error(e),
            };
            let name = f.display();
            let is_df = matches!(f, InputPath::File(p) if is_dockerfile(p));
            if is_df {
                return Read::Dockerfile(name, text);
            }
            if looks_like_manifest(&text) {
                return Read::Manifest(Arc::new(Source::new(name, text)));
            }
            match bulkhead_runtime::detect(&name, &text) {
                Some(_) => Read::Runtime(bulkhead_runtime::Input::new(name, text)),
                None => Read::Skipped,
            }
        })
        .collect();
    for r in read {
        match r {
            Read::Dockerfile(n, t) => out.dockerfiles.push((n, t)),
            Read::Manifest(s) => out.manifests.push(s),
            Read::Runtime(i) => out.runtime.push(i),
            Read::Skipped => out.skipped += 1,
            Read::Error(e) => out.errors.push(e),
        }
    }
    layouts.sort();
    layouts.dedup();
    out.layouts = layouts;
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_and_contents_decide_the_layer() {
        assert!(is_dockerfile(Path::new("src/ad/Dockerfile")));
        assert!(is_dockerfile(Path::new("build/app.Dockerfile")));
        assert!(is_dockerfile(Path::new("Containerfile.dev")));
        assert!(!is_dockerfile(Path::new("docs/dockerfile.example.yaml")));
        assert!(!is_dockerfile(Path::new("Dockerfile.dockerignore")));
        assert!(!is_dockerfile(Path::new("src/commands/dockerfile.rs")));
        assert!(!is_dockerfile(Path::new("snapshots/dockerfile.snap")));
        assert!(looks_like_manifest("# c\napiVersion: v1\nkind: Pod\n"));
        assert!(!looks_like_manifest("services:\n  web:\n    image: x\n"));
        assert!(looks_like_manifest(
            "{\"apiVersion\": \"v1\", \"kind\": \"List\"}"
        ));
    }
}
