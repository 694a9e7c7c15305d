//! Keys in every form cosign reads and writes.
//!
//! Private keys: `ENCRYPTED SIGSTORE PRIVATE KEY` and `ENCRYPTED COSIGN
//! PRIVATE KEY` (a base64 JSON envelope: scrypt with the N/r/p stored in the
//! file, nacl/secretbox = XSalsa20-Poly1305, PKCS#8 DER inside), plain
//! `PRIVATE KEY` (PKCS#8), `EC PRIVATE KEY` (SEC1) and `RSA PRIVATE KEY`
//! (PKCS#1). Public keys: `PUBLIC KEY` (PKIX) for ECDSA P-256 and RSA, and
//! `RSA PUBLIC KEY` (PKCS#1).
//!
//! The PEM armour is read by hand (a dozen lines) rather than with a strict
//! RFC 7468 decoder: cosign's files are Go `pem.Encode` output, but users
//! paste keys into CI secrets with CRLF line ends, trailing blanks and text
//! around the block, which Go's decoder (and so cosign) accepts.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::fmt;
use zeroize::Zeroizing;

/// A key problem, as one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError(pub String);

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

fn err<T>(m: impl Into<String>) -> Result<T, KeyError> {
    Err(KeyError(m.into()))
}

/// scrypt parameters of newly written keys: cosign's (N = 2^16, r = 8, p = 1).
pub const SCRYPT_LOG_N: u8 = 16;
const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;
/// The most scrypt work a key file may ask for: 1 GiB of memory
/// (128·N·r bytes) and p ≤ 16; beyond that a hostile file could pin the CPU
/// for minutes or exhaust memory.
const SCRYPT_MAX_MEM: u64 = 1 << 30;

pub const LABEL_ENCRYPTED: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
const LABEL_ENCRYPTED_OLD: &str = "ENCRYPTED COSIGN PRIVATE KEY";

/// A PEM block: its label and decoded body.
#[derive(Debug)]
pub struct Pem {
    pub label: String,
    pub body: Vec<u8>,
}

/// The first PEM block in `text`.
pub fn pem_decode(text: &[u8]) -> Result<Pem, KeyError> {
    let text = String::from_utf8_lossy(text);
    let mut lines = text.lines().map(str::trim);
    let label = loop {
        match lines.next() {
            None => return err("no PEM block (-----BEGIN ...-----) found"),
            Some(l) => {
                if let Some(rest) = l.strip_prefix("-----BEGIN ") {
                    match rest.strip_suffix("-----") {
                        Some(label) => break label.to_string(),
                        None => return err("malformed PEM BEGIN line"),
                    }
                }
            }
        }
    };
    let mut b64 = String::new();
    for l in lines {
        if let Some(rest) = l.strip_prefix("-----END ") {
            if rest.strip_suffix("-----") != Some(label.as_str()) {
                return err(format!("PEM block {label} ends with a different label"));
            }
            let body = B64
                .decode(b64.as_bytes())
                .map_err(|e| KeyError(format!("PEM block {label}: invalid base64 ({e})")))?;
            return Ok(Pem { label, body });
        }
        if l.contains(':') {
            // RFC 1421 headers (Proc-Type, DEK-Info): legacy OpenSSL encryption.
            return err(format!(
                "PEM block {label} has headers ({l}); OpenSSL-encrypted PEM is not supported"
            ));
        }
        b64.push_str(l);
    }
    err(format!("PEM block {label} is truncated (no END line)"))
}

pub fn pem_encode(label: &str, body: &[u8]) -> String {
    let b = B64.encode(body);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// A key that verifies.
#[derive(Clone, Debug)]
pub enum PublicKey {
    EcdsaP256(p256::ecdsa::VerifyingKey),
    Rsa(rsa::RsaPublicKey),
}

/// A key that signs.
pub enum PrivateKey {
    EcdsaP256(p256::ecdsa::SigningKey),
    Rsa(Box<rsa::RsaPrivateKey>),
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PrivateKey::EcdsaP256(_) => "PrivateKey(ECDSA P-256)",
            PrivateKey::Rsa(_) => "PrivateKey(RSA)",
        })
    }
}

