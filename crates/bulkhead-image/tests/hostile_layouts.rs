//! Hostile OCI layouts: a tampered manifest or config, a blob that is a
//! symlink out of the layout (to `/etc/passwd`, `/dev/zero`), a blob that is
//! a FIFO. Each is refused with an error naming the blob, promptly, and the
//! error never echoes the bytes of a file outside the layout.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use sha2::Digest;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn sha(b: &[u8]) -> String {
    format!("{:x}", sha2::Sha256::digest(b))
}

fn put(dir: &Path, bytes: &[u8]) -> String {
    let h = sha(bytes);
    std::fs::write(dir.join("blobs/sha256").join(&h), bytes).unwrap();
    h
}

/// A one-layer layout (tag `v1`): (dir, config hex, layer hex, manifest hex).
fn layout(root: &Path) -> (PathBuf, String, String, String) {
    let dir = root.join("layout");
    std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
    let mut tar = tar::Builder::new(Vec::new());
    let data = b"hello\n";
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    tar.append_data(&mut h, "etc/motd", &data[..]).unwrap();
    let tar = tar.into_inner().unwrap();
    let diff_id = sha(&tar);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    let layer = gz.finish().unwrap();
    let layer_hex = put(&dir, &layer);
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {"User": "65532"},
        "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{diff_id}")]}
    })
    .to_string();
    let config_hex = put(&dir, config.as_bytes());
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": format!("sha256:{config_hex}"), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": format!("sha256:{layer_hex}"), "size": layer.len()}]
    })
    .to_string();
    let manifest_hex = put(&dir, manifest.as_bytes());
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": format!("sha256:{manifest_hex}"), "size": manifest.len(),
                       "annotations": {"org.opencontainers.image.ref.name": "v1"}}]
    });
    std::fs::write(dir.join("index.json"), index.to_string()).unwrap();
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    (dir, config_hex, layer_hex, manifest_hex)
}

/// Scans in a thread: an error text, or a panic if it takes over 10 s.
fn scan_err(dir: &Path) -> String {
    let reference = format!("oci:{}:v1", dir.display());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(
            bulkhead_image::scan_image(&reference)
                .map(|_| ())
                .map_err(|e| e.to_string()),
        );
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(Ok(())) => panic!("{}: scanned without error", dir.display()),
        Ok(Err(e)) => e,
        Err(_) => panic!("{}: the scan hangs", dir.display()),
    }
}

#[test]
fn a_clean_layout_scans() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, ..) = layout(tmp.path());
    let s = bulkhead_image::scan_image(&format!("oci:{}:v1", dir.display())).unwrap();
    assert!(
        s.files.contains_key("etc/motd"),
        "{:?}",
        s.files.keys().collect::<Vec<_>>()
    );
}

#[test]
fn tampered_config_and_manifest_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, config_hex, _, manifest_hex) = layout(tmp.path());
    // The config says root now, at the same path.
    let cfg = dir.join("blobs/sha256").join(&config_hex);
    let text = std::fs::read_to_string(&cfg).unwrap().replace("65532", "0");
    std::fs::write(&cfg, text).unwrap();
    let e = scan_err(&dir);
    assert!(
        e.contains("does not match its digest") && e.contains(&config_hex),
        "{e}"
    );

    let tmp = tempfile::tempdir().unwrap();
    let (dir, _, _, manifest_hex2) = layout(tmp.path());
    assert_eq!(manifest_hex, manifest_hex2);
    let m = dir.join("blobs/sha256").join(&manifest_hex);
    let text = std::fs::read_to_string(&m)
        .unwrap()
        .replace("\"schemaVersion\":2", "\"schemaVersion\":2 ");
    std::fs::write(&m, text).unwrap();
    let e = scan_err(&dir);
    assert!(e.contains("does not match its digest"), "{e}");
}

