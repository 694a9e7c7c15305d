//! Container images without a daemon: open an OCI layout or archive
//! ([`source`]), stream every layer once in parallel ([`layers`]), keep a
//! whiteout-aware view of the final filesystem, inventory packages
//! ([`catalog`]) with the layer that added each, find secrets in every layer
//! including files a later layer deletes ([`secrets`]), check the config
//! and contents ([`rules`]) and write SBOMs ([`sbom`]).

pub mod auditable;
pub mod catalog;
pub mod gobin;
pub mod java;
pub mod layers;
pub mod nodelock;
pub mod platform;
pub mod registry;
pub mod rpmdb;
pub mod rules;
pub mod sbom;
pub mod sbom_read;
pub mod secrets;
pub mod source;

use bulkhead_core::{Finding, Inventory, OsRelease, Package};
use layers::{Entry, LayerScan};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

pub use rules::rules;

/// The image layer: every IMG rule reads one [`Scan`] and reports findings.
pub struct Images;

impl bulkhead_core::Layer for Images {
    type Input<'a> = Scan;
    type Output = Finding;
    type Check = fn(&Scan) -> Vec<Finding>;
    fn call(check: Self::Check, input: &Scan) -> Vec<Finding> {
        check(input)
    }
}

/// A problem that stops the scan of one image: names the input.
#[derive(Debug, Clone)]
pub struct ImageError {
    pub input: String,
    pub message: String,
}

impl ImageError {
    pub fn new(input: impl Into<String>, message: impl Into<String>) -> Self {
        // Messages may quote bytes of the input (a corrupt tar header): escaped, bounded.
        ImageError {
            input: bulkhead_core::source::printable(&input.into(), 500),
            message: bulkhead_core::source::printable(&message.into(), 400),
        }
    }
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.input, self.message)
    }
}

impl std::error::Error for ImageError {}

/// A file of the final filesystem.
#[derive(Debug, Clone)]
pub struct FinalFile {
    pub layer: usize,
    pub entry: Entry,
}

/// Everything one scan learned.
pub struct Scan {
    pub reference: String,
    pub manifest_digest: Option<String>,
    pub config: serde_json::Value,
    pub layers: Vec<LayerScan>,
    /// Path → the layer that last wrote it, after whiteouts.
    pub files: BTreeMap<String, FinalFile>,
    /// Path → the layer whose whiteout (or overwrite) removed an earlier version.
    pub deleted_in: HashMap<(usize, String), usize>,
    pub inventory: Inventory,
}

impl Scan {
    pub fn layer_digest(&self, i: usize) -> &str {
        self.layers.get(i).map_or("", |l| l.digest.as_str())
    }

    /// Findings of every enabled image rule.
    pub fn findings(&self, enabled: &dyn Fn(&bulkhead_core::RuleMeta) -> bool) -> Vec<Finding> {
        rules::check(self, enabled)
    }
}

/// Opens and scans an image reference (see [`source::open`]).
pub fn scan_image(reference: &str) -> Result<Scan, ImageError> {
    scan_image_with(reference, &source::OpenOptions::default())
}

/// [`scan_image`] with registry options (plain HTTP, platform).
pub fn scan_image_with(reference: &str, opts: &source::OpenOptions) -> Result<Scan, ImageError> {
    let img = source::open_with(reference, opts)?;
    let store = &img.store;
    let budget = layers::Budget::new(layers::CAPTURE_BUDGET);
    let scans: Vec<Result<LayerScan, ImageError>> = img
        .layers
        .par_iter()
        .enumerate()
        .map(|(i, l)| {
            let (r, size) = store.open(&l.member)?;
            let r: Box<dyn std::io::Read + Send> = match &opts.progress {
                Some(p) => {
                    p.0.add_total(size);
                    Box::new(Counted {
                        inner: r,
                        progress: p.clone(),
                    })
                }
                None => r,
            };
            let name = format!("{reference} layer {} ({})", i + 1, l.member);
            layers::scan_with_budget(
                i,
                &name,
                r,
                l.blob_digest.as_deref(),
                l.diff_id.as_deref(),
                opts.skip_secrets,
                opts.max_layer_bytes.unwrap_or(layers::MAX_LAYER_BYTES),
                &budget,
            )
        })
        .collect();
    let mut layer_scans = Vec::with_capacity(scans.len());
    for s in scans {
        layer_scans.push(s?);
    }
    Ok(assemble(
        reference.to_string(),
        img.manifest_digest,
        img.config,
        layer_scans,
    ))
}

/// A layer reader that reports the bytes it reads.
struct Counted {
    inner: Box<dyn std::io::Read + Send>,
    progress: source::ProgressHandle,
}

impl std::io::Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.0.advance(n as u64);
        Ok(n)
    }
}

/// Scans a directory (an unpacked rootfs or a project tree) as a one-layer
/// image with an empty config: packages, secrets and contents rules.
pub fn scan_dir(path: &std::path::Path) -> Result<Scan, ImageError> {
    let layer = layers::scan_dir(path)?;
    Ok(assemble(
        path.display().to_string(),
        None,
        serde_json::Value::Null,
        vec![layer],
    ))
}

