//! Where images and their signatures live: a registry (OCI distribution
//! API, through `bulkhead_image::registry`) or an OCI image layout on disk.
//! One small trait so signing and verification are written once.
//!
//! The registry side extends bulkhead's own synchronous client rather than
//! pulling in `oci-client` (async, tokio + reqwest): the rest of bulkhead is
//! synchronous and already speaks the same auth flows, and signing needs
//! eight request shapes (manifest GET/PUT, blob HEAD/GET/POST/PATCH/PUT,
//! referrers GET).
//!
//! The layout side writes blobs under `blobs/sha256/` and names manifests
//! in `index.json` with `org.opencontainers.image.ref.name`, as skopeo and
//! umoci do, so `skopeo copy oci:DIR:sha256-….sig docker://…` moves a
//! signature made here to any registry.

use crate::SignError;
use bulkhead_image::registry::{Failure, Registry};
use serde_json::{Value, json};
use std::io::Read;
use std::path::{Path, PathBuf};

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Largest manifest read (the distribution spec's limit is 4 MiB).
pub const MAX_MANIFEST: u64 = 4 << 20;
const CHUNK: usize = 8 << 20;
const REF_NAME: &str = "org.opencontainers.image.ref.name";

pub trait Store: Sync {
    /// `host/name` or `oci:DIR`, for messages.
    fn describe(&self) -> String;
    /// The repository a payload names (`docker-reference`).
    fn repository(&self) -> String;
    /// A manifest by tag or digest: its bytes and media type; `None` if absent.
    fn manifest(&self, reference: &str) -> Result<Option<(Vec<u8>, String)>, SignError>;
    /// Stores a manifest under `tag` (or only by digest when `tag` is None).
    /// Returns whether the store indexed its `subject` itself (the referrers
    /// API); when not, the caller maintains the tag-schema index.
    fn put_manifest(
        &self,
        tag: Option<&str>,
        bytes: &[u8],
        media_type: &str,
    ) -> Result<bool, SignError>;
    /// A blob, at most `max` bytes, its digest checked.
    fn blob(&self, digest: &str, max: u64) -> Result<Vec<u8>, SignError>;
    fn put_blob(&self, digest: &str, bytes: &[u8]) -> Result<(), SignError>;
    /// The referrers index of `digest`, or `None` when the store has no
    /// referrers API (then the `sha256-<hex>` tag is the fallback).
    fn referrers(&self, digest: &str) -> Result<Option<Value>, SignError>;
    /// Requests sent so far (0 for a layout).
    fn requests(&self) -> usize;
    /// A blob of at most `max` bytes, in chunks, without holding it in memory
    /// (the caller checks the digest).
    fn stream_blob(
        &self,
        digest: &str,
        max: u64,
        sink: &mut dyn FnMut(&[u8]) -> Result<(), SignError>,
    ) -> Result<(), SignError>;
}

fn pump(
    mut r: impl Read,
    max: u64,
    what: &str,
    sink: &mut dyn FnMut(&[u8]) -> Result<(), SignError>,
) -> Result<(), SignError> {
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = r
            .read(&mut buf)
            .map_err(|e| SignError::input(what, format!("read: {e}")))?;
        if n == 0 {
            return Ok(());
        }
        total += n as u64;
        if total > max {
            return Err(SignError::input(what, format!("larger than {max} bytes")));
        }
        sink(&buf[..n])?;
    }
}

/// `sha256:<64 hex>` or an error; the only digests that become paths or URLs.
pub fn check_digest(d: &str) -> Result<&str, SignError> {
    match d.strip_prefix("sha256:") {
        Some(h)
            if h.len() == 64
                && h.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) =>
        {
            Ok(h)
        }
        _ => Err(SignError::input(
            d,
            "not a sha256 digest (sha256:<64 lowercase hex>)",
        )),
    }
}

fn read_limited(r: impl Read, max: u64, what: &str) -> Result<Vec<u8>, SignError> {
    let mut buf = Vec::new();
    r.take(max + 1)
        .read_to_end(&mut buf)
        .map_err(|e| SignError::input(what, format!("read: {e}")))?;
    if buf.len() as u64 > max {
        return Err(SignError::input(what, format!("larger than {max} bytes")));
    }
    Ok(buf)
}

fn checked(digest: &str, bytes: Vec<u8>, what: &str) -> Result<Vec<u8>, SignError> {
    let got = crate::envelope::sha256_digest(&bytes);
    if got != digest {
        return Err(SignError::input(
            what,
            format!("content has digest {got}, not {digest}"),
        ));
    }
    Ok(bytes)
}

pub struct RegistryStore {
    pub reg: Registry,
}

