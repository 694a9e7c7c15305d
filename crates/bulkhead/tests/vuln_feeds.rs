//! The distribution feeds end to end: an Alpine rootfs matched against an
//! Alpine secdb file (by origin package, apk order), a Debian rootfs against
//! the Debian Security Tracker JSON (by source package, dpkg order), and a
//! tracker CVE merging with an OSV DEBIAN-CVE record of the same CVE.
//! The rootfs files and feeds are written here in the real formats.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use common::*;

fn findings(dir: &std::path::Path, adv: &[&std::path::Path]) -> Vec<serde_json::Value> {
    let mut args = vec![
        "fs".to_string(),
        dir.display().to_string(),
        "--no-config".into(),
        "-f".into(),
        "json".into(),
        "--fail-on".into(),
        "none".into(),
        "--select".into(),
        "VULN".into(),
    ];
    for a in adv {
        args.push("--advisories".into());
        args.push(a.display().to_string());
    }
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run(&a);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    json(&o)["findings"].as_array().expect("findings").clone()
}

/// `package vulnerability fixed` per finding, sorted.
fn package_id_fixed(f: &[serde_json::Value]) -> Vec<String> {
    let mut v: Vec<String> = f
        .iter()
        .map(|f| {
            let e = |k: &str| f["evidence"][k].as_str().unwrap_or("").to_string();
            format!("{} {} {}", e("package"), e("vulnerability"), e("fixed"))
        })
        .collect();
    v.sort();
    v
}

