//! Manifests: the object loader, then every PSS control and hardening rule.
#![no_main]
use bulkhead_core::Catalogue;
use bulkhead_kube::analyze::{Options, analyze_object};
use bulkhead_kube::load::{Source, load};
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};

fuzz_target!(|data: &[u8]| {
    static CAT: OnceLock<Catalogue> = OnceLock::new();
    let cat = CAT.get_or_init(|| {
        let mut c = Catalogue::new();
        c.extend(&bulkhead_kube::rules());
        c
    });
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let l = load(
        Arc::new(Source::new("f.yaml", s.to_string())),
        Default::default(),
    );
    let opts = Options {
        level: bulkhead_kube::pss::Level::Restricted,
        version: bulkhead_kube::pss::LATEST,
    };
    for o in &l.objects {
        let _ = analyze_object(o, &opts, &|_| true, cat);
    }
});
