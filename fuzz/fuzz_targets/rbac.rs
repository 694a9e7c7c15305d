//! RBAC: loader, model (aggregation, bindings), every rule.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let m = bulkhead_rbac::model_from_texts(
        &[("rbac.yaml", s)],
        bulkhead_rbac::model::ModelOptions {
            bootstrap_bindings: true,
            builtin_roles: true,
        },
    );
    let a = bulkhead_rbac::analyze::Analysis::new(&m, Default::default());
    let _ = a.findings(&|_| true);
});