#[test]
fn blobs_that_leave_the_layout_or_block_are_refused() {
    // A config blob that is a symlink to /etc/passwd: refused, not echoed.
    let tmp = tempfile::tempdir().unwrap();
    let (dir, config_hex, layer_hex, _) = layout(tmp.path());
    let cfg = dir.join("blobs/sha256").join(&config_hex);
    std::fs::remove_file(&cfg).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", &cfg).unwrap();
    let e = scan_err(&dir);
    assert!(e.contains("symlink out of the layout"), "{e}");
    assert!(!e.contains("root:"), "{e}");

    // A layer that is a symlink to /dev/zero.
    let tmp = tempfile::tempdir().unwrap();
    let (dir, _, layer_hex2, _) = layout(tmp.path());
    assert_eq!(layer_hex, layer_hex2);
    let l = dir.join("blobs/sha256").join(&layer_hex);
    std::fs::remove_file(&l).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &l).unwrap();
    let e = scan_err(&dir);
    assert!(e.contains("symlink out of the layout"), "{e}");

    // A layer that is a FIFO nobody writes to.
    let tmp = tempfile::tempdir().unwrap();
    let (dir, _, layer_hex, _) = layout(tmp.path());
    let l = dir.join("blobs/sha256").join(&layer_hex);
    std::fs::remove_file(&l).unwrap();
    let ok = std::process::Command::new("mkfifo")
        .arg(&l)
        .status()
        .unwrap();
    assert!(ok.success());
    let e = scan_err(&dir);
    assert!(e.contains("not a regular file"), "{e}");

    // A symlink that stays inside the layout is fine.
    let tmp = tempfile::tempdir().unwrap();
    let (dir, _, layer_hex, _) = layout(tmp.path());
    let l = dir.join("blobs/sha256").join(&layer_hex);
    let inside = dir.join("layer.tgz");
    std::fs::rename(&l, &inside).unwrap();
    std::os::unix::fs::symlink(&inside, &l).unwrap();
    assert!(bulkhead_image::scan_image(&format!("oci:{}:v1", dir.display())).is_ok());
}

/// Nested indexes that fan out (hostile-input issue, item 7: three levels of
/// 300 entries, a 176 KB layout, ran out of memory): each (blob, tag) is read
/// once, so repeated entries cost nothing, and a tree naming more than
/// 10,000 distinct entries is refused with one error.
#[test]
fn fanned_out_indexes_are_bounded() {
    let root = tempfile::tempdir().unwrap();
    let (dir, _, _, manifest_hex) = layout(root.path());
    let entry = |hex: &str, mt: &str| serde_json::json!({"mediaType": mt, "digest": format!("sha256:{hex}"), "size": 1});
    let idx_mt = "application/vnd.oci.image.index.v1+json";
    let man_mt = "application/vnd.oci.image.manifest.v1+json";
    // Repeated entries: 300 × 300 × 300 paths to one manifest.
    let l2 = serde_json::json!({"schemaVersion": 2, "mediaType": idx_mt,
        "manifests": vec![entry(&manifest_hex, man_mt); 300]})
    .to_string();
    let l2_hex = put(&dir, l2.as_bytes());
    let l1 = serde_json::json!({"schemaVersion": 2, "mediaType": idx_mt,
        "manifests": vec![entry(&l2_hex, idx_mt); 300]})
    .to_string();
    let l1_hex = put(&dir, l1.as_bytes());
    let mut top = entry(&l1_hex, idx_mt);
    top["annotations"] = serde_json::json!({"org.opencontainers.image.ref.name": "v1"});
    let index = serde_json::json!({"schemaVersion": 2, "manifests": vec![top; 300]});
    std::fs::write(dir.join("index.json"), index.to_string()).unwrap();
    let t = std::time::Instant::now();
    let scan = bulkhead_image::scan_image(&format!("oci:{}:v1", dir.display())).expect("scans");
    assert_eq!(
        scan.manifest_digest.as_deref(),
        Some(format!("sha256:{manifest_hex}").as_str())
    );
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    // Distinct entries past the bound: refused.
    let many: Vec<serde_json::Value> = (0..10_500)
        .map(|i| {
            let mut e = entry(&manifest_hex, man_mt);
            e["annotations"] =
                serde_json::json!({"org.opencontainers.image.ref.name": format!("t{i}")});
            e
        })
        .collect();
    std::fs::write(
        dir.join("index.json"),
        serde_json::json!({"schemaVersion": 2, "manifests": many}).to_string(),
    )
    .unwrap();
    let e = scan_err(&dir);
    assert!(e.contains("more than 10000"), "{e}");
}
