//! The parse-only baseline of `bench/runtime.sh`: reads every file given
//! (or found under the directories given) and parses it with the YAML
//! parser `bulkhead runtime` uses, building nothing else. Prints the file
//! and document counts.

use bulkhead_core::yaml;
use std::path::{Path, PathBuf};

fn walk(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        if let Ok(rd) = std::fs::read_dir(p) {
            for e in rd.flatten() {
                walk(&e.path(), out);
            }
        }
    } else {
        out.push(p.to_path_buf());
    }
}

fn main() {
    let mut files = Vec::new();
    for a in std::env::args().skip(1) {
        walk(Path::new(&a), &mut files);
    }
    let (mut docs, mut errors) = (0usize, 0usize);
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            errors += 1;
            continue;
        };
        match yaml::parse(&text, yaml::Limits::default()) {
            Ok(d) => docs += d.len(),
            Err(_) => errors += 1,
        }
    }
    println!("{} files, {docs} documents, {errors} errors", files.len());
}
