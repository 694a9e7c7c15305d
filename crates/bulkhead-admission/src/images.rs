//! Image gates: allowed registries, digests required, signatures verified
//! with the configured keys (through `bulkhead_sign`, cached by digest,
//! bounded). The findings are ADM001/ADM002 here and the SIGN rules of the
//! signing layer, so a denial names the same rule `bulkhead verify` reports.

use crate::rules;
use bulkhead_core::config::ImagePolicy;
use bulkhead_core::{Finding, Location, RuleMeta};
use bulkhead_kube::load::Object;
use bulkhead_sign::keys::PublicKey;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Most verification results kept (by image digest).
const CACHE_MAX: usize = 4096;

/// One image a pod (template) runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImageUse {
    /// Field path, e.g. `spec.containers[0].image`.
    pub field: String,
    pub image: String,
}

/// The input of the ADM rules: the object's images and the gate settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PodImages {
    pub object: String,
    pub file: String,
    pub registries: Vec<String>,
    pub require_digest: bool,
    pub images: Vec<ImageUse>,
    /// Images whose signature could not be checked: (field, image, reason).
    #[serde(default)]
    pub unverifiable: Vec<(String, String, String)>,
    /// Images that could not be scanned for vulnerabilities: (field, image, reason).
    #[serde(default)]
    pub unscannable: Vec<(String, String, String)>,
}

/// The vulnerability gate, compiled.
pub struct VulnGate {
    db: bulkhead_vuln::db::Db,
    severity: bulkhead_core::Severity,
    ignore_unfixed: bool,
    cache: Mutex<HashMap<String, Vec<Finding>>>,
}

pub struct ImageGate {
    pub registries: Vec<String>,
    pub vulns: Option<VulnGate>,
    pub require_digest: bool,
    pub keys: Vec<PublicKey>,
    pub insecure: bool,
    cache: Mutex<HashMap<String, Vec<Finding>>>,
    hits: AtomicU64,
}

impl ImageGate {
    pub fn new(p: &ImagePolicy) -> Result<ImageGate, String> {
        let keys = p
            .keys
            .iter()
            .map(|k| {
                let pem = std::fs::read(k).map_err(|e| format!("{}: {e}", k.display()))?;
                bulkhead_sign::keys::read_public(&pem).map_err(|e| format!("{}: {e}", k.display()))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let vulns = match &p.vulnerabilities {
            None => None,
            Some(v) => Some(VulnGate {
                db: bulkhead_vuln::db::Db::open(&v.db)?,
                severity: v.severity.as_deref().unwrap_or("high").parse()?,
                ignore_unfixed: v.ignore_unfixed,
                cache: Mutex::new(HashMap::new()),
            }),
        };
        Ok(ImageGate {
            vulns,
            registries: p.registries.clone(),
            require_digest: p.require_digest,
            keys,
            insecure: p.insecure_registries,
            cache: Mutex::new(HashMap::new()),
            hits: AtomicU64::new(0),
        })
    }

    /// Whether a decision may need the network (signatures, image scans).
    pub fn needs_network(&self) -> bool {
        !self.keys.is_empty() || self.vulns.is_some()
    }

    pub fn cache_hits(&self) -> u64 {
        self.hits.load(Relaxed)
    }

    pub fn cache_len(&self) -> usize {
        self.cache.lock().map(|c| c.len()).unwrap_or(0)
    }
}

/// The registry host of an image reference, as `docker pull` names it.
pub fn registry_of(image: &str) -> String {
    match image.split_once('/') {
        Some((h, _)) if h.contains('.') || h.contains(':') || h == "localhost" => h.to_string(),
        _ => "docker.io".to_string(),
    }
}

pub fn registry_allowed(host: &str, allowed: &[String]) -> bool {
    allowed.is_empty()
        || allowed.iter().any(|a| match a.strip_prefix("*.") {
            Some(suffix) => host.ends_with(&format!(".{suffix}")),
            None => match a.strip_suffix('*') {
                Some(prefix) => host.starts_with(prefix),
                None => a == host,
            },
        })
}

pub fn images_of(o: &Object) -> Vec<ImageUse> {
    let Some(t) = bulkhead_kube::pod::pod_template(o) else {
        return Vec::new();
    };
    t.containers
        .iter()
        .filter_map(|c| {
            let image = c.node.get("image")?.as_str()?.to_string();
            Some(ImageUse {
                field: c.path.key("image").render(),
                image,
            })
        })
        .collect()
}

fn location(file: &str, object: &str, field: &str) -> Location {
    Location {
        file: file.to_string(),
        object: Some(object.to_string()),
        field: Some(field.to_string()),
        ..Default::default()
    }
}

/// The gate's findings for object `o`.
pub fn check(g: &ImageGate, o: &Object, enabled: &dyn Fn(&RuleMeta) -> bool) -> Vec<Finding> {
    let images = images_of(o);
    if images.is_empty() {
        return Vec::new();
    }
    let mut input = PodImages {
        object: o.display(),
        file: o.source.name.clone(),
        registries: g.registries.clone(),
        require_digest: g.require_digest,
        images: images.clone(),
        unverifiable: Vec::new(),
        unscannable: Vec::new(),
    };
    let mut out = Vec::new();
    // Images from registries that are not allowed are denied already
    // (ADM001); their registries are not asked.
    for u in images
        .iter()
        .filter(|u| registry_allowed(&registry_of(&u.image), &g.registries))
    {
        let here = |fs: Vec<Finding>| {
            fs.into_iter().map(|mut f| {
                f.location = location(&input.file, &input.object, &u.field);
                f
            })
        };
        if !g.keys.is_empty() {
            match cached(&g.cache, &g.hits, &u.image, |r| {
                verify_any(g, r, &u.image, enabled)
            }) {
                Ok(fs) => out.extend(here(fs)),
                Err(why) => input
                    .unverifiable
                    .push((u.field.clone(), u.image.clone(), why)),
            }
        }
        if let Some(v) = &g.vulns {
            match cached(&v.cache, &g.hits, &u.image, |r| {
                vulnerabilities(g, v, r, enabled)
            }) {
                Ok(fs) => out.extend(here(fs)),
                Err(why) => input
                    .unscannable
                    .push((u.field.clone(), u.image.clone(), why)),
            }
        }
    }
    let mut all = rules::REGISTRY.run(&input, enabled);
    all.append(&mut out);
    all
}

/// The image's vulnerabilities at or above the gate's severity (VULN
/// findings, the ids `bulkhead image` reports): the image pulled, its
/// packages catalogued and matched against the database.
fn vulnerabilities(
    g: &ImageGate,
    v: &VulnGate,
    reference: &str,
    enabled: &dyn Fn(&RuleMeta) -> bool,
) -> Result<Vec<Finding>, String> {
    let opts = bulkhead_image::source::OpenOptions {
        insecure: g.insecure,
        skip_secrets: true,
        ..Default::default()
    };
    let scan = bulkhead_image::scan_image_with(reference, &opts).map_err(|e| e.to_string())?;
    let mut fs = bulkhead_vuln::match_inventory(
        &v.db,
        &scan.inventory,
        bulkhead_vuln::MatchOptions {
            ignore_unfixed: v.ignore_unfixed,
        },
    )?;
    fs.retain(|f| f.severity >= v.severity && g_enabled(enabled, f));
    fs.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.message.cmp(&b.message))
    });
    Ok(fs)
}

