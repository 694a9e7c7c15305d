//! `db import` never destroys what it is pointed at: a device node, a FIFO or
//! a directory given as `--db` is refused before anything is written; a symlink
//! keeps pointing where it pointed; an import that reads nothing, or skips
//! records, leaves the existing database byte-identical (issue 13, points 1–2).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use common::*;
use std::path::Path;

fn osv(dir: &Path, id: &str) -> std::path::PathBuf {
    let p = dir.join(format!("{id}.json"));
    let rec = serde_json::json!({
        "id": id, "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.32.0"}]}]}]
    });
    std::fs::write(&p, rec.to_string()).expect("write");
    p
}

fn import(db: &Path, srcs: &[&Path]) -> std::process::Output {
    let mut a = vec![
        "db".to_string(),
        "import".into(),
        "--db".into(),
        db.display().to_string(),
    ];
    a.extend(srcs.iter().map(|s| s.display().to_string()));
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    run(&a)
}

#[test]
fn device_node_is_refused_and_kept() {
    let d = tempfile::tempdir().expect("tmp");
    let src = osv(d.path(), "PYSEC-1");
    let dev = d.path().join("null");
    let made = std::process::Command::new("mknod")
        .arg(&dev)
        .args(["c", "1", "3"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !made {
        // Not root: a FIFO is the same kind of non-regular file.
        let _ = std::process::Command::new("mkfifo").arg(&dev).status();
    }
    let before = std::fs::symlink_metadata(&dev)
        .expect("node made")
        .file_type();
    let o = import(&dev, &[&src]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("refusing to replace it"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("null"), "{}", stderr(&o));
    let after = std::fs::symlink_metadata(&dev)
        .expect("still there")
        .file_type();
    assert_eq!(before, after, "the node was replaced");
    assert!(!after.is_file());
}

#[test]
fn directory_is_refused() {
    let d = tempfile::tempdir().expect("tmp");
    let src = osv(d.path(), "PYSEC-1");
    let dir = d.path().join("dbdir");
    std::fs::create_dir(&dir).expect("mkdir");
    let o = import(&dir, &[&src]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
    assert!(dir.is_dir());
}

#[test]
fn symlink_is_kept_and_its_target_written() {
    let d = tempfile::tempdir().expect("tmp");
    let src = osv(d.path(), "PYSEC-1");
    let real = d.path().join("real.db");
    let link = d.path().join("link.db");
    let o = import(&real, &[&src]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let src2 = osv(d.path(), "PYSEC-2");
    let o = import(&link, &[&src, &src2]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink()
    );
    let info = run(&[
        "db",
        "info",
        "--db",
        real.to_str().expect("utf8"),
        "-f",
        "json",
    ]);
    assert_eq!(json(&info)["vulnerabilities"], 2, "{}", stderr(&info));
    // A dangling link is refused, not replaced by a file.
    let dangling = d.path().join("dangling.db");
    std::os::unix::fs::symlink(d.path().join("nowhere/x.db"), &dangling).expect("symlink");
    let o = import(&dangling, &[&src]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        std::fs::symlink_metadata(&dangling)
            .expect("link")
            .file_type()
            .is_symlink()
    );
}

#[test]
fn failed_or_empty_import_leaves_the_database_untouched() {
    let d = tempfile::tempdir().expect("tmp");
    let src = osv(d.path(), "PYSEC-1");
    let db = d.path().join("v.db");
    let o = import(&db, &[&src]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let good = std::fs::read(&db).expect("db");

    // An empty directory: nothing read.
    let empty = d.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let o = import(&db, &[&empty]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!stderr(&o).contains("written;"), "{}", stderr(&o));
    assert!(stderr(&o).contains("unchanged"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&db).expect("db"), good);

    // A garbage file.
    let garbage = d.path().join("garbage.json");
    std::fs::write(&garbage, b"\x00\x01 not json").expect("write");
    let o = import(&db, &[&garbage]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read(&db).expect("db"), good);

    // Good records beside a broken one: not written without --partial...
    let mix = d.path().join("mix");
    std::fs::create_dir(&mix).expect("mkdir");
    osv(&mix, "PYSEC-2");
    osv(&mix, "PYSEC-3");
    std::fs::write(mix.join("broken.json"), "{\"id\": 5}").expect("write");
    let o = import(&db, &[&mix]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--partial"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&db).expect("db"), good);
    // ... and written, exit 1, with it.
    let mut a = vec!["db", "import", "--partial", "--db"];
    let db_s = db.display().to_string();
    let mix_s = mix.display().to_string();
    a.push(&db_s);
    a.push(&mix_s);
    let o = run(&a);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let info = run(&["db", "info", "--db", &db_s, "-f", "json"]);
    assert_eq!(json(&info)["vulnerabilities"], 2, "{}", stderr(&info));
}

/// Two imports into one database at the same time (issue 18, point 11):
/// each writes its own temporary file, so both finish, the database is one
/// of the two complete imports, and no temporary file is left.
#[test]
fn concurrent_imports_do_not_share_a_temporary_file() {
    let d = tempfile::tempdir().expect("tmp");
    let a: Vec<_> = (0..300)
        .map(|i| osv(d.path(), &format!("PYSEC-A{i}")))
        .collect();
    let b: Vec<_> = (0..5)
        .map(|i| osv(d.path(), &format!("PYSEC-B{i}")))
        .collect();
    let (da, db_) = (d.path().join("a"), d.path().join("b"));
    std::fs::create_dir_all(&da).unwrap();
    std::fs::create_dir_all(&db_).unwrap();
    for p in &a {
        std::fs::rename(p, da.join(p.file_name().unwrap())).unwrap();
    }
    for p in &b {
        std::fs::rename(p, db_.join(p.file_name().unwrap())).unwrap();
    }
    let db = d.path().join("out/vuln.db");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    for _ in 0..3 {
        let (db1, db2, da2, db3) = (db.clone(), db.clone(), da.clone(), db_.clone());
        let t1 = std::thread::spawn(move || import(&db1, &[&da2]));
        let t2 = std::thread::spawn(move || import(&db2, &[&db3]));
        for o in [t1.join().unwrap(), t2.join().unwrap()] {
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        }
        let o = run(&["db", "info", "--db", db.to_str().unwrap(), "-f", "json"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let n = json(&o)["vulnerabilities"].as_u64().unwrap();
        assert!(n == 300 || n == 5, "a mixed database: {n}");
        let left: Vec<_> = std::fs::read_dir(db.parent().unwrap())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        assert_eq!(left, vec!["vuln.db".to_string()], "{left:?}");
    }
}

/// A truncated or corrupted database is an error naming it, never a crash
/// (issue 18, point 1): every truncation length tried, and bytes flipped
/// across the file, give exit 0 or 2 with at most one line on stderr.
#[test]
fn damaged_databases_are_errors_not_crashes() {
    let d = tempfile::tempdir().expect("tmp");
    for i in 0..200 {
        osv(d.path(), &format!("PYSEC-{i}"));
    }
    let db = d.path().join("good.db");
    let o = import(&db, &[d.path()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let good = std::fs::read(&db).unwrap();
    let bad = d.path().join("bad.db");
    let sbom = d.path().join("sbom.json");
    std::fs::write(&sbom, r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"requests","version":"2.0.0","purl":"pkg:pypi/requests@2.0.0"}]}"#).unwrap();
    let mut cases: Vec<Vec<u8>> = [
        0,
        1,
        100,
        511,
        4096,
        8191,
        good.len() / 3,
        good.len() / 2,
        good.len() - 1,
    ]
    .iter()
    .map(|&n| good[..n].to_vec())
    .collect();
    // Deterministic corruption: runs of bytes overwritten at spread offsets.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..24 {
        let mut c = good.clone();
        for _ in 0..16 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let at = (x as usize) % c.len();
            for b in c.iter_mut().skip(at).take(32) {
                *b ^= (x >> 8) as u8 | 1;
            }
        }
        cases.push(c);
    }
    let mut errors = 0;
    for (i, c) in cases.iter().enumerate() {
        std::fs::write(&bad, c).unwrap();
        for args in [
            vec!["db", "info", "--db", bad.to_str().unwrap()],
            vec![
                "sbom",
                "scan",
                sbom.to_str().unwrap(),
                "--db",
                bad.to_str().unwrap(),
                "-f",
                "json",
            ],
        ] {
            let o = run(&args);
            let e = stderr(&o);
            assert!(
                matches!(o.status.code(), Some(0..=2)),
                "case {i} {args:?}: exit {:?}\n{e}",
                o.status.code()
            );
            assert!(!e.contains("panicked"), "case {i} {args:?}: {e}");
            if o.status.code() == Some(2) {
                errors += 1;
                assert!(e.contains("bad.db"), "case {i} {args:?}: {e}");
            }
        }
    }
    assert!(
        errors >= cases.len(),
        "only {errors} errors over {} damaged files",
        cases.len()
    );
}
