//! Package catalogers (dpkg, apk, Python, npm, Cargo, Go, Java, rpm, Go build
//! info, cargo-auditable): the first byte picks the path, so each is reached.
#![no_main]
use libfuzzer_sys::fuzz_target;

const PATHS: [&str; 10] = [
    "var/lib/dpkg/status",
    "lib/apk/db/installed",
    "usr/lib/python3/site-packages/x-1.0.dist-info/METADATA",
    "app/node_modules/x/package.json",
    "app/package-lock.json",
    "app/Cargo.lock",
    "app/go.mod",
    "etc/os-release",
    "app/x.jar",
    "var/lib/rpm/rpmdb.sqlite",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let path = PATHS[pick as usize % PATHS.len()];
    let os = bulkhead_image::catalog::parse_os_release(rest);
    let _ = bulkhead_image::catalog::parse(path, rest, Some(&os));
    if path.ends_with(".jar") {
        let _ = bulkhead_image::java::parse(path, rest);
    }
    if path.contains("rpm") {
        let _ = bulkhead_image::rpmdb::packages(path, rest, None);
        let _ = bulkhead_image::rpmdb::parse_header(rest);
    }
    if path.ends_with("package-lock.json") {
        let _ = bulkhead_image::nodelock::parse(path, rest);
    }
    let _ = bulkhead_image::gobin::packages("usr/bin/x", rest);
    let _ = bulkhead_image::auditable::read("usr/bin/x", rest);
});
