//! Image sources: an OCI image layout directory (`oci:DIR[:tag|@digest]`),
//! an OCI layout in a tar (`oci-archive:FILE[:tag|@digest]`), and what
//! `docker save` / `skopeo copy docker-archive:` write
//! (`docker-archive:FILE[:repo:tag]`, old and OCI-style). A plain path is
//! sniffed: a directory with `oci-layout` is a layout, a tar with
//! `manifest.json` a docker archive, with `oci-layout` an OCI archive.
//!
//! Archives are never unpacked: one pass over the tar records each member's
//! offset and size, and blobs are read from there on demand.

use crate::ImageError;
use serde_json::Value;
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Largest JSON document (index, manifest, config) read into memory.
const MAX_JSON: u64 = 16 << 20;

/// Where the bytes of an image live.
pub enum Store {
    Dir(PathBuf),
    /// A tar file: member path → (offset, size).
    Tar {
        file: PathBuf,
        members: HashMap<String, (u64, u64)>,
    },
    /// A registry: members are `blobs/ALG/HEX`, fetched as blobs.
    Registry(crate::registry::Registry),
}

/// Told how many stored bytes the layers hold and how many were read, so a
/// terminal can show a progress bar for long pulls and scans.
pub trait Progress: Send + Sync {
    /// More bytes to read (a layer was opened).
    fn add_total(&self, bytes: u64);
    /// Bytes read.
    fn advance(&self, bytes: u64);
}

/// A [`Progress`] shared by the layer readers.
#[derive(Clone)]
pub struct ProgressHandle(pub std::sync::Arc<dyn Progress>);

impl std::fmt::Debug for ProgressHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressHandle")
    }
}

/// How to reach an image.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Plain HTTP to the registry (loopback test registries).
    pub insecure: bool,
    /// `os/arch` (or `arch`) to pick from a multi-platform index; default the host's.
    pub platform: Option<String>,
    /// Catalogers only, no secret scan (for SBOMs).
    pub skip_secrets: bool,
    /// Where to report bytes read (a progress bar), if anywhere.
    pub progress: Option<ProgressHandle>,
    /// Uncompressed bytes per layer before it is refused as a decompression
    /// bomb (default [`crate::layers::MAX_LAYER_BYTES`]).
    pub max_layer_bytes: Option<u64>,
}

impl Store {
    fn display(&self) -> String {
        match self {
            Store::Dir(d) => d.display().to_string(),
            Store::Tar { file, .. } => file.display().to_string(),
            Store::Registry(r) => format!("{}/{}", r.host, r.name),
        }
    }

    /// Opens a member (a path relative to the layout or archive root).
    pub fn open(&self, rel: &str) -> Result<(Box<dyn Read + Send>, u64), ImageError> {
        let rel = rel.trim_start_matches("./");
        if rel.split('/').any(|c| c == "..") || rel.starts_with('/') {
            return Err(ImageError::new(
                self.display(),
                format!("refusing blob path '{rel}' outside the image"),
            ));
        }
        match self {
            Store::Registry(r) => {
                let digest = rel
                    .strip_prefix("blobs/")
                    .and_then(|x| x.split_once('/'))
                    .map(|(a, h)| format!("{a}:{h}"))
                    .ok_or_else(|| ImageError::new(self.display(), format!("no blob '{rel}'")))?;
                Ok((r.blob(&digest)?, 0))
            }
            Store::Dir(d) => {
                let p = d.join(rel);
                let shown = p.display().to_string();
                // A blob must be a regular file inside the layout: a symlink
                // out of it (to /etc/passwd, /dev/zero) or a FIFO is refused
                // before it is opened, so it can neither leak nor block.
                let real = p
                    .canonicalize()
                    .map_err(|e| ImageError::new(shown.clone(), format!("cannot open: {e}")))?;
                let root = d.canonicalize().map_err(|e| {
                    ImageError::new(d.display().to_string(), format!("cannot open: {e}"))
                })?;
                if !real.starts_with(&root) {
                    return Err(ImageError::new(
                        shown,
                        "refusing a blob that is a symlink out of the layout".to_string(),
                    ));
                }
                let meta = std::fs::metadata(&real)
                    .map_err(|e| ImageError::new(shown.clone(), format!("cannot open: {e}")))?;
                if !meta.is_file() {
                    return Err(ImageError::new(
                        shown,
                        "refusing a blob that is not a regular file (a FIFO, device or directory)"
                            .to_string(),
                    ));
                }
                let f = File::open(&real)
                    .map_err(|e| ImageError::new(shown.clone(), format!("cannot open: {e}")))?;
                let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                Ok((Box::new(f), len))
            }
            Store::Tar { file, members } => {
                let &(off, size) = members.get(rel).ok_or_else(|| {
                    ImageError::new(self.display(), format!("archive has no member '{rel}'"))
                })?;
                let mut f = File::open(file).map_err(|e| {
                    ImageError::new(file.display().to_string(), format!("cannot open: {e}"))
                })?;
                f.seek(SeekFrom::Start(off)).map_err(|e| {
                    ImageError::new(file.display().to_string(), format!("cannot seek: {e}"))
                })?;
                Ok((Box::new(f.take(size)), size))
            }
        }
    }

