//! The YAML reader with positions: any bytes, bounded limits.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = bulkhead_core::yaml::parse(s, bulkhead_core::yaml::Limits::default());
    }
});
