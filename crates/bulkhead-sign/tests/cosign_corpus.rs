//! Conformance against cosign and sigstore-rs test vectors in
//! `../shared/corpora/cosign/` (see its PROVENANCE): every key whose password
//! is known decrypts and a wrong password is refused; signatures 01–05
//! verify or fail as listed; the generated `.sig` payload is byte-identical
//! to what bulkhead writes and its signature verifies; the npm-made keyed
//! bundle verifies and tampered copies fail. Skips loudly without the corpus.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_sign::envelope;
use bulkhead_sign::keys::{self, KeyError, PrivateKey, PublicKey};
use serde_json::Value;
use std::path::PathBuf;
use zeroize::Zeroizing;

fn corpus(test: &str) -> Option<PathBuf> {
    bulkhead_core::testing::corpus(test, env!("CARGO_MANIFEST_DIR"), "corpora/cosign")
}

fn password(p: String) -> impl Fn() -> Result<Zeroizing<String>, KeyError> {
    move || Ok(Zeroizing::new(p.clone()))
}

#[test]
fn keys_decrypt_with_their_password_and_refuse_a_wrong_one() {
    let Some(dir) = corpus("keys_decrypt_with_their_password_and_refuse_a_wrong_one") else {
        return;
    };
    let expected: Value =
        serde_json::from_slice(&std::fs::read(dir.join("keys/KEYS_EXPECTED.json")).unwrap())
            .unwrap();
    let (mut decrypted, mut refused, mut plain, mut unsupported) = (0, 0, 0, 0);
    for (rel, want) in expected.as_object().unwrap() {
        let pem = std::fs::read(dir.join(rel)).unwrap();
        let encrypted = want["encrypted"] == true;
        if encrypted {
            let Some(pw) = want["decrypted"]["password"].as_str() else {
                // Password unknown (sigstore-rs ed25519): a wrong one is refused.
                let e = keys::read_private(&pem, &password("not-it".into())).unwrap_err();
                assert!(e.0.contains("wrong password"), "{rel}: {e}");
                refused += 1;
                continue;
            };
            let k = keys::read_private(&pem, &password(pw.into()))
                .unwrap_or_else(|e| panic!("{rel}: {e}"));
            let ty = want["decrypted"]["key_type"].as_str().unwrap();
            match (&k, ty) {
                (PrivateKey::EcdsaP256(_), "ECPrivateKey")
                | (PrivateKey::Rsa(_), "RSAPrivateKey") => {}
                _ => panic!("{rel}: decrypted to {k:?}, expected {ty}"),
            }
            // The key signs and its public half verifies.
            let sig = k.sign(b"conformance");
            k.public().verify(b"conformance", &sig).unwrap();
            decrypted += 1;
            let e = keys::read_private(&pem, &password(format!("{pw}x"))).unwrap_err();
            assert!(e.0.contains("wrong password"), "{rel}: {e}");
            refused += 1;
        } else if want["error"].is_string() {
            // Ed25519: a clear "unsupported" error, never a panic.
            let e = keys::read_private(&pem, &password(String::new())).unwrap_err();
            assert!(e.0.contains("unsupported key type Ed25519"), "{rel}: {e}");
            unsupported += 1;
        } else {
            let k = keys::read_private(&pem, &password(String::new()))
                .unwrap_or_else(|e| panic!("{rel}: {e}"));
            let ty = want["key_type"].as_str().unwrap();
            assert!(
                matches!(
                    (&k, ty),
                    (PrivateKey::EcdsaP256(_), "ECPrivateKey")
                        | (PrivateKey::Rsa(_), "RSAPrivateKey")
                ),
                "{rel}: {k:?} vs {ty}"
            );
            plain += 1;
        }
    }
    for p in [
        "keys/cosign__cosign-test.pub",
        "keys/sigstore-rs__ECDSA_P256_ASN1_PUBLIC_PEM.pub",
    ] {
        keys::read_public(&std::fs::read(dir.join(p)).unwrap())
            .unwrap_or_else(|e| panic!("{p}: {e}"));
    }
    eprintln!(
        "cosign keys: {decrypted} decrypted, {refused} wrong passwords refused, {plain} plain read, {unsupported} unsupported refused"
    );
    assert_eq!((decrypted, plain, unsupported), (7, 2, 1));
}

