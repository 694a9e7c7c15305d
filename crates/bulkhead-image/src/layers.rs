//! One pass over each layer: decompress (gzip with the zlib-rs backend,
//! zstd, or plain, sniffed from the magic bytes), walk the tar entries,
//! hash both the stored and the uncompressed bytes, and hand each regular
//! file to the catalogers and the secret scanner as it goes by. Nothing is
//! written to disk; a file is buffered only when a cataloger asks for it or
//! when it is small enough to scan for secrets.
//!
//! Entry paths are normalised (`./`, leading `/`) and any path with a `..`
//! component is refused and reported: it never reaches the file index.

use crate::ImageError;
use crate::catalog;
use crate::gobin;
use crate::secrets::{self, SecretHit};
use sha2::{Digest, Sha256};
use std::io::{self, BufRead, BufReader, Read};

/// Files larger than this are not scanned for secrets (counted instead).
pub const MAX_SECRET_SCAN: u64 = 2 << 20;
/// Largest file a cataloger may ask to buffer. A `package-lock.json` of a
/// million entries is 130 MiB; the whole scan stays under [`CAPTURE_BUDGET`].
pub const MAX_CAPTURE: u64 = 256 << 20;
/// Uncompressed bytes per layer before the layer is treated as a
/// decompression bomb (no real layer comes close; override with
/// `OpenOptions::max_layer_bytes`).
pub const MAX_LAYER_BYTES: u64 = 64 << 30;
/// Entries per layer before the layer is treated as a tar bomb.
pub const MAX_ENTRIES: usize = 2_000_000;
/// Bytes of catalogued files one image scan holds at once, across all its
/// layers (each file is also capped by [`MAX_CAPTURE`] or its cataloger's
/// own limit). Past it, files are reported as not catalogued instead of
/// growing memory: 20 lock files of 60 MiB once took 1.4 GB.
pub const CAPTURE_BUDGET: u64 = 512 << 20;

/// What is left of [`CAPTURE_BUDGET`], shared by the layers of one scan
/// (they are read in parallel).
#[derive(Debug, Clone)]
pub struct Budget(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl Budget {
    pub fn new(bytes: u64) -> Self {
        Budget(std::sync::Arc::new(std::sync::atomic::AtomicU64::new(
            bytes,
        )))
    }

    /// Takes `n` bytes if they are left.
    pub fn take(&self, n: u64) -> bool {
        use std::sync::atomic::Ordering;
        self.0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                left.checked_sub(n)
            })
            .is_ok()
    }

    /// Gives back what a capture did not keep (a jar reduced to its packages).
    pub fn refund(&self, n: u64) {
        self.0.fetch_add(n, std::sync::atomic::Ordering::AcqRel);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    Hardlink,
    Device,
    Other,
}

/// One entry of a layer, after normalisation.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: String,
    pub kind: Kind,
    pub mode: u32,
    pub size: u64,
    pub uid: u64,
    pub link: Option<String>,
}

/// A problem with one entry (hostile or odd), reported as a finding.
#[derive(Debug, Clone)]
pub struct Anomaly {
    pub path: String,
    pub what: String,
}

/// What one layer holds.
#[derive(Debug, Default)]
pub struct LayerScan {
    pub index: usize,
    pub digest: String,
    pub compression: &'static str,
    pub entries: Vec<Entry>,
    /// Paths deleted by whiteouts (`.wh.NAME`) in this layer.
    pub whiteouts: Vec<String>,
    /// Directories made opaque (`.wh..wh..opq`) in this layer.
    pub opaque: Vec<String>,
    /// Files a cataloger asked for: path → content.
    pub captured: Vec<(String, Vec<u8>)>,
    pub secrets: Vec<SecretHit>,
    pub anomalies: Vec<Anomaly>,
    pub skipped_binary: u64,
    pub skipped_large: u64,
    /// Files a cataloger wanted but that exceed its size limit: `/path (N bytes)`.
    pub uncatalogued: Vec<String>,
    /// The scan's budget for captured bytes (`None`: only the per-file caps).
    pub budget: Option<Budget>,
    /// Directory scans only: what could not be read (`path: reason`), so a
    /// scan without permission never passes for a clean one.
    pub unreadable: Vec<String>,
    pub uncompressed_bytes: u64,
    /// Catalogers only: no secret scan (SBOM generation).
    pub skip_secrets: bool,
    /// Zero bytes added because the tar stream ended before its padding and
    /// end-of-archive blocks (0 for well-formed layers).
    pub synthesized_tar_end: u64,
}

