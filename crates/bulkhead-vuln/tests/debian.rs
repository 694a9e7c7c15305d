//! `advisories/debian-12` against a synthetic bookworm inventory: for each
//! record's source package, one binary package below the fixed version (must
//! match, once per binary package), one at the fixed version and one with a
//! source package of another name (must not match). Skips loudly without
//! ../shared.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_core::{Ecosystem, Inventory, OsRelease, Package};
use bulkhead_vuln::record::Event;
use bulkhead_vuln::{MatchOptions, import, match_inventory};
use std::collections::BTreeSet;

fn pkg(name: &str, version: &str, source: &str, source_version: Option<&str>) -> Package {
    Package {
        ecosystem: Ecosystem::Deb,
        name: name.into(),
        version: version.into(),
        purl: format!("pkg:deb/debian/{name}@{version}"),
        source_name: Some(source.into()),
        source_version: source_version.map(str::to_string),
        arch: Some("amd64".into()),
        licenses: Vec::new(),
        path: "/var/lib/dpkg/status".into(),
        layer: None,
    }
}

#[test]
fn every_record_for_every_binary_package_and_nothing_else() {
    let Some(dir) = bulkhead_core::testing::corpus(
        "every_record_for_every_binary_package_and_nothing_else",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/advisories/debian-12",
    ) else {
        return;
    };
    let t = std::time::Instant::now();
    let adv = import::import(std::slice::from_ref(&dir)).expect("import");
    eprintln!(
        "debian-12: {} records imported in {:?}",
        adv.sources[0].records,
        t.elapsed()
    );
    assert_eq!(adv.sources[0].records, 76);
    assert!(adv.errors.is_empty(), "{:?}", adv.errors);
    let mut packages = Vec::new();
    let mut want = BTreeSet::new();
    for (key, list) in &adv.packages {
        let (eco, src) = key.split_once('\0').expect("key");
        assert_eq!(eco, "Debian:12");
        // Two binary packages from the source, below every fixed version; the
        // second records the source version separately (binNMU-style).
        packages.push(pkg(&format!("{src}-bin1"), "0~old-1", src, None));
        packages.push(pkg(
            &format!("{src}-bin2"),
            "0~old-1+b1",
            src,
            Some("0~old-1"),
        ));
        // At the highest fixed version: not affected by anything.
        let max = list
            .iter()
            .flat_map(|a| a.ranges.iter().flat_map(|r| &r.events))
            .filter_map(|e| match e {
                Event::Fixed(f) => Some(f.clone()),
                _ => None,
            })
            .max_by(|a, b| bulkhead_vuln::dpkg::compare(a, b))
            .expect("fixed");
        packages.push(pkg(&format!("{src}-new"), &max, src, None));
        // Same binary name pattern, another source: never matched.
        packages.push(pkg(
            &format!("{src}-other"),
            "0~old-1",
            &format!("{src}-fork"),
            None,
        ));
        for a in list {
            // Findings name the CVE (the record's upstream alias) when there is one.
            let v = &adv.vulns[&a.id];
            let shown = v
                .aliases
                .iter()
                .find(|x| x.starts_with("CVE-"))
                .unwrap_or(&a.id);
            want.insert(format!("{shown} {src}-bin1"));
            want.insert(format!("{shown} {src}-bin2"));
        }
    }
    let inv = Inventory {
        os: Some(OsRelease {
            id: "debian".into(),
            version_id: "12".into(),
            pretty_name: None,
        }),
        packages,
    };
    let t = std::time::Instant::now();
    let findings = match_inventory(&adv, &inv, MatchOptions::default()).expect("match");
    eprintln!("matched {} findings in {:?}", findings.len(), t.elapsed());
    let got: BTreeSet<String> = findings
        .iter()
        .map(|f| format!("{} {}", f.evidence["vulnerability"], f.evidence["package"]))
        .collect();
    assert_eq!(
        got.len(),
        findings.len(),
        "one finding per (advisory, package)"
    );
    assert_eq!(got, want);
    assert!(findings.iter().all(|f| f.message.contains("fixed in")));
    // Another distribution release is never matched against Debian:12 records.
    let mut other = inv.clone();
    other.os = Some(OsRelease {
        id: "debian".into(),
        version_id: "11".into(),
        pretty_name: None,
    });
    assert!(
        match_inventory(&adv, &other, MatchOptions::default())
            .expect("match")
            .is_empty()
    );
}
