//! Signing and attesting, in cosign's two layouts.
//!
//! - **legacy**: a manifest tagged `sha256-<hex>.sig` (`.att` for
//!   attestations) in the image's repository, one layer per signature: the
//!   simple-signing payload with the base64 signature in the layer's
//!   `dev.cosignproject.cosign/signature` annotation (attestations: a DSSE
//!   envelope layer with a `predicateType` annotation). A new signature is
//!   appended; earlier ones are kept.
//! - **bundle**: a Sigstore bundle v0.3 (DSSE envelope of an in-toto
//!   statement, key hint, no transparency-log entry) as an OCI 1.1 artifact
//!   whose `subject` is the image, found through the referrers API; when the
//!   registry has none, the `sha256-<hex>` tag holds the referrers index
//!   (the distribution spec's tag-schema fallback), as cosign v3 writes it.

use crate::SignError;
use crate::envelope::{self, Envelope};
use crate::keys::PrivateKey;
use crate::store::{OCI_INDEX, OCI_MANIFEST, Store};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};

const EMPTY_CONFIG: &str = "application/vnd.oci.empty.v1+json";
const IMAGE_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// Most signatures (layers) one `.sig`/`.att` manifest may hold.
pub const MAX_SIGNATURES: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Legacy,
    Bundle,
}

impl Layout {
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Legacy => "legacy",
            Layout::Bundle => "bundle",
        }
    }
}

/// What is attached: a signature, or an attestation with a predicate.
#[derive(Debug, Clone)]
pub enum Attachment {
    Signature,
    Attestation {
        predicate_type: String,
        predicate: Value,
    },
}

#[derive(Debug, Clone)]
pub struct SignOptions {
    pub layout: Layout,
    pub annotations: Vec<(String, String)>,
    /// Also sign every manifest an index lists.
    pub recursive: bool,
}

/// One signature written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The digest signed.
    pub digest: String,
    pub layout: Layout,
    /// Where it went: the `.sig`/`.att` tag, or the referrer manifest digest.
    pub at: String,
    /// Signatures now held by that manifest (legacy) or 1 (bundle).
    pub count: usize,
}

/// A manifest as resolved once: digest, media type, size, parsed JSON.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub digest: String,
    pub media_type: String,
    pub size: usize,
    pub json: Value,
}

impl Resolved {
    pub fn is_index(&self) -> bool {
        self.json["manifests"].is_array()
    }

    /// The manifests an index lists (digest, media type, size, platform).
    pub fn children(&self) -> Vec<Resolved> {
        self.json["manifests"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| {
                Some(Resolved {
                    digest: m["digest"].as_str()?.to_string(),
                    media_type: m["mediaType"].as_str().unwrap_or(OCI_MANIFEST).to_string(),
                    size: m["size"].as_u64().unwrap_or(0) as usize,
                    json: json!({"platform": m["platform"]}),
                })
            })
            .collect()
    }
}

/// Resolves a tag (once) or a digest to the manifest it names.
pub fn resolve(store: &dyn Store, reference: &str) -> Result<Resolved, SignError> {
    let (bytes, mt) = store.manifest(reference)?.ok_or_else(|| {
        SignError::input(store.describe(), format!("{reference}: no such manifest"))
    })?;
    let json: Value = serde_json::from_slice(&bytes).map_err(|e| {
        SignError::input(
            store.describe(),
            format!("{reference}: manifest is not JSON ({e})"),
        )
    })?;
    let media_type = json["mediaType"].as_str().map(str::to_string).unwrap_or(mt);
    Ok(Resolved {
        digest: envelope::sha256_digest(&bytes),
        media_type,
        size: bytes.len(),
        json,
    })
}

/// `sha256:abc` → `sha256-abc` + suffix.
pub fn tag_for(digest: &str, suffix: &str) -> String {
    format!("{}{suffix}", digest.replacen(':', "-", 1))
}

fn push_json(store: &dyn Store, v: &Value) -> Result<(String, usize), SignError> {
    let b = envelope::go_json(v);
    let d = envelope::sha256_digest(&b);
    store.put_blob(&d, &b)?;
    Ok((d, b.len()))
}

/// Signs (or attests) `reference`; with `recursive`, every platform manifest
/// of an index too. The tag is resolved once: what is signed is the digest.
pub fn sign(
    store: &dyn Store,
    reference: &str,
    key: &PrivateKey,
    what: &Attachment,
    opts: &SignOptions,
) -> Result<Vec<Signed>, SignError> {
    let top = resolve(store, reference)?;
    let mut targets = vec![top.clone()];
    if opts.recursive && top.is_index() {
        targets.extend(top.children());
    }
    let mut out = Vec::new();
    for t in &targets {
        out.push(match opts.layout {
            Layout::Legacy => sign_legacy(store, t, key, what, &opts.annotations)?,
            Layout::Bundle => sign_bundle(store, t, key, what, &opts.annotations)?,
        });
    }
    Ok(out)
}

