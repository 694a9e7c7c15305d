//! cosign material: PEM blocks and public keys, simple-signing
//! payloads, in-toto statements, bundles.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = bulkhead_sign::keys::pem_decode(data);
    let _ = bulkhead_sign::keys::read_public(data);
    let _ = bulkhead_sign::envelope::parse_simple_signing(data);
    let _ = bulkhead_sign::envelope::parse_statement(data);
    let _ = bulkhead_sign::envelope::parse_bundle(data);
});
