//! A layer blob: gzip/zstd/plain detection, the tar reader, whiteouts, the
//! catalogers and the secret scan on every entry, bounded.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let blob: Box<dyn std::io::Read + Send> = Box::new(std::io::Cursor::new(data.to_vec()));
    let _ = bulkhead_image::layers::scan(0, "layer", blob, None, None, false, 64 << 20);
});