    pub fn read_json(&self, rel: &str) -> Result<Value, ImageError> {
        let (r, len) = self.open(rel)?;
        if len > MAX_JSON {
            return Err(ImageError::new(
                self.display(),
                format!("{rel}: {len} bytes is too large for a JSON document"),
            ));
        }
        let mut buf = Vec::new();
        r.take(MAX_JSON)
            .read_to_end(&mut buf)
            .map_err(|e| ImageError::new(self.display(), format!("{rel}: {e}")))?;
        serde_json::from_slice(&buf)
            .map_err(|e| ImageError::new(self.display(), format!("{rel}: invalid JSON: {e}")))
    }

    /// A JSON blob by digest, its bytes checked against the digest (sha256
    /// or sha512), so a tampered manifest or config in a local layout is
    /// refused as the registry path refuses it.
    pub fn read_blob_json(&self, digest: &str) -> Result<Value, ImageError> {
        use sha2::Digest;
        let rel = blob_path(digest).map_err(|e| ImageError::new(self.display(), e))?;
        let (r, len) = self.open(&rel)?;
        if len > MAX_JSON {
            return Err(ImageError::new(
                self.display(),
                format!("{rel}: {len} bytes is too large for a JSON document"),
            ));
        }
        let mut buf = Vec::new();
        r.take(MAX_JSON)
            .read_to_end(&mut buf)
            .map_err(|e| ImageError::new(self.display(), format!("{rel}: {e}")))?;
        let actual = match digest.split_once(':').map(|(a, _)| a) {
            Some("sha256") => format!("sha256:{:x}", sha2::Sha256::digest(&buf)),
            Some("sha512") => format!("sha512:{:x}", sha2::Sha512::digest(&buf)),
            _ => {
                return Err(ImageError::new(
                    self.display(),
                    format!("{digest}: unsupported digest algorithm"),
                ));
            }
        };
        if !matches!(self, Store::Registry(_)) && actual != digest {
            return Err(ImageError::new(
                self.display(),
                format!(
                    "{rel}: content does not match its digest (it is {actual}): the blob was altered"
                ),
            ));
        }
        serde_json::from_slice(&buf)
            .map_err(|e| ImageError::new(self.display(), format!("{rel}: invalid JSON: {e}")))
    }

    fn has(&self, rel: &str) -> bool {
        match self {
            Store::Dir(d) => d.join(rel).is_file(),
            Store::Tar { members, .. } => members.contains_key(rel),
            Store::Registry(_) => false,
        }
    }

