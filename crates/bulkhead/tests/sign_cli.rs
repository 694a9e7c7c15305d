//! Signing and verification end to end against a real OCI registry on
//! loopback (Debian's docker-registry, which has no referrers API, so the
//! bundle layout goes through the tag-schema fallback): the test image
//! signed in both layouts and verified; a multi-arch index with
//! `--recursive`; tampering (a re-tagged image, a replaced payload, a copied
//! signature, a wrong key) refused with its reason; the legacy signature
//! checked independently with `openssl dgst -verify` over the payload blob
//! fetched with curl; hostile inputs as one-line errors with exit 2.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use bulkhead_sign::store::{RegistryStore, Store};
use common::*;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output, Stdio};

const PW: &str = "correct horse";

fn bh(args: &[&str]) -> Output {
    bulkhead(args)
        .env("BULKHEAD_PASSWORD", PW)
        .stdin(Stdio::null())
        .output()
        .expect("run bulkhead")
}

fn ok(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

fn rule_ids(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect()
}

fn digest_of(host: &str, name: &str, tag: &str) -> String {
    let s = RegistryStore::new(host, name, true);
    bulkhead_sign::sign::resolve(&s, tag).unwrap().digest
}

fn keygen(dir: &Path, prefix: &str) -> (String, String) {
    let p = dir.join(prefix);
    ok(&bh(&[
        "sign",
        "keygen",
        "--output-key-prefix",
        p.to_str().unwrap(),
    ]));
    (
        format!("{}.key", p.display()),
        format!("{}.pub", p.display()),
    )
}

/// An index of the test image's `base` and `planted` manifests as two platforms.
fn multi_arch_layout(src: &Path, dst: &Path) {
    let st = Command::new("cp")
        .arg("-a")
        .arg(src)
        .arg(dst)
        .status()
        .unwrap();
    assert!(st.success());
    let idx_path = dst.join("index.json");
    let mut index: Value = serde_json::from_slice(&std::fs::read(&idx_path).unwrap()).unwrap();
    let pick = |tag: &str, arch: &str| {
        let mut d = index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == tag)
            .unwrap()
            .clone();
        d.as_object_mut().unwrap().remove("annotations");
        d["platform"] = json!({"os": "linux", "architecture": arch});
        d
    };
    let list = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                      "manifests": [pick("base", "amd64"), pick("planted", "arm64")]});
    let bytes = serde_json::to_vec(&list).unwrap();
    let d = bulkhead_sign::envelope::sha256_digest(&bytes);
    std::fs::write(dst.join("blobs/sha256").join(&d[7..]), &bytes).unwrap();
    index["manifests"].as_array_mut().unwrap().push(json!({
        "mediaType": "application/vnd.oci.image.index.v1+json", "digest": d, "size": bytes.len(),
        "annotations": {"org.opencontainers.image.ref.name": "multi"}}));
    std::fs::write(&idx_path, serde_json::to_vec(&index).unwrap()).unwrap();
}

