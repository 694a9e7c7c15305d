//! NetworkPolicies: loader, model, engine, rules (and the connection list when small).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let l = bulkhead_netpol::load::load_text("np.yaml", s);
    let m = bulkhead_netpol::model::Model::build(l.objects.iter());
    let e = bulkhead_netpol::engine::Engine::new(&m, Default::default());
    let _ = bulkhead_netpol::rules::check(&e, &|_| true);
    if m.workloads.len() <= 32 {
        let _ = e.connlist(&[]);
    }
});
