//! Advisory importers (OSV JSON, a zip of them, Debian tracker JSON, Alpine
//! secdb): the first byte picks the file name the importer dispatches on.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let name = [
        "GHSA-x.json",
        "all.zip",
        "debian.json",
        "main.json",
        "RUSTSEC-2020-0001.md",
    ][pick as usize % 5];
    let Ok(dir) = tempfile::tempdir() else { return };
    let p = dir.path().join(name);
    if std::fs::write(&p, rest).is_err() {
        return;
    }
    let _ = bulkhead_vuln::import::import(&[p]);
});
