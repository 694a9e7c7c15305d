//! CycloneDX and SPDX JSON readers (`sbom scan`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = bulkhead_image::sbom_read::read(data, "sbom.json");
});