#[test]
fn signature_vectors_verify_or_fail_as_listed() {
    let Some(dir) = corpus("signature_vectors_verify_or_fail_as_listed") else {
        return;
    };
    let mut n = 0;
    for e in std::fs::read_dir(dir.join("signatures")).unwrap() {
        let d = e.unwrap().path();
        let want: Value =
            serde_json::from_slice(&std::fs::read(d.join("expected.json")).unwrap()).unwrap();
        let key: PublicKey =
            keys::read_public(&std::fs::read(d.join("cosign.pub")).unwrap()).unwrap();
        let payload = std::fs::read(d.join("payload.json")).unwrap();
        let sig_text = std::fs::read_to_string(d.join("signature.b64")).unwrap();
        use base64::Engine as _;
        let got = match base64::engine::general_purpose::STANDARD.decode(sig_text.trim()) {
            Err(_) => "error-base64",
            Ok(sig) => match key.verify(&payload, &sig) {
                Ok(()) => "valid",
                Err(_) => "invalid",
            },
        };
        assert_eq!(got, want["expected"].as_str().unwrap(), "{}", d.display());
        n += 1;
    }
    eprintln!("cosign signature vectors: {n}/{n} as expected");
    assert_eq!(n, 5);
}

#[test]
fn generated_signature_manifest_is_what_bulkhead_writes_and_verifies() {
    let Some(dir) = corpus("generated_signature_manifest_is_what_bulkhead_writes_and_verifies")
    else {
        return;
    };
    let g = dir.join("generated/simplesigning-oci");
    let pw = std::fs::read_to_string(g.join("bh.key.password")).unwrap();
    let sk = keys::read_private(
        &std::fs::read(g.join("bh.key")).unwrap(),
        &password(pw.trim().into()),
    )
    .unwrap();
    let pk = keys::read_public(&std::fs::read(g.join("bh.pub")).unwrap()).unwrap();
    assert_eq!(sk.public().to_der().unwrap(), pk.to_der().unwrap());
    let payload = std::fs::read(g.join("payload.json")).unwrap();
    let claim = envelope::parse_simple_signing(&payload).unwrap();
    // Byte-identical payload for the same repository and digest.
    assert_eq!(
        envelope::simple_signing(claim.reference.as_deref().unwrap(), &claim.digest, &[]),
        payload
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(g.join("last_manifest.json")).unwrap()).unwrap();
    let layer = &manifest["layers"][0];
    assert_eq!(layer["mediaType"], envelope::SIMPLE_SIGNING_MEDIA_TYPE);
    assert_eq!(layer["digest"], envelope::sha256_digest(&payload).as_str());
    use base64::Engine as _;
    let sig = base64::engine::general_purpose::STANDARD
        .decode(
            layer["annotations"][envelope::SIGNATURE_ANNOTATION]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    pk.verify(&payload, &sig).unwrap();
    let mut tampered = payload.clone();
    tampered[10] ^= 1;
    assert!(pk.verify(&tampered, &sig).is_err());
}

#[test]
fn npm_keyed_bundle_verifies_and_tampered_copies_fail() {
    let Some(dir) = corpus("npm_keyed_bundle_verifies_and_tampered_copies_fail") else {
        return;
    };
    let g = dir.join("generated/npm-keyed-bundle");
    let key = keys::read_public(&std::fs::read(g.join("keyed.pub")).unwrap()).unwrap();
    let bytes = std::fs::read(g.join("keyed.sigstore.json")).unwrap();
    let artifact = std::fs::read(g.join("payload.bin")).unwrap();
    let b = envelope::parse_bundle(&bytes).unwrap();
    envelope::verify_blob(&b, &artifact, &key).unwrap();
    // Tampered artifact: digest mismatch.
    let mut t = artifact.clone();
    t.push(b'\n');
    let e = envelope::verify_blob(&b, &t, &key).unwrap_err();
    assert!(e.contains("digest"), "{e}");
    // Tampered signature (one byte of the DER changed), and another key.
    let mut v: Value = serde_json::from_slice(&bytes).unwrap();
    let s = v["messageSignature"]["signature"]
        .as_str()
        .unwrap()
        .to_string();
    let flipped = if s.as_bytes()[20] == b'A' { "B" } else { "A" };
    v["messageSignature"]["signature"] =
        Value::String(format!("{}{}{}", &s[..20], flipped, &s[21..]));
    let b2 = envelope::parse_bundle(&serde_json::to_vec(&v).unwrap()).unwrap();
    assert!(envelope::verify_blob(&b2, &artifact, &key).is_err());
    let (_, other) = keys::generate(b"x").unwrap();
    let other = keys::read_public(other.as_bytes()).unwrap();
    assert!(envelope::verify_blob(&b, &artifact, &other).is_err());
    // The keyless bundles of the corpus parse (certificate, tlog entries).
    for f in [
        "bundles/sigstore-rs__bundle_v03.json",
        "bundles/cosign__oci-attestation.sigstore.json",
    ] {
        let b = envelope::parse_bundle(&std::fs::read(dir.join(f)).unwrap()).unwrap();
        assert!(b.has_certificate && b.tlog_entries > 0, "{f}");
    }
}