fn remove_tree(files: &mut BTreeMap<String, FinalFile>, dir: &str) -> Vec<(String, FinalFile)> {
    // `.wh..wh..opq` at the root of a layer hides every lower file.
    if dir.is_empty() {
        return std::mem::take(files).into_iter().collect();
    }
    let prefix = format!("{dir}/");
    let keys: Vec<String> = files
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(k, _)| k.clone())
        .collect();
    keys.into_iter()
        .filter_map(|k| files.remove(&k).map(|f| (k, f)))
        .collect()
}

/// Applies the layers in order (whiteouts, opaque dirs, overwrites) and
/// builds the inventory from the files that survive.
pub fn assemble(
    reference: String,
    manifest_digest: Option<String>,
    config: serde_json::Value,
    layers: Vec<LayerScan>,
) -> Scan {
    let mut files: BTreeMap<String, FinalFile> = BTreeMap::new();
    let mut deleted_in = HashMap::new();
    // Every version of every captured file: path → [(layer, index into captured)].
    let mut history: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    for l in &layers {
        let mut gone = Vec::new();
        for d in &l.opaque {
            gone.extend(remove_tree(&mut files, d));
        }
        for w in &l.whiteouts {
            if let Some(f) = files.remove(w) {
                gone.push((w.clone(), f));
            }
            gone.extend(remove_tree(&mut files, w));
        }
        for (p, f) in gone {
            deleted_in.insert((f.layer, p.clone()), l.index);
            if let Some(h) = history.get_mut(&p) {
                h.push((l.index, usize::MAX));
            }
        }
        for e in &l.entries {
            if let Some(old) = files.insert(
                e.path.clone(),
                FinalFile {
                    layer: l.index,
                    entry: e.clone(),
                },
            ) && old.layer != l.index
            {
                deleted_in.insert((old.layer, e.path.clone()), l.index);
            }
        }
        for (ci, (p, _)) in l.captured.iter().enumerate() {
            history.entry(p.clone()).or_default().push((l.index, ci));
        }
    }
    let os = ["etc/os-release", "usr/lib/os-release"]
        .iter()
        .find_map(|p| {
            let h = history.get(*p)?;
            let &(li, ci) = h.last()?;
            let data = &layers.get(li)?.captured.get(ci)?.1;
            Some(catalog::parse_os_release(data))
        });
    let mut packages: Vec<Package> = Vec::new();
    for (path, versions) in &history {
        let Some(&(li, ci)) = versions.last() else {
            continue;
        };
        if ci == usize::MAX || files.get(path).is_none_or(|f| f.layer != li) {
            continue; // deleted or replaced by a non-captured entry
        }
        let Some((_, data)) = layers.get(li).and_then(|l| l.captured.get(ci)) else {
            continue;
        };
        let mut pkgs = catalog::parse(path, data, os.as_ref());
        // The layer that added each package: the earliest version of this file,
        // from which on every version lists the package at this version.
        // The last version is `pkgs` itself; each earlier version's
        // (name, version) set is hashed, so the walk is linear in the number
        // of packages (a single-version file, the common case, parses once).
        let earlier: Vec<&(usize, usize)> = versions
            .iter()
            .take(versions.len().saturating_sub(1))
            .filter(|(_, c)| *c != usize::MAX)
            .collect();
        let parsed: Vec<(usize, HashSet<(String, String)>)> = earlier
            .iter()
            .filter_map(|&&(l, c)| {
                let d = &layers.get(l)?.captured.get(c)?.1;
                Some((
                    l,
                    catalog::parse(path, d, os.as_ref())
                        .into_iter()
                        .map(|p| (p.name, p.version))
                        .collect(),
                ))
            })
            .collect();
        let digest = |l: usize| layers.get(l).map(|l| l.digest.clone());
        for p in &mut pkgs {
            let mut added = li;
            if !parsed.is_empty() {
                let key = (p.name.clone(), p.version.clone());
                for (l, set) in parsed.iter().rev() {
                    if set.contains(&key) {
                        added = *l;
                    } else {
                        break;
                    }
                }
            }
            p.layer = digest(added);
        }
        if packages.is_empty() {
            packages = pkgs; // one big file: no copy
        } else {
            packages.append(&mut pkgs);
        }
    }
    // In place (a stable sort's merge buffer would be 100 MB more for a
    // million packages); the key runs to the layer, so ties are whole
    // duplicates and the order is the same on every run.
    packages.sort_unstable_by(|a, b| {
        a.ecosystem
            .cmp(&b.ecosystem)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.version.cmp(&b.version))
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.purl.cmp(&b.purl))
            .then_with(|| a.arch.cmp(&b.arch))
            .then_with(|| a.layer.cmp(&b.layer))
    });
    let inventory = Inventory {
        os: os.filter(|o: &OsRelease| !o.id.is_empty()),
        packages,
    };
    Scan {
        reference,
        manifest_digest,
        config,
        layers,
        files,
        deleted_in,
        inventory,
    }
}
