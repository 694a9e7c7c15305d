//! Runtime inputs: Compose, OCI config.json, inspect output, run lines (the
//! first byte picks the file name, so each reader is reached).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(s) = std::str::from_utf8(rest) else {
        return;
    };
    let name = [
        "compose.yaml",
        "config.json",
        "inspect.json",
        "run.sh",
        "Makefile",
    ][pick as usize % 5];
    let env = bulkhead_runtime::sources::compose::Env::with(&[]);
    let l = bulkhead_runtime::load(&bulkhead_runtime::Input::new(name, s), &env);
    let _ = bulkhead_runtime::rules::check(&l.containers, &|_| true);
});