const OID_EC: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_RSA: &str = "1.2.840.113549.1.1.1";

fn algorithm_name(oid: &str, param: Option<String>) -> String {
    match (oid, param.as_deref()) {
        (OID_EC, Some("1.3.132.0.34")) => "ECDSA P-384".into(),
        (OID_EC, Some("1.3.132.0.35")) => "ECDSA P-521".into(),
        (OID_EC, Some("1.3.132.0.10")) => "ECDSA secp256k1".into(),
        (OID_EC, Some(p)) => format!("EC curve {p}"),
        ("1.3.101.112", _) => "Ed25519".into(),
        ("1.3.101.113", _) => "Ed448".into(),
        (o, _) => format!("algorithm {o}"),
    }
}

fn pkcs8_private(der: &[u8]) -> Result<PrivateKey, KeyError> {
    let info = p256::pkcs8::PrivateKeyInfo::try_from(der)
        .map_err(|e| KeyError(format!("not a PKCS#8 private key ({e})")))?;
    let oid = info.algorithm.oid.to_string();
    let param = info.algorithm.parameters_oid().ok().map(|o| o.to_string());
    match (oid.as_str(), param.as_deref()) {
        (OID_EC, Some(OID_P256)) => p256::ecdsa::SigningKey::from_pkcs8_der(der)
            .map(PrivateKey::EcdsaP256)
            .map_err(|e| KeyError(format!("ECDSA P-256 private key: {e}"))),
        (OID_RSA, _) => rsa::RsaPrivateKey::from_pkcs8_der(der)
            .map(|k| PrivateKey::Rsa(Box::new(k)))
            .map_err(|e| KeyError(format!("RSA private key: {e}"))),
        _ => err(format!(
            "unsupported key type {} (ECDSA P-256 and RSA keys are supported)",
            algorithm_name(&oid, param)
        )),
    }
}

/// The password a key is encrypted with, or the error to report.
pub type Password<'a> = &'a dyn Fn() -> Result<Zeroizing<String>, KeyError>;

/// Reads a private key in any cosign form; `password` is asked only for an
/// encrypted key.
pub fn read_private(pem: &[u8], password: Password<'_>) -> Result<PrivateKey, KeyError> {
    let block = pem_decode(pem)?;
    match block.label.as_str() {
        LABEL_ENCRYPTED | LABEL_ENCRYPTED_OLD => {
            let pw = password()?;
            let der = decrypt(&block.body, pw.as_bytes())?;
            // cosign stores PKCS#8; its older keys hold SEC1 (`x509.ParseECPrivateKey`).
            match pkcs8_private(&der) {
                Ok(k) => Ok(k),
                Err(e) => p256::SecretKey::from_sec1_der(&der)
                    .map(|k| PrivateKey::EcdsaP256(k.into()))
                    .or_else(|_| {
                        rsa::RsaPrivateKey::from_pkcs1_der(&der)
                            .map(|k| PrivateKey::Rsa(Box::new(k)))
                    })
                    .map_err(|_| e),
            }
        }
        "PRIVATE KEY" => pkcs8_private(&block.body),
        "EC PRIVATE KEY" => p256::SecretKey::from_sec1_der(&block.body)
            .map(|k| PrivateKey::EcdsaP256(k.into()))
            .map_err(|_| {
                KeyError("EC PRIVATE KEY: not a P-256 key (only ECDSA P-256 is supported)".into())
            }),
        "RSA PRIVATE KEY" => rsa::RsaPrivateKey::from_pkcs1_der(&block.body)
            .map(|k| PrivateKey::Rsa(Box::new(k)))
            .map_err(|e| KeyError(format!("RSA PRIVATE KEY: {e}"))),
        l => err(format!("PEM block {l} is not a private key")),
    }
}