#[test]
fn sign_and_verify_against_a_real_registry() {
    let Some(img) = test_image() else { return };
    let Some(reg) = start_registry() else { return };
    let host = reg.host.clone();
    let tmp = tempfile::tempdir().unwrap();
    let layout = img.join("layout");
    let oci = |tag: &str| format!("oci:{}:{tag}", layout.display());
    skopeo_copy(&oci("planted"), &format!("docker://{host}/bulkhead/app:v1"));
    skopeo_copy(&oci("base"), &format!("docker://{host}/bulkhead/other:v1"));
    skopeo_copy(
        &oci("planted"),
        &format!("docker://{host}/bulkhead/bundled:v1"),
    );
    let (key, public) = keygen(tmp.path(), "cosign");
    let (_, other_pub) = keygen(tmp.path(), "other");
    let app = format!("{host}/bulkhead/app:v1");
    let app_digest = digest_of(&host, "bulkhead/app", "v1");

    // Unsigned: exit 1 with SIGN001.
    let o = bh(&["verify", &app, "--key", &public, "--insecure", "-f", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(rule_ids(&json(&o)), ["SIGN001"]);

    // Legacy layout: sign (twice: the second signature is appended), verify.
    let t = std::time::Instant::now();
    let out = ok(&bh(&[
        "sign",
        &app,
        "--key",
        &key,
        "--insecure",
        "-a",
        "env=prod",
    ]));
    let sign_ms = t.elapsed().as_millis();
    assert!(
        out.contains(&format!("{}.sig", app_digest.replace(':', "-"))),
        "{out}"
    );
    let out = ok(&bh(&[
        "sign",
        &app,
        "--key",
        &key,
        "--insecure",
        "-a",
        "env=staging",
    ]));
    assert!(out.contains("(2 signature(s))"), "{out}");
    let t = std::time::Instant::now();
    let o = bh(&[
        "verify",
        &app,
        "--key",
        &public,
        "--insecure",
        "-a",
        "env=prod",
    ]);
    let verify_ms = t.elapsed().as_millis();
    let table = ok(&o);
    assert!(table.contains("verified legacy signature"), "{table}");
    assert!(table.contains("env=prod"), "{table}");
    let requests: usize = table
        .split(" request(s)")
        .next()
        .and_then(|s| s.rsplit(", ").next())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| panic!("request count in {table}"));
    assert!(
        requests <= 4,
        "{requests} requests for a single-platform verify"
    );
    // Required annotation nobody signed: SIGN004.
    let o = bh(&[
        "verify",
        &app,
        "--key",
        &public,
        "--insecure",
        "-a",
        "env=dev",
        "-f",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(rule_ids(&json(&o)), ["SIGN004", "SIGN004"]);
    // Wrong key: SIGN002 for both signatures.
    let o = bh(&[
        "verify",
        &app,
        "--key",
        &other_pub,
        "--insecure",
        "-f",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(rule_ids(&json(&o)), ["SIGN002", "SIGN002"]);

    // Independent check: openssl verifies the first signature over the payload
    // blob as the registry serves it.
    let store = RegistryStore::new(&host, "bulkhead/app", true);
    let sig_tag = format!("{}.sig", app_digest.replace(':', "-"));
    let (mbytes, _) = store.manifest(&sig_tag).unwrap().unwrap();
    let m: Value = serde_json::from_slice(&mbytes).unwrap();
    let layer = &m["layers"][0];
    let payload = tmp.path().join("payload.json");
    let curl = Command::new("curl")
        .args(["-sf", "-o"])
        .arg(&payload)
        .arg(format!(
            "http://{host}/v2/bulkhead/app/blobs/{}",
            layer["digest"].as_str().unwrap()
        ))
        .status()
        .unwrap();
    assert!(curl.success());
    use base64::Engine as _;
    let sig = base64::engine::general_purpose::STANDARD
        .decode(
            layer["annotations"]["dev.cosignproject.cosign/signature"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    std::fs::write(tmp.path().join("sig.der"), sig).unwrap();
    let v = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify", &public, "-signature"])
        .arg(tmp.path().join("sig.der"))
        .arg(&payload)
        .output()
        .unwrap();
    assert!(
        v.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&v.stdout)
    );
    let p: Value = serde_json::from_slice(&std::fs::read(&payload).unwrap()).unwrap();
    assert_eq!(
        p["critical"]["image"]["docker-manifest-digest"],
        app_digest.as_str()
    );

    // Bundle layout (tag-schema fallback on this registry).
    let bundled = format!("{host}/bulkhead/bundled:v1");
    let out = ok(&bh(&[
        "sign",
        &bundled,
        "--key",
        &key,
        "--insecure",
        "--format",
        "bundle",
    ]));
    assert!(out.contains("(bundle layout)"), "{out}");
    let table = ok(&bh(&["verify", &bundled, "--key", &public, "--insecure"]));
    assert!(table.contains("verified bundle signature"), "{table}");
    let bd = digest_of(&host, "bulkhead/bundled", "v1");
    let fallback = RegistryStore::new(&host, "bulkhead/bundled", true)
        .manifest(&bd.replace(':', "-"))
        .unwrap();
    assert!(fallback.is_some(), "no sha256-<hex> referrers tag");
    let o = bh(&[
        "verify",
        &bundled,
        "--key",
        &other_pub,
        "--insecure",
        "-f",
        "json",
    ]);
    assert_eq!(rule_ids(&json(&o)), ["SIGN002"]);
    assert!(
        stdout(&o).contains("signed by another key"),
        "{}",
        stdout(&o)
    );

    // Tamper 1: another image re-tagged under the signed tag → unsigned.
    skopeo_copy(
        &format!("docker://{host}/bulkhead/other:v1"),
        &format!("docker://{host}/bulkhead/app:v1"),
    );
    let o = bh(&["verify", &app, "--key", &public, "--insecure", "-f", "json"]);
    assert_eq!(rule_ids(&json(&o)), ["SIGN001"]);
    // Tamper 2: the signature manifest of app copied to the new digest → SIGN003.
    let other_digest = digest_of(&host, "bulkhead/app", "v1");
    let target_tag = format!("{}.sig", other_digest.replace(':', "-"));
    store
        .put_manifest(
            Some(&target_tag),
            &mbytes,
            "application/vnd.oci.image.manifest.v1+json",
        )
        .unwrap();
    let o = bh(&["verify", &app, "--key", &public, "--insecure", "-f", "json"]);
    assert_eq!(rule_ids(&json(&o)), ["SIGN003", "SIGN003"]);
    // Tamper 3: the payload layer replaced (a payload naming the new digest,
    // the old signature kept) → SIGN002.
    let forged = bulkhead_sign::envelope::simple_signing(
        &format!("{host}/bulkhead/app"),
        &other_digest,
        &[],
    );
    let fd = bulkhead_sign::envelope::sha256_digest(&forged);
    store.put_blob(&fd, &forged).unwrap();
    let mut fm = m.clone();
    fm["layers"] = json!([{"mediaType": layer["mediaType"], "size": forged.len(), "digest": fd, "annotations": layer["annotations"]}]);
    store
        .put_manifest(
            Some(&target_tag),
            &serde_json::to_vec(&fm).unwrap(),
            "application/vnd.oci.image.manifest.v1+json",
        )
        .unwrap();
    let o = bh(&["verify", &app, "--key", &public, "--insecure", "-f", "json"]);
    assert_eq!(rule_ids(&json(&o)), ["SIGN002"]);

    // Multi-arch index, --recursive: the index and both platforms signed and verified.
    let multi = tmp.path().join("multi");
    multi_arch_layout(&layout, &multi);
    skopeo_copy(
        &format!("oci:{}:multi", multi.display()),
        &format!("docker://{host}/bulkhead/multi:v1"),
    );
    let mref = format!("{host}/bulkhead/multi:v1");
    let out = ok(&bh(&[
        "sign",
        &mref,
        "--key",
        &key,
        "--insecure",
        "--recursive",
    ]));
    assert_eq!(out.lines().count(), 3, "{out}");
    let v = json(&bh(&[
        "verify",
        &mref,
        "--key",
        &public,
        "--insecure",
        "--recursive",
        "-f",
        "json",
    ]));
    assert_eq!(v["targets"].as_array().unwrap().len(), 3);
    assert!(rule_ids(&v).is_empty(), "{v}");
    // A platform manifest verifies on its own, by digest.
    let child = v["targets"][1]["name"].as_str().unwrap().to_string();
    ok(&bh(&[
        "verify",
        &format!("{host}/bulkhead/multi@{child}"),
        "--key",
        &public,
        "--insecure",
    ]));

    // Hostile inputs: one line, exit 2.
    let bad = tmp.path().join("bad.pub");
    std::fs::write(
        &bad,
        "-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    let o = bh(&["verify", &app, "--key", bad.to_str().unwrap(), "--insecure"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).trim().lines().count(), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("bad.pub"));
    let p384 = tmp.path().join("p384.pem");
    let made = Command::new("openssl")
        .args(["ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out"])
        .arg(&p384)
        .status()
        .unwrap();
    assert!(made.success());
    let p384pub = tmp.path().join("p384.pub");
    assert!(
        Command::new("openssl")
            .args(["ec", "-pubout", "-in"])
            .arg(&p384)
            .arg("-out")
            .arg(&p384pub)
            .stderr(Stdio::null())
            .status()
            .unwrap()
            .success()
    );
    let o = bh(&[
        "verify",
        &app,
        "--key",
        p384pub.to_str().unwrap(),
        "--insecure",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unsupported key type ECDSA P-384"),
        "{}",
        stderr(&o)
    );
    eprintln!(
        "loopback: sign {sign_ms} ms, verify {verify_ms} ms (wall, incl. process start), {requests} request(s) per single-platform verify"
    );
}

/// Images that never touched a registry: sign and verify an OCI layout,
/// attest an SBOM and verify the attestation.
#[test]
fn sign_attest_and_verify_an_oci_layout() {
    let Some(img) = test_image() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("layout");
    assert!(
        Command::new("cp")
            .arg("-a")
            .arg(img.join("layout"))
            .arg(&layout)
            .status()
            .unwrap()
            .success()
    );
    let (key, public) = keygen(tmp.path(), "cosign");
    let r = format!("oci:{}:planted", layout.display());
    ok(&bh(&["sign", &r, "--key", &key]));
    ok(&bh(&["sign", &r, "--key", &key, "--format", "bundle"]));
    let table = ok(&bh(&["verify", &r, "--key", &public, "--all"]));
    assert!(
        table.contains("verified legacy signature") && table.contains("verified bundle signature"),
        "{table}"
    );
    // Attestation of the SBOM bulkhead writes.
    let sbom = tmp.path().join("sbom.json");
    ok(&bh(&["sbom", &r, "-o", sbom.to_str().unwrap()]));
    let o = bh(&[
        "verify-attestation",
        &r,
        "--key",
        &public,
        "--type",
        "cyclonedx",
        "-f",
        "json",
    ]);
    assert_eq!(rule_ids(&json(&o)), ["SIGN006"]);
    ok(&bh(&[
        "attest",
        &r,
        "--key",
        &key,
        "--type",
        "cyclonedx",
        "--predicate",
        sbom.to_str().unwrap(),
    ]));
    ok(&bh(&[
        "attest",
        &r,
        "--key",
        &key,
        "--type",
        "cyclonedx",
        "--predicate",
        sbom.to_str().unwrap(),
        "--format",
        "bundle",
    ]));
    let pred = tmp.path().join("pred.json");
    let table = ok(&bh(&[
        "verify-attestation",
        &r,
        "--key",
        &public,
        "--type",
        "cyclonedx",
        "--all",
        "--output-predicate",
        pred.to_str().unwrap(),
    ]));
    assert!(
        table.contains("verified legacy https://cyclonedx.org/bom"),
        "{table}"
    );
    let preds: Value = serde_json::from_slice(&std::fs::read(&pred).unwrap()).unwrap();
    let sbom_v: Value = serde_json::from_slice(&std::fs::read(&sbom).unwrap()).unwrap();
    assert_eq!(preds.as_array().unwrap().len(), 2);
    assert_eq!(preds[0]["predicate"], sbom_v);
    // Another predicate type is not accepted for this one.
    let o = bh(&[
        "verify-attestation",
        &r,
        "--key",
        &public,
        "--type",
        "spdx",
        "-f",
        "json",
    ]);
    assert_eq!(rule_ids(&json(&o)), ["SIGN006"]);
    // The signature can leave the layout with skopeo as an ordinary tag.
    let d = layout.join("index.json");
    let idx = std::fs::read_to_string(d).unwrap();
    assert!(idx.contains(".sig\"") && idx.contains(".att\""), "{idx}");
    // Hostile signature stores (a layout on disk: a registry would refuse
    // to store these): 10,000 signature layers, a referrer that is missing.
    let store = bulkhead_sign::store::LayoutStore::open(&layout).unwrap();
    let digest = bulkhead_sign::sign::resolve(&store, "planted")
        .unwrap()
        .digest;
    let huge: Vec<Value> = (0..10_000)
        .map(|i| json!({"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", "size": 1, "digest": format!("sha256:{:064x}", i), "annotations": {"dev.cosignproject.cosign/signature": "AA=="}}))
        .collect();
    let mut hm = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2, "digest": format!("sha256:{}", "1".repeat(64))},
                    "layers": huge});
    let sig_tag = format!("{}.sig", digest.replace(':', "-"));
    store
        .put_manifest(
            Some(&sig_tag),
            &serde_json::to_vec(&hm).unwrap(),
            "application/vnd.oci.image.manifest.v1+json",
        )
        .unwrap();
    let o = bh(&["verify", &r, "--key", &public]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("10000 signature layers"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stderr(&o).trim().lines().count(), 1, "{}", stderr(&o));
    hm["layers"] = json!([]);
    store
        .put_manifest(
            Some(&sig_tag),
            &serde_json::to_vec(&hm).unwrap(),
            "application/vnd.oci.image.manifest.v1+json",
        )
        .unwrap();
    let fake = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "size": 2, "digest": format!("sha256:{}", "2".repeat(64))},
        "layers": [{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "size": 5, "digest": format!("sha256:{}", "3".repeat(64))}],
        "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 1, "digest": digest}});
    store
        .put_manifest(
            None,
            &serde_json::to_vec(&fake).unwrap(),
            "application/vnd.oci.image.manifest.v1+json",
        )
        .unwrap();
    let o = bh(&["verify", &r, "--key", &public, "--all"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stderr(&o).contains("sha256/3333"), "{}", stderr(&o));
}

#[test]
fn keygen_refuses_to_overwrite_and_empty_passwords() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("k");
    let ps = p.to_str().unwrap();
    ok(&bh(&["sign", "keygen", "--output-key-prefix", ps]));
    let key = std::fs::read_to_string(format!("{ps}.key")).unwrap();
    assert!(key.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(format!("{ps}.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let o = bh(&["sign", "keygen", "--output-key-prefix", ps]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("refusing to overwrite"));
    assert_eq!(std::fs::read_to_string(format!("{ps}.key")).unwrap(), key);
    let o = bulkhead(&["sign", "keygen", "--output-key-prefix", &format!("{ps}2")])
        .env("BULKHEAD_PASSWORD", "")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("empty password"), "{}", stderr(&o));
    // Wrong password when signing: one line, exit 2, nothing pushed.
    let o = bulkhead(&["sign", "oci:/nonexistent:x", "--key", &format!("{ps}.key")])
        .env("BULKHEAD_PASSWORD", "wrong")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("wrong password"), "{}", stderr(&o));
}

/// `verify-blob` on the npm-made keyed bundle of the cosign corpus.
#[test]
fn verify_blob_with_the_npm_keyed_bundle() {
    let Some(dir) = bulkhead_core::testing::corpus(
        "verify_blob_with_the_npm_keyed_bundle",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/cosign/generated/npm-keyed-bundle",
    ) else {
        return;
    };
    let p = |f: &str| dir.join(f).to_str().unwrap().to_string();
    ok(&bh(&[
        "verify-blob",
        &p("payload.bin"),
        "--bundle",
        &p("keyed.sigstore.json"),
        "--key",
        &p("keyed.pub"),
    ]));
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().join("tampered.bin");
    let mut b = std::fs::read(dir.join("payload.bin")).unwrap();
    b[0] ^= 1;
    std::fs::write(&t, b).unwrap();
    let o = bh(&[
        "verify-blob",
        t.to_str().unwrap(),
        "--bundle",
        &p("keyed.sigstore.json"),
        "--key",
        &p("keyed.pub"),
    ]);
    assert_eq!(o.status.code(), Some(1));
}

/// The vulnerability database as a signed OCI artifact on a real registry:
/// push, pull with signature verification, and every refusal leaves the
/// existing database byte-identical.
#[test]
fn db_push_and_pull_through_a_registry() {
    let Some(reg) = start_registry() else { return };
    let host = reg.host.clone();
    let tmp = tempfile::tempdir().unwrap();
    let osv = tmp.path().join("GHSA-test.json");
    std::fs::write(
        &osv,
        r#"{"id":"GHSA-aaaa-bbbb-cccc","modified":"2026-01-01T00:00:00Z","summary":"test","affected":[{"package":{"ecosystem":"PyPI","name":"demo"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.2"}]}]}]}"#,
    )
    .unwrap();
    let db = tmp.path().join("vuln.db");
    let db_s = db.to_str().unwrap();
    ok(&bh(&["db", "import", "--db", db_s, osv.to_str().unwrap()]));
    let (key, public) = keygen(tmp.path(), "cosign");
    let (_, other_pub) = keygen(tmp.path(), "other");
    let r = format!("{host}/bulkhead/vulndb:1");
    let out = ok(&bh(&[
        "db",
        "push",
        &r,
        "--db",
        db_s,
        "--key",
        &key,
        "--insecure",
    ]));
    assert!(out.contains("signed"), "{out}");
    // Pull into a fresh path, verified.
    let pulled = tmp.path().join("pulled.db");
    let p_s = pulled.to_str().unwrap();
    ok(&bh(&[
        "db",
        "pull",
        &r,
        "--db",
        p_s,
        "--key",
        &public,
        "--insecure",
    ]));
    assert_eq!(std::fs::read(&pulled).unwrap(), std::fs::read(&db).unwrap());
    // Wrong key: refused, the existing file untouched.
    std::fs::write(&pulled, b"previous").unwrap();
    let o = bh(&[
        "db",
        "pull",
        &r,
        "--db",
        p_s,
        "--key",
        &other_pub,
        "--insecure",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("database not replaced"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&pulled).unwrap(), b"previous");
    // Not a database artifact (an image-like artifact under the tag): refused.
    let store = RegistryStore::new(&host, "bulkhead/vulndb", true);
    bulkhead_sign::artifact::push(
        &store,
        "junk",
        b"not a db",
        bulkhead_sign::artifact::DB_ARTIFACT_TYPE,
        bulkhead_sign::artifact::DB_LAYER_TYPE,
        "x",
    )
    .unwrap();
    let o = bh(&[
        "db",
        "pull",
        &format!("{host}/bulkhead/vulndb:junk"),
        "--db",
        p_s,
        "--insecure",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a bulkhead database"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&pulled).unwrap(), b"previous");
    // Over the size limit: refused before download.
    let o = bh(&[
        "db",
        "pull",
        &r,
        "--db",
        p_s,
        "--insecure",
        "--max-size",
        "1KB",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("exceeds the limit"), "{}", stderr(&o));
    // A 20 MB blob goes up in chunks (PATCH) and comes down streamed, digest-checked.
    let big: Vec<u8> = (0..20u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let md = bulkhead_sign::artifact::push(
        &store,
        "big",
        &big,
        "application/vnd.bulkhead.test.v1",
        "application/octet-stream",
        "big",
    )
    .unwrap();
    let (m2, layer, size) =
        bulkhead_sign::artifact::locate(&store, "big", "application/vnd.bulkhead.test.v1", 1 << 30)
            .unwrap();
    assert_eq!(m2, md);
    let dest = tmp.path().join("big.bin");
    bulkhead_sign::artifact::download(&store, &layer, size, &dest).unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), big);
    // No leftover temporary files.
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".pull-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
