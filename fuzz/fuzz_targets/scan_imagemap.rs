//! `--image-map` files: YAML mapping image references to sources.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else { return };
    let p = dir.path().join("images.yaml");
    if std::fs::write(&p, data).is_err() {
        return;
    }
    let _ = bulkhead_scan::imagemap::read(&[p.display().to_string()]);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = bulkhead_scan::imagemap::read(&[s.to_string()]);
        let _ = bulkhead_scan::manifests::shard(s, 1, 3);
    }
});
