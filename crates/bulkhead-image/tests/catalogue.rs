//! The IMG rules keep the catalogue contract: each fires on its
//! `fixtures/<ID>/fail.json` and not on its `pass.json`, and the outcome is a
//! snapshot (see `bulkhead_core::testing`).
//!
//! A fixture describes a small image: a comment, its reference, its config (the image
//! config JSON, as `docker inspect` shows it) and its layers, each a list of
//! tar entries. The test writes each layer as a real tar and scans it with
//! the same code as an image pull (`layers::scan`, then `assemble`), so
//! whiteouts, modes and hostile names go through the real parser.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_core::{Finding, RuleMeta};
use bulkhead_image::layers;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Image {
    /// What is wrong (or fixed): JSON has no comments.
    #[serde(default)]
    #[allow(dead_code)]
    comment: String,
    reference: String,
    #[serde(default)]
    config: serde_json::Value,
    layers: Vec<Vec<Entry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    path: String,
    /// `file` (default), `dir`, `symlink`, `char` or `block`.
    #[serde(default, rename = "type")]
    kind: Option<String>,
    /// Octal, as `ls -l` shows it in numbers (`755`, `4755`); default 644
    /// for files, 755 for directories.
    #[serde(default)]
    mode: Option<String>,
    #[serde(default)]
    uid: u64,
    #[serde(default)]
    content: String,
    #[serde(default)]
    link: Option<String>,
}

fn tar_of(entries: &[Entry]) -> Result<Vec<u8>, String> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        let kind = e.kind.as_deref().unwrap_or("file");
        let (et, default_mode) = match kind {
            "file" => (tar::EntryType::Regular, "644"),
            "dir" => (tar::EntryType::Directory, "755"),
            "symlink" => (tar::EntryType::Symlink, "777"),
            "char" => (tar::EntryType::Char, "600"),
            "block" => (tar::EntryType::Block, "600"),
            other => return Err(format!("{}: unknown entry type {other}", e.path)),
        };
        let mode = e.mode.as_deref().unwrap_or(default_mode);
        h.set_mode(
            u32::from_str_radix(mode, 8).map_err(|x| format!("{}: mode {mode}: {x}", e.path))?,
        );
        h.set_uid(e.uid);
        h.set_entry_type(et);
        h.set_size(e.content.len() as u64);
        if let Some(l) = &e.link {
            h.set_link_name(l).map_err(|x| x.to_string())?;
        }
        // The name goes straight into the header: hostile names (`../`,
        // absolute paths) are what IMG008 is about, and the tar crate's
        // own setter refuses them.
        let name = e.path.as_bytes();
        let raw = &mut h.as_old_mut().name;
        if name.len() > raw.len() {
            return Err(format!("{}: name longer than 100 bytes", e.path));
        }
        raw[..name.len()].copy_from_slice(name);
        h.set_cksum();
        b.append(&h, e.content.as_bytes())
            .map_err(|x| x.to_string())?;
    }
    b.into_inner().map_err(|x| x.to_string())
}

fn run(path: &Path, rule: &'static RuleMeta) -> Result<Vec<Finding>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let image: Image = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let mut scans = Vec::new();
    for (i, entries) in image.layers.iter().enumerate() {
        let tar = tar_of(entries)?;
        let name = format!("{} layer {}", image.reference, i + 1);
        let scan = layers::scan(
            i,
            &name,
            Box::new(std::io::Cursor::new(tar)),
            None,
            None,
            false,
            layers::MAX_LAYER_BYTES,
        )
        .map_err(|e| e.to_string())?;
        scans.push(scan);
    }
    let scan = bulkhead_image::assemble(image.reference, None, image.config, scans);
    Ok(scan.findings(&|r| r.id == rule.id))
}

#[test]
fn every_rule_fires_on_its_failing_fixture_only() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let metas = bulkhead_image::rules::REGISTRY.metas();
    match bulkhead_core::testing::check_catalogue(&fixtures, &metas, &run) {
        Ok(outcomes) => {
            assert_eq!(outcomes.len(), metas.len());
            for o in outcomes {
                insta::assert_snapshot!(o.id, o.text);
            }
        }
        Err(problems) => panic!("{}", problems.join("\n")),
    }
}
