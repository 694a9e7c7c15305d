//! The vulnerability database file (redb): a corrupt or hostile file must be
//! one error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else { return };
    let p = dir.path().join("vuln.db");
    if std::fs::write(&p, data).is_err() {
        return;
    }
    if let Ok(db) = bulkhead_vuln::db::Db::open(&p) {
        let _ = db.info();
    }
});