/// SHA-256 on its own thread, fed in 256 KiB batches: a layer's digests (the
/// stored blob's and the uncompressed tar's) are computed while the same
/// bytes are decompressed and parsed, on the other core, instead of after
/// them in one sequential chain. Memory: at most a few batches in flight.
/// The thread starts with the first bytes (the stored bytes of an
/// uncompressed layer are hashed once, as its tar: no thread for them).
#[derive(Default)]
struct Hasher {
    pending: Vec<u8>,
    worker: Option<Worker>,
    /// Used when no thread could be started.
    inline: Option<Sha256>,
}

struct Worker {
    tx: std::sync::mpsc::SyncSender<Vec<u8>>,
    /// Hashed batches come back to be filled again (no allocation per batch).
    spare: std::sync::mpsc::Receiver<Vec<u8>>,
    handle: std::thread::JoinHandle<[u8; 32]>,
}

const HASH_BATCH: usize = 256 << 10;

impl Hasher {
    fn start(&mut self) {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
        let (back_tx, spare) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
        let spawned = std::thread::Builder::new()
            .name("layer-sha256".into())
            .spawn(move || {
                let mut h = Sha256::new();
                for mut chunk in rx {
                    h.update(&chunk);
                    chunk.clear();
                    let _ = back_tx.try_send(chunk);
                }
                h.finalize().into()
            });
        match spawned {
            Ok(handle) => self.worker = Some(Worker { tx, spare, handle }),
            Err(_) => self.inline = Some(Sha256::new()),
        }
    }

    fn update(&mut self, b: &[u8]) {
        if self.worker.is_none() && self.inline.is_none() {
            self.start();
        }
        if let Some(h) = &mut self.inline {
            h.update(b);
            return;
        }
        if self.pending.capacity() == 0 {
            self.pending = self
                .worker
                .as_ref()
                .and_then(|w| w.spare.try_recv().ok())
                .unwrap_or_else(|| Vec::with_capacity(HASH_BATCH));
        }
        self.pending.extend_from_slice(b);
        if self.pending.len() >= HASH_BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if let Some(w) = &self.worker
            && !self.pending.is_empty()
        {
            // The worker only stops when this side hangs up.
            let _ = w.tx.send(std::mem::take(&mut self.pending));
        }
    }

    fn finalize(mut self) -> [u8; 32] {
        self.flush();
        match (self.inline.take(), self.worker.take()) {
            (Some(h), _) => h.finalize().into(),
            (None, Some(w)) => {
                drop(w.tx);
                // The worker died: an impossible digest, so the comparison
                // with the expected one fails loudly.
                w.handle.join().unwrap_or([0; 32])
            }
            // Nothing was hashed.
            (None, None) => Sha256::new().finalize().into(),
        }
    }
}

struct HashReader<R> {
    inner: R,
    hash: Hasher,
    n: u64,
    /// Off for the stored bytes of an uncompressed layer: they are the
    /// uncompressed bytes, hashed once by the inner reader.
    on: bool,
    /// More bytes than this is an error (a decompression bomb).
    limit: u64,
}

impl<R: Read> Read for HashReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        if self.on {
            self.hash.update(&buf[..k]);
        }
        self.n += k as u64;
        if self.n > self.limit {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!(
                    "the layer expands to more than {} bytes: refusing a possible decompression bomb",
                    self.limit
                ),
            ));
        }
        Ok(k)
    }
}

