//! `scan merge` parts: JSON reports from other shards.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let _ = bulkhead_scan::merge::merge(&[("part.json".to_string(), s.to_string())]);
});