fn sign_legacy(
    store: &dyn Store,
    target: &Resolved,
    key: &PrivateKey,
    what: &Attachment,
    annotations: &[(String, String)],
) -> Result<Signed, SignError> {
    let (payload, layer_type, layer_annotations, suffix) = match what {
        Attachment::Signature => {
            let p = envelope::simple_signing(&store.repository(), &target.digest, annotations);
            let sig = B64.encode(key.sign(&p));
            (
                p,
                envelope::SIMPLE_SIGNING_MEDIA_TYPE,
                json!({ envelope::SIGNATURE_ANNOTATION: sig }),
                ".sig",
            )
        }
        Attachment::Attestation {
            predicate_type,
            predicate,
        } => {
            let st = envelope::statement(
                0,
                Some(&store.repository()),
                &target.digest,
                predicate_type,
                predicate.clone(),
                annotations,
            );
            let env = dsse(key, &st);
            (
                envelope::go_json(&env.to_json()),
                envelope::DSSE_MEDIA_TYPE,
                json!({ "predicateType": predicate_type, envelope::SIGNATURE_ANNOTATION: "" }),
                ".att",
            )
        }
    };
    let tag = tag_for(&target.digest, suffix);
    let mut layers: Vec<Value> = match store.manifest(&tag)? {
        Some((b, _)) => {
            let v: Value = serde_json::from_slice(&b).map_err(|e| {
                SignError::input(
                    store.describe(),
                    format!("{tag}: existing signature manifest is not JSON ({e})"),
                )
            })?;
            v["layers"].as_array().cloned().unwrap_or_default()
        }
        None => Vec::new(),
    };
    if layers.len() >= MAX_SIGNATURES {
        return Err(SignError::input(
            store.describe(),
            format!(
                "{tag}: already holds {} signatures (limit {MAX_SIGNATURES})",
                layers.len()
            ),
        ));
    }
    let pd = envelope::sha256_digest(&payload);
    store.put_blob(&pd, &payload)?;
    layers.push(json!({
        "mediaType": layer_type, "size": payload.len(), "digest": pd, "annotations": layer_annotations,
    }));
    let diff_ids: Vec<&Value> = layers.iter().map(|l| &l["digest"]).collect();
    let history: Vec<Value> = layers
        .iter()
        .map(|_| json!({"created": "0001-01-01T00:00:00Z"}))
        .collect();
    let config = json!({
        "architecture": "", "created": "0001-01-01T00:00:00Z", "history": history, "os": "",
        "rootfs": {"type": "layers", "diff_ids": diff_ids}, "config": {},
    });
    let (cd, cs) = push_json(store, &config)?;
    let count = layers.len();
    let manifest = json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": IMAGE_CONFIG, "size": cs, "digest": cd},
        "layers": layers,
    });
    store.put_manifest(Some(&tag), &envelope::go_json(&manifest), OCI_MANIFEST)?;
    Ok(Signed {
        digest: target.digest.clone(),
        layout: Layout::Legacy,
        at: tag,
        count,
    })
}

fn dsse(key: &PrivateKey, statement: &[u8]) -> Envelope {
    let pae = envelope::pae(envelope::INTOTO_PAYLOAD_TYPE, statement);
    Envelope {
        payload_type: envelope::INTOTO_PAYLOAD_TYPE.to_string(),
        payload: statement.to_vec(),
        signatures: vec![(String::new(), key.sign(&pae))],
    }
}

fn sign_bundle(
    store: &dyn Store,
    target: &Resolved,
    key: &PrivateKey,
    what: &Attachment,
    annotations: &[(String, String)],
) -> Result<Signed, SignError> {
    let (pt, predicate) = match what {
        Attachment::Signature => (envelope::COSIGN_SIGN_PREDICATE.to_string(), json!({})),
        Attachment::Attestation {
            predicate_type,
            predicate,
        } => (predicate_type.clone(), predicate.clone()),
    };
    let st = envelope::statement(1, None, &target.digest, &pt, predicate, annotations);
    let bundle = envelope::bundle(&dsse(key, &st), &key.public().hint());
    let bd = envelope::sha256_digest(&bundle);
    store.put_blob(&bd, &bundle)?;
    let empty = b"{}";
    let ed = envelope::sha256_digest(empty);
    store.put_blob(&ed, empty)?;
    let created = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let manifest_annotations = json!({
        "dev.sigstore.bundle.content": "dsse-envelope",
        "dev.sigstore.bundle.predicateType": pt,
        "org.opencontainers.image.created": created,
    });
    let manifest = json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": envelope::BUNDLE_V03,
        "config": {"mediaType": EMPTY_CONFIG, "size": empty.len(), "digest": ed},
        "layers": [{"mediaType": envelope::BUNDLE_V03, "size": bundle.len(), "digest": bd}],
        "subject": {"mediaType": target.media_type, "size": target.size, "digest": target.digest},
        "annotations": manifest_annotations,
    });
    let bytes = envelope::go_json(&manifest);
    let md = envelope::sha256_digest(&bytes);
    let indexed = store.put_manifest(None, &bytes, OCI_MANIFEST)?;
    if !indexed {
        // Tag-schema fallback: the referrers index lives under sha256-<hex>.
        let tag = tag_for(&target.digest, "");
        let mut index = match store.manifest(&tag)? {
            Some((b, _)) => serde_json::from_slice::<Value>(&b)
                .ok()
                .filter(|v| v["manifests"].is_array())
                .unwrap_or_else(
                    || json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}),
                ),
            None => json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}),
        };
        if let Some(list) = index["manifests"].as_array_mut() {
            list.push(json!({
                "mediaType": OCI_MANIFEST, "digest": md, "size": bytes.len(),
                "artifactType": envelope::BUNDLE_V03, "annotations": manifest_annotations,
            }));
        }
        store.put_manifest(Some(&tag), &envelope::go_json(&index), OCI_INDEX)?;
    }
    Ok(Signed {
        digest: target.digest.clone(),
        layout: Layout::Bundle,
        at: md,
        count: 1,
    })
}
