//! `bulkhead image` / `bulkhead sbom` on the real Debian bookworm image made
//! by scripts/build-test-image.sh (mmdebstrap + umoci + skopeo, no daemon):
//! the dpkg list equals `dpkg-query -W` on the same rootfs, planted packages
//! carry the layer that added them, the deleted package is absent, the
//! deleted secret is reported with its layer, every source format gives the
//! same answer, and Trivy reads our CycloneDX with the same packages.
//!
//! The image needs apt, a Debian mirror and root. When it cannot be built
//! the test skips loudly, unless BULKHEAD_REQUIRE_IMAGES is set (as .ci/run
//! does), in which case it fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use common::*;
use std::collections::BTreeSet;
use std::process::Command;

/// Builds the test image once per test process (the tests run in parallel
/// threads; the script also takes a file lock against other processes).
fn inventory(reference: &str) -> serde_json::Value {
    let o = run(&["sbom", reference, "-f", "json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("json")
}

fn packages(inv: &serde_json::Value) -> BTreeSet<String> {
    inv["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            format!(
                "{} {} {} {} {}",
                p["ecosystem"].as_str().unwrap_or(""),
                p["name"].as_str().unwrap_or(""),
                p["version"].as_str().unwrap_or(""),
                p["layer"].as_str().unwrap_or(""),
                p["path"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn real_bookworm_image() {
    let Some(dir) = test_image() else {
        return;
    };
    let layout = format!("oci:{}:planted", dir.join("layout").display());
    let inv = inventory(&layout);
    let pk = inv["packages"].as_array().expect("packages");
    assert_eq!(inv["os"]["id"], "debian");
    assert_eq!(inv["os"]["version_id"], "12");

    // dpkg list == dpkg-query -W on the same rootfs (name, version, source, source version).
    let want: BTreeSet<String> = std::fs::read_to_string(dir.join("dpkg-query.txt"))
        .expect("dpkg-query.txt")
        .lines()
        .map(str::to_string)
        .collect();
    let got: BTreeSet<String> = pk
        .iter()
        .filter(|p| p["ecosystem"] == "Deb")
        .map(|p| {
            let v = p["version"].as_str().unwrap_or("");
            format!(
                "{} {} {} {}",
                p["name"].as_str().unwrap_or(""),
                v,
                p["source_name"].as_str().unwrap_or(""),
                p["source_version"].as_str().unwrap_or(v)
            )
        })
        .collect();
    assert_eq!(got, want, "dpkg list differs from dpkg-query");
    eprintln!("dpkg: {} packages equal to dpkg-query -W", got.len());

    // Planted packages come from layer 2; the deleted one is absent.
    let layer_of = |name: &str| {
        pk.iter()
            .find(|p| p["name"] == name)
            .and_then(|p| p["layer"].as_str())
            .map(str::to_string)
    };
    let base = layer_of("base-files").expect("base-files");
    let planted = layer_of("requests").expect("requests");
    assert_ne!(base, planted);
    for n in [
        "lodash",
        "smallvec",
        "time",
        "minimist",
        "@babel/traverse",
        "org.apache.commons:commons-text",
    ] {
        assert_eq!(layer_of(n).as_deref(), Some(planted.as_str()), "{n}");
    }
    let purl_of = |name: &str| {
        pk.iter()
            .find(|p| p["name"] == name)
            .and_then(|p| p["purl"].as_str())
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(
        purl_of("@babel/traverse"),
        "pkg:npm/%40babel/traverse@7.23.0"
    );
    assert_eq!(
        purl_of("org.apache.commons:commons-text"),
        "pkg:maven/org.apache.commons/commons-text@1.9"
    );
    assert!(
        layer_of("app").is_none(),
        "the project's own crate is not a dependency"
    );
    assert!(
        layer_of("urllib3").is_none(),
        "urllib3 was deleted in layer 3"
    );

    // The deleted key is still reported, with the layer that added it.
    let o = run(&[
        "image",
        &layout,
        "--no-config",
        "-f",
        "json",
        "--select",
        "IMG001",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let f = v["findings"].as_array().expect("findings");
    let key = f
        .iter()
        .find(|f| f["location"]["file"] == "/root/.ssh/id_ed25519")
        .expect("deleted key reported");
    assert!(
        key["message"]
            .as_str()
            .unwrap_or("")
            .contains("deleted in layer 3 — still in the image")
    );
    assert_eq!(key["location"]["layer"].as_str(), Some(planted.as_str()));
    assert!(f.iter().any(|f| f["location"]["file"] == "/etc/app/.env"));
    assert_eq!(f.len(), 3, "no false positives in the Debian base: {f:#?}");

    // Same inventory from the oci-archive and the docker-archive.
    let reference = packages(&inv);
    let oci_archive = inventory(&format!(
        "oci-archive:{}:planted",
        dir.join("app.oci.tar").display()
    ));
    assert_eq!(packages(&oci_archive), reference);
    // docker-archive layers are addressed by their uncompressed digest: compare without layers.
    let strip = |s: BTreeSet<String>| -> BTreeSet<String> {
        s.into_iter()
            .map(|l| {
                let mut w: Vec<&str> = l.split(' ').collect();
                w.remove(3);
                w.join(" ")
            })
            .collect()
    };
    let docker = inventory(&format!(
        "docker-archive:{}",
        dir.join("app.docker.tar").display()
    ));
    assert_eq!(strip(packages(&docker)), strip(reference.clone()));

    // Our CycloneDX validates against the official 1.6 schema (and its spdx/jsf parts).
    validate_cyclonedx(&dir, &layout);
    // Trivy reads our CycloneDX and our SPDX and lists the same packages.
    let trivy = dir.join("tools/trivy");
    if !trivy.exists() {
        eprintln!("\n*** SKIPPED (part): trivy not available for the CycloneDX cross-check ***\n");
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let cdx = tmp.path().join("app.cdx.json");
    let o = run(&["sbom", &layout, "-o", cdx.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(0));
    let theirs = trivy_packages(&trivy, &cdx, &tmp.path().join("cache"));
    let ours: BTreeSet<String> = pk
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p["name"].as_str().unwrap_or(""),
                p["version"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        theirs, ours,
        "trivy lists other packages than our CycloneDX"
    );
    eprintln!(
        "trivy sbom reads our CycloneDX: {} packages, same as ours",
        theirs.len()
    );

    let spdx = tmp.path().join("app.spdx.json");
    let o = run(&[
        "sbom",
        &layout,
        "-f",
        "spdx",
        "-o",
        spdx.to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let theirs = trivy_packages(&trivy, &spdx, &tmp.path().join("cache"));
    assert_eq!(theirs, ours, "trivy lists other packages than our SPDX");
    eprintln!(
        "trivy sbom reads our SPDX: {} packages, same as ours",
        theirs.len()
    );
}

/// `trivy sbom` (offline, no vulnerability DB) on one of our SBOMs: the
/// packages it reads, as "name version".
fn trivy_packages(
    trivy: &std::path::Path,
    sbom: &std::path::Path,
    cache: &std::path::Path,
) -> BTreeSet<String> {
    let t = Command::new(trivy)
        .args([
            "sbom",
            "--scanners",
            "license",
            "--format",
            "json",
            "--list-all-pkgs",
        ])
        .args([
            "--skip-db-update",
            "--skip-java-db-update",
            "--offline-scan",
            "--cache-dir",
        ])
        .arg(cache)
        .arg(sbom)
        .output()
        .expect("run trivy");
    assert!(
        t.status.success(),
        "trivy on {}: {}",
        sbom.display(),
        String::from_utf8_lossy(&t.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&t.stdout).expect("trivy json");
    let mut theirs = BTreeSet::new();
    for res in r["Results"].as_array().into_iter().flatten() {
        for p in res["Packages"].as_array().into_iter().flatten() {
            theirs.insert(format!(
                "{} {}",
                p["Name"].as_str().unwrap_or(""),
                p["Version"].as_str().unwrap_or("")
            ));
        }
    }
    theirs
}

/// Serves the CycloneDX schema's siblings (spdx, jsf) from the local copies.
struct LocalSchemas(std::collections::HashMap<String, serde_json::Value>);

impl jsonschema::Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
        // The wheel names the files `spdx.SNAPSHOT.schema.json`; the schema refers to them so.
        let name = uri
            .as_str()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .replace(".SNAPSHOT", "");
        self.0
            .get(&name)
            .cloned()
            .ok_or_else(|| format!("schema {} not available offline", uri.as_str()).into())
    }
}

fn validate_cyclonedx(dir: &std::path::Path, layout: &str) {
    let schemas = dir.join("tools/schemas");
    if !schemas.join("bom-1.6.schema.json").is_file() {
        eprintln!("\n*** SKIPPED (part): CycloneDX schemas not available ***\n");
        return;
    }
    let load = |n: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(schemas.join(n)).expect("schema"))
            .expect("schema json")
    };
    let mut side = std::collections::HashMap::new();
    side.insert("spdx.schema.json".to_string(), load("spdx.schema.json"));
    side.insert(
        "jsf-0.82.schema.json".to_string(),
        load("jsf-0.82.schema.json"),
    );
    let validator = jsonschema::options()
        .with_retriever(LocalSchemas(side))
        .should_validate_formats(true)
        .build(&load("bom-1.6.schema.json"))
        .expect("compile the CycloneDX 1.6 schema");
    let check = |doc: &serde_json::Value, v: &jsonschema::Validator, what: &str| {
        let errors: Vec<String> = v
            .iter_errors(doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .take(10)
            .collect();
        assert!(errors.is_empty(), "{what}: {errors:#?}");
    };
    let o = run(&["sbom", layout]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("cyclonedx json");
    check(&doc, &validator, "CycloneDX 1.6 schema");
    assert!(
        doc.get("vulnerabilities").is_none(),
        "no database: no vulnerability list"
    );
    // The validator does reject a broken document.
    let mut broken = doc.clone();
    broken["components"][0]["type"] = serde_json::json!("not-a-type");
    assert!(!validator.is_valid(&broken));
    eprintln!("CycloneDX output valid against bom-1.6.schema.json");

    // With advisories: the vulnerabilities section is valid too, and lists
    // what `bulkhead image` reports.
    if let Some(sh) = shared() {
        let adv = sh.join("advisories/debian-12");
        let adv = adv.to_str().expect("utf8");
        let o = run(&["sbom", layout, "--advisories", adv]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("cyclonedx json");
        check(&doc, &validator, "CycloneDX 1.6 schema (vulnerabilities)");
        let vulns = doc["vulnerabilities"].as_array().expect("vulnerabilities");
        let affects: usize = vulns
            .iter()
            .map(|v| v["affects"].as_array().map_or(0, Vec::len))
            .sum();
        let reported =
            json_findings(&["image", layout, "--advisories", adv, "--select", "VULN001"]);
        assert!(!vulns.is_empty());
        assert_eq!(
            affects,
            reported.len(),
            "one affects entry per image finding"
        );
        let refs: BTreeSet<&str> = doc["components"]
            .as_array()
            .expect("components")
            .iter()
            .filter_map(|c| c["bom-ref"].as_str())
            .collect();
        for v in vulns {
            for a in v["affects"].as_array().expect("affects") {
                assert!(refs.contains(a["ref"].as_str().unwrap_or("")), "{a}");
            }
        }
        eprintln!(
            "CycloneDX vulnerabilities valid: {} vulnerabilities, {affects} affected components",
            vulns.len()
        );
    }

    // SPDX 2.3 against the official schema (from the lib4sbom wheel).
    let spdx_schema = schemas.join("spdx-2.3.schema.json");
    if !spdx_schema.is_file() {
        eprintln!("\n*** SKIPPED (part): SPDX 2.3 schema not available ***\n");
        return;
    }
    let spdx_validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&load("spdx-2.3.schema.json"))
        .expect("compile the SPDX 2.3 schema");
    let o = run(&["sbom", layout, "--format", "spdx"]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("spdx json");
    check(&doc, &spdx_validator, "SPDX 2.3 schema");
    let mut broken = doc.clone();
    broken["packages"][0]["SPDXID"] = serde_json::json!(42);
    assert!(!spdx_validator.is_valid(&broken));
    eprintln!("SPDX output valid against the SPDX 2.3 schema");
}

/// A real registry (Debian's docker-registry) on 127.0.0.1, the image pushed
/// with skopeo, pulled by bulkhead: the same inventory as from the layout.
#[test]
fn same_result_from_a_local_registry() {
    let Some(dir) = test_image() else {
        return;
    };
    let Some(registry) = start_registry() else {
        return;
    };
    let host = registry.host.clone();
    let pushed = Command::new("skopeo")
        .args(["copy", "--quiet", "--dest-tls-verify=false"])
        .arg(format!("oci:{}:planted", dir.join("layout").display()))
        .arg(format!("docker://{host}/bulkhead/app:planted"))
        .status()
        .expect("skopeo");
    assert!(pushed.success(), "skopeo push failed");
    let remote = format!("{host}/bulkhead/app:planted");
    let o = run(&["sbom", &remote, "--insecure", "-f", "json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let from_registry: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let from_layout = inventory(&format!("oci:{}:planted", dir.join("layout").display()));
    assert_eq!(packages(&from_registry), packages(&from_layout));
    let o = run(&[
        "image",
        &remote,
        "--insecure",
        "--no-config",
        "-f",
        "json",
        "--select",
        "IMG001",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(3));
    // Unknown tag: a clear error naming the repository.
    let o = run(&["sbom", &format!("{host}/bulkhead/app:nope"), "--insecure"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bulkhead/app"));
    eprintln!(
        "registry pull: {} packages, same as the layout",
        from_layout["packages"].as_array().map_or(0, Vec::len)
    );
}

#[test]
fn image_errors_name_the_input() {
    let o = run(&["image", "oci:/nonexistent/layout"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/layout"));
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("not-an-image.tar");
    std::fs::write(&f, b"hello").expect("w");
    let o = run(&["sbom", f.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not-an-image.tar"));
}

/// Every `advisories/debian-12` record whose fixed version is newer than the
/// installed version of a binary package built from that source is reported,
/// for every such binary package, and nothing else; `dpkg --compare-versions`
/// is the oracle.
#[test]
fn debian_advisories_on_the_real_image() {
    let Some(dir) = test_image() else {
        return;
    };
    let Some(corpus) = shared() else {
        eprintln!(
            "\n\n*** SKIPPED: ../shared/corpora absent; Debian advisory matching not run ***\n"
        );
        return;
    };
    let adv_dir = corpus.join("advisories/debian-12");
    // Expected: from dpkg-query's (package, version, source, source version) and dpkg itself.
    let mut want = BTreeSet::new();
    let mut evaluated = 0;
    let pkgs: Vec<Vec<String>> = std::fs::read_to_string(dir.join("dpkg-query.txt"))
        .expect("dpkg-query")
        .lines()
        .map(|l| l.split(' ').map(str::to_string).collect())
        .collect();
    for e in std::fs::read_dir(&adv_dir).expect("advisories").flatten() {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(e.path()).expect("read")).expect("json");
        let id = v["id"].as_str().unwrap_or("").to_string();
        for a in v["affected"].as_array().into_iter().flatten() {
            let src = a["package"]["name"].as_str().unwrap_or("");
            for r in a["ranges"].as_array().into_iter().flatten() {
                for ev in r["events"].as_array().into_iter().flatten() {
                    let Some(fixed) = ev["fixed"].as_str() else {
                        continue;
                    };
                    for p in pkgs
                        .iter()
                        .filter(|p| p.get(2).map(String::as_str) == Some(src))
                    {
                        let installed = p.get(3).cloned().unwrap_or_default();
                        evaluated += 1;
                        let lt = Command::new("dpkg")
                            .args(["--compare-versions", &installed, "lt", fixed])
                            .status()
                            .is_ok_and(|s| s.success());
                        if lt {
                            let cve = v["upstream"][0].as_str().unwrap_or(&id);
                            want.insert(format!("{cve} {}", p[0]));
                        }
                    }
                }
            }
        }
    }
    assert!(
        !want.is_empty(),
        "the test image should hold packages older than some debian-12 fixes"
    );
    let layout = format!("oci:{}:planted", dir.join("layout").display());
    let got: BTreeSet<String> = json_findings(&[
        "image",
        &layout,
        "--select",
        "VULN001",
        "--advisories",
        adv_dir.to_str().expect("utf8"),
    ])
    .iter()
    .map(|f| {
        format!(
            "{} {}",
            f["evidence"]["vulnerability"].as_str().unwrap_or(""),
            f["evidence"]["package"].as_str().unwrap_or("")
        )
    })
    .collect();
    // The image's packages sit at or above the corpus' fixed versions today
    // (the mirror has the fixes), so "nothing else" is checked at the exact
    // boundary for every pair; if the mirror ever lags, the matches appear.
    assert!(
        evaluated > 50,
        "the test image should hold packages the corpus covers ({evaluated} pairs)"
    );
    assert_eq!(got, want);
    eprintln!(
        "debian-12 advisories: {evaluated} (advisory, binary package) pairs judged, {} matches, as dpkg says",
        got.len()
    );
}

#[test]
fn fs_scans_a_directory() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    std::fs::create_dir_all(root.join("app/node_modules/left-pad")).expect("mkdir");
    std::fs::write(
        root.join("app/node_modules/left-pad/package.json"),
        br#"{"name":"left-pad","version":"1.3.0"}"#,
    )
    .expect("w");
    std::fs::write(
        root.join("app/.env"),
        b"GITLAB_TOKEN=glpat-abcdefghijklmnopqrst\n",
    )
    .expect("w");
    let d = root.to_str().expect("utf8");
    let o = run(&["fs", d, "--no-config", "-f", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    // A directory has no image config: no root-user or Env findings.
    assert_eq!(ids, vec!["IMG001"], "{v}");
    let inv = inventory(d);
    assert_eq!(inv["packages"][0]["purl"], "pkg:npm/left-pad@1.3.0");
}

/// `bulkhead ARGS --no-config -f json --fail-on none`: must succeed; its findings.
fn json_findings(args: &[&str]) -> Vec<serde_json::Value> {
    let mut a = args.to_vec();
    a.extend(["--no-config", "-f", "json", "--fail-on", "none"]);
    let o = run(&a);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    v["findings"].as_array().expect("findings").clone()
}

/// Every id of a finding: the one it shows and its aliases.
fn finding_ids(f: &serde_json::Value) -> Vec<String> {
    let mut ids = vec![
        f["evidence"]["vulnerability"]
            .as_str()
            .unwrap_or("")
            .to_string(),
    ];
    ids.extend(
        f["evidence"]["aliases"]
            .as_str()
            .unwrap_or("")
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    );
    ids
}

/// Whether OSV events (in the order written: introduced/fixed pairs) put
/// `v` in a range, by the `semver` crate's order (an implementation
/// independent of bulkhead's).
fn semver_oracle(events: &[serde_json::Value], v: &str) -> bool {
    let parse = |s: &str| semver::Version::parse(s.trim_start_matches('v')).ok();
    let Some(v) = parse(v) else { return false };
    let mut start: Option<semver::Version> = None;
    for e in events {
        if let Some(i) = e["introduced"].as_str() {
            start = if i == "0" {
                Some(semver::Version::new(0, 0, 0))
            } else {
                parse(i)
            };
        } else if let Some(f) = e["fixed"].as_str() {
            if let (Some(s), Some(f)) = (start.take(), parse(f))
                && v >= s
                && v < f
            {
                return true;
            }
        } else if let Some(l) = e["last_affected"].as_str()
            && let (Some(s), Some(l)) = (start.take(), parse(l))
            && v >= s
            && v <= l
        {
            return true;
        }
    }
    start.is_some_and(|s| v >= s)
}

/// `bulkhead db import` of all shared advisories, then `bulkhead image` on the
/// "go" tag: Go modules of the trivy binary and the Go standard library of the
/// Debian-built umoci against advisories/go, the planted Python and Rust
/// packages against advisories/pypi and advisories/crates; each compared with
/// an oracle that does not use bulkhead's version code.
#[test]
fn vulnerabilities_in_language_packages_and_go_binaries() {
    let Some(dir) = test_image() else {
        return;
    };
    let Some(corpus) = shared() else {
        eprintln!(
            "\n\n*** SKIPPED: ../shared/corpora absent; vulnerability matching not run ***\n"
        );
        return;
    };
    let adv = corpus.join("advisories");
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("vuln.db");
    let db_s = db.to_str().expect("utf8");
    let srcs: Vec<String> = ["go", "pypi", "crates", "debian-12"]
        .iter()
        .map(|s| adv.join(s).display().to_string())
        .collect();
    let mut args = vec!["db", "import", "--db", db_s];
    args.extend(srcs.iter().map(String::as_str));
    let o = run(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let info = run(&["db", "info", "--db", db_s, "-f", "json"]);
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).expect("info json");
    assert!(
        info["vulnerabilities"].as_u64().unwrap_or(0) > 8000,
        "{info}"
    );

    let go_ref = format!("oci:{}:go", dir.join("layout").display());
    let inv = inventory(&go_ref);
    let findings = json_findings(&["image", &go_ref, "--select", "VULN", "--db", db_s]);
    // (package, path) -> the ids of its findings
    let mut got: std::collections::BTreeMap<(String, String), Vec<Vec<String>>> =
        Default::default();
    for f in &findings {
        got.entry((
            f["evidence"]["package"].as_str().unwrap_or("").to_string(),
            f["location"]["file"].as_str().unwrap_or("").to_string(),
        ))
        .or_default()
        .push(finding_ids(f));
    }

    // Oracle for Go: every advisories/go record, per Go package in the inventory.
    let mut go_records = Vec::new();
    for e in std::fs::read_dir(adv.join("go/data/osv"))
        .expect("go")
        .flatten()
    {
        let r: serde_json::Value =
            serde_json::from_slice(&std::fs::read(e.path()).expect("read")).expect("json");
        if r.get("withdrawn").is_none() {
            go_records.push(r);
        }
    }
    let go_pkgs: Vec<&serde_json::Value> = inv["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["ecosystem"] == "Go")
        .collect();
    assert!(
        go_pkgs
            .iter()
            .any(|p| p["name"] == "stdlib" && p["path"] == "/usr/local/bin/umoci")
    );
    let mut checked = (0, 0);
    for p in &go_pkgs {
        let (name, version, path) = (
            p["name"].as_str().unwrap_or(""),
            p["version"].as_str().unwrap_or(""),
            p["path"].as_str().unwrap_or(""),
        );
        let want: BTreeSet<String> = go_records
            .iter()
            .filter(|r| {
                r["affected"].as_array().into_iter().flatten().any(|a| {
                    a["package"]["name"] == name
                        && a["ranges"].as_array().into_iter().flatten().any(|rg| {
                            semver_oracle(
                                rg["events"].as_array().map_or(&[][..], Vec::as_slice),
                                version,
                            )
                        })
                })
            })
            .map(|r| r["id"].as_str().unwrap_or("").to_string())
            .collect();
        let ours = got
            .remove(&(name.to_string(), path.to_string()))
            .unwrap_or_default();
        // One finding per record here (Go records do not alias each other).
        let ours_go: BTreeSet<String> = ours
            .iter()
            .flat_map(|ids| ids.iter().filter(|i| i.starts_with("GO-")).cloned())
            .collect();
        assert_eq!(ours_go, want, "{name} {version} in {path}");
        assert_eq!(ours.len(), want.len(), "{name}: one finding per record");
        if name == "stdlib" {
            checked.0 += want.len();
        } else {
            checked.1 += want.len();
        }
    }
    assert!(
        checked.0 > 20,
        "the old Go of umoci has many stdlib advisories"
    );
    eprintln!(
        "go: {} Go packages in 2 binaries; {} stdlib and {} module findings, as the semver-crate oracle says",
        go_pkgs.len(),
        checked.0,
        checked.1
    );

    // PyPI: records whose explicit `versions` list holds the planted version.
    let mut want_py = BTreeSet::new();
    for e in std::fs::read_dir(adv.join("pypi/vulns/requests"))
        .expect("requests")
        .flatten()
    {
        let text = std::fs::read_to_string(e.path()).expect("read");
        if text.lines().any(|l| l.trim() == "- 2.25.0") && !text.contains("\nwithdrawn:") {
            let id = text
                .lines()
                .find_map(|l| l.strip_prefix("id: "))
                .unwrap_or("")
                .to_string();
            want_py.insert(id);
        }
    }
    let py = got
        .remove(&(
            "requests".into(),
            "/usr/lib/python3/dist-packages/requests-2.25.0.dist-info/METADATA".into(),
        ))
        .unwrap_or_default();
    let py_ids: BTreeSet<String> = py
        .iter()
        .flat_map(|ids| ids.iter().filter(|i| i.starts_with("PYSEC-")).cloned())
        .collect();
    assert!(!want_py.is_empty());
    assert_eq!(py_ids, want_py, "requests 2.25.0");

    // Rust: RustSec requirements through the semver crate (cargo's own semantics).
    let mut want_rs = BTreeSet::new();
    for (krate, version) in [("smallvec", "1.6.0"), ("time", "0.1.43")] {
        let ver = semver::Version::parse(version).expect("version");
        for e in std::fs::read_dir(adv.join("crates/crates").join(krate))
            .expect("crate")
            .flatten()
        {
            let text = std::fs::read_to_string(e.path()).expect("read");
            let front = text.split("```").nth(1).unwrap_or("");
            let reqs = |key: &str| -> Vec<semver::VersionReq> {
                front
                    .lines()
                    .find_map(|l| l.trim().strip_prefix(key))
                    .map(|rest| {
                        // The quoted strings of a one-line TOML array.
                        rest.split('"')
                            .skip(1)
                            .step_by(2)
                            .filter_map(|r| semver::VersionReq::parse(r).ok())
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let safe = reqs("patched")
                .iter()
                .chain(&reqs("unaffected"))
                .any(|r| r.matches(&ver));
            if !safe && !front.contains("\nwithdrawn") {
                let id = front
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("id = "))
                    .unwrap_or("")
                    .trim_matches('"')
                    .to_string();
                want_rs.insert(format!("{krate} {id}"));
            }
        }
    }
    let mut got_rs = BTreeSet::new();
    for krate in ["smallvec", "time"] {
        for ids in got
            .remove(&(krate.into(), "/srv/app/Cargo.lock".into()))
            .unwrap_or_default()
        {
            for i in ids.iter().filter(|i| i.starts_with("RUSTSEC-")) {
                got_rs.insert(format!("{krate} {i}"));
            }
        }
    }
    assert!(!want_rs.is_empty());
    assert_eq!(got_rs, want_rs);
    // The cargo-auditable binary: smallvec 1.6.0 read from its .dep-v0
    // section, matched to the same records as in the Cargo.lock.
    let in_binary = inv["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .any(|p| p["path"] == "/usr/local/bin/rust-app" && p["name"] == "smallvec");
    if in_binary {
        let ids: BTreeSet<String> = got
            .remove(&("smallvec".into(), "/usr/local/bin/rust-app".into()))
            .unwrap_or_default()
            .iter()
            .flat_map(|ids| ids.iter().filter(|i| i.starts_with("RUSTSEC-")).cloned())
            .map(|i| format!("smallvec {i}"))
            .collect();
        let want: BTreeSet<String> = want_rs
            .iter()
            .filter(|k| k.starts_with("smallvec "))
            .cloned()
            .collect();
        assert_eq!(ids, want, "smallvec in the cargo-auditable binary");
        eprintln!(
            "cargo-auditable: smallvec 1.6.0 in /usr/local/bin/rust-app, {} records",
            want.len()
        );
    } else {
        assert!(
            std::env::var_os("BULKHEAD_REQUIRE_IMAGES").is_none(),
            "no cargo-auditable binary in the test image"
        );
        eprintln!("\n*** SKIPPED (part): no cargo-auditable binary in the test image ***\n");
    }
    eprintln!(
        "pypi: requests 2.25.0 {} records; crates: {} (crate, record) matches",
        want_py.len(),
        want_rs.len()
    );
    // `sbom scan` on our CycloneDX of the same image: the same findings.
    let key = |f: &serde_json::Value| {
        format!(
            "{} {} {}",
            f["evidence"]["vulnerability"].as_str().unwrap_or(""),
            f["evidence"]["package"].as_str().unwrap_or(""),
            f["location"]["file"].as_str().unwrap_or("")
        )
    };
    let image_keys: BTreeSet<String> = findings.iter().map(key).collect();
    let cdx = tmp.path().join("go.cdx.json");
    let o = run(&["sbom", &go_ref, "-o", cdx.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(0));
    let scan_findings = |file: &std::path::Path, extra: &[&str]| -> Vec<serde_json::Value> {
        let mut a = vec!["sbom", "scan", file.to_str().expect("utf8"), "--db", db_s];
        a.extend(extra);
        json_findings(&a)
    };
    let scan_keys = |file: &std::path::Path| -> BTreeSet<String> {
        scan_findings(file, &[]).iter().map(key).collect()
    };
    assert_eq!(scan_keys(&cdx), image_keys, "sbom scan of our CycloneDX");
    // Trivy's CycloneDX of the planted image (its own source-version properties)
    // gives what our scan of the same image gives.
    let trivy = dir.join("tools/trivy");
    if trivy.exists() {
        let tcdx = tmp.path().join("trivy.cdx.json");
        let t = Command::new(&trivy)
            .args(["image", "--input"])
            .arg(dir.join("app.docker.tar"))
            .args([
                "--format",
                "cyclonedx",
                "--scanners",
                "license",
                "--skip-db-update",
                // Trivy's jar analyzer needs its Java DB, which it cannot download here.
                "--skip-files",
                "**/*.jar",
                "--offline-scan",
                "--cache-dir",
            ])
            .arg(tmp.path().join("trivy-cache"))
            .arg("-o")
            .arg(&tcdx)
            .output()
            .expect("trivy");
        assert!(t.status.success(), "{}", String::from_utf8_lossy(&t.stderr));
        let planted = format!("oci:{}:planted", dir.join("layout").display());

        let strip = |k: &BTreeSet<String>| -> BTreeSet<String> {
            k.iter()
                .map(|x| x.rsplit_once(' ').map_or(x.clone(), |(a, _)| a.to_string()))
                .collect()
        };
        let ours: BTreeSet<String> =
            json_findings(&["image", &planted, "--select", "VULN", "--db", db_s])
                .iter()
                .map(key)
                .collect();
        let theirs = scan_keys(&tcdx);
        assert_eq!(
            strip(&theirs),
            strip(&ours),
            "sbom scan of Trivy's CycloneDX"
        );
        eprintln!(
            "sbom scan: Trivy's CycloneDX gives our {} findings",
            ours.len()
        );
    }
    // An OpenVEX statement marks one vulnerability not affected: suppressed, with the reason.
    let vex = tmp.path().join("app.vex.json");
    std::fs::write(
        &vex,
        r#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"urn:x","author":"t","timestamp":"2026-11-01T00:00:00Z","version":1,
            "statements":[{"vulnerability":{"name":"RUSTSEC-2021-0003"},"products":[{"@id":"pkg:cargo/smallvec"}],
            "status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}"#,
    )
    .expect("write");
    let with_vex = scan_findings(&cdx, &["--vex", vex.to_str().expect("utf8")]);
    let sm: Vec<&serde_json::Value> = with_vex
        .iter()
        .filter(|f| f["evidence"]["package"] == "smallvec")
        .collect();
    // smallvec in the Cargo.lock and (when built) in the cargo-auditable binary.
    assert!(!sm.is_empty() && sm.len() <= 2, "{sm:?}");
    for f in &sm {
        assert_eq!(f["suppressed"]["kind"], "vex");
        assert!(
            f["suppressed"]["reason"]
                .as_str()
                .unwrap_or("")
                .contains("not_in_execute_path")
        );
    }

    // The deleted urllib3 is not in the image: no finding for it. The rest are Debian.
    assert!(!got.keys().any(|(p, _)| p == "urllib3"));
    assert!(
        got.keys().all(|(_, path)| path == "/var/lib/dpkg/status"),
        "unexpected findings: {:?}",
        got.keys().collect::<Vec<_>>()
    );
}

/// The planted package-lock.json and jar are matched with the npm (SemVer)
/// and Maven orders; the records are written here (facts from the public
/// advisories for minimist and commons-text: fixed in 1.2.6 and 1.10.0).
#[test]
fn lock_file_and_jar_packages_are_matched() {
    let Some(dir) = test_image() else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let rec = |id: &str, cve: &str, eco: &str, name: &str, intro: &str, fixed: &str| {
        let body = serde_json::json!({
            "id": id, "aliases": [cve], "summary": format!("test record for {name}"),
            "affected": [{"package": {"ecosystem": eco, "name": name},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": intro}, {"fixed": fixed}]}]}]
        });
        std::fs::write(tmp.path().join(format!("{id}.json")), body.to_string()).expect("write");
    };
    rec(
        "TEST-NPM-1",
        "CVE-2021-44906",
        "npm",
        "minimist",
        "0",
        "1.2.6",
    );
    rec(
        "TEST-MVN-1",
        "CVE-2022-42889",
        "Maven",
        "org.apache.commons:commons-text",
        "1.5",
        "1.10.0",
    );
    // Not affected: 1.9 is above this range's fix in Maven's order (1.9 > 1.8.1).
    rec(
        "TEST-MVN-2",
        "CVE-2099-0001",
        "Maven",
        "org.apache.commons:commons-text",
        "0",
        "1.8.1",
    );
    let layout = format!("oci:{}:planted", dir.join("layout").display());
    let found = json_findings(&[
        "image",
        &layout,
        "--advisories",
        tmp.path().to_str().expect("utf8"),
        "--select",
        "VULN",
    ]);
    let mut got: Vec<(String, String)> = found
        .iter()
        .map(|f| {
            (
                f["evidence"]["vulnerability"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                f["evidence"]["fixed"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("CVE-2021-44906".to_string(), "1.2.6".to_string()),
            ("CVE-2022-42889".to_string(), "1.10.0".to_string()),
        ]
    );
}
