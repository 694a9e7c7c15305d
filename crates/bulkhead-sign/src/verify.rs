//! Verification: every signature (or attestation) of an image in both
//! layouts, each candidate with its outcome, offline except for the store.
//!
//! Requests: the legacy tag is looked up first; when a signature there
//! verifies, the referrers are not fetched (a single-platform image signed
//! in the legacy layout costs 3 requests after the tag is resolved: the
//! `.sig` manifest and its payload blob). `all` looks in both layouts anyway.

use crate::SignError;
use crate::envelope::{self, BundleContent, Claim};
use crate::keys::PublicKey;
use crate::sign::{Attachment, Layout, MAX_SIGNATURES, Resolved, resolve, tag_for};
use crate::store::{MAX_MANIFEST, Store};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Largest signature payload or bundle read.
const MAX_PAYLOAD: u64 = 4 << 20;

#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Annotations every accepted signature must carry (key, value).
    pub annotations: Vec<(String, String)>,
    /// Also verify every manifest an index lists.
    pub recursive: bool,
    /// Look in both layouts even after one signature verified.
    pub all: bool,
    /// Signatures, or attestations of this predicate type.
    pub predicate_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "reason", rename_all = "kebab-case")]
pub enum Outcome {
    Verified,
    /// The signature does not verify under the key (wrong key or tampered).
    BadSignature(String),
    /// A valid signature, but over a payload naming another image.
    WrongImage(String),
    /// A valid signature without the required annotations.
    Annotations(String),
    /// The candidate cannot be read (not base64, not JSON, wrong type).
    Malformed(String),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Candidate {
    pub layout: String,
    /// The `.sig`/`.att` tag with the layer digest, or the referrer manifest digest.
    pub source: String,
    #[serde(flatten)]
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<String>,
    /// The attestation's predicate (verified attestations only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<Value>,
}

/// One image (manifest) and what was found for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImageVerification {
    /// As the user named it (`host/name:tag`, `oci:DIR`).
    pub reference: String,
    pub digest: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// `signature`, or the attestation predicate type asked for.
    pub kind: String,
    pub candidates: Vec<Candidate>,
}

impl ImageVerification {
    pub fn verified(&self) -> bool {
        self.candidates
            .iter()
            .any(|c| c.outcome == Outcome::Verified)
    }
}

fn platform(v: &Value) -> Option<String> {
    let p = &v["platform"];
    let os = p["os"].as_str()?;
    let arch = p["architecture"].as_str()?;
    Some(match p["variant"].as_str() {
        Some(var) => format!("{os}/{arch}/{var}"),
        None => format!("{os}/{arch}"),
    })
}

/// Verifies `reference` (a tag is resolved once) under `key`.
pub fn verify(
    store: &dyn Store,
    reference: &str,
    display: &str,
    key: &PublicKey,
    opts: &VerifyOptions,
) -> Result<Vec<ImageVerification>, SignError> {
    let top = resolve(store, reference)?;
    let mut targets = vec![top.clone()];
    if opts.recursive && top.is_index() {
        targets.extend(top.children());
    }
    targets
        .iter()
        .map(|t| verify_one(store, t, display, key, opts))
        .collect()
}

fn verify_one(
    store: &dyn Store,
    t: &Resolved,
    display: &str,
    key: &PublicKey,
    opts: &VerifyOptions,
) -> Result<ImageVerification, SignError> {
    let mut v = ImageVerification {
        reference: display.to_string(),
        digest: t.digest.clone(),
        platform: platform(&t.json),
        kind: opts
            .predicate_type
            .clone()
            .unwrap_or_else(|| "signature".into()),
        candidates: Vec::new(),
    };
    legacy(store, t, key, opts, &mut v.candidates)?;
    if !v.verified() || opts.all {
        bundles(store, t, key, opts, &mut v.candidates)?;
    }
    Ok(v)
}

fn check_claim(claim: &Claim, digest: &str, opts: &VerifyOptions) -> Outcome {
    if claim.digest != digest {
        return Outcome::WrongImage(format!(
            "the signed payload names {}, not {digest}",
            claim.digest
        ));
    }
    let missing: Vec<String> = opts
        .annotations
        .iter()
        .filter(|(k, want)| {
            !claim
                .annotations
                .iter()
                .any(|(ck, cv)| ck == k && cv == want)
        })
        .map(
            |(k, want)| match claim.annotations.iter().find(|(ck, _)| ck == k) {
                Some((_, got)) => format!("{k}={want} (signed: {k}={got})"),
                None => format!("{k}={want} (not signed)"),
            },
        )
        .collect();
    if missing.is_empty() {
        Outcome::Verified
    } else {
        Outcome::Annotations(format!("required annotation(s) {}", missing.join(", ")))
    }
}

