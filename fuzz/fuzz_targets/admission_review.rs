//! AdmissionReview bodies as the webhook receives them.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = bulkhead_admission::engine::parse_review(data);
});
