//! What gets signed: cosign's simple-signing payload, DSSE envelopes with
//! in-toto statements, and Sigstore bundles (v0.1–v0.3, key-based).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

pub const SIMPLE_SIGNING_TYPE: &str = "cosign container image signature";
pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
pub const DSSE_MEDIA_TYPE: &str = "application/vnd.dsse.envelope.v1+json";
pub const INTOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
pub const BUNDLE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
pub const COSIGN_SIGN_PREDICATE: &str = "https://sigstore.dev/cosign/sign/v1";

/// JSON as Go's `encoding/json` writes it: compact, map keys sorted (the
/// callers build sorted maps), and `<`, `>`, `&`, U+2028, U+2029 escaped —
/// so a payload signed here is byte-identical to cosign's for the same input.
pub fn go_json(v: &Value) -> Vec<u8> {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.into_bytes()
}

fn sorted(annotations: &[(String, String)]) -> Map<String, Value> {
    let mut a: Vec<_> = annotations.iter().collect();
    a.sort();
    a.into_iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect()
}

/// The simple-signing payload cosign signs for `reference` (repository,
/// without tag or digest) at `digest`, with optional annotations.
pub fn simple_signing(reference: &str, digest: &str, annotations: &[(String, String)]) -> Vec<u8> {
    let optional = if annotations.is_empty() {
        Value::Null
    } else {
        Value::Object(sorted(annotations))
    };
    go_json(&json!({
        "critical": {
            "identity": {"docker-reference": reference},
            "image": {"docker-manifest-digest": digest},
            "type": SIMPLE_SIGNING_TYPE,
        },
        "optional": optional,
    }))
}

/// The parts of a signed payload verification checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The image digest the payload names.
    pub digest: String,
    pub reference: Option<String>,
    /// String-valued annotations (simple signing `optional`, statement subject annotations).
    pub annotations: Vec<(String, String)>,
}

fn string_map(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let s = v
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string());
                    (k.clone(), s)
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn parse_simple_signing(bytes: &[u8]) -> Result<Claim, String> {
    let v: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("payload is not JSON ({e})"))?;
    let c = &v["critical"];
    if c["type"] != SIMPLE_SIGNING_TYPE {
        return Err(format!(
            "payload type is {}, not \"{SIMPLE_SIGNING_TYPE}\"",
            c["type"]
        ));
    }
    let digest = c["image"]["docker-manifest-digest"]
        .as_str()
        .ok_or("payload names no docker-manifest-digest")?
        .to_string();
    Ok(Claim {
        digest,
        reference: c["identity"]["docker-reference"]
            .as_str()
            .map(str::to_string),
        annotations: string_map(&v["optional"]),
    })
}

/// DSSE pre-authentication encoding: what a DSSE signature covers.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

#[derive(Debug, Clone)]
pub struct Envelope {
    pub payload_type: String,
    pub payload: Vec<u8>,
    /// (keyid, signature bytes)
    pub signatures: Vec<(String, Vec<u8>)>,
}

impl Envelope {
    pub fn to_json(&self) -> Value {
        json!({
            "payloadType": self.payload_type,
            "payload": B64.encode(&self.payload),
            "signatures": self.signatures.iter().map(|(k, s)| json!({"keyid": k, "sig": B64.encode(s)})).collect::<Vec<_>>(),
        })
    }

    pub fn from_json(v: &Value) -> Result<Envelope, String> {
        let payload_type = v["payloadType"]
            .as_str()
            .ok_or("DSSE envelope without payloadType")?
            .to_string();
        let payload = B64
            .decode(
                v["payload"]
                    .as_str()
                    .ok_or("DSSE envelope without payload")?,
            )
            .map_err(|e| format!("DSSE payload is not base64 ({e})"))?;
        let mut signatures = Vec::new();
        for s in v["signatures"]
            .as_array()
            .ok_or("DSSE envelope without signatures")?
        {
            let sig = B64
                .decode(s["sig"].as_str().ok_or("DSSE signature without sig")?)
                .map_err(|e| format!("DSSE signature is not base64 ({e})"))?;
            signatures.push((s["keyid"].as_str().unwrap_or("").to_string(), sig));
        }
        Ok(Envelope {
            payload_type,
            payload,
            signatures,
        })
    }
}