    fn tar(file: &Path) -> Result<Store, ImageError> {
        let f = File::open(file).map_err(|e| {
            ImageError::new(file.display().to_string(), format!("cannot open: {e}"))
        })?;
        let mut ar = tar::Archive::new(f);
        let mut members = HashMap::new();
        let entries = ar.entries().map_err(|e| {
            ImageError::new(
                file.display().to_string(),
                format!("not a tar archive: {}", tar_error(&e)),
            )
        })?;
        for e in entries {
            let e = e.map_err(|e| {
                ImageError::new(
                    file.display().to_string(),
                    format!("corrupt tar: {}", tar_error(&e)),
                )
            })?;
            if !e.header().entry_type().is_file() {
                continue;
            }
            let path = String::from_utf8_lossy(&e.path_bytes())
                .trim_start_matches("./")
                .to_string();
            members.insert(path, (e.raw_file_position(), e.size()));
        }
        Ok(Store::Tar {
            file: file.to_path_buf(),
            members,
        })
    }
}

/// One layer to read: the member holding it and the digests to check.
#[derive(Debug, Clone)]
pub struct LayerRef {
    pub member: String,
    /// Digest of the blob as stored (OCI descriptors).
    pub blob_digest: Option<String>,
    /// Digest of the uncompressed tar (the config's `rootfs.diff_ids`).
    pub diff_id: Option<String>,
    /// Media type when known (`...tar+gzip`, `...tar+zstd`); sniffed anyway.
    pub media_type: Option<String>,
}

/// A resolved image: its config and its layers, bottom first.
pub struct Image {
    pub reference: String,
    pub store: Store,
    pub manifest_digest: Option<String>,
    pub config: Value,
    pub layers: Vec<LayerRef>,
}

fn blob_path(digest: &str) -> Result<String, String> {
    let (alg, hex) = digest
        .split_once(':')
        .ok_or_else(|| format!("bad digest '{digest}'"))?;
    if alg.is_empty()
        || hex.is_empty()
        || !hex.bytes().all(|b| b.is_ascii_hexdigit())
        || !alg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'.' || b == b'_' || b == b'-')
    {
        return Err(format!("bad digest '{digest}'"));
    }
    Ok(format!("blobs/{alg}/{hex}"))
}

/// Opens `reference` (see the module doc).
pub fn open(reference: &str) -> Result<Image, ImageError> {
    open_with(reference, &OpenOptions::default())
}

/// Opens `reference`; a `HOST[:PORT]/NAME[:TAG|@DIGEST]` (or `docker://...`)
/// that is not a local path is pulled from that registry.
pub fn open_with(reference: &str, opts: &OpenOptions) -> Result<Image, ImageError> {
    let local = reference.starts_with("oci:")
        || reference.starts_with("oci-archive:")
        || reference.starts_with("docker-archive:")
        || reference.starts_with("oci-dir:")
        || Path::new(reference).exists();
    if !local && let Some((host, name, tag)) = crate::registry::parse(reference) {
        return from_registry(reference, &host, &name, &tag, opts);
    }
    let (kind, rest) = match reference.split_once(':') {
        Some((k @ ("oci" | "oci-archive" | "docker-archive" | "oci-dir"), r)) => (k, r),
        _ => ("", reference),
    };
    // FILE[:selector] or FILE[@digest]: the path is the longest existing prefix.
    let (path, selector) = split_selector(rest);
    let p = Path::new(&path);
    if !p.exists() {
        return Err(ImageError::new(path.clone(), "no such file or directory"));
    }
    let kind = match kind {
        "" if p.is_dir() => "oci",
        "" => {
            let store = Store::tar(p)?;
            if store.has("manifest.json") {
                return docker_archive(reference, store, selector.as_deref());
            }
            return oci(reference, store, selector.as_deref());
        }
        "oci-dir" => "oci",
        k => k,
    };
    match kind {
        "oci" => {
            if !p.is_dir() {
                return Err(ImageError::new(
                    path,
                    "oci: expects an OCI layout directory",
                ));
            }
            oci(reference, Store::Dir(p.to_path_buf()), selector.as_deref())
        }
        "oci-archive" => oci(reference, Store::tar(p)?, selector.as_deref()),
        _ => docker_archive(reference, Store::tar(p)?, selector.as_deref()),
    }
}