fn write(root: &std::path::Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

#[test]
fn alpine_rootfs_against_secdb() {
    let d = tempfile::tempdir().expect("tmp");
    let fs = d.path().join("rootfs");
    write(
        &fs,
        "etc/os-release",
        "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3\n",
    );
    write(
        &fs,
        "lib/apk/db/installed",
        "C:Q1abc=\nP:libcrypto3\nV:3.3.1-r3\nA:x86_64\no:openssl\nL:Apache-2.0\n\nC:Q1def=\nP:libssl3\nV:3.3.1-r3\nA:x86_64\no:openssl\n\nC:Q1ghi=\nP:busybox\nV:1.36.1-r29\nA:x86_64\no:busybox\n\n",
    );
    let secdb = d.path().join("main.json");
    std::fs::write(
        &secdb,
        serde_json::json!({
            "distroversion": "v3.20", "reponame": "main", "archs": ["x86_64"],
            "urlprefix": "https://dl-cdn.example/alpine",
            "packages": [
                {"pkg": {"name": "openssl", "secfixes": {
                    "3.3.2-r0": ["CVE-2024-6119"],
                    "3.3.1-r1": ["CVE-2024-5535"],
                    "0": ["CVE-2022-0001"]}}},
                {"pkg": {"name": "busybox", "secfixes": {"1.36.1-r29": ["CVE-2023-42366"]}}}
            ]
        })
        .to_string(),
    )
    .expect("write");
    let f = findings(&fs, &[&secdb]);
    let got = package_id_fixed(&f);
    // Both binary packages of origin openssl; 3.3.1-r3 is past the r1 fix; busybox is at its fix.
    assert_eq!(
        got,
        vec![
            "libcrypto3 CVE-2024-6119 3.3.2-r0",
            "libssl3 CVE-2024-6119 3.3.2-r0"
        ]
    );
}

#[test]
fn debian_rootfs_against_the_security_tracker() {
    let d = tempfile::tempdir().expect("tmp");
    let fs = d.path().join("rootfs");
    write(&fs, "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
    write(
        &fs,
        "var/lib/dpkg/status",
        "Package: libexpat1\nStatus: install ok installed\nArchitecture: amd64\nSource: expat\nVersion: 2.5.0-1\n\nPackage: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n\n",
    );
    let tracker = d.path().join("tracker.json");
    std::fs::write(
        &tracker,
        serde_json::json!({
            "expat": {
                "CVE-2024-45490": {"description": "xmlParseBuffer negative length", "scope": "remote",
                    "releases": {"bookworm": {"status": "resolved", "fixed_version": "2.5.0-1+deb12u1",
                        "urgency": "not yet assigned", "repositories": {"bookworm": "2.5.0-1"}}}},
                "CVE-2013-0340": {"description": "billion laughs via external entities",
                    "releases": {"bookworm": {"status": "open", "urgency": "unimportant",
                        "repositories": {"bookworm": "2.5.0-1"}}}}
            },
            "zlib": {
                "CVE-2023-45853": {"description": "MiniZip overflow",
                    "releases": {"bookworm": {"status": "resolved", "fixed_version": "0", "urgency": "unimportant"}}}
            }
        })
        .to_string(),
    )
    .expect("write");
    // An OSV record for the same CVE, as OSV's Debian feed names it.
    let osv = d.path().join("osv");
    write(
        &osv,
        "DEBIAN-CVE-2024-45490.json",
        &serde_json::json!({
            "id": "DEBIAN-CVE-2024-45490", "upstream": ["CVE-2024-45490"],
            "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
            "affected": [{"package": {"ecosystem": "Debian:12", "name": "expat"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.5.0-1+deb12u1"}]}]}]
        })
        .to_string(),
    );
    let f = findings(&fs, &[&tracker, &osv]);
    let mut got: Vec<String> = f
        .iter()
        .map(|f| {
            format!(
                "{} {} [{}] {} {}",
                f["evidence"]["package"].as_str().unwrap_or(""),
                f["evidence"]["vulnerability"].as_str().unwrap_or(""),
                f["evidence"]["aliases"].as_str().unwrap_or(""),
                f["evidence"]["fixed"].as_str().unwrap_or("-"),
                f["severity"].as_str().unwrap_or("")
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            "libexpat1 CVE-2013-0340 [DEBIAN-CVE-2013-0340]  low",
            "libexpat1 CVE-2024-45490 [DEBIAN-CVE-2024-45490] 2.5.0-1+deb12u1 critical",
        ]
    );
}

/// On PATH; with BULKHEAD_REQUIRE_IMAGES set (CI as root), installed with apt.
fn tools(tools: &[&str], debs: &[&str]) -> bool {
    let have = |t: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {t}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if tools.iter().all(|t| have(t)) {
        return true;
    }
    if std::env::var_os("BULKHEAD_REQUIRE_IMAGES").is_some() {
        let mut args = vec!["-o", "DPkg::Lock::Timeout=600", "install", "-y", "-qq"];
        args.extend_from_slice(debs);
        let _ = std::process::Command::new("apt-get").args(&args).output();
        assert!(
            tools.iter().all(|t| have(t)),
            "{tools:?} missing: apt-get install {debs:?} failed"
        );
        return true;
    }
    eprintln!("\n*** SKIPPED: {tools:?} not installed (apt-get install {debs:?}) ***\n");
    false
}

/// An AlmaLinux rootfs whose rpm database (SQLite, written by rpm itself)
/// holds openssl-libs 1:3.0.7-16.el9, matched against an AlmaLinux OSV
/// record by binary package name in rpm's order (epoch included).
#[test]
fn almalinux_rpm_database_against_osv() {
    if !tools(&["rpm", "rpmbuild"], &["rpm"]) {
        return;
    }
    let d = tempfile::tempdir().expect("tmp");
    let spec = d.path().join("o.spec");
    std::fs::write(
        &spec,
        "Name: openssl-libs\nEpoch: 1\nVersion: 3.0.7\nRelease: 16.el9\nSummary: s\nLicense: Apache-2.0\n\
         BuildArch: noarch\n%description\ntest\n%files\n",
    )
    .expect("spec");
    let top = d.path().join("top");
    let o = std::process::Command::new("rpmbuild")
        .arg("--define")
        .arg(format!("_topdir {}", top.display()))
        .arg("-bb")
        .arg(&spec)
        .output()
        .expect("rpmbuild");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let fs = d.path().join("rootfs");
    write(
        &fs,
        "etc/os-release",
        "ID=\"almalinux\"\nVERSION_ID=\"9.2\"\n",
    );
    let db = fs.join("var/lib/rpm");
    std::fs::create_dir_all(&db).expect("mkdir");
    let rpm = top.join("RPMS/noarch/openssl-libs-3.0.7-16.el9.noarch.rpm");
    let o = std::process::Command::new("rpm")
        .arg("--dbpath")
        .arg(&db)
        .args([
            "--define",
            "_db_backend sqlite",
            "--justdb",
            "--nodeps",
            "--noscripts",
            "-i",
        ])
        .arg(&rpm)
        .output()
        .expect("rpm -i");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let adv = d.path().join("adv");
    for (id, fixed) in [
        ("ALSA-2023:5209", "1:3.0.7-24.el9"),
        ("ALSA-2023:0001", "1:3.0.7-6.el9"),
    ] {
        write(
            &adv,
            &format!("{}.json", id.replace(':', "-")),
            &serde_json::json!({
                "id": id, "aliases": [],
                "affected": [{"package": {"ecosystem": "AlmaLinux:9", "name": "openssl-libs"},
                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}]}]
            })
            .to_string(),
        );
    }
    let f = findings(&fs, &[&adv]);
    let got = package_id_fixed(&f);
    // 1:3.0.7-16.el9 is below -24 and above -6.
    assert_eq!(got, vec!["openssl-libs ALSA-2023:5209 1:3.0.7-24.el9"]);
}

/// A file named on its own that is no known advisory format is an error
/// naming it, not a silent empty import.
#[test]
fn unknown_feed_file_is_an_error() {
    let d = tempfile::tempdir().expect("tmp");
    let f = d.path().join("odd.json");
    std::fs::write(&f, r#"{"openssl": {"CVE-1": {"releases": "x"}}}"#).expect("write");
    let db = d.path().join("v.db");
    let o = run(&[
        "db",
        "import",
        f.to_str().expect("utf8"),
        "--db",
        db.to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("odd.json: not an OSV record"),
        "{}",
        stderr(&o)
    );
    assert!(!db.exists(), "nothing was read, so nothing is written");
}

/// Ubuntu: OSV's `Ubuntu:22.04:LTS` records name source packages; the LTS
/// marker comes from os-release's PRETTY_NAME.
#[test]
fn ubuntu_lts_rootfs_against_osv() {
    let d = tempfile::tempdir().expect("tmp");
    let fs = d.path().join("rootfs");
    write(
        &fs,
        "etc/os-release",
        "PRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nID=ubuntu\nID_LIKE=debian\n",
    );
    write(
        &fs,
        "var/lib/dpkg/status",
        "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.2-0ubuntu1.10\n\n",
    );
    let adv = d.path().join("adv");
    for (id, eco, fixed) in [
        ("USN-TEST-1", "Ubuntu:22.04:LTS", "3.0.2-0ubuntu1.15"),
        ("USN-TEST-2", "Ubuntu:24.04:LTS", "3.0.13-0ubuntu3.1"),
        ("USN-TEST-3", "Ubuntu:22.04:LTS", "3.0.2-0ubuntu1.9"),
    ] {
        write(
            &adv,
            &format!("{id}.json"),
            &serde_json::json!({
                "id": id,
                "affected": [{"package": {"ecosystem": eco, "name": "openssl"},
                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}]}]
            })
            .to_string(),
        );
    }
    let f = findings(&fs, &[&adv]);
    assert_eq!(
        package_id_fixed(&f),
        vec!["libssl3 USN-TEST-1 3.0.2-0ubuntu1.15"]
    );
}