/// What a read error in a layer means: the size limit's own words (its
/// kind survives the tar and decompressor wrappers), else a damaged stream.
fn broken(e: &io::Error) -> String {
    if e.kind() == io::ErrorKind::FileTooLarge {
        e.to_string()
    } else {
        format!(
            "corrupt or truncated layer: {}",
            crate::source::tar_error(e)
        )
    }
}

/// Ends a tar stream that stops before its padding and end-of-archive
/// blocks (some layer writers do) with zero bytes up to the next 512-byte
/// boundary plus two empty blocks, counting what it added. Content cut in
/// the middle of a file still fails: the padding is shorter than the data.
struct PadAtEof<R> {
    inner: R,
    seen: u64,
    padded: u64,
    pad_left: Option<u64>,
}

impl<R: Read> Read for PadAtEof<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pad_left.is_none() {
            let k = self.inner.read(buf)?;
            if k > 0 || buf.is_empty() {
                self.seen += k as u64;
                return Ok(k);
            }
            let to_block = (512 - self.seen % 512) % 512;
            self.pad_left = Some(if to_block == 0 && self.seen > 0 {
                0
            } else {
                to_block + 1024
            });
        }
        let left = self.pad_left.unwrap_or(0);
        let n = (buf.len() as u64).min(left) as usize;
        buf[..n].fill(0);
        self.pad_left = Some(left - n as u64);
        self.padded += n as u64;
        Ok(n)
    }
}

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Normalises a tar path; `Err` for paths that escape the root.
pub fn normalise(raw: &[u8]) -> Result<String, String> {
    let s = String::from_utf8_lossy(raw);
    let mut parts = Vec::new();
    for c in s.split('/') {
        match c {
            "" | "." => {}
            ".." => return Err(format!("path '{s}' climbs out of the image root")),
            c => parts.push(c),
        }
    }
    Ok(parts.join("/"))
}

/// An ELF file held in memory: Go build info, else cargo-auditable data.
fn binary_packages(path: &str, elf: &[u8], out: &mut LayerScan) -> io::Result<()> {
    if let Some(blob) = gobin::sniff(elf, &mut io::empty())? {
        out.captured.push((path.to_string(), blob));
    } else if let Some(s) = crate::auditable::summarise(path, elf) {
        out.captured.push((path.to_string(), s));
    }
    Ok(())
}

