//! Dockerfiles: the BuildKit-grammar parser, the shell reader of RUN, every rule.
#![no_main]
use bulkhead_core::Catalogue;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static CAT: OnceLock<Catalogue> = OnceLock::new();
    let cat = CAT.get_or_init(|| {
        let mut c = Catalogue::new();
        c.extend(&bulkhead_dockerfile::rules::rules());
        c
    });
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let _ = bulkhead_dockerfile::analyze::analyze(
        "Dockerfile",
        s,
        &bulkhead_dockerfile::rules::Config::default(),
        &|_| true,
        cat,
    );
    let _ = bulkhead_dockerfile::facts::facts(s);
});
