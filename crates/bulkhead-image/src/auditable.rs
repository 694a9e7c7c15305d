//! Rust binaries built with `cargo auditable`: the dependency tree the build
//! embedded in the ELF section `.dep-v0` (zlib-compressed JSON:
//! `{"packages": [{"name", "version", "source", "kind", "root", "dependencies"}]}`).
//!
//! The section table sits at the end of an ELF file, so unlike Go build info
//! this cannot be read as the file streams by: binaries up to the capture
//! limit are held in memory for the check (see `layers::visit_file`). The ELF
//! parsing is the `object` crate's; the decompressed JSON is capped.
//!
//! Packages: every entry from crates.io (`source: "crates.io"`) that is not
//! the root crate — build-time dependencies included, since their code (build
//! scripts, proc macros) ran when the binary was built.

use bulkhead_core::{Ecosystem, Package};
use object::{Object, ObjectSection};
use std::io::Read;

/// The section cargo-auditable writes.
pub const SECTION: &str = ".dep-v0";
/// Decompressed dependency data larger than this is refused (real trees are a few hundred KB).
const MAX_JSON: u64 = 8 << 20;

#[derive(serde::Deserialize)]
struct Info {
    packages: Vec<Dep>,
}

#[derive(serde::Deserialize)]
struct Dep {
    name: String,
    version: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    root: bool,
}

/// The packages of an auditable binary; `Ok(None)` when the file is not an
/// ELF object or has no `.dep-v0` section.
pub fn read(path: &str, data: &[u8]) -> Result<Option<Vec<Package>>, String> {
    let Ok(file) = object::File::parse(data) else {
        return Ok(None);
    };
    let Some(section) = file.section_by_name(SECTION) else {
        return Ok(None);
    };
    let raw = section
        .data()
        .map_err(|e| format!("{path}: {SECTION}: {e}"))?;
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(raw)
        .take(MAX_JSON + 1)
        .read_to_end(&mut json)
        .map_err(|e| format!("{path}: {SECTION}: not zlib data: {e}"))?;
    if json.len() as u64 > MAX_JSON {
        return Err(format!(
            "{path}: {SECTION}: more than {MAX_JSON} bytes of dependency data"
        ));
    }
    let info: Info = serde_json::from_slice(&json)
        .map_err(|e| format!("{path}: {SECTION}: not cargo-auditable JSON: {e}"))?;
    let mut out: Vec<Package> = info
        .packages
        .into_iter()
        .filter(|d| !d.root && d.source == "crates.io")
        .map(|d| {
            crate::catalog::language_package(
                Ecosystem::CratesIo,
                &d.name,
                &d.version,
                &crate::catalog::purl_enc(&d.name),
                path,
            )
        })
        .collect();
    out.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    out.dedup_by(|a, b| a.name == b.name && a.version == b.version);
    Ok(Some(out))
}

/// The summary kept for a captured binary (see [`crate::catalog::summary`]);
/// `None` when the binary has no (readable) dependency section.
pub fn summarise(path: &str, data: &[u8]) -> Option<Vec<u8>> {
    let packages = read(path, data).ok()??;
    Some(crate::catalog::summary(&packages))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn elf_with(section: &[u8]) -> Vec<u8> {
        use object::write;
        let mut obj = write::Object::new(
            object::BinaryFormat::Elf,
            object::Architecture::X86_64,
            object::Endianness::Little,
        );
        let id = obj.add_section(
            Vec::new(),
            SECTION.as_bytes().to_vec(),
            object::SectionKind::ReadOnlyData,
        );
        obj.append_section_data(id, section, 1);
        obj.write().expect("write elf")
    }

    fn zlib(b: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b).expect("zlib");
        e.finish().expect("zlib")
    }

    #[test]
    fn reads_crates_io_dependencies_only() {
        let json = br#"{"packages":[
            {"name":"app","version":"0.1.0","source":"local","root":true,"dependencies":[1,2,3]},
            {"name":"smallvec","version":"1.6.0","source":"crates.io","dependencies":[]},
            {"name":"cc","version":"1.0.83","source":"crates.io","kind":"build"},
            {"name":"mine","version":"0.2.0","source":"git"}]}"#;
        let elf = elf_with(&zlib(json));
        let p = read("usr/bin/app", &elf).unwrap().unwrap();
        let names: Vec<(&str, &str)> = p
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(names, vec![("cc", "1.0.83"), ("smallvec", "1.6.0")]);
        assert_eq!(p[1].purl, "pkg:cargo/smallvec@1.6.0");
        assert_eq!(p[1].path, "/usr/bin/app");
        let s = summarise("usr/bin/app", &elf).unwrap();
        assert_eq!(crate::catalog::parse("usr/bin/app", &s, None), p);
    }

    #[test]
    fn other_files_and_hostile_sections() {
        assert_eq!(read("x", b"not an elf").unwrap(), None);
        assert!(read("x", &elf_with(b"")).is_err());
        assert!(read("x", &elf_with(b"\x78\x9c garbage")).is_err());
        assert!(read("x", &elf_with(&zlib(b"{\"nope\":1}"))).is_err());
        // A zlib bomb: 16 MiB of zeros compress to a few KB.
        let bomb = zlib(&vec![b' '; 16 << 20]);
        let e = read("x", &elf_with(&bomb)).unwrap_err();
        assert!(e.contains("more than"), "{e}");
        // Truncated ELF: no panic.
        let elf = elf_with(&zlib(br#"{"packages":[]}"#));
        for cut in [10, 64, elf.len() / 2, elf.len() - 1] {
            let _ = read("x", &elf[..cut]);
        }
    }
}