/// An in-toto statement about one image digest (`sha256:hex`).
pub fn statement(
    version: u8,
    name: Option<&str>,
    digest: &str,
    predicate_type: &str,
    predicate: Value,
    annotations: &[(String, String)],
) -> Vec<u8> {
    let (alg, hex) = digest.split_once(':').unwrap_or(("sha256", digest));
    let mut subject = Map::new();
    if let Some(n) = name {
        subject.insert("name".into(), Value::String(n.to_string()));
    }
    subject.insert("digest".into(), json!({ alg: hex }));
    if !annotations.is_empty() {
        subject.insert("annotations".into(), Value::Object(sorted(annotations)));
    }
    let ty = if version == 1 {
        "https://in-toto.io/Statement/v1"
    } else {
        "https://in-toto.io/Statement/v0.1"
    };
    go_json(&json!({
        "_type": ty,
        "predicateType": predicate_type,
        "subject": [Value::Object(subject)],
        "predicate": predicate,
    }))
}

/// A statement's claim about `digest`: whether a subject names it, and its annotations.
pub fn parse_statement(bytes: &[u8]) -> Result<(String, Vec<Claim>, Value), String> {
    let v: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("statement is not JSON ({e})"))?;
    let ty = v["_type"].as_str().unwrap_or("");
    if !ty.starts_with("https://in-toto.io/Statement/") {
        return Err(format!("not an in-toto statement (_type {})", v["_type"]));
    }
    let pt = v["predicateType"]
        .as_str()
        .ok_or("statement without predicateType")?
        .to_string();
    let mut claims = Vec::new();
    for s in v["subject"].as_array().ok_or("statement without subject")? {
        if let Some(m) = s["digest"].as_object() {
            for (alg, hex) in m {
                if let Some(h) = hex.as_str() {
                    claims.push(Claim {
                        digest: format!("{alg}:{h}"),
                        reference: s["name"].as_str().map(str::to_string),
                        annotations: string_map(&s["annotations"]),
                    });
                }
            }
        }
    }
    Ok((pt, claims, v["predicate"].clone()))
}

/// A key-based Sigstore bundle v0.3 around a DSSE envelope (no
/// transparency-log entry: verification needs only the key).
pub fn bundle(envelope: &Envelope, hint: &str) -> Vec<u8> {
    go_json(&json!({
        "mediaType": BUNDLE_V03,
        "verificationMaterial": {"publicKey": {"hint": hint}},
        "dsseEnvelope": envelope.to_json(),
    }))
}

/// What a bundle holds.
#[derive(Debug, Clone)]
pub enum BundleContent {
    Dsse(Envelope),
    /// A signature over an artifact's bytes, with the artifact's digest.
    Message {
        algorithm: String,
        digest: Vec<u8>,
        signature: Vec<u8>,
    },
}

#[derive(Debug, Clone)]
pub struct Bundle {
    pub media_type: String,
    pub hint: Option<String>,
    pub has_certificate: bool,
    pub tlog_entries: usize,
    pub content: BundleContent,
}

pub fn parse_bundle(bytes: &[u8]) -> Result<Bundle, String> {
    let v: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("bundle is not JSON ({e})"))?;
    let media_type = v["mediaType"].as_str().unwrap_or("").to_string();
    if !media_type.starts_with("application/vnd.dev.sigstore.bundle") {
        return Err(format!(
            "not a Sigstore bundle (mediaType {})",
            v["mediaType"]
        ));
    }
    let vm = &v["verificationMaterial"];
    let content = if v["dsseEnvelope"].is_object() {
        BundleContent::Dsse(Envelope::from_json(&v["dsseEnvelope"])?)
    } else if v["messageSignature"].is_object() {
        let m = &v["messageSignature"];
        BundleContent::Message {
            algorithm: m["messageDigest"]["algorithm"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            digest: B64
                .decode(m["messageDigest"]["digest"].as_str().unwrap_or(""))
                .map_err(|e| format!("messageDigest is not base64 ({e})"))?,
            signature: B64
                .decode(
                    m["signature"]
                        .as_str()
                        .ok_or("messageSignature without signature")?,
                )
                .map_err(|e| format!("signature is not base64 ({e})"))?,
        }
    } else {
        return Err("bundle has neither dsseEnvelope nor messageSignature".into());
    };
    Ok(Bundle {
        media_type,
        hint: vm["publicKey"]["hint"].as_str().map(str::to_string),
        has_certificate: vm["certificate"].is_object() || vm["x509CertificateChain"].is_object(),
        tlog_entries: vm["tlogEntries"].as_array().map_or(0, Vec::len),
        content,
    })
}

