//! Cataloguing grows linearly (issue 13, point 13): a `package-lock.json`
//! of 1e6 entries costs at most 15 times one of 1e5 (measured 11.7 to 12.7
//! times with this debug build: the 190 MB file and its million-entry hash
//! set no longer fit any cache, which costs a little per entry; the old
//! quadratic attribution was 100 times and more). Before the fix the
//! package-to-layer attribution compared every package with the whole list
//! (1e5 took 11 s, 1e6 never finished) and a 130 MiB lock file was over the
//! capture limit, so its packages went missing.
//!
//! The cost is the child's user CPU time (from `/proc/self/stat`, whose
//! `cutime` collects waited-for children), the least of several runs, so
//! other work on the machine does not count. This file holds one test so no
//! other child of this process is counted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use std::io::Write;
use std::path::Path;

fn write_lock(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let f = std::fs::File::create(dir.join("package-lock.json")).unwrap();
    let mut w = std::io::BufWriter::new(f);
    write!(
        w,
        r#"{{"name":"app","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{{"":{{"name":"app","version":"1.0.0"}}"#
    )
    .unwrap();
    for i in 0..n {
        write!(
            w,
            r#","node_modules/pkg{i}":{{"version":"1.{}.{}","resolved":"https://npm.example.invalid/pkg{i}/-/pkg{i}-1.0.0.tgz","integrity":"sha512-AAAA","dependencies":{{"dep{}":"^1.0.0"}}}}"#,
            i % 100,
            i % 7,
            i % 13
        )
        .unwrap();
    }
    write!(w, "}}}}").unwrap();
    w.flush().unwrap();
}

/// Children's user CPU time so far, in clock ticks.
fn children_user_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // Fields after the parenthesised command name; cutime is field 16.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    rest.split(' ').nth(13).unwrap().parse().unwrap()
}

/// The least user CPU time of `runs` scans of `dir`, and the package count.
fn cost(dir: &Path, runs: usize) -> (u64, u64) {
    let mut best = u64::MAX;
    let mut count = 0;
    for _ in 0..runs {
        let before = children_user_ticks();
        let out = common::run(&["fs", dir.to_str().unwrap(), "-f", "json", "-q"]);
        let ticks = children_user_ticks() - before;
        assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
        let report = common::json(&out);
        let notes = report["notes"].to_string();
        let n = notes
            .split(" package(s)")
            .next()
            .and_then(|s| s.rsplit(' ').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no package count in {notes}"));
        count = n;
        best = best.min(ticks);
    }
    (best.max(1), count)
}

#[test]
fn a_million_entry_lock_file_costs_about_ten_times_a_hundred_thousand() {
    let tmp = tempfile::tempdir().unwrap();
    let small = tmp.path().join("small");
    let large = tmp.path().join("large");
    write_lock(&small, 100_000);
    write_lock(&large, 1_000_000);
    let (t_small, n_small) = cost(&small, 3);
    let (t_large, n_large) = cost(&large, 2);
    assert_eq!(n_small, 100_000);
    assert_eq!(
        n_large, 1_000_000,
        "every entry of the 1e6 file is catalogued"
    );
    let ratio = t_large as f64 / t_small as f64;
    eprintln!("1e5: {t_small} ticks, 1e6: {t_large} ticks, ratio {ratio:.1}");
    assert!(
        ratio <= 15.0,
        "1e6 entries cost {ratio:.1}x 1e5 ({t_large} vs {t_small} ticks of user CPU)"
    );
}