impl RegistryStore {
    pub fn new(host: &str, name: &str, insecure: bool) -> RegistryStore {
        RegistryStore {
            reg: Registry::new(host, name, insecure),
        }
    }

    fn fail(&self, what: &str, f: Failure) -> SignError {
        match f {
            Failure::Status(code, body) => SignError::input(
                self.describe(),
                format!(
                    "{what}: HTTP {code} {}",
                    body.chars().take(200).collect::<String>().trim()
                ),
            ),
            Failure::Other(e) => SignError::input(e.input, e.message),
        }
    }
}

impl Store for RegistryStore {
    fn describe(&self) -> String {
        format!("{}/{}", self.reg.host, self.reg.name)
    }

    fn repository(&self) -> String {
        self.describe()
    }

    fn manifest(&self, reference: &str) -> Result<Option<(Vec<u8>, String)>, SignError> {
        let url = self.reg.url(&format!("manifests/{reference}"));
        match self.reg.send(
            "GET",
            &url,
            Some(bulkhead_image::registry::MANIFEST_TYPES),
            None,
            None,
        ) {
            Ok(r) => {
                let mt = r.content_type().to_string();
                let bytes = read_limited(r.into_reader(), MAX_MANIFEST, &url)?;
                if reference.starts_with("sha256:") {
                    return checked(reference, bytes, &url).map(|b| Some((b, mt)));
                }
                Ok(Some((bytes, mt)))
            }
            Err(Failure::Status(404, _)) => Ok(None),
            Err(f) => Err(self.fail(&format!("manifest {reference}"), f)),
        }
    }

    fn put_manifest(
        &self,
        tag: Option<&str>,
        bytes: &[u8],
        media_type: &str,
    ) -> Result<bool, SignError> {
        let digest = crate::envelope::sha256_digest(bytes);
        let reference = tag.unwrap_or(&digest);
        let url = self.reg.url(&format!("manifests/{reference}"));
        match self
            .reg
            .send("PUT", &url, None, Some(media_type), Some(bytes))
        {
            Ok(r) => Ok(r.header("OCI-Subject").is_some()),
            Err(f) => Err(self.fail(&format!("push manifest {reference}"), f)),
        }
    }

    fn blob(&self, digest: &str, max: u64) -> Result<Vec<u8>, SignError> {
        check_digest(digest)?;
        let url = self.reg.url(&format!("blobs/{digest}"));
        match self.reg.send("GET", &url, None, None, None) {
            Ok(r) => checked(digest, read_limited(r.into_reader(), max, &url)?, &url),
            Err(f) => Err(self.fail(&format!("blob {digest}"), f)),
        }
    }

    fn put_blob(&self, digest: &str, bytes: &[u8]) -> Result<(), SignError> {
        check_digest(digest)?;
        let head = self.reg.url(&format!("blobs/{digest}"));
        match self.reg.send("HEAD", &head, None, None, None) {
            Ok(_) => return Ok(()),
            Err(Failure::Status(404, _)) => {}
            Err(f) => return Err(self.fail(&format!("blob {digest}"), f)),
        }
        let start = self.reg.url("blobs/uploads/");
        let r = self
            .reg
            .send("POST", &start, None, None, Some(&[]))
            .map_err(|f| self.fail("start upload", f))?;
        let mut location = self.reg.resolve(r.header("Location").unwrap_or(""));
        if location.is_empty() || !location.contains("/blobs/uploads/") {
            return Err(SignError::input(
                self.describe(),
                "upload answer without a Location",
            ));
        }
        let with = |loc: &str, q: &str| {
            if loc.contains('?') {
                format!("{loc}&{q}")
            } else {
                format!("{loc}?{q}")
            }
        };
        let mut rest = bytes;
        // Large blobs go in chunks (PATCH), the last request closes the upload.
        while rest.len() > CHUNK {
            let (chunk, tail) = rest.split_at(CHUNK);
            let r = self
                .reg
                .send(
                    "PATCH",
                    &location,
                    None,
                    Some("application/octet-stream"),
                    Some(chunk),
                )
                .map_err(|f| self.fail("upload chunk", f))?;
            location = self.reg.resolve(r.header("Location").unwrap_or(&location));
            rest = tail;
        }
        let url = with(&location, &format!("digest={digest}"));
        self.reg
            .send(
                "PUT",
                &url,
                None,
                Some("application/octet-stream"),
                Some(rest),
            )
            .map_err(|f| self.fail(&format!("upload {digest}"), f))?;
        Ok(())
    }