/// Hands one regular file to the catalogers and the secret scanner: read
/// only when a cataloger wants it or when it is small enough to scan.
pub fn visit_file(path: &str, size: u64, r: &mut dyn Read, out: &mut LayerScan) -> io::Result<()> {
    let limit = catalog::capture_limit(path);
    let wanted = catalog::wants(path) && {
        if size > limit {
            out.uncatalogued.push(format!(
                "/{path} ({size} bytes, over the {limit}-byte limit)"
            ));
        }
        size <= limit
    };
    // The scan-wide budget: a wanted file that does not fit is reported, not read.
    let need = size.min(limit);
    let wanted = wanted
        && match &out.budget {
            Some(b) if !b.take(need) => {
                out.uncatalogued.push(format!(
                    "/{path} ({size} bytes; the scan's {}-byte budget for catalogued files is used up)",
                    CAPTURE_BUDGET
                ));
                false
            }
            _ => true,
        };
    let secrets_too = !out.skip_secrets && size <= MAX_SECRET_SCAN;
    if !(wanted || secrets_too) {
        if !out.skip_secrets {
            out.skipped_large += 1;
        }
        // Large ELF files may be Go binaries (build info read as it streams
        // by) or cargo-auditable Rust binaries (a section found through the
        // section table at the end: held in memory up to the capture limit).
        let mut head = [0u8; 4];
        if r.read_exact(&mut head).is_ok() && &head == b"\x7fELF" {
            if size <= MAX_CAPTURE {
                let mut buf = Vec::with_capacity(size as usize);
                buf.extend_from_slice(&head);
                r.take(MAX_CAPTURE).read_to_end(&mut buf)?;
                binary_packages(path, &buf, out)?;
            } else if let Some(blob) = gobin::sniff(&head, r)? {
                out.captured.push((path.to_string(), blob));
            }
        }
        return Ok(());
    }
    let mut buf = Vec::with_capacity(size.min(limit) as usize);
    r.take(limit).read_to_end(&mut buf)?;
    if buf.starts_with(b"\x7fELF") {
        binary_packages(path, &buf, out)?;
    }
    if secrets_too {
        if secrets::is_binary(&buf) {
            out.skipped_binary += 1;
        } else {
            secrets::scan_file(path, &buf, &mut out.secrets);
        }
    }
    if wanted {
        // Archives are reduced to their packages now: jars can be large.
        let data = if crate::java::wants(path) {
            let (summary, slips, problems) = crate::java::summarise_checked(path, &buf);
            if let Some(b) = &out.budget {
                b.refund(need.saturating_sub(summary.len() as u64));
            }
            for p in problems {
                out.uncatalogued.push(format!("/{p}"));
            }
            for (archive, entry) in slips {
                out.anomalies.push(Anomaly {
                    path: format!("/{archive}!/{entry}"),
                    what: "Java archive entry whose path climbs out of the archive (zip slip)"
                        .into(),
                });
            }
            summary
        } else {
            buf
        };
        out.captured.push((path.to_string(), data));
    }
    Ok(())
}

/// A directory (an unpacked rootfs or a project) as one layer: symlinks are
/// recorded, never followed; unreadable files are skipped and counted.
pub fn scan_dir(root: &std::path::Path) -> Result<LayerScan, ImageError> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let name = root.display().to_string();
    let meta = std::fs::symlink_metadata(root)
        .map_err(|e| ImageError::new(name.clone(), format!("cannot read: {e}")))?;
    if !meta.is_dir() {
        return Err(ImageError::new(name, "not a directory"));
    }
    let mut out = LayerScan {
        digest: format!("dir:{name}"),
        compression: "none",
        budget: Some(Budget::new(CAPTURE_BUDGET)),
        ..Default::default()
    };
    let mut stack = vec![root.to_path_buf()];
    let reason = |e: &std::io::Error| bulkhead_core::source::io_reason(e);
    while let Some(dir) = stack.pop() {
        let rd = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) => {
                out.unreadable.push(format!(
                    "{}: directory not read: {}",
                    dir.display(),
                    reason(&e)
                ));
                continue;
            }
        };
        let mut children: Vec<_> = rd.flatten().collect();
        children.sort_by_key(|e| e.file_name());
        for c in children {
            let p = c.path();
            let Ok(rel) = p.strip_prefix(root) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            let Ok(m) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            let ft = m.file_type();
            let kind = if ft.is_symlink() {
                Kind::Symlink
            } else if ft.is_dir() {
                stack.push(p.clone());
                Kind::Dir
            } else if ft.is_file() {
                Kind::File
            } else {
                Kind::Other
            };
            if kind == Kind::File && m.len() > 0 {
                match std::fs::File::open(&p) {
                    Ok(mut f) => {
                        if visit_file(&rel, m.len(), &mut f, &mut out).is_err() {
                            out.skipped_binary += 1;
                        }
                    }
                    Err(e) => {
                        out.unreadable
                            .push(format!("{}: not read: {}", p.display(), reason(&e)))
                    }
                }
            }
            out.uncompressed_bytes += m.len();
            out.entries.push(Entry {
                path: rel,
                kind,
                mode: m.permissions().mode(),
                size: m.len(),
                uid: u64::from(m.uid()),
                link: std::fs::read_link(&p)
                    .ok()
                    .map(|l| l.to_string_lossy().into_owned()),
            });
        }
    }
    Ok(out)
}