/// Verifies a message-signature bundle over `artifact` (cosign
/// `verify-blob --bundle --key`, offline): the digest must be the artifact's
/// SHA-256 and the signature must cover the artifact under `key`.
pub fn verify_blob(
    bundle: &Bundle,
    artifact: &[u8],
    key: &crate::keys::PublicKey,
) -> Result<(), String> {
    match &bundle.content {
        BundleContent::Message {
            algorithm,
            digest,
            signature,
        } => {
            if algorithm != "SHA2_256" {
                return Err(format!("unsupported message digest algorithm {algorithm}"));
            }
            if digest.as_slice() != Sha256::digest(artifact).as_slice() {
                return Err("the bundle's message digest is not the artifact's SHA-256".into());
            }
            key.verify(artifact, signature)
        }
        BundleContent::Dsse(env) => {
            let pae = pae(&env.payload_type, &env.payload);
            if env.signatures.is_empty() {
                return Err("DSSE envelope has no signature".into());
            }
            let mut last = String::new();
            for (_, s) in &env.signatures {
                match key.verify(&pae, s) {
                    Ok(()) => {
                        let d = format!("sha256:{}", hex(&Sha256::digest(artifact)));
                        let (_, claims, _) = parse_statement(&env.payload)?;
                        return if claims.iter().any(|c| c.digest == d) {
                            Ok(())
                        } else {
                            Err("the statement's subject is not the artifact".into())
                        };
                    }
                    Err(e) => last = e,
                }
            }
            Err(last)
        }
    }
}

pub fn hex(b: &[u8]) -> String {
    use std::fmt::Write;
    b.iter()
        .fold(String::with_capacity(b.len() * 2), |mut s, x| {
            let _ = write!(s, "{x:02x}");
            s
        })
}

pub fn sha256_digest(b: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_signing_is_byte_identical_to_cosigns() {
        let p = simple_signing(
            "127.0.0.1:5000/signed",
            "sha256:170145eadceb36c7399bff9ef2bd9faf93d7a4dcf64559e631c7df56727b2559",
            &[],
        );
        assert_eq!(
            String::from_utf8(p).unwrap(),
            r#"{"critical":{"identity":{"docker-reference":"127.0.0.1:5000/signed"},"image":{"docker-manifest-digest":"sha256:170145eadceb36c7399bff9ef2bd9faf93d7a4dcf64559e631c7df56727b2559"},"type":"cosign container image signature"},"optional":null}"#
        );
        let p = simple_signing(
            "r/x",
            "sha256:00",
            &[("z".into(), "<a&b>".into()), ("a".into(), "1".into())],
        );
        let s = String::from_utf8(p.clone()).unwrap();
        assert!(
            s.ends_with(r#""optional":{"a":"1","z":"\u003ca\u0026b\u003e"}}"#),
            "{s}"
        );
        let c = parse_simple_signing(&p).unwrap();
        assert_eq!(c.annotations[1], ("z".into(), "<a&b>".into()));
    }

    #[test]
    fn pae_matches_the_dsse_spec_example() {
        // From the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
    }

    #[test]
    fn hostile_bundles_are_errors() {
        for b in [
            "",
            "{}",
            r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}"#,
            r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","dsseEnvelope":{"payloadType":"x","payload":"%%","signatures":[]}}"#,
        ] {
            assert!(parse_bundle(b.as_bytes()).is_err(), "{b}");
        }
    }
}
