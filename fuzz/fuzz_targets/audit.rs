//! Audit logs: the streaming reader (plain, gzip, zstd by content) and the
//! whole analysis, on a file holding the input.
#![no_main]
use bulkhead_core::Catalogue;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static CAT: OnceLock<Catalogue> = OnceLock::new();
    let cat = CAT.get_or_init(|| {
        let mut c = Catalogue::new();
        c.extend(&bulkhead_audit::rules());
        c.extend(&bulkhead_kube::rules());
        c.extend(&bulkhead_rbac::rules());
        c
    });
    let Ok(mut f) = tempfile::NamedTempFile::new() else {
        return;
    };
    if std::io::Write::write_all(&mut f, data).is_err() {
        return;
    }
    let opts = bulkhead_audit::analyze::Options::default();
    let yes = |_: &bulkhead_core::RuleMeta| true;
    let judges = bulkhead_audit::analyze::Judges {
        audit: &yes,
        objects: &yes,
        catalogue: cat,
    };
    let _ = bulkhead_audit::analyze::run(
        &[bulkhead_core::source::InputPath::File(
            f.path().to_path_buf(),
        )],
        &opts,
        &judges,
    );
});