fn split_selector(rest: &str) -> (String, Option<String>) {
    if Path::new(rest).exists() {
        return (rest.to_string(), None);
    }
    if let Some((p, d)) = rest.rsplit_once('@')
        && Path::new(p).exists()
    {
        return (p.to_string(), Some(format!("@{d}")));
    }
    // The first ':' after an existing path.
    for (i, _) in rest.match_indices(':') {
        if Path::new(&rest[..i]).exists() {
            return (rest[..i].to_string(), Some(rest[i + 1..].to_string()));
        }
    }
    (rest.to_string(), None)
}

fn oci(reference: &str, store: Store, selector: Option<&str>) -> Result<Image, ImageError> {
    let where_ = store.display();
    if !store.has("index.json") {
        return Err(ImageError::new(
            where_,
            "not an OCI image layout (no index.json)",
        ));
    }
    let index = store.read_json("index.json")?;
    let mut candidates: Vec<(String, Option<String>, Value)> = Vec::new();
    collect_manifests(
        &store,
        &index,
        None,
        &mut candidates,
        0,
        &mut std::collections::HashSet::new(),
    )?;
    let chosen = match selector {
        Some(sel) if sel.starts_with('@') => {
            candidates.iter().find(|(d, _, _)| d == &sel[1..]).cloned()
        }
        Some(tag) => candidates
            .iter()
            .find(|(_, t, _)| t.as_deref() == Some(tag))
            .cloned(),
        None if candidates.len() == 1 => candidates.first().cloned(),
        None => {
            let list: Vec<String> = candidates
                .iter()
                .map(|(d, t, _)| {
                    format!(
                        "{}{d}",
                        t.as_deref().map(|t| format!("{t} ")).unwrap_or_default()
                    )
                })
                .collect();
            return Err(ImageError::new(
                where_,
                format!(
                    "the layout holds {} images; choose one with :TAG or @DIGEST: {}",
                    list.len(),
                    list.join(", ")
                ),
            ));
        }
    };
    let Some((digest, _, manifest)) = chosen else {
        return Err(ImageError::new(
            where_,
            format!("no image '{}' in the layout", selector.unwrap_or("")),
        ));
    };
    image_from_manifest(reference, store, digest, &manifest)
}

/// Walks an index (nested indexes too) collecting image manifests with their
/// `org.opencontainers.image.ref.name` tag. Multi-platform indexes: the
/// host's platform first is chosen by the caller via the tag/digest.
/// Manifests and indexes one layout's index tree may name in all: nested
/// indexes of 300 entries each once fanned out to 27 million reads.
const MAX_INDEX_ENTRIES: usize = 10_000;

fn collect_manifests(
    store: &Store,
    index: &Value,
    tag: Option<String>,
    out: &mut Vec<(String, Option<String>, Value)>,
    depth: u32,
    seen: &mut std::collections::HashSet<String>,
) -> Result<(), ImageError> {
    if depth > 4 {
        return Err(ImageError::new(
            store.display(),
            "indexes nested too deeply",
        ));
    }
    for m in index["manifests"].as_array().into_iter().flatten() {
        let Some(d) = m["digest"].as_str() else {
            continue;
        };
        let t = m["annotations"]["org.opencontainers.image.ref.name"]
            .as_str()
            .map(str::to_string)
            .or_else(|| tag.clone());
        // Each (blob, tag) once — two tags of one manifest both stay — and a
        // bound on the whole tree.
        if !seen.insert(format!("{d} {t:?}")) {
            continue;
        }
        if seen.len() > MAX_INDEX_ENTRIES {
            return Err(ImageError::new(
                store.display(),
                format!("the index tree names more than {MAX_INDEX_ENTRIES} manifests: refused"),
            ));
        }
        let doc = store.read_blob_json(d)?;
        let mt = m["mediaType"]
            .as_str()
            .or(doc["mediaType"].as_str())
            .unwrap_or("");
        if mt.contains("index") || mt.contains("manifest.list") || doc.get("manifests").is_some() {
            // A multi-platform index: keep the host's platform (linux/amd64 or arm64).
            let host = host_arch();
            let mut sub = doc.clone();
            if let Some(arr) = sub["manifests"].as_array_mut() {
                let matching: Vec<Value> = arr
                    .iter()
                    .filter(|x| {
                        x["platform"]["architecture"]
                            .as_str()
                            .is_none_or(|a| a == host)
                    })
                    .cloned()
                    .collect();
                *arr = matching;
            }
            collect_manifests(store, &sub, t, out, depth + 1, seen)?;
        } else {
            out.push((d.to_string(), t, doc));
        }
    }
    Ok(())
}