/// Streams one layer with a budget of its own (see [`scan_with_budget`]).
pub fn scan(
    index: usize,
    name: &str,
    blob: Box<dyn Read + Send>,
    expected_blob: Option<&str>,
    expected_diff: Option<&str>,
    skip_secrets: bool,
    max_bytes: u64,
) -> Result<LayerScan, ImageError> {
    scan_with_budget(
        index,
        name,
        blob,
        expected_blob,
        expected_diff,
        skip_secrets,
        max_bytes,
        &Budget::new(CAPTURE_BUDGET),
    )
}

/// Streams one layer. `blob` yields the stored bytes; catalogued files draw
/// on `budget`, shared by the layers of one image.
#[allow(clippy::too_many_arguments)]
pub fn scan_with_budget(
    index: usize,
    name: &str,
    blob: Box<dyn Read + Send>,
    expected_blob: Option<&str>,
    expected_diff: Option<&str>,
    skip_secrets: bool,
    max_bytes: u64,
    budget: &Budget,
) -> Result<LayerScan, ImageError> {
    let err = |m: String| ImageError::new(name.to_string(), m);
    let mut raw = BufReader::with_capacity(
        1 << 16,
        HashReader {
            inner: blob,
            hash: Hasher::default(),
            n: 0,
            on: true,
            limit: max_bytes,
        },
    );
    let (mut out, n, diff) = {
        let head = raw
            .fill_buf()
            .map_err(|e| err(format!("cannot read: {e}")))?;
        let (compression, decoder): (&'static str, Box<dyn Read + '_>) =
            if head.starts_with(&[0x1f, 0x8b]) {
                (
                    "gzip",
                    Box::new(flate2::bufread::MultiGzDecoder::new(&mut raw)),
                )
            } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
                (
                    "zstd",
                    Box::new(
                        zstd::stream::read::Decoder::with_buffer(&mut raw)
                            .map_err(|e| err(format!("zstd: {e}")))?,
                    ),
                )
            } else {
                raw.get_mut().on = false;
                ("none", Box::new(&mut raw))
            };
        let mut plain = HashReader {
            inner: decoder,
            hash: Hasher::default(),
            n: 0,
            on: true,
            limit: max_bytes,
        };
        let mut out = LayerScan {
            index,
            compression,
            skip_secrets,
            budget: Some(budget.clone()),
            ..Default::default()
        };
        let mut padded = PadAtEof {
            inner: &mut plain,
            seen: 0,
            padded: 0,
            pad_left: None,
        };
        {
            let mut ar = tar::Archive::new(&mut padded);
            let entries = ar
                .entries()
                .map_err(|e| err(format!("not a tar layer: {e}")))?;
            for (n, e) in entries.enumerate() {
                if n >= MAX_ENTRIES {
                    return Err(err(format!(
                        "more than {MAX_ENTRIES} entries: refusing a possible tar bomb"
                    )));
                }
                let mut e = e.map_err(|e| err(broken(&e)))?;
                // PAX sparse files (GNU format 1.0) carry their real name in
                // `GNU.sparse.name`; their data is a sparse map plus the
                // stored parts, not the file's content. Sparse files of either
                // format are never read: expanding a hole of a terabyte would
                // take hours, and no cataloger wants such a file.
                let sparse_name = e.pax_extensions().ok().flatten().and_then(|exts| {
                    exts.flatten()
                        .find(|x| x.key_bytes() == b"GNU.sparse.name")
                        .map(|x| x.value_bytes().to_vec())
                });
                let pax_sparse = sparse_name.is_some();
                let raw_path = sparse_name.unwrap_or_else(|| e.path_bytes().into_owned());
                let path = match normalise(&raw_path) {
                    Ok(p) => p,
                    Err(what) => {
                        out.anomalies.push(Anomaly {
                            path: String::from_utf8_lossy(&raw_path).into_owned(),
                            what,
                        });
                        continue;
                    }
                };
                if path.is_empty() {
                    continue; // the root directory itself (`/` or `./`)
                }
                if raw_path.starts_with(b"/") {
                    out.anomalies.push(Anomaly {
                        path: path.clone(),
                        what: "absolute path in the layer (read relative to the image root)".into(),
                    });
                }
                let h = e.header();
                let et = h.entry_type();
                // Sparse files keep their metadata (mode, owner) for the rules;
                // their content is not read (see below).
                let sparse = pax_sparse || et.is_gnu_sparse();
                let kind = if et.is_file() || sparse {
                    Kind::File
                } else if et.is_dir() {
                    Kind::Dir
                } else if et.is_symlink() {
                    Kind::Symlink
                } else if et.is_hard_link() {
                    Kind::Hardlink
                } else if et.is_block_special() || et.is_character_special() || et.is_fifo() {
                    Kind::Device
                } else {
                    Kind::Other
                };
                let mode = h.mode().unwrap_or(0);
                let uid = h.uid().unwrap_or(0);
                let size = e.size();
                let link = e
                    .link_name_bytes()
                    .map(|l| String::from_utf8_lossy(&l).into_owned());
                // Whiteouts.
                let (dir, base) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
                if base == ".wh..wh..opq" {
                    out.opaque.push(dir.to_string());
                    continue;
                }
                if let Some(hidden) = base.strip_prefix(".wh.") {
                    out.whiteouts.push(if dir.is_empty() {
                        hidden.to_string()
                    } else {
                        format!("{dir}/{hidden}")
                    });
                    continue;
                }
                // The standard character devices every runtime creates anyway are fine.
                const STANDARD: &[&str] = &[
                    "dev/null",
                    "dev/zero",
                    "dev/full",
                    "dev/random",
                    "dev/urandom",
                    "dev/tty",
                    "dev/console",
                    "dev/ptmx",
                ];
                if et.is_block_special()
                    || et.is_character_special() && !STANDARD.contains(&path.as_str())
                {
                    out.anomalies.push(Anomaly {
                        path: path.clone(),
                        what: "device node in the layer".into(),
                    });
                }
                if kind == Kind::File && size > 0 && !sparse {
                    visit_file(&path, size, &mut e, &mut out)
                        .map_err(|x| err(format!("{path}: {}", broken(&x))))?;
                }
                out.entries.push(Entry {
                    path,
                    kind,
                    mode,
                    size,
                    uid,
                    link,
                });
            }
        }
        out.synthesized_tar_end = padded.padded;
        // Drain what follows the tar's end-of-archive blocks so the digests cover every byte.
        io::copy(&mut plain, &mut io::sink()).map_err(|e| err(broken(&e)))?;
        let n = plain.n;
        let diff = format!("sha256:{}", hex(&plain.hash.finalize()));
        (out, n, diff)
    };
    out.uncompressed_bytes = n;
    io::copy(&mut raw, &mut io::sink()).map_err(|e| err(format!("cannot read: {e}")))?;
    let raw_digest = raw.into_inner().hash.finalize();
    // An uncompressed layer's stored bytes are its tar: hashed once, as the diff.
    let stored = if out.compression == "none" {
        diff.clone()
    } else {
        format!("sha256:{}", hex(&raw_digest))
    };
    if let Some(want) = expected_blob
        && want.starts_with("sha256:")
        && want != stored
    {
        return Err(err(format!(
            "digest mismatch: the blob is {stored}, the manifest says {want}"
        )));
    }
    if let Some(want) = expected_diff
        && want.starts_with("sha256:")
        && want != diff
    {
        return Err(err(format!(
            "diff_id mismatch: the uncompressed layer is {diff}, the config says {want}"
        )));
    }
    out.digest = expected_blob.map_or(diff, str::to_string);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_slip_entries_in_a_jar_are_anomalies() {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file("META-INF/maven/g/a/pom.properties", opts)
            .unwrap();
        w.write_all(b"groupId=g\nartifactId=a\nversion=1.0\n")
            .unwrap();
        w.start_file("../../../etc/cron.d/evil", opts).unwrap();
        w.write_all(b"* * * * * root sh").unwrap();
        let jar = w.finish().unwrap().into_inner();
        let mut out = LayerScan {
            skip_secrets: true,
            ..Default::default()
        };
        let size = jar.len() as u64;
        visit_file("srv/app.war", size, &mut io::Cursor::new(jar), &mut out).unwrap();
        assert_eq!(out.anomalies.len(), 1, "{:?}", out.anomalies);
        assert_eq!(
            out.anomalies[0].path,
            "/srv/app.war!/../../../etc/cron.d/evil"
        );
        assert!(out.anomalies[0].what.contains("zip slip"));
        // The archive's packages are still read.
        let pk = crate::catalog::parse("srv/app.war", &out.captured[0].1, None);
        assert_eq!(pk.len(), 1);
        assert_eq!(pk[0].name, "g:a");
    }

    /// The hostile-input issue, item 12: a jar whose packages could not be read
    /// (here: more entries than the cap, log4j-core among them) said nothing.
    #[test]
    fn a_jar_left_unread_is_reported() {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        w.start_file(
            "META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties",
            opts,
        )
        .unwrap();
        w.write_all(b"groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1\n")
            .unwrap();
        for i in 0..500_001 {
            w.start_file(format!("f{i}"), opts).unwrap();
        }
        let jar = w.finish().unwrap().into_inner();
        let mut out = LayerScan {
            skip_secrets: true,
            ..Default::default()
        };
        let size = jar.len() as u64;
        visit_file("srv/app.jar", size, &mut io::Cursor::new(jar), &mut out).unwrap();
        assert!(
            out.uncatalogued
                .iter()
                .any(|u| u.starts_with("/srv/app.jar") && u.contains("entries")),
            "{:?}",
            out.uncatalogued
        );
    }

    /// The hostile-input issue, item 5: many lock files of tens of MiB each
    /// were all held; past the scan budget they are reported instead.
    #[test]
    fn captured_files_share_one_budget() {
        let mut out = LayerScan {
            skip_secrets: true,
            budget: Some(Budget::new(100 << 20)),
            ..Default::default()
        };
        let size: u64 = 30 << 20;
        for i in 0..5 {
            let mut r = io::repeat(b' ').take(size);
            visit_file(
                &format!("srv/app{i}/package-lock.json"),
                size,
                &mut r,
                &mut out,
            )
            .unwrap();
        }
        assert_eq!(out.captured.len(), 3, "100 MiB holds three 30 MiB files");
        assert_eq!(out.uncatalogued.len(), 2, "{:?}", out.uncatalogued);
        assert!(out.uncatalogued[0].contains("budget"));
        let held: usize = out.captured.iter().map(|(_, d)| d.len()).sum();
        assert!(held as u64 <= 100 << 20);
    }

    #[test]
    fn wanted_files_over_their_limit_are_reported_not_dropped() {
        let mut out = LayerScan {
            skip_secrets: true,
            ..Default::default()
        };
        // A lock file one byte over the capture limit (zeros, streamed).
        let size = MAX_CAPTURE + 1;
        let mut r = io::repeat(0).take(size);
        visit_file("srv/app/package-lock.json", size, &mut r, &mut out).unwrap();
        assert!(out.captured.is_empty());
        assert_eq!(out.uncatalogued.len(), 1);
        assert!(out.uncatalogued[0].starts_with("/srv/app/package-lock.json ("));
        // An rpm database of the same size is within its own, larger limit.
        let mut out = LayerScan {
            skip_secrets: true,
            ..Default::default()
        };
        let mut r = io::repeat(0).take(size);
        visit_file("var/lib/rpm/Packages", size, &mut r, &mut out).unwrap();
        assert!(out.uncatalogued.is_empty());
        assert_eq!(out.captured.len(), 1);
    }
}