fn g_enabled(enabled: &dyn Fn(&RuleMeta) -> bool, f: &Finding) -> bool {
    bulkhead_vuln::rules()
        .iter()
        .find(|r| r.id == f.rule_id)
        .is_none_or(|r| enabled(r))
}

pub(crate) fn at(input: &PodImages, field: &str) -> Location {
    location(&input.file, &input.object, field)
}

/// The gate's answer for one image, computed by `compute` on its canonical
/// reference and kept by digest (tag references are asked every time).
/// Only answers are kept: an error (a registry outage) is retried on the
/// next review rather than remembered.
fn cached(
    cache: &Mutex<HashMap<String, Vec<Finding>>>,
    hits: &AtomicU64,
    image: &str,
    compute: impl FnOnce(&str) -> Result<Vec<Finding>, String>,
) -> Result<Vec<Finding>, String> {
    let reference = canonical(image);
    let cacheable = reference.contains("@sha256:");
    if cacheable
        && let Ok(c) = cache.lock()
        && let Some(hit) = c.get(&reference)
    {
        hits.fetch_add(1, Relaxed);
        return Ok(hit.clone());
    }
    let result = compute(&reference)?;
    if cacheable && let Ok(mut c) = cache.lock() {
        if c.len() >= CACHE_MAX {
            c.clear();
        }
        c.insert(reference, result.clone());
    }
    Ok(result)
}

/// `nginx:1.27` → `docker.io/library/nginx:1.27`, as `docker pull` names it.
pub fn canonical(image: &str) -> String {
    let host = registry_of(image);
    if image.starts_with(&format!("{host}/")) {
        return image.to_string();
    }
    if image.contains('/') {
        format!("{host}/{image}")
    } else {
        format!("{host}/library/{image}")
    }
}

fn verify_any(
    g: &ImageGate,
    reference: &str,
    shown: &str,
    enabled: &dyn Fn(&RuleMeta) -> bool,
) -> Result<Vec<Finding>, String> {
    let (store, r) =
        bulkhead_sign::store::open(reference, g.insecure).map_err(|e| e.to_string())?;
    let opts = bulkhead_sign::verify::VerifyOptions {
        annotations: Vec::new(),
        recursive: false,
        all: false,
        predicate_type: None,
    };
    let mut last = Vec::new();
    for k in &g.keys {
        let v = bulkhead_sign::verify::verify(store.as_ref(), &r, shown, k, &opts)
            .map_err(|e| e.to_string())?;
        if v.iter().all(|x| x.verified()) {
            return Ok(Vec::new());
        }
        last = bulkhead_sign::rules::check(&v, enabled);
    }
    Ok(last)
}