fn legacy(
    store: &dyn Store,
    t: &Resolved,
    key: &PublicKey,
    opts: &VerifyOptions,
    out: &mut Vec<Candidate>,
) -> Result<(), SignError> {
    let attest = opts.predicate_type.is_some();
    let tag = tag_for(&t.digest, if attest { ".att" } else { ".sig" });
    let Some((bytes, _)) = store.manifest(&tag)? else {
        return Ok(());
    };
    let m: Value = serde_json::from_slice(&bytes).map_err(|e| {
        SignError::input(
            store.describe(),
            format!("{tag}: signature manifest is not JSON ({e})"),
        )
    })?;
    let layers = m["layers"].as_array().cloned().unwrap_or_default();
    if layers.len() > MAX_SIGNATURES {
        return Err(SignError::input(
            store.describe(),
            format!(
                "{tag}: {} signature layers (limit {MAX_SIGNATURES})",
                layers.len()
            ),
        ));
    }
    for l in layers {
        let ld = l["digest"].as_str().unwrap_or("").to_string();
        let source = format!("{tag} layer {ld}");
        let mut cand = Candidate {
            layout: Layout::Legacy.as_str().to_string(),
            source,
            outcome: Outcome::Verified,
            annotations: Vec::new(),
            predicate_type: None,
            predicate: None,
        };
        let mt = l["mediaType"].as_str().unwrap_or("");
        let expected = if attest {
            envelope::DSSE_MEDIA_TYPE
        } else {
            envelope::SIMPLE_SIGNING_MEDIA_TYPE
        };
        if mt != expected {
            cand.outcome =
                Outcome::Malformed(format!("layer media type {mt}, expected {expected}"));
            out.push(cand);
            continue;
        }
        let payload = store.blob(&ld, MAX_PAYLOAD)?;
        cand.outcome = if attest {
            match serde_json::from_slice::<Value>(&payload)
                .map_err(|e| e.to_string())
                .and_then(|v| envelope::Envelope::from_json(&v))
            {
                Ok(env) => check_dsse(&env, key, t, opts, &mut cand),
                Err(e) => {
                    Outcome::Malformed(format!("attestation layer is not a DSSE envelope ({e})"))
                }
            }
        } else {
            let sig = l["annotations"][envelope::SIGNATURE_ANNOTATION]
                .as_str()
                .unwrap_or("");
            match B64.decode(sig.trim()) {
                Err(_) => Outcome::Malformed("the signature annotation is not base64".into()),
                Ok(s) if s.is_empty() => {
                    Outcome::Malformed("the layer has no signature annotation".into())
                }
                Ok(s) => match key.verify(&payload, &s) {
                    Err(e) => Outcome::BadSignature(e),
                    Ok(()) => match envelope::parse_simple_signing(&payload) {
                        Err(e) => Outcome::Malformed(e),
                        Ok(claim) => {
                            cand.annotations = claim.annotations.clone();
                            check_claim(&claim, &t.digest, opts)
                        }
                    },
                },
            }
        };
        // The .att manifest holds attestations of every type: others are not candidates.
        if attest
            && cand.predicate_type.as_deref() != opts.predicate_type.as_deref()
            && cand.predicate_type.is_some()
        {
            continue;
        }
        out.push(cand);
    }
    Ok(())
}

fn check_dsse(
    env: &envelope::Envelope,
    key: &PublicKey,
    t: &Resolved,
    opts: &VerifyOptions,
    cand: &mut Candidate,
) -> Outcome {
    if env.payload_type != envelope::INTOTO_PAYLOAD_TYPE {
        return Outcome::Malformed(format!("DSSE payload type {}", env.payload_type));
    }
    let pae = envelope::pae(&env.payload_type, &env.payload);
    let mut last = Outcome::Malformed("DSSE envelope has no signature".into());
    let mut ok = false;
    for (_, s) in &env.signatures {
        match key.verify(&pae, s) {
            Ok(()) => {
                ok = true;
                break;
            }
            Err(e) => last = Outcome::BadSignature(e),
        }
    }
    if !ok {
        return last;
    }
    let (pt, claims, predicate) = match envelope::parse_statement(&env.payload) {
        Ok(x) => x,
        Err(e) => return Outcome::Malformed(e),
    };
    cand.predicate_type = Some(pt.clone());
    let want = opts
        .predicate_type
        .as_deref()
        .unwrap_or(envelope::COSIGN_SIGN_PREDICATE);
    if pt != want {
        return Outcome::Malformed(format!("predicate type {pt}, not {want}"));
    }
    let claim = claims
        .iter()
        .find(|c| c.digest == t.digest)
        .or(claims.first());
    match claim {
        None => Outcome::Malformed("the statement has no subject digest".into()),
        Some(c) => {
            cand.annotations = c.annotations.clone();
            let o = check_claim(c, &t.digest, opts);
            if o == Outcome::Verified && opts.predicate_type.is_some() {
                cand.predicate = Some(predicate);
            }
            o
        }
    }
}