    fn referrers(&self, digest: &str) -> Result<Option<Value>, SignError> {
        check_digest(digest)?;
        let url = self.reg.url(&format!("referrers/{digest}"));
        match self.reg.send("GET", &url, Some(OCI_INDEX), None, None) {
            Ok(r) => {
                if !r.content_type().contains("image.index") {
                    return Ok(None);
                }
                let b = read_limited(r.into_reader(), MAX_MANIFEST, &url)?;
                serde_json::from_slice(&b).map(Some).map_err(|e| {
                    SignError::input(&url, format!("referrers index is not JSON: {e}"))
                })
            }
            Err(Failure::Status(404 | 405 | 400, _)) => Ok(None),
            Err(f) => Err(self.fail("referrers", f)),
        }
    }

    fn requests(&self) -> usize {
        self.reg.requests()
    }

    fn stream_blob(
        &self,
        digest: &str,
        max: u64,
        sink: &mut dyn FnMut(&[u8]) -> Result<(), SignError>,
    ) -> Result<(), SignError> {
        check_digest(digest)?;
        let url = self.reg.url(&format!("blobs/{digest}"));
        match self.reg.send("GET", &url, None, None, None) {
            Ok(r) => pump(r.into_reader(), max, &url, sink),
            Err(f) => Err(self.fail(&format!("blob {digest}"), f)),
        }
    }
}

/// An OCI image layout directory.
pub struct LayoutStore {
    pub dir: PathBuf,
    lock: std::sync::Mutex<()>,
}

impl LayoutStore {
    pub fn open(dir: &Path) -> Result<LayoutStore, SignError> {
        let d = dir.display().to_string();
        let layout = std::fs::read(dir.join("oci-layout"))
            .map_err(|e| SignError::input(&d, format!("not an OCI layout (oci-layout: {e})")))?;
        let v: Value = serde_json::from_slice(&layout)
            .map_err(|e| SignError::input(&d, format!("oci-layout is not JSON: {e}")))?;
        if v["imageLayoutVersion"].as_str().is_none() {
            return Err(SignError::input(&d, "oci-layout has no imageLayoutVersion"));
        }
        Ok(LayoutStore {
            dir: dir.to_path_buf(),
            lock: Default::default(),
        })
    }

    fn index(&self) -> Result<Value, SignError> {
        let p = self.dir.join("index.json");
        let b = read_limited(
            std::fs::File::open(&p)
                .map_err(|e| SignError::input(p.display().to_string(), e.to_string()))?,
            MAX_MANIFEST,
            &p.display().to_string(),
        )?;
        serde_json::from_slice(&b)
            .map_err(|e| SignError::input(p.display().to_string(), format!("not JSON: {e}")))
    }

    fn blob_path(&self, digest: &str) -> Result<PathBuf, SignError> {
        let h = check_digest(digest)?;
        Ok(self.dir.join("blobs").join("sha256").join(h))
    }

    fn write_atomic(&self, path: &Path, bytes: &[u8]) -> Result<(), SignError> {
        let e =
            |e: std::io::Error| SignError::input(path.display().to_string(), format!("write: {e}"));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(e)?;
        }
        let tmp = path.with_extension("bulkhead-tmp");
        std::fs::write(&tmp, bytes).map_err(e)?;
        std::fs::rename(&tmp, path).map_err(e)
    }
}

impl Store for LayoutStore {
    fn describe(&self) -> String {
        format!("oci:{}", self.dir.display())
    }