/// Reads a public key (`PUBLIC KEY` PKIX or `RSA PUBLIC KEY` PKCS#1).
pub fn read_public(pem: &[u8]) -> Result<PublicKey, KeyError> {
    let block = pem_decode(pem)?;
    match block.label.as_str() {
        "PUBLIC KEY" => {
            let info = p256::pkcs8::spki::SubjectPublicKeyInfoRef::try_from(block.body.as_slice())
                .map_err(|e| KeyError(format!("PUBLIC KEY: not a PKIX public key ({e})")))?;
            let oid = info.algorithm.oid.to_string();
            let param = info.algorithm.parameters_oid().ok().map(|o| o.to_string());
            match (oid.as_str(), param.as_deref()) {
                (OID_EC, Some(OID_P256)) => {
                    p256::ecdsa::VerifyingKey::from_public_key_der(&block.body)
                        .map(PublicKey::EcdsaP256)
                        .map_err(|e| KeyError(format!("ECDSA P-256 public key: {e}")))
                }
                (OID_RSA, _) => rsa::RsaPublicKey::from_public_key_der(&block.body)
                    .map(PublicKey::Rsa)
                    .map_err(|e| KeyError(format!("RSA public key: {e}"))),
                _ => err(format!(
                    "unsupported key type {} (ECDSA P-256 and RSA keys are supported)",
                    algorithm_name(&oid, param)
                )),
            }
        }
        "RSA PUBLIC KEY" => rsa::RsaPublicKey::from_pkcs1_der(&block.body)
            .map(PublicKey::Rsa)
            .map_err(|e| KeyError(format!("RSA PUBLIC KEY: {e}"))),
        l if l.contains("PRIVATE") => err(format!(
            "PEM block {l} is a private key; verification takes the public key (cosign.pub)"
        )),
        l => err(format!("PEM block {l} is not a public key")),
    }
}

fn b64_field(v: &Value, path: &[&str]) -> Result<Vec<u8>, KeyError> {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    let s = cur
        .as_str()
        .ok_or_else(|| KeyError(format!("encrypted key: no {}", path.join("."))))?;
    B64.decode(s).map_err(|e| {
        KeyError(format!(
            "encrypted key: {} is not base64 ({e})",
            path.join(".")
        ))
    })
}

