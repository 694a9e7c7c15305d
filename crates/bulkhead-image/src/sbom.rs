//! SBOM writers: CycloneDX 1.6 JSON and SPDX 2.3 JSON, from an [`Inventory`].
//! Serial numbers and SPDX namespaces derive from the content (a SHA-256 of
//! the subject and the package list), so the same image gives the same
//! document apart from the timestamp.

use bulkhead_core::{Finding, Inventory, Package};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn digest_uuid(subject: &str, inv: &Inventory) -> String {
    let mut h = Sha256::new();
    h.update(subject.as_bytes());
    for p in &inv.packages {
        h.update(p.purl.as_bytes());
        h.update(p.path.as_bytes());
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50; // name-based (v5-shaped)
    b[8] = (b[8] & 0x3f) | 0x80;
    let x: String = b.iter().map(|v| format!("{v:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn props(p: &Package) -> Vec<Value> {
    let mut v = vec![json!({"name": "bulkhead:package:path", "value": p.path})];
    if let Some(l) = &p.layer {
        v.push(json!({"name": "bulkhead:layer:digest", "value": l}));
    }
    if let Some(s) = &p.source_name {
        v.push(json!({"name": "bulkhead:package:source-name", "value": s}));
    }
    if let Some(s) = &p.source_version {
        v.push(json!({"name": "bulkhead:package:source-version", "value": s}));
    }
    v
}

/// The CycloneDX `bom-ref` of the inventory's `i`-th package (a purl may
/// occur twice: the same package found in two places).
fn bom_ref(i: usize, p: &Package) -> String {
    format!("{}#{i}", p.purl)
}

/// CycloneDX 1.6 JSON.
pub fn cyclonedx(subject: &str, digest: Option<&str>, inv: &Inventory) -> Value {
    let mut components = Vec::new();
    if let Some(os) = &inv.os {
        components.push(json!({
            "type": "operating-system",
            "bom-ref": format!("os:{}@{}", os.id, os.version_id),
            "name": os.id,
            "version": os.version_id,
            "description": os.pretty_name,
        }));
    }
    for (i, p) in inv.packages.iter().enumerate() {
        let mut c = json!({
            "type": "library",
            "bom-ref": bom_ref(i, p),
            "name": p.name,
            "version": p.version,
            "purl": p.purl,
            "properties": props(p),
        });
        if !p.licenses.is_empty() {
            c["licenses"] = Value::Array(
                p.licenses
                    .iter()
                    .map(|l| json!({"license": {"name": l}}))
                    .collect(),
            );
        }
        components.push(c);
    }
    let mut subject_c = json!({"type": "container", "bom-ref": "subject", "name": subject});
    if let Some(d) = digest {
        subject_c["version"] = json!(d);
    }
    json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", digest_uuid(subject, inv)),
        "version": 1,
        "metadata": {
            "timestamp": now_rfc3339(),
            "tools": {"components": [{"type": "application", "name": "bulkhead", "version": env!("CARGO_PKG_VERSION")}]},
            "component": subject_c,
        },
        "components": components,
    })
}

/// Where an advisory id comes from, for CycloneDX `source` objects.
fn id_source(id: &str) -> Value {
    let (name, url) = match id.split('-').next().unwrap_or("") {
        "CVE" => ("NVD", format!("https://nvd.nist.gov/vuln/detail/{id}")),
        "GHSA" => ("GitHub", format!("https://github.com/advisories/{id}")),
        "GO" => ("Go", format!("https://pkg.go.dev/vuln/{id}")),
        "RUSTSEC" => ("RustSec", format!("https://rustsec.org/advisories/{id}")),
        "PYSEC" => ("PyPA", format!("https://osv.dev/vulnerability/{id}")),
        "DEBIAN" | "DSA" | "DLA" | "TEMP" => (
            "Debian",
            format!("https://security-tracker.debian.org/tracker/{id}"),
        ),
        _ => ("OSV", format!("https://osv.dev/vulnerability/{id}")),
    };
    json!({"name": name, "url": url})
}

/// Adds the vulnerability findings (VULN001/VULN002, as the matcher made
/// them) to a CycloneDX BOM written by [`cyclonedx`] for the same inventory:
/// one entry per vulnerability, `affects` pointing at every affected
/// component, ratings from the CVSS vector or the source's rating, the fixed
/// version as the recommendation, and VEX decisions as `analysis`.
pub fn cyclonedx_add_vulnerabilities(bom: &mut Value, inv: &Inventory, findings: &[Finding]) {
    let mut order: Vec<String> = Vec::new();
    let mut entries: std::collections::HashMap<String, Value> = Default::default();
    for f in findings {
        let Some(id) = f.evidence.get("vulnerability").filter(|i| !i.is_empty()) else {
            continue;
        };
        let Some(i) = inv.packages.iter().position(|p| {
            Some(p.purl.as_str()) == f.location.object.as_deref() && p.path == f.location.file
        }) else {
            continue;
        };
        let p = &inv.packages[i];
        let affect = json!({
            "ref": bom_ref(i, p),
            "versions": [{"version": p.version, "status": "affected"}],
        });
        if let Some(e) = entries.get_mut(id) {
            if let Some(a) = e["affects"].as_array_mut() {
                a.push(affect);
            }
            continue;
        }
        let ev = |k: &str| f.evidence.get(k).filter(|v| !v.is_empty());
        let severity = f.severity.to_string().to_ascii_lowercase();
        let rating = match (ev("cvss_score"), ev("cvss_vector")) {
            (Some(score), Some(vector)) => json!({
                "score": score.parse::<f64>().unwrap_or(0.0),
                "severity": severity,
                "method": if vector.starts_with("CVSS:4.0") { "CVSSv4" }
                          else if vector.starts_with("CVSS:3.1") { "CVSSv31" } else { "CVSSv3" },
                "vector": vector,
            }),
            _ => json!({"severity": severity, "method": "other"}),
        };
        let mut e = json!({
            "bom-ref": format!("vuln:{id}"),
            "id": id,
            "source": id_source(id),
            "ratings": [rating],
            "affects": [affect],
        });
        if let Some(url) = ev("url") {
            e["source"]["url"] = json!(url);
        }
        let aliases: Vec<Value> = ev("aliases")
            .map(|a| a.split(',').filter(|x| !x.is_empty()).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .map(|a| json!({"id": a, "source": id_source(a)}))
            .collect();
        if !aliases.is_empty() {
            e["references"] = Value::Array(aliases);
        }
        if let Some(s) = ev("summary") {
            e["description"] = json!(s);
        }
        if let Some(fixed) = ev("fixed") {
            e["recommendation"] = json!(format!("Upgrade {} to {fixed} or later", p.name));
        }
        if let Some(s) = &f.suppressed {
            let state = if s.reason.starts_with("VEX: fixed") {
                "resolved"
            } else {
                "not_affected"
            };
            e["analysis"] = json!({"state": state, "detail": s.reason});
        }
        order.push(id.clone());
        entries.insert(id.clone(), e);
    }
    let list: Vec<Value> = order.iter().filter_map(|id| entries.remove(id)).collect();
    bom["vulnerabilities"] = Value::Array(list);
}

fn spdx_id(i: usize, p: &Package) -> String {
    let clean: String = p
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("SPDXRef-Package-{clean}-{i}")
}

/// SPDX 2.3 JSON.
pub fn spdx(subject: &str, inv: &Inventory) -> Value {
    let mut packages = vec![json!({
        "SPDXID": "SPDXRef-Subject",
        "name": subject,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "primaryPackagePurpose": "CONTAINER",
    })];
    let mut rels = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": "SPDXRef-Subject",
    })];
    for (i, p) in inv.packages.iter().enumerate() {
        let id = spdx_id(i, p);
        let mut pkg = json!({
            "SPDXID": id,
            "name": p.name,
            "versionInfo": p.version,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": "NOASSERTION",
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": p.purl,
            }],
        });
        if !p.licenses.is_empty() {
            pkg["comment"] = json!(format!(
                "licence as declared by the package: {}",
                p.licenses.join(", ")
            ));
        }
        if let Some(s) = &p.source_name {
            pkg["sourceInfo"] = json!(format!(
                "built from source package {s}{}",
                p.source_version
                    .as_deref()
                    .map(|v| format!(" {v}"))
                    .unwrap_or_default()
            ));
        }
        packages.push(pkg);
        rels.push(json!({
            "spdxElementId": "SPDXRef-Subject",
            "relationshipType": "CONTAINS",
            "relatedSpdxElement": id,
        }));
    }
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": subject,
        "documentNamespace": format!("https://bulkhead.invalid/spdx/{}", digest_uuid(subject, inv)),
        "creationInfo": {
            "created": now_rfc3339(),
            "creators": [format!("Tool: bulkhead-{}", env!("CARGO_PKG_VERSION"))],
        },
        "packages": packages,
        "relationships": rels,
    })
}