fn bundles(
    store: &dyn Store,
    t: &Resolved,
    key: &PublicKey,
    opts: &VerifyOptions,
    out: &mut Vec<Candidate>,
) -> Result<(), SignError> {
    let index = match store.referrers(&t.digest)? {
        Some(i) => i,
        None => match store.manifest(&tag_for(&t.digest, ""))? {
            Some((b, _)) => serde_json::from_slice(&b).unwrap_or(Value::Null),
            None => return Ok(()),
        },
    };
    let list = index["manifests"].as_array().cloned().unwrap_or_default();
    if list.len() > MAX_SIGNATURES {
        return Err(SignError::input(
            store.describe(),
            format!(
                "{}: {} referrers (limit {MAX_SIGNATURES})",
                t.digest,
                list.len()
            ),
        ));
    }
    for d in list {
        let at = d["artifactType"].as_str().unwrap_or("");
        if !at.starts_with("application/vnd.dev.sigstore.bundle") {
            continue;
        }
        let md = d["digest"].as_str().unwrap_or("").to_string();
        let Some((mb, _)) = store.manifest(&md)? else {
            return Err(SignError::input(
                store.describe(),
                format!("referrer {md} of {} is listed but missing", t.digest),
            ));
        };
        let m: Value = serde_json::from_slice(&mb).map_err(|e| {
            SignError::input(store.describe(), format!("referrer {md}: not JSON ({e})"))
        })?;
        let mut cand = Candidate {
            layout: Layout::Bundle.as_str().to_string(),
            source: md.clone(),
            outcome: Outcome::Verified,
            annotations: Vec::new(),
            predicate_type: None,
            predicate: None,
        };
        if m["subject"]["digest"] != t.digest.as_str() {
            cand.outcome = Outcome::WrongImage(format!(
                "the referrer's subject is {}, not {}",
                m["subject"]["digest"], t.digest
            ));
            out.push(cand);
            continue;
        }
        let Some(layer) = m["layers"].as_array().and_then(|l| l.first()) else {
            cand.outcome = Outcome::Malformed("the bundle manifest has no layer".into());
            out.push(cand);
            continue;
        };
        let bd = layer["digest"].as_str().unwrap_or("");
        let bytes = store.blob(bd, MAX_PAYLOAD)?;
        cand.outcome = match envelope::parse_bundle(&bytes) {
            Err(e) => Outcome::Malformed(e),
            Ok(b) => match &b.content {
                BundleContent::Message { .. } => {
                    Outcome::Malformed("a message-signature bundle does not sign an image".into())
                }
                BundleContent::Dsse(env) => {
                    let o = check_dsse(env, key, t, opts, &mut cand);
                    match (&o, &b.hint) {
                        (Outcome::BadSignature(_), Some(h))
                            if !h.is_empty() && *h != key.hint() =>
                        {
                            Outcome::BadSignature(format!(
                                "signed by another key (bundle key hint {h}, this key's {})",
                                key.hint()
                            ))
                        }
                        _ => o,
                    }
                }
            },
        };
        // An attestation bundle is not a signature candidate and vice versa.
        let want = opts
            .predicate_type
            .as_deref()
            .unwrap_or(envelope::COSIGN_SIGN_PREDICATE);
        if cand.predicate_type.as_deref().is_some_and(|p| p != want) {
            continue;
        }
        out.push(cand);
    }
    Ok(())
}

/// Reads at most [`MAX_MANIFEST`] of a file: for keys, predicates, bundles.
pub fn read_input(path: &std::path::Path) -> Result<Vec<u8>, SignError> {
    let p = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| SignError::input(&p, e.to_string()))?;
    if !meta.is_file() {
        return Err(SignError::input(&p, "not a regular file"));
    }
    if meta.len() > MAX_MANIFEST * 16 {
        return Err(SignError::input(
            &p,
            format!("larger than {} bytes", MAX_MANIFEST * 16),
        ));
    }
    std::fs::read(path).map_err(|e| SignError::input(&p, e.to_string()))
}

impl Attachment {
    pub fn predicate_type(&self) -> Option<&str> {
        match self {
            Attachment::Signature => None,
            Attachment::Attestation { predicate_type, .. } => Some(predicate_type),
        }
    }
}