/// Opens cosign's encrypted envelope; the plaintext is PKCS#8 DER.
pub fn decrypt(envelope: &[u8], password: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    use crypto_secretbox::aead::{Aead, KeyInit};
    let v: Value = serde_json::from_slice(envelope)
        .map_err(|e| KeyError(format!("encrypted key: not the cosign JSON envelope ({e})")))?;
    if v["kdf"]["name"] != "scrypt" {
        return err(format!(
            "encrypted key: unsupported kdf {} (expected scrypt)",
            v["kdf"]["name"]
        ));
    }
    if v["cipher"]["name"] != "nacl/secretbox" {
        return err(format!(
            "encrypted key: unsupported cipher {} (expected nacl/secretbox)",
            v["cipher"]["name"]
        ));
    }
    let param = |k: &str| {
        v["kdf"]["params"][k]
            .as_u64()
            .ok_or_else(|| KeyError(format!("encrypted key: scrypt parameter {k} missing")))
    };
    let (n, r, p) = (param("N")?, param("r")?, param("p")?);
    if n < 2 || !n.is_power_of_two() || r == 0 || p == 0 {
        return err(format!(
            "encrypted key: invalid scrypt parameters N={n} r={r} p={p}"
        ));
    }
    if n.saturating_mul(r).saturating_mul(128) > SCRYPT_MAX_MEM || p > 16 {
        return err(format!(
            "encrypted key: scrypt parameters N={n} r={r} p={p} exceed the limit (1 GiB, p ≤ 16)"
        ));
    }
    let salt = b64_field(&v, &["kdf", "salt"])?;
    let nonce = b64_field(&v, &["cipher", "nonce"])?;
    let ct = b64_field(&v, &["ciphertext"])?;
    if nonce.len() != 24 {
        return err(format!(
            "encrypted key: nonce is {} bytes (secretbox needs 24)",
            nonce.len()
        ));
    }
    let params = scrypt::Params::new(n.trailing_zeros() as u8, r as u32, p as u32, 32)
        .map_err(|e| KeyError(format!("encrypted key: scrypt parameters: {e}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, &salt, &params, key.as_mut())
        .map_err(|e| KeyError(format!("encrypted key: scrypt: {e}")))?;
    let cipher = crypto_secretbox::XSalsa20Poly1305::new(key.as_ref().into());
    cipher
        .decrypt(crypto_secretbox::Nonce::from_slice(&nonce), ct.as_slice())
        .map(Zeroizing::new)
        .map_err(|_| KeyError("encrypted key: wrong password (decryption failed)".into()))
}

/// Seals PKCS#8 DER in cosign's envelope with fresh salt and nonce.
pub fn encrypt(der: &[u8], password: &[u8], log_n: u8) -> Result<Vec<u8>, KeyError> {
    use crypto_secretbox::aead::{Aead, KeyInit};
    use rand_core::RngCore;
    let mut salt = [0u8; 32];
    let mut nonce = [0u8; 24];
    rand_core::OsRng.fill_bytes(&mut salt);
    rand_core::OsRng.fill_bytes(&mut nonce);
    let params = scrypt::Params::new(log_n, SCRYPT_R, SCRYPT_P, 32)
        .map_err(|e| KeyError(format!("scrypt parameters: {e}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, &salt, &params, key.as_mut())
        .map_err(|e| KeyError(format!("scrypt: {e}")))?;
    let cipher = crypto_secretbox::XSalsa20Poly1305::new(key.as_ref().into());
    let ct = cipher
        .encrypt(crypto_secretbox::Nonce::from_slice(&nonce), der)
        .map_err(|_| KeyError("encryption failed".into()))?;
    let env = json!({
        "kdf": {"name": "scrypt", "params": {"N": 1u64 << log_n, "r": SCRYPT_R, "p": SCRYPT_P}, "salt": B64.encode(salt)},
        "cipher": {"name": "nacl/secretbox", "nonce": B64.encode(nonce)},
        "ciphertext": B64.encode(ct),
    });
    serde_json::to_vec(&env).map_err(|e| KeyError(e.to_string()))
}

/// A new ECDSA P-256 key pair as cosign writes it: (cosign.key, cosign.pub).
pub fn generate(password: &[u8]) -> Result<(String, String), KeyError> {
    let sk = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    let der = sk
        .to_pkcs8_der()
        .map_err(|e| KeyError(format!("PKCS#8: {e}")))?;
    let env = encrypt(der.as_bytes(), password, SCRYPT_LOG_N)?;
    let private = pem_encode(LABEL_ENCRYPTED, &env);
    let public = PrivateKey::EcdsaP256(sk).public().to_pem()?;
    Ok((private, public))
}

impl PrivateKey {
    pub fn public(&self) -> PublicKey {
        match self {
            PrivateKey::EcdsaP256(k) => PublicKey::EcdsaP256(*k.verifying_key()),
            PrivateKey::Rsa(k) => PublicKey::Rsa(k.to_public_key()),
        }
    }

    /// Signs `msg` (SHA-256): an ASN.1 DER ECDSA signature or PKCS#1 v1.5.
    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        match self {
            PrivateKey::EcdsaP256(k) => {
                let s: p256::ecdsa::Signature = k.sign(msg);
                s.to_der().as_bytes().to_vec()
            }
            PrivateKey::Rsa(k) => {
                let sk = rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone());
                let s: rsa::pkcs1v15::Signature = sk.sign(msg);
                rsa::signature::SignatureEncoding::to_vec(&s)
            }
        }
    }
}

impl PublicKey {
    pub fn to_der(&self) -> Result<Vec<u8>, KeyError> {
        let d = match self {
            PublicKey::EcdsaP256(k) => k.to_public_key_der(),
            PublicKey::Rsa(k) => k.to_public_key_der(),
        };
        d.map(|d| d.as_bytes().to_vec())
            .map_err(|e| KeyError(format!("public key: {e}")))
    }

    pub fn to_pem(&self) -> Result<String, KeyError> {
        Ok(pem_encode("PUBLIC KEY", &self.to_der()?))
    }

    /// The key hint of a Sigstore bundle: base64 SHA-256 of the PKIX DER.
    pub fn hint(&self) -> String {
        self.to_der()
            .map(|d| B64.encode(Sha256::digest(d)))
            .unwrap_or_default()
    }

    pub fn algorithm(&self) -> &'static str {
        match self {
            PublicKey::EcdsaP256(_) => "ECDSA P-256 SHA-256",
            PublicKey::Rsa(_) => "RSA PKCS#1 v1.5 SHA-256",
        }
    }

    /// Whether `sig` (raw bytes: DER for ECDSA) signs `msg` under this key.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), String> {
        match self {
            PublicKey::EcdsaP256(k) => {
                let s = p256::ecdsa::Signature::from_der(sig)
                    .or_else(|_| p256::ecdsa::Signature::from_slice(sig))
                    .map_err(|_| "the signature is not an ECDSA P-256 signature".to_string())?;
                k.verify(msg, &s)
                    .map_err(|_| "the signature does not match the payload under this key".into())
            }
            PublicKey::Rsa(k) => {
                let vk = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(k.clone());
                let s = rsa::pkcs1v15::Signature::try_from(sig)
                    .map_err(|_| "the signature is not an RSA signature".to_string())?;
                vk.verify(msg, &s)
                    .map_err(|_| "the signature does not match the payload under this key".into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(p: &'static str) -> impl Fn() -> Result<Zeroizing<String>, KeyError> {
        move || Ok(Zeroizing::new(p.to_string()))
    }

    #[test]
    fn generated_keys_round_trip_and_refuse_a_wrong_password() {
        let (private, public) = generate(b"s3cret").unwrap();
        assert!(private.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
        let sk = read_private(private.as_bytes(), &pw("s3cret")).unwrap();
        let pk = read_public(public.as_bytes()).unwrap();
        let sig = sk.sign(b"payload");
        pk.verify(b"payload", &sig).unwrap();
        assert!(pk.verify(b"payloaD", &sig).is_err());
        let e = read_private(private.as_bytes(), &pw("wrong")).unwrap_err();
        assert!(e.0.contains("wrong password"), "{e}");
    }

    #[test]
    fn hostile_pem_and_envelopes_are_one_line_errors() {
        for (input, want) in [
            ("", "no PEM block"),
            ("-----BEGIN PUBLIC KEY-----\nAAAA\n", "truncated"),
            (
                "-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----\n",
                "base64",
            ),
            (
                "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
                "PKIX",
            ),
            (
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                "not a public key",
            ),
        ] {
            let e = read_public(input.as_bytes()).unwrap_err();
            assert!(e.0.contains(want), "{input:?}: {e}");
        }
        // An envelope asking for 2^40 scrypt work is refused before any work.
        let env = br#"{"kdf":{"name":"scrypt","params":{"N":1099511627776,"r":8,"p":1},"salt":"AA=="},"cipher":{"name":"nacl/secretbox","nonce":"AA=="},"ciphertext":"AA=="}"#;
        let e = decrypt(env, b"x").unwrap_err();
        assert!(e.0.contains("exceed the limit"), "{e}");
        let e = decrypt(b"[1,2", b"x").unwrap_err();
        assert!(e.0.contains("envelope"), "{e}");
    }
}