/// A tar reader's error without the header bytes it quotes: the tar crate
/// puts a corrupt header's field, lossily decoded, into its message
/// ("numeric field did not have utf-8 text: <binary> when getting cksum for
/// <binary>"); the words before the first quoted byte say what is wrong.
pub(crate) fn tar_error(e: &dyn std::fmt::Display) -> String {
    let s = e.to_string();
    let bad = |c: char| c == '\u{fffd}' || c.is_control();
    match s.find(bad) {
        None => s,
        Some(i) => {
            let head = s[..i].trim_end();
            let head = head.strip_suffix(':').unwrap_or(head).trim_end();
            format!("{head} (the header holds binary bytes: not a tar file, or a corrupt one)")
        }
    }
}

fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        a => a,
    }
}

fn docker_archive(
    reference: &str,
    store: Store,
    selector: Option<&str>,
) -> Result<Image, ImageError> {
    let where_ = store.display();
    let manifest = store.read_json("manifest.json")?;
    let entries = manifest
        .as_array()
        .ok_or_else(|| ImageError::new(where_.clone(), "manifest.json is not a list"))?;
    let chosen = match selector {
        Some(tag) => entries.iter().find(|e| {
            e["RepoTags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|x| x.as_str() == Some(tag)))
        }),
        None if entries.len() == 1 => entries.first(),
        None => {
            let tags: Vec<String> = entries.iter().map(|e| e["RepoTags"].to_string()).collect();
            return Err(ImageError::new(
                where_,
                format!(
                    "the archive holds {} images; choose one with :REPO:TAG: {}",
                    entries.len(),
                    tags.join(", ")
                ),
            ));
        }
    };
    let Some(entry) = chosen else {
        return Err(ImageError::new(
            where_,
            format!("no image '{}' in the archive", selector.unwrap_or("")),
        ));
    };
    let config_member = entry["Config"]
        .as_str()
        .ok_or_else(|| ImageError::new(where_.clone(), "manifest.json entry has no Config"))?;
    let config = store.read_json(config_member)?;
    let diff_ids = diff_ids(&config);
    let mut layers = Vec::new();
    for (i, l) in entry["Layers"].as_array().into_iter().flatten().enumerate() {
        let member = l
            .as_str()
            .ok_or_else(|| ImageError::new(where_.clone(), format!("layer {i} is not a path")))?;
        // OCI-style archives store layers as blobs/sha256/<hex>: that is the blob digest.
        let blob_digest = member
            .strip_prefix("blobs/")
            .and_then(|r| r.split_once('/'))
            .map(|(a, h)| format!("{a}:{h}"));
        layers.push(LayerRef {
            member: member.to_string(),
            blob_digest,
            diff_id: diff_ids.get(i).cloned().flatten(),
            media_type: None,
        });
    }
    Ok(Image {
        reference: reference.to_string(),
        store,
        manifest_digest: None,
        config,
        layers,
    })
}

fn from_registry(
    reference: &str,
    host: &str,
    name: &str,
    tag: &str,
    opts: &OpenOptions,
) -> Result<Image, ImageError> {
    use crate::registry::{MANIFEST_TYPES, Registry};
    let reg = Registry::new(host, name, opts.insecure);
    let where_ = format!("{host}/{name}");
    let fetch = |r: &str| -> Result<(Value, String), ImageError> {
        let mut buf = Vec::new();
        reg.get(&format!("manifests/{r}"), Some(MANIFEST_TYPES))?
            .into_reader()
            .take(MAX_JSON)
            .read_to_end(&mut buf)
            .map_err(|e| ImageError::new(where_.clone(), format!("manifest {r}: {e}")))?;
        use sha2::Digest;
        let d = sha2::Sha256::digest(&buf);
        let digest = format!(
            "sha256:{}",
            d.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        let v = serde_json::from_slice(&buf).map_err(|e| {
            ImageError::new(where_.clone(), format!("manifest {r}: invalid JSON: {e}"))
        })?;
        Ok((v, digest))
    };
    let (mut manifest, mut digest) = fetch(tag)?;
    if tag.starts_with("sha256:") && digest != tag {
        return Err(ImageError::new(
            where_,
            format!("manifest digest mismatch: got {digest}, asked for {tag}"),
        ));
    }
    if let Some(list) = manifest.get("manifests").and_then(Value::as_array) {
        let (want_os, want_arch) = match opts.platform.as_deref() {
            Some(p) => match p.split_once('/') {
                Some((o, a)) => (o.to_string(), a.split('/').next().unwrap_or(a).to_string()),
                None => ("linux".to_string(), p.to_string()),
            },
            None => ("linux".to_string(), host_arch().to_string()),
        };
        let pick = list.iter().find(|m| {
            m["platform"]["os"].as_str() == Some(want_os.as_str())
                && m["platform"]["architecture"].as_str() == Some(want_arch.as_str())
        });
        let Some(d) = pick.and_then(|m| m["digest"].as_str()) else {
            let have: Vec<String> = list
                .iter()
                .map(|m| {
                    format!(
                        "{}/{}",
                        m["platform"]["os"].as_str().unwrap_or("?"),
                        m["platform"]["architecture"].as_str().unwrap_or("?")
                    )
                })
                .collect();
            return Err(ImageError::new(
                where_,
                format!(
                    "no {want_os}/{want_arch} image in the index (has {}); use --platform",
                    have.join(", ")
                ),
            ));
        };
        let d = d.to_string();
        (manifest, digest) = fetch(&d)?;
        if digest != d {
            return Err(ImageError::new(
                where_,
                format!("manifest digest mismatch: got {digest}, index says {d}"),
            ));
        }
    }
    image_from_manifest(reference, Store::Registry(reg), digest, &manifest)
}

/// `rootfs.diff_ids` of an image config, by layer index.
fn diff_ids(config: &Value) -> Vec<Option<String>> {
    config["rootfs"]["diff_ids"]
        .as_array()
        .map(|a| a.iter().map(|d| d.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// An OCI / Docker v2 image manifest (from a layout or a registry) → the
/// image: its config read from `store`, its layers with their digests.
fn image_from_manifest(
    reference: &str,
    store: Store,
    digest: String,
    manifest: &Value,
) -> Result<Image, ImageError> {
    let where_ = store.display();
    let config_digest = manifest["config"]["digest"]
        .as_str()
        .ok_or_else(|| ImageError::new(where_.clone(), "manifest has no config digest"))?;
    let config = store.read_blob_json(config_digest)?;
    let diff_ids = diff_ids(&config);
    let mut layers = Vec::new();
    for (i, l) in manifest["layers"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let d = l["digest"]
            .as_str()
            .ok_or_else(|| ImageError::new(where_.clone(), format!("layer {i} has no digest")))?;
        layers.push(LayerRef {
            member: blob_path(d).map_err(|e| ImageError::new(where_.clone(), e))?,
            blob_digest: Some(d.to_string()),
            diff_id: diff_ids.get(i).cloned().flatten(),
            media_type: l["mediaType"].as_str().map(str::to_string),
        });
    }
    Ok(Image {
        reference: reference.to_string(),
        store,
        manifest_digest: Some(digest),
        config,
        layers,
    })
}
