//! Files as OCI artifacts (OCI 1.1 `artifactType`, one layer): how the
//! vulnerability database travels through the registry every admission
//! replica and fleet-scan pod already trusts, as Trivy ships its DB. Pull is
//! streamed to a temporary file beside the target, its digest checked while
//! it is written, and renamed over the target only when complete; it can
//! require a signature made by `bulkhead sign` on the artifact's manifest.

use crate::SignError;
use crate::envelope::{self, hex};
use crate::store::{OCI_MANIFEST, Store};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;

pub const DB_ARTIFACT_TYPE: &str = "application/vnd.bulkhead.vulndb.v1";
pub const DB_LAYER_TYPE: &str = "application/vnd.bulkhead.vulndb.layer.v1";
const EMPTY_CONFIG: &str = "application/vnd.oci.empty.v1+json";

/// Pushes `bytes` as an artifact under `tag`; returns the manifest digest.
pub fn push(
    store: &dyn Store,
    tag: &str,
    bytes: &[u8],
    artifact_type: &str,
    layer_type: &str,
    title: &str,
) -> Result<String, SignError> {
    let d = envelope::sha256_digest(bytes);
    store.put_blob(&d, bytes)?;
    let empty = b"{}";
    let ed = envelope::sha256_digest(empty);
    store.put_blob(&ed, empty)?;
    let manifest = json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": artifact_type,
        "config": {"mediaType": EMPTY_CONFIG, "size": 2, "digest": ed},
        "layers": [{"mediaType": layer_type, "size": bytes.len(), "digest": d,
                    "annotations": {"org.opencontainers.image.title": title}}],
        "annotations": {"org.opencontainers.image.created": jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()},
    });
    let mb = envelope::go_json(&manifest);
    store.put_manifest(Some(tag), &mb, OCI_MANIFEST)?;
    Ok(envelope::sha256_digest(&mb))
}

/// The artifact's single layer: (manifest digest, layer digest, size).
pub fn locate(
    store: &dyn Store,
    reference: &str,
    artifact_type: &str,
    max: u64,
) -> Result<(String, String, u64), SignError> {
    let r = crate::sign::resolve(store, reference)?;
    let m: &Value = &r.json;
    if m["artifactType"] != artifact_type {
        return Err(SignError::input(
            store.describe(),
            format!(
                "{reference}: artifact type {}, expected {artifact_type}",
                m["artifactType"]
            ),
        ));
    }
    let layer = m["layers"]
        .as_array()
        .filter(|l| l.len() == 1)
        .and_then(|l| l.first())
        .ok_or_else(|| {
            SignError::input(
                store.describe(),
                format!("{reference}: expected exactly one layer"),
            )
        })?;
    let size = layer["size"].as_u64().unwrap_or(0);
    if size > max {
        return Err(SignError::input(
            store.describe(),
            format!("{reference}: layer of {size} bytes exceeds the limit of {max}"),
        ));
    }
    let d = layer["digest"].as_str().unwrap_or("").to_string();
    crate::store::check_digest(&d)?;
    Ok((r.digest, d, size))
}

/// Streams a blob into `dest` (a new file), checking size and digest; the
/// file is removed on any failure.
pub fn download(store: &dyn Store, digest: &str, size: u64, dest: &Path) -> Result<(), SignError> {
    let what = dest.display().to_string();
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(dest)
        .map_err(|e| SignError::input(&what, e.to_string()))?;
    let mut hasher = Sha256::new();
    let mut n = 0u64;
    let res = store.stream_blob(digest, size, &mut |chunk: &[u8]| {
        hasher.update(chunk);
        n += chunk.len() as u64;
        f.write_all(chunk)
            .map_err(|e| SignError::input(&what, e.to_string()))
    });
    let res = res.and_then(|()| {
        let got = format!("sha256:{}", hex(&hasher.finalize_reset()));
        if got != digest || n != size {
            return Err(SignError::input(
                store.describe(),
                format!("blob {digest}: received {n} bytes with digest {got}"),
            ));
        }
        f.sync_all()
            .map_err(|e| SignError::input(&what, e.to_string()))
    });
    if res.is_err() {
        let _ = std::fs::remove_file(dest);
    }
    res
}