    fn repository(&self) -> String {
        self.dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "image".into())
    }

    fn manifest(&self, reference: &str) -> Result<Option<(Vec<u8>, String)>, SignError> {
        let index = self.index()?;
        let entries = index["manifests"].as_array().cloned().unwrap_or_default();
        let desc = if reference.starts_with("sha256:") {
            check_digest(reference)?;
            entries
                .into_iter()
                .find(|m| m["digest"] == reference)
                .or_else(|| Some(json!({"digest": reference})))
        } else {
            entries
                .into_iter()
                .find(|m| m["annotations"][REF_NAME] == reference)
        };
        let Some(desc) = desc else { return Ok(None) };
        let digest = desc["digest"].as_str().unwrap_or("").to_string();
        let path = self.blob_path(&digest)?;
        if !path.is_file() {
            return Ok(None);
        }
        let bytes = self.blob(&digest, MAX_MANIFEST)?;
        let mt = desc["mediaType"]
            .as_str()
            .map(str::to_string)
            .or_else(|| {
                serde_json::from_slice::<Value>(&bytes)
                    .ok()
                    .and_then(|v| v["mediaType"].as_str().map(str::to_string))
            })
            .unwrap_or_else(|| OCI_MANIFEST.to_string());
        Ok(Some((bytes, mt)))
    }

    fn put_manifest(
        &self,
        tag: Option<&str>,
        bytes: &[u8],
        media_type: &str,
    ) -> Result<bool, SignError> {
        let digest = crate::envelope::sha256_digest(bytes);
        self.put_blob(&digest, bytes)?;
        let _g = self.lock.lock();
        let mut index = self.index()?;
        let mut desc = json!({"mediaType": media_type, "digest": digest, "size": bytes.len()});
        if let Some(t) = tag {
            desc["annotations"] = json!({ REF_NAME: t });
        }
        if let Ok(v) = serde_json::from_slice::<Value>(bytes)
            && let Some(at) = v["artifactType"].as_str()
        {
            desc["artifactType"] = json!(at);
        }
        let list = index["manifests"]
            .as_array_mut()
            .ok_or_else(|| SignError::input(self.describe(), "index.json has no manifests list"))?;
        list.retain(|m| match tag {
            Some(t) => m["annotations"][REF_NAME] != t,
            None => m["digest"] != digest.as_str() || m["annotations"][REF_NAME].is_string(),
        });
        list.push(desc);
        let text = serde_json::to_vec(&index)
            .map_err(|e| SignError::input(self.describe(), e.to_string()))?;
        self.write_atomic(&self.dir.join("index.json"), &text)?;
        Ok(true)
    }

    fn blob(&self, digest: &str, max: u64) -> Result<Vec<u8>, SignError> {
        let p = self.blob_path(digest)?;
        let what = p.display().to_string();
        let meta =
            std::fs::symlink_metadata(&p).map_err(|e| SignError::input(&what, e.to_string()))?;
        if !meta.is_file() {
            return Err(SignError::input(&what, "not a regular file"));
        }
        let f = std::fs::File::open(&p).map_err(|e| SignError::input(&what, e.to_string()))?;
        checked(digest, read_limited(f, max, &what)?, &what)
    }

    fn put_blob(&self, digest: &str, bytes: &[u8]) -> Result<(), SignError> {
        let p = self.blob_path(digest)?;
        if p.is_file() {
            return Ok(());
        }
        self.write_atomic(&p, bytes)
    }

    fn referrers(&self, digest: &str) -> Result<Option<Value>, SignError> {
        check_digest(digest)?;
        let index = self.index()?;
        let mut found = Vec::new();
        for m in index["manifests"].as_array().into_iter().flatten() {
            let Some(d) = m["digest"].as_str() else {
                continue;
            };
            if check_digest(d).is_err() || !self.blob_path(d)?.is_file() {
                continue;
            }
            let b = self.blob(d, MAX_MANIFEST)?;
            let Ok(v) = serde_json::from_slice::<Value>(&b) else {
                continue;
            };
            if v["subject"]["digest"] == digest {
                found.push(json!({
                    "mediaType": v["mediaType"], "digest": d, "size": b.len(),
                    "artifactType": v["artifactType"], "annotations": v["annotations"],
                }));
            }
        }
        Ok(Some(
            json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": found}),
        ))
    }

    fn requests(&self) -> usize {
        0
    }

    fn stream_blob(
        &self,
        digest: &str,
        max: u64,
        sink: &mut dyn FnMut(&[u8]) -> Result<(), SignError>,
    ) -> Result<(), SignError> {
        let p = self.blob_path(digest)?;
        let what = p.display().to_string();
        let f = std::fs::File::open(&p).map_err(|e| SignError::input(&what, e.to_string()))?;
        pump(f, max, &what, sink)
    }
}

/// Opens `oci:DIR[:TAG]` or `HOST/NAME[:TAG|@DIGEST]`: the store and the
/// reference (tag or digest) inside it.
pub fn open(reference: &str, insecure: bool) -> Result<(Box<dyn Store>, String), SignError> {
    if let Some(rest) = reference.strip_prefix("oci:") {
        let (dir, tag) = match rest.rsplit_once(':') {
            Some((d, t)) if !t.contains('/') && !d.is_empty() => (d, t.to_string()),
            _ => (rest, "latest".to_string()),
        };
        let (dir, tag) = match rest.split_once('@') {
            Some((d, dg)) => (d, dg.to_string()),
            None => (dir, tag),
        };
        let store = LayoutStore::open(Path::new(dir))?;
        return Ok((Box::new(store), tag));
    }
    let (host, name, r) = bulkhead_image::registry::parse(reference).ok_or_else(|| {
        SignError::input(
            reference,
            "not an image reference (HOST[:PORT]/NAME[:TAG|@DIGEST] or oci:DIR[:TAG])",
        )
    })?;
    Ok((Box::new(RegistryStore::new(&host, &name, insecure)), r))
}
