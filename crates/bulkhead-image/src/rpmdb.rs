//! rpm database cataloger: the installed packages of Red Hat, Fedora, SUSE,
//! Mariner, Amazon Linux... images, read from any of rpm's three database
//! formats, without librpm and without Berkeley DB:
//!
//! - SQLite (`rpmdb.sqlite`, rpm ≥ 4.16): table `Packages(hnum, blob)`, read
//!   with the bundled SQLite from memory (the WAL flag is cleared first: an
//!   image keeps no `-wal` file worth reading, and an in-memory database
//!   cannot be opened in WAL mode).
//! - Berkeley DB hash (`Packages`, rpm < 4.16): a read-only walk of the hash
//!   buckets (meta page → bucket pages and their chains → overflow pages),
//!   in the order and with the checks of rpm's own `bdb_ro` backend.
//! - ndb (`Packages.db`, SUSE): rpm's "rpmpkg" file: a 32-byte header, slot
//!   pages of 16-byte slots, and blobs (head, header blob, padding, tail).
//!
//! Each database value is an rpm header blob ("immutable region" format:
//! index entries + data store). The header, Berkeley DB's hash pages and ndb
//! are small, well-specified binary layouts, and only their read side is
//! needed, so they are parsed here by hand rather than through a C library
//! (librpm, libdb) that would have to trust the image. Every offset and length
//! read from the input is bounds-checked before use; a hostile or truncated
//! database gives an error, never a panic, and no allocation is sized by the
//! input beyond the input's own size: each Berkeley DB page and each ndb block
//! is used at most once, so the work is linear in the input. SQLite files are
//! SQLite's to check; only a plain `Packages` table (no view, virtual table or
//! generated column) is read from them.

use crate::catalog::purl_enc;
use bulkhead_core::{Ecosystem, OsRelease, Package};

/// The rpm databases: Berkeley DB, ndb and SQLite, in both homes
/// (`/var/lib/rpm`, and `/usr/lib/sysimage/rpm` of newer Fedora and SUSE).
const PATHS: [&str; 6] = [
    "var/lib/rpm/Packages",
    "var/lib/rpm/Packages.db",
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/Packages",
    "usr/lib/sysimage/rpm/Packages.db",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
];

/// Whether `path` (relative to the image root) is an rpm database.
pub fn wants(path: &str) -> bool {
    PATHS.contains(&path)
}

/// One package as its rpm header states it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawRpm {
    pub name: String,
    pub epoch: Option<u32>,
    pub version: String,
    pub release: String,
    pub arch: Option<String>,
    /// `name-version-release.src.rpm`.
    pub source_rpm: Option<String>,
    pub license: Option<String>,
    pub vendor: Option<String>,
}

impl RawRpm {
    /// `[epoch:]version-release`, the epoch only when it is set and not 0.
    pub fn evr(&self) -> String {
        match self.epoch.filter(|e| *e != 0) {
            Some(e) => format!("{e}:{}-{}", self.version, self.release),
            None => format!("{}-{}", self.version, self.release),
        }
    }

    /// The source package's name and `version-release`, from SOURCERPM.
    pub fn source(&self) -> Option<(&str, &str)> {
        let s = self.source_rpm.as_deref()?;
        let nvr = s
            .strip_suffix(".src.rpm")
            .or_else(|| s.strip_suffix(".nosrc.rpm"))?;
        let (nv, _release) = nvr.rsplit_once('-')?;
        let (name, _version) = nv.rsplit_once('-')?;
        if name.is_empty() {
            return None;
        }
        Some((name, &nvr[name.len() + 1..]))
    }
}

/// The database formats, told apart by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Sqlite,
    BerkeleyDb,
    Ndb,
}

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const NDB_MAGIC: u32 = u32::from_le_bytes(*b"RpmP");
const BDB_HASH_MAGIC: u32 = 0x0006_1561;

/// Which rpm database format `data` is, if any.
pub fn format_of(data: &[u8]) -> Option<Format> {
    if data.starts_with(SQLITE_MAGIC) {
        Some(Format::Sqlite)
    } else if rd32(data, 0, false) == Some(NDB_MAGIC) {
        Some(Format::Ndb)
    } else if matches!(rd32(data, 12, false), Some(m) if m == BDB_HASH_MAGIC || m == BDB_HASH_MAGIC.swap_bytes())
    {
        Some(Format::BerkeleyDb)
    } else {
        None
    }
}

/// Every package of an rpm database (gpg-pubkey pseudo packages included, as
/// `rpm -qa` lists them). Any damage in the database is an error.
pub fn read(path: &str, data: &[u8]) -> Result<Vec<RawRpm>, String> {
    let mut out = Vec::new();
    for_each_blob(data, &mut |blob| {
        out.push(parse_header(blob)?);
        Ok(())
    })
    .map_err(|e| format!("{path}: {e}"))?;
    Ok(out)
}

/// Calls `f` with each header blob of the database, in the database's order.
pub fn for_each_blob(
    data: &[u8],
    f: &mut dyn FnMut(&[u8]) -> Result<(), String>,
) -> Result<(), String> {
    match format_of(data) {
        Some(Format::Sqlite) => sqlite(data, f),
        Some(Format::BerkeleyDb) => bdb(data, f),
        Some(Format::Ndb) => ndb(data, f),
        None => Err("not an rpm database (sqlite, Berkeley DB hash or ndb)".into()),
    }
}

/// The packages of an rpm database; none when it cannot be read.
pub fn packages(path: &str, data: &[u8], os: Option<&OsRelease>) -> Vec<Package> {
    let Ok(raw) = read(path, data) else {
        return Vec::new();
    };
    raw.iter()
        .filter(|r| r.name != "gpg-pubkey")
        .map(|r| to_package(r, path, os))
        .collect()
}

/// `pkg:rpm/<os id>/<name>@<version>-<release>?arch=..&epoch=..&distro=<id>-<version_id>`
/// (the namespace and distro only when the os is known, the epoch only when not 0).
pub fn purl(r: &RawRpm, os: Option<&OsRelease>) -> String {
    let os = os.filter(|o| !o.id.is_empty());
    let mut p = String::from("pkg:rpm/");
    if let Some(o) = os {
        p.push_str(&purl_enc(&o.id));
        p.push('/');
    }
    p.push_str(&purl_enc(&r.name));
    p.push('@');
    p.push_str(&purl_enc(&format!("{}-{}", r.version, r.release)));
    let mut q = Vec::new();
    if let Some(a) = &r.arch {
        q.push(format!("arch={}", purl_enc(a)));
    }
    if let Some(e) = r.epoch.filter(|e| *e != 0) {
        q.push(format!("epoch={e}"));
    }
    if let Some(o) = os {
        q.push(format!(
            "distro={}-{}",
            purl_enc(&o.id),
            purl_enc(&o.version_id)
        ));
    }
    if !q.is_empty() {
        p.push('?');
        p.push_str(&q.join("&"));
    }
    p
}

fn to_package(r: &RawRpm, path: &str, os: Option<&OsRelease>) -> Package {
    let source = r.source();
    Package {
        ecosystem: Ecosystem::Rpm,
        name: r.name.clone(),
        version: r.evr(),
        purl: purl(r, os),
        source_name: source.map(|(n, _)| n.to_string()),
        source_version: source.map(|(_, v)| v.to_string()),
        arch: r.arch.clone(),
        licenses: r.license.iter().cloned().collect(),
        path: format!("/{path}"),
        layer: None,
    }
}

// ---------------------------------------------------------------- helpers

fn rd32(d: &[u8], off: usize, be: bool) -> Option<u32> {
    let b: [u8; 4] = d.get(off..off.checked_add(4)?)?.try_into().ok()?;
    Some(if be {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    })
}

fn rd16(d: &[u8], off: usize, be: bool) -> Option<u16> {
    let b: [u8; 2] = d.get(off..off.checked_add(2)?)?.try_into().ok()?;
    Some(if be {
        u16::from_be_bytes(b)
    } else {
        u16::from_le_bytes(b)
    })
}

// ----------------------------------------------------------------- header

/// Most index entries a header may have (rpm's `hdrchkTags`).
const MAX_TAGS: usize = 0xffff;
/// Largest data store a header may have (rpm's `hdrchkData`).
const MAX_DATA: usize = 0x0fff_ffff;

const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_VENDOR: u32 = 1011;
const TAG_LICENSE: u32 = 1014;
const TAG_ARCH: u32 = 1022;
const TAG_SOURCERPM: u32 = 1044;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

const WANTED: [u32; 8] = [
    TAG_NAME,
    TAG_VERSION,
    TAG_RELEASE,
    TAG_EPOCH,
    TAG_VENDOR,
    TAG_LICENSE,
    TAG_ARCH,
    TAG_SOURCERPM,
];

#[derive(Clone, Copy)]
struct IndexEntry {
    tag: u32,
    ty: u32,
    offset: u32,
    count: u32,
}

/// Parses an rpm header blob as the databases store it: big-endian index
/// length and data length, the index entries, then the data store. Where a
/// tag occurs twice (a "dribble" after the immutable region), the later
/// entry wins, as in rpm.
pub fn parse_header(blob: &[u8]) -> Result<RawRpm, String> {
    let il = rd32(blob, 0, true).ok_or("header: shorter than 8 bytes")? as usize;
    let dl = rd32(blob, 4, true).ok_or("header: shorter than 8 bytes")? as usize;
    if il == 0 || il > MAX_TAGS {
        return Err(format!("header: bad index length {il}"));
    }
    if dl > MAX_DATA {
        return Err(format!("header: bad data length {dl}"));
    }
    let index_end = 8 + il * 16;
    let end = index_end + dl;
    let (Some(index), Some(store)) = (blob.get(8..index_end), blob.get(index_end..end)) else {
        return Err(format!(
            "header: truncated ({} bytes, needs {end})",
            blob.len()
        ));
    };
    let mut found: [Option<IndexEntry>; WANTED.len()] = [None; WANTED.len()];
    for e in index.chunks_exact(16) {
        let field = |i: usize| rd32(e, i, true).unwrap_or(0);
        let entry = IndexEntry {
            tag: field(0),
            ty: field(4),
            offset: field(8),
            count: field(12),
        };
        if let Some(i) = WANTED.iter().position(|t| *t == entry.tag) {
            found[i] = Some(entry);
        }
    }
    let get = |tag: u32| WANTED.iter().position(|t| *t == tag).and_then(|i| found[i]);
    let string = |tag: u32| -> Result<Option<String>, String> {
        let Some(e) = get(tag) else {
            return Ok(None);
        };
        if !matches!(e.ty, TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING) || e.count == 0 {
            return Err(format!(
                "header: tag {} is not a string (type {})",
                e.tag, e.ty
            ));
        }
        let rest = store
            .get(e.offset as usize..)
            .filter(|r| !r.is_empty())
            .ok_or_else(|| format!("header: tag {} offset {} outside the data", e.tag, e.offset))?;
        let n = memchr::memchr(0, rest)
            .ok_or_else(|| format!("header: tag {} string not terminated", e.tag))?;
        Ok(Some(String::from_utf8_lossy(&rest[..n]).into_owned()))
    };
    let required = |tag: u32, what: &str| -> Result<String, String> {
        string(tag)?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| format!("header: no {what}"))
    };
    let epoch = match get(TAG_EPOCH) {
        None => None,
        Some(e) if e.ty == TYPE_INT32 && e.count >= 1 => Some(
            rd32(store, e.offset as usize, true)
                .ok_or_else(|| format!("header: epoch offset {} outside the data", e.offset))?,
        ),
        Some(e) => return Err(format!("header: epoch of type {}", e.ty)),
    };
    let nonempty = |s: Option<String>| s.filter(|s| !s.is_empty());
    Ok(RawRpm {
        name: required(TAG_NAME, "name")?,
        epoch,
        version: required(TAG_VERSION, "version")?,
        release: required(TAG_RELEASE, "release")?,
        arch: nonempty(string(TAG_ARCH)?),
        source_rpm: nonempty(string(TAG_SOURCERPM)?),
        license: nonempty(string(TAG_LICENSE)?),
        vendor: nonempty(string(TAG_VENDOR)?),
    })
}

// ----------------------------------------------------------------- sqlite

fn sqlite(data: &[u8], f: &mut dyn FnMut(&[u8]) -> Result<(), String>) -> Result<(), String> {
    use rusqlite::types::ValueRef;
    use rusqlite::{Connection, MAIN_DB};
    use std::io::Read;
    let e = |e: rusqlite::Error| format!("sqlite: {e}");
    let Some(head) = data.get(..100) else {
        return Err("sqlite: truncated header".into());
    };
    // Bytes 18 and 19 (read and write format version) are 2 in WAL mode;
    // an in-memory copy can only be read in rollback-journal mode (1).
    let mut head = head.to_vec();
    if head[18] == 2 && head[19] == 2 {
        head[18] = 1;
        head[19] = 1;
    }
    let mut conn = Connection::open_in_memory().map_err(e)?;
    conn.deserialize_read_exact(
        MAIN_DB,
        head.as_slice().chain(&data[100..]),
        data.len(),
        true,
    )
    .map_err(e)?;
    // A plain table only: no view, no virtual table, no generated column
    // (which could make the reader compute anything the file asks for).
    let sql: String = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'Packages'",
            [],
            |r| r.get(0),
        )
        .map_err(|_| "sqlite: no Packages table".to_string())?;
    if !sql
        .trim_start()
        .get(..12)
        .is_some_and(|s| s.eq_ignore_ascii_case("CREATE TABLE"))
    {
        return Err("sqlite: Packages is not a plain table".into());
    }
    let mut columns = Vec::new();
    {
        let mut st = conn
            .prepare("SELECT name, hidden FROM pragma_table_xinfo('Packages')")
            .map_err(e)?;
        let mut rows = st.query([]).map_err(e)?;
        while let Some(row) = rows.next().map_err(e)? {
            let name: String = row.get(0).map_err(e)?;
            let hidden: i64 = row.get(1).map_err(e)?;
            columns.push((name.to_ascii_lowercase(), hidden));
        }
    }
    for want in ["hnum", "blob"] {
        match columns.iter().find(|(n, _)| n == want) {
            Some((_, 0)) => {}
            Some(_) => return Err(format!("sqlite: Packages.{want} is a generated column")),
            None => return Err(format!("sqlite: Packages has no {want} column")),
        }
    }
    let mut st = conn
        .prepare("SELECT blob FROM Packages ORDER BY hnum")
        .map_err(e)?;
    let mut rows = st.query([]).map_err(e)?;
    while let Some(row) = rows.next().map_err(e)? {
        match row.get_ref(0).map_err(e)? {
            ValueRef::Blob(b) => f(b)?,
            _ => return Err("sqlite: a Packages.blob value is not a blob".into()),
        }
    }
    Ok(())
}

// ------------------------------------------------------------------- ndb

const NDB_PAGE: usize = 4096;
const NDB_SLOT: usize = 16;
const NDB_BLK: usize = 16;
const NDB_HEADER: usize = 32;
const NDB_SLOT_MAGIC: u32 = u32::from_le_bytes(*b"Slot");
const NDB_BLOB_HEAD_MAGIC: u32 = u32::from_le_bytes(*b"BlbS");
const NDB_BLOB_TAIL_MAGIC: u32 = u32::from_le_bytes(*b"BlbE");
const NDB_BLOB_HEAD: usize = 16;
const NDB_BLOB_TAIL: usize = 12;

/// rpm's `lib/backend/ndb/rpmpkg.c` format, little-endian throughout.
fn ndb(data: &[u8], f: &mut dyn FnMut(&[u8]) -> Result<(), String>) -> Result<(), String> {
    let le = |off: usize| rd32(data, off, false);
    let (Some(version), Some(slot_pages)) = (le(4), le(12)) else {
        return Err("ndb: truncated header".into());
    };
    if version != 0 {
        return Err(format!("ndb: unsupported version {version}"));
    }
    let slot_end = (slot_pages as usize)
        .checked_mul(NDB_PAGE)
        .filter(|e| *e > 0 && *e <= data.len())
        .ok_or_else(|| format!("ndb: {slot_pages} slot pages do not fit the file"))?;
    let file_blks = data.len() / NDB_BLK;
    let min_blk = slot_end / NDB_BLK;
    // (block offset, block count, package index) of every used slot.
    let mut slots: Vec<(usize, usize, u32)> = Vec::new();
    for o in (NDB_HEADER..slot_end).step_by(NDB_SLOT) {
        let (Some(magic), Some(pkg), Some(off), Some(cnt)) =
            (le(o), le(o + 4), le(o + 8), le(o + 12))
        else {
            return Err("ndb: truncated slot".into());
        };
        if magic != NDB_SLOT_MAGIC {
            return Err(format!("ndb: bad slot magic at {o}"));
        }
        if off == 0 {
            continue; // free slot
        }
        let (off, cnt) = (off as usize, cnt as usize);
        if pkg == 0 || cnt == 0 || off < min_blk || off.saturating_add(cnt) > file_blks {
            return Err(format!("ndb: bad slot at {o}"));
        }
        slots.push((off, cnt, pkg));
    }
    slots.sort_unstable();
    let mut prev_end = min_blk;
    for (off, cnt, pkg) in slots {
        if off < prev_end {
            return Err(format!("ndb: blobs overlap at block {off}"));
        }
        prev_end = off + cnt;
        let start = off * NDB_BLK;
        let end = prev_end * NDB_BLK;
        let (Some(magic), Some(idx), Some(len)) = (le(start), le(start + 4), le(start + 12)) else {
            return Err(format!("ndb: truncated blob of package {pkg}"));
        };
        if magic != NDB_BLOB_HEAD_MAGIC || idx != pkg {
            return Err(format!("ndb: bad blob head for package {pkg}"));
        }
        let len = len as usize;
        if ((NDB_BLOB_HEAD + NDB_BLOB_TAIL) as u64 + len as u64).div_ceil(NDB_BLK as u64)
            != cnt as u64
        {
            return Err(format!("ndb: blob length {len} does not match its blocks"));
        }
        let tail = end - NDB_BLOB_TAIL;
        if le(tail + 4) != Some(len as u32) || le(tail + 8) != Some(NDB_BLOB_TAIL_MAGIC) {
            return Err(format!("ndb: bad blob tail for package {pkg}"));
        }
        // The adler32 in the tail is not checked: rpm does not when reading.
        let blob = data
            .get(start + NDB_BLOB_HEAD..start + NDB_BLOB_HEAD + len)
            .ok_or_else(|| format!("ndb: truncated blob of package {pkg}"))?;
        f(blob)?;
    }
    Ok(())
}

// ----------------------------------------------------------- Berkeley DB

const BDB_HEADER: usize = 26;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;
const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;

struct Bdb<'a> {
    data: &'a [u8],
    be: bool,
    page_size: usize,
    last_page: u32,
    /// Pages already used: each belongs to one bucket chain or one item.
    seen: Vec<bool>,
}

impl<'a> Bdb<'a> {
    fn page(&mut self, no: u32) -> Result<&'a [u8], String> {
        if no == 0 || no > self.last_page {
            return Err(format!("bdb: page {no} out of range"));
        }
        let seen = self
            .seen
            .get_mut(no as usize)
            .ok_or_else(|| format!("bdb: page {no} beyond the end of the file"))?;
        if *seen {
            return Err(format!("bdb: page {no} used twice"));
        }
        *seen = true;
        let start = no as usize * self.page_size;
        let data = self.data;
        let p = data
            .get(start..start + self.page_size)
            .ok_or_else(|| format!("bdb: page {no} beyond the end of the file"))?;
        if rd32(p, 8, self.be) != Some(no) {
            return Err(format!("bdb: page {no} has a wrong page number"));
        }
        Ok(p)
    }

    /// An item of `len` bytes from the chain of overflow pages at `no`.
    fn overflow(&mut self, mut no: u32, len: usize) -> Result<Vec<u8>, String> {
        if len == 0 || len > self.data.len() {
            return Err(format!("bdb: bad overflow length {len}"));
        }
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            let p = self.page(no)?;
            if p[25] != P_OVERFLOW {
                return Err(format!("bdb: page {no} is not an overflow page"));
            }
            let n = rd16(p, 22, self.be).unwrap_or(0) as usize;
            if n == 0 || BDB_HEADER + n > self.page_size || n > len - out.len() {
                return Err(format!("bdb: bad length on overflow page {no}"));
            }
            out.extend_from_slice(&p[BDB_HEADER..BDB_HEADER + n]);
            no = rd32(p, 16, self.be).unwrap_or(0);
        }
        Ok(out)
    }
}

/// Berkeley DB hash database (versions 8–10, either byte order), walked like
/// rpm's `bdb_ro`: buckets 0..=max_bucket, each a chain of hash pages whose
/// key/data pairs are inline (`H_KEYDATA`) or on overflow pages (`H_OFFPAGE`).
/// The key is the 4-byte header number; key 0 (a counter) is skipped.
fn bdb(data: &[u8], f: &mut dyn FnMut(&[u8]) -> Result<(), String>) -> Result<(), String> {
    let Some(meta) = data.get(..512) else {
        return Err("bdb: truncated meta page".into());
    };
    let be = rd32(meta, 12, false) != Some(BDB_HASH_MAGIC);
    let m = |off: usize| rd32(meta, off, be).unwrap_or(0);
    let version = m(16);
    if !(8..=10).contains(&version) {
        return Err(format!("bdb: unsupported hash version {version}"));
    }
    let page_size = m(20) as usize;
    if !page_size.is_power_of_two() || !(512..=65536).contains(&page_size) {
        return Err(format!("bdb: bad page size {page_size}"));
    }
    if meta[24] != 0 {
        return Err("bdb: encrypted database".into());
    }
    if meta[25] != P_HASHMETA {
        return Err(format!("bdb: meta page of type {}", meta[25]));
    }
    let last_page = m(32);
    let max_bucket = m(72);
    let pages = data.len() / page_size;
    if max_bucket as usize >= pages {
        return Err(format!("bdb: {max_bucket} buckets do not fit the file"));
    }
    let spares: Vec<u32> = (0..32).map(|i| m(96 + 4 * i)).collect();
    let mut db = Bdb {
        data,
        be,
        page_size,
        last_page,
        seen: vec![false; pages],
    };
    for bucket in 0..=max_bucket {
        let bits = (u32::BITS - bucket.leading_zeros()) as usize;
        let mut no = spares
            .get(bits)
            .and_then(|s| bucket.checked_add(*s))
            .ok_or_else(|| format!("bdb: no page for bucket {bucket}"))?;
        loop {
            let p = db.page(no)?;
            if p[25] != P_HASH && p[25] != P_HASH_UNSORTED {
                return Err(format!("bdb: page {no} is not a hash page"));
            }
            let n = rd16(p, 20, be).unwrap_or(0) as usize;
            let min_off = BDB_HEADER + 2 * n;
            if min_off > page_size {
                return Err(format!("bdb: too many items on page {no}"));
            }
            let inp = |i: usize| rd16(p, BDB_HEADER + 2 * i, be).map_or(0, usize::from);
            // An item spans from its offset to the previous item's offset.
            let item = |i: usize| -> Result<&[u8], String> {
                let off = inp(i);
                let end = if i == 0 { page_size } else { inp(i - 1) };
                if off < min_off || off >= end || end > page_size {
                    return Err(format!("bdb: bad item offset on page {no}"));
                }
                Ok(&p[off..end])
            };
            for pair in 0..n / 2 {
                let key = item(2 * pair)?;
                let val = item(2 * pair + 1)?;
                // Header numbers are 4-byte inline keys; 0 holds a counter.
                if key.len() != 5 || key[0] != H_KEYDATA || key[1..] == [0; 4] {
                    continue;
                }
                match val[0] {
                    H_KEYDATA => f(&val[1..])?,
                    H_OFFPAGE if val.len() == 12 => {
                        let (Some(first), Some(len)) = (rd32(val, 4, be), rd32(val, 8, be)) else {
                            return Err(format!("bdb: bad overflow item on page {no}"));
                        };
                        let blob = db.overflow(first, len as usize)?;
                        f(&blob)?;
                    }
                    t => return Err(format!("bdb: item of type {t} on page {no}")),
                }
            }
            no = rd32(p, 16, be).unwrap_or(0);
            if no == 0 {
                break;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::process::Command;

    // ------------------------------------------------------ fixture writers

    /// A header blob (no region) from (tag, type, data, count) entries.
    fn header(entries: &[(u32, u32, Vec<u8>, u32)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut store: Vec<u8> = Vec::new();
        for (tag, ty, data, count) in entries {
            if *ty == TYPE_INT32 {
                while store.len() & 3 != 0 {
                    store.push(0);
                }
            }
            for v in [*tag, *ty, store.len() as u32, *count] {
                index.extend_from_slice(&v.to_be_bytes());
            }
            store.extend_from_slice(data);
        }
        let mut out = Vec::new();
        out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        out.extend_from_slice(&(store.len() as u32).to_be_bytes());
        out.extend(index);
        out.extend(store);
        out
    }

    fn s(v: &str) -> Vec<u8> {
        let mut b = v.as_bytes().to_vec();
        b.push(0);
        b
    }

    fn sample(name: &str, epoch: Option<u32>, version: &str, release: &str) -> Vec<u8> {
        let mut e = vec![
            (TAG_NAME, TYPE_STRING, s(name), 1),
            (TAG_VERSION, TYPE_STRING, s(version), 1),
            (TAG_RELEASE, TYPE_STRING, s(release), 1),
        ];
        if let Some(ep) = epoch {
            e.push((TAG_EPOCH, TYPE_INT32, ep.to_be_bytes().to_vec(), 1));
        }
        e.push((TAG_VENDOR, TYPE_STRING, s("Test Vendor"), 1));
        e.push((TAG_LICENSE, TYPE_STRING, s("MIT or ASL 2.0"), 1));
        e.push((TAG_ARCH, TYPE_STRING, s("x86_64"), 1));
        e.push((
            TAG_SOURCERPM,
            TYPE_STRING,
            s(&format!("{name}-src-{version}-{release}.src.rpm")),
            1,
        ));
        header(&e)
    }

    fn adler32(data: &[u8]) -> u32 {
        let (mut a, mut b) = (1u32, 0u32);
        for &x in data {
            a = (a + u32::from(x)) % 65521;
            b = (b + a) % 65521;
        }
        (b << 16) | a
    }

    /// An ndb Packages.db as rpmpkg.c writes it: header, `slot_pages` slot
    /// pages, then each blob in its blocks (head, blob, zero padding, tail).
    fn ndb_file(blobs: &[Vec<u8>], slot_pages: usize) -> Vec<u8> {
        let mut f = vec![0u8; slot_pages * NDB_PAGE];
        let put = |f: &mut Vec<u8>, off: usize, v: u32| {
            f[off..off + 4].copy_from_slice(&v.to_le_bytes());
        };
        put(&mut f, 0, NDB_MAGIC);
        put(&mut f, 8, 7); // generation
        put(&mut f, 12, slot_pages as u32);
        put(&mut f, 16, blobs.len() as u32 + 1);
        for o in (NDB_HEADER..f.len()).step_by(NDB_SLOT) {
            put(&mut f, o, NDB_SLOT_MAGIC);
        }
        for (i, b) in blobs.iter().enumerate() {
            let pkg = i as u32 + 1;
            let blk = f.len() / NDB_BLK;
            let cnt = (NDB_BLOB_HEAD + b.len() + NDB_BLOB_TAIL).div_ceil(NDB_BLK);
            let mut blob = Vec::new();
            for v in [NDB_BLOB_HEAD_MAGIC, pkg, 7, b.len() as u32] {
                blob.extend_from_slice(&v.to_le_bytes());
            }
            blob.extend_from_slice(b);
            blob.resize(cnt * NDB_BLK - NDB_BLOB_TAIL, 0);
            let adl = adler32(&blob);
            for v in [adl, b.len() as u32, NDB_BLOB_TAIL_MAGIC] {
                blob.extend_from_slice(&v.to_le_bytes());
            }
            f.extend(blob);
            let slot = NDB_HEADER + i * NDB_SLOT;
            put(&mut f, slot + 4, pkg);
            put(&mut f, slot + 8, blk as u32);
            put(&mut f, slot + 12, cnt as u32);
        }
        f
    }

    /// A Berkeley DB hash file with one bucket (maxbucket 0) whose page chain
    /// holds the pairs; values longer than a quarter page go to overflow pages.
    fn bdb_file(pairs: &[(Vec<u8>, Vec<u8>)], ps: usize, be: bool) -> Vec<u8> {
        fn w32(p: &mut [u8], off: usize, v: u32, be: bool) {
            p[off..off + 4].copy_from_slice(&if be { v.to_be_bytes() } else { v.to_le_bytes() });
        }
        fn w16(p: &mut [u8], off: usize, v: u16, be: bool) {
            p[off..off + 2].copy_from_slice(&if be { v.to_be_bytes() } else { v.to_le_bytes() });
        }
        fn new_page(pages: &mut Vec<Vec<u8>>, ty: u8, be: bool) -> usize {
            let ps = pages[0].len();
            let no = pages.len();
            let mut p = vec![0u8; ps];
            w32(&mut p, 8, no as u32, be);
            p[25] = ty;
            pages.push(p);
            no
        }
        let mut pages = vec![vec![0u8; ps]];
        let mut cur = new_page(&mut pages, P_HASH, be);
        let (mut n, mut hoff) = (0usize, ps);
        let finish = |pages: &mut Vec<Vec<u8>>, cur: usize, n: usize, hoff: usize| {
            w16(&mut pages[cur], 20, n as u16, be);
            w16(&mut pages[cur], 22, hoff as u16, be);
        };
        for (k, v) in pairs {
            let mut kitem = vec![H_KEYDATA];
            kitem.extend_from_slice(k);
            let vitem = if v.len() < ps / 4 {
                let mut i = vec![H_KEYDATA];
                i.extend_from_slice(v);
                i
            } else {
                let chunk = ps - BDB_HEADER;
                let mut first = 0;
                let mut prev = 0;
                for c in v.chunks(chunk) {
                    let no = new_page(&mut pages, P_OVERFLOW, be);
                    pages[no][BDB_HEADER..BDB_HEADER + c.len()].copy_from_slice(c);
                    w16(&mut pages[no], 20, 1, be); // reference count
                    w16(&mut pages[no], 22, c.len() as u16, be);
                    if prev == 0 {
                        first = no;
                    } else {
                        w32(&mut pages[prev], 16, no as u32, be);
                        w32(&mut pages[no], 12, prev as u32, be);
                    }
                    prev = no;
                }
                let mut i = vec![H_OFFPAGE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
                w32(&mut i, 4, first as u32, be);
                w32(&mut i, 8, v.len() as u32, be);
                i
            };
            if BDB_HEADER + 2 * (n + 2) + kitem.len() + vitem.len() > hoff {
                finish(&mut pages, cur, n, hoff);
                let next = new_page(&mut pages, P_HASH, be);
                w32(&mut pages[cur], 16, next as u32, be);
                w32(&mut pages[next], 12, cur as u32, be);
                (cur, n, hoff) = (next, 0, ps);
            }
            for item in [kitem, vitem] {
                hoff -= item.len();
                pages[cur][hoff..hoff + item.len()].copy_from_slice(&item);
                w16(&mut pages[cur], BDB_HEADER + 2 * n, hoff as u16, be);
                n += 1;
            }
        }
        finish(&mut pages, cur, n, hoff);
        let last = pages.len() as u32 - 1;
        let m = &mut pages[0];
        w32(m, 12, BDB_HASH_MAGIC, be);
        w32(m, 16, 9, be);
        w32(m, 20, ps as u32, be);
        m[25] = P_HASHMETA;
        w32(m, 32, last, be);
        w32(m, 84, 40, be); // fill factor
        w32(m, 88, pairs.len() as u32, be);
        w32(m, 96, 1, be); // spares[0]: bucket 0 is page 1
        pages.concat()
    }

    fn sqlite_file(blobs: &[Vec<u8>]) -> Vec<u8> {
        let c = rusqlite::Connection::open_in_memory().expect("sqlite");
        c.execute_batch(
            "CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)",
        )
        .expect("create");
        for b in blobs {
            c.execute("INSERT INTO Packages (blob) VALUES (?1)", [b])
                .expect("insert");
        }
        c.serialize(rusqlite::MAIN_DB).expect("serialize").to_vec()
    }

    fn key(n: u32) -> Vec<u8> {
        n.to_le_bytes().to_vec()
    }

    fn samples() -> Vec<Vec<u8>> {
        // A long description (tag 1005) makes a header that spans pages.
        let big = header(&[
            (1005, TYPE_I18NSTRING, s(&"lorem ipsum ".repeat(600)), 1),
            (TAG_NAME, TYPE_STRING, s("big"), 1),
            (TAG_VERSION, TYPE_STRING, s("1.0"), 1),
            (TAG_RELEASE, TYPE_STRING, s("1"), 1),
        ]);
        vec![
            sample("openssl-libs", Some(1), "3.0.7", "27.el9"),
            sample("bash", None, "5.1.8", "9.el9"),
            big,
            sample("gpg-pubkey", None, "fd431d51", "4ae0493b"),
        ]
    }

    fn names(v: &[RawRpm]) -> Vec<String> {
        v.iter()
            .map(|r| format!("{} {}", r.name, r.evr()))
            .collect()
    }

    /// Tiny deterministic generator for the mutation tests.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    /// Reads every truncation and many random corruptions of `file`: each
    /// must give packages or an error, never a panic.
    fn survives_damage(file: &[u8], seed: u64) -> (usize, usize) {
        let (mut ok, mut err) = (0, 0);
        let mut count = |r: Result<Vec<RawRpm>, String>| match r {
            Ok(_) => ok += 1,
            Err(_) => err += 1,
        };
        let step = (file.len() / 700).max(1);
        for cut in (0..file.len()).step_by(step) {
            count(read("t", &file[..cut]));
        }
        let mut rng = Rng(seed);
        for _ in 0..1500 {
            let mut f = file.to_vec();
            for _ in 0..1 + rng.next() % 4 {
                let i = (rng.next() as usize) % f.len();
                f[i] = match rng.next() % 4 {
                    0 => 0,
                    1 => 0xff,
                    _ => rng.next() as u8,
                };
            }
            count(read("t", &f));
        }
        (ok, err)
    }

    // ------------------------------------------------------------- header

    #[test]
    fn header_fields_and_dribbles() {
        let r = parse_header(&sample("openssl-libs", Some(1), "3.0.7", "27.el9")).expect("header");
        assert_eq!(r.name, "openssl-libs");
        assert_eq!(r.epoch, Some(1));
        assert_eq!(r.evr(), "1:3.0.7-27.el9");
        assert_eq!(r.arch.as_deref(), Some("x86_64"));
        assert_eq!(r.license.as_deref(), Some("MIT or ASL 2.0"));
        assert_eq!(r.vendor.as_deref(), Some("Test Vendor"));
        assert_eq!(r.source(), Some(("openssl-libs-src", "3.0.7-27.el9")));
        // A later entry of the same tag (a dribble) wins.
        let d = header(&[
            (TAG_NAME, TYPE_STRING, s("a"), 1),
            (TAG_VERSION, TYPE_STRING, s("1"), 1),
            (TAG_RELEASE, TYPE_STRING, s("1"), 1),
            (TAG_RELEASE, TYPE_STRING, s("2"), 1),
        ]);
        let r = parse_header(&d).expect("header");
        assert_eq!(r.evr(), "1-2");
        assert_eq!((r.arch, r.source_rpm, r.epoch), (None, None, None));
        // Epoch 0 is kept but not shown.
        let z = parse_header(&sample("z", Some(0), "1", "1")).expect("header");
        assert_eq!((z.epoch, z.evr().as_str()), (Some(0), "1-1"));
    }

    #[test]
    fn source_rpm_names() {
        let r = |s: &str| RawRpm {
            source_rpm: Some(s.into()),
            ..RawRpm::default()
        };
        assert_eq!(
            r("util-linux-2.37.4-11.el9.src.rpm").source(),
            Some(("util-linux", "2.37.4-11.el9"))
        );
        assert_eq!(
            r("glibc-2.34-60.el9_2.7.nosrc.rpm").source(),
            Some(("glibc", "2.34-60.el9_2.7"))
        );
        assert_eq!(r("nodash.src.rpm").source(), None);
        assert_eq!(r("a-1.src.rpm").source(), None);
        assert_eq!(r("-1-2.src.rpm").source(), None);
        assert_eq!(r("a-1-2.rpm").source(), None);
    }

    #[test]
    fn hostile_headers_are_errors() {
        let good = sample("bash", None, "5.1.8", "9.el9");
        for cut in 0..good.len() {
            assert!(parse_header(&good[..cut]).is_err(), "cut at {cut}");
        }
        let with = |il: u32, dl: u32| {
            let mut b = good.clone();
            b[0..4].copy_from_slice(&il.to_be_bytes());
            b[4..8].copy_from_slice(&dl.to_be_bytes());
            parse_header(&b)
        };
        assert!(with(0, 10).is_err());
        assert!(with(u32::MAX, 10).is_err());
        assert!(with(0x10000, 10).is_err());
        assert!(with(3, u32::MAX).is_err());
        assert!(with(3, 0x0fff_ffff).is_err()); // fits the limit, not the blob
        let bad = |e: &[(u32, u32, Vec<u8>, u32)]| {
            let mut all = vec![
                (TAG_NAME, TYPE_STRING, s("a"), 1),
                (TAG_VERSION, TYPE_STRING, s("1"), 1),
                (TAG_RELEASE, TYPE_STRING, s("1"), 1),
            ];
            all.extend_from_slice(e);
            parse_header(&header(&all))
        };
        // A string without its NUL, a string of the wrong type, an epoch
        // past the end, a missing name.
        assert!(bad(&[(TAG_ARCH, TYPE_STRING, b"x86".to_vec(), 1)]).is_err());
        assert!(bad(&[(TAG_ARCH, TYPE_INT32, vec![0; 4], 1)]).is_err());
        assert!(bad(&[(TAG_EPOCH, TYPE_INT32, vec![0; 2], 1)]).is_err());
        assert!(bad(&[(TAG_EPOCH, TYPE_STRING, s("1"), 1)]).is_err());
        assert!(parse_header(&header(&[(TAG_VERSION, TYPE_STRING, s("1"), 1)])).is_err());
        // An offset far outside the store.
        let mut b = good.clone();
        b[16..20].copy_from_slice(&0xffff_fff0u32.to_be_bytes());
        assert!(parse_header(&b).is_err());
        // Random damage: an error or a header, never a panic.
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..5000 {
            let mut b = good.clone();
            let i = (rng.next() as usize) % b.len();
            b[i] = rng.next() as u8;
            let _ = parse_header(&b);
        }
    }

    // ---------------------------------------------------------- databases

    #[test]
    fn all_formats_give_the_same_packages() {
        let blobs = samples();
        let want = vec![
            "openssl-libs 1:3.0.7-27.el9",
            "bash 5.1.8-9.el9",
            "big 1.0-1",
            "gpg-pubkey fd431d51-4ae0493b",
        ];
        let sq = sqlite_file(&blobs);
        assert_eq!(format_of(&sq), Some(Format::Sqlite));
        assert_eq!(names(&read("s", &sq).expect("sqlite")), want);
        let nd = ndb_file(&blobs, 1);
        assert_eq!(format_of(&nd), Some(Format::Ndb));
        assert_eq!(names(&read("n", &nd).expect("ndb")), want);
        assert_eq!(names(&read("n", &ndb_file(&blobs, 3)).expect("ndb")), want);
        let mut pairs = vec![(key(0), 5u32.to_le_bytes().to_vec())];
        pairs.extend(
            blobs
                .iter()
                .enumerate()
                .map(|(i, b)| (key(i as u32 + 1), b.clone())),
        );
        for ps in [512, 4096, 65536] {
            for be in [false, true] {
                let f = bdb_file(&pairs, ps, be);
                assert_eq!(format_of(&f), Some(Format::BerkeleyDb));
                let got = read("b", &f).unwrap_or_else(|e| panic!("{ps} {be}: {e}"));
                assert_eq!(names(&got), want, "page size {ps}, big-endian {be}");
            }
        }
        // Hash page chains: many small pairs on 512-byte pages, all inline.
        let small: Vec<_> = (1..60u32)
            .map(|i| {
                (
                    key(i),
                    header(&[
                        (TAG_NAME, TYPE_STRING, s(&format!("p{i}")), 1),
                        (TAG_VERSION, TYPE_STRING, s("1"), 1),
                        (TAG_RELEASE, TYPE_STRING, s("1"), 1),
                    ]),
                )
            })
            .collect();
        let got = read("b", &bdb_file(&small, 512, false)).expect("chain");
        assert_eq!(got.len(), 59);
        assert!(read("x", b"not a database at all").is_err());
        assert!(read("x", b"").is_err());
    }

    #[test]
    fn sqlite_in_wal_mode_and_hostile_schemas() {
        let blobs = samples();
        let mut wal = sqlite_file(&blobs);
        wal[18] = 2;
        wal[19] = 2;
        assert_eq!(read("s", &wal).expect("wal").len(), 4);
        let schema = |sql: &str| {
            let c = rusqlite::Connection::open_in_memory().expect("sqlite");
            c.execute_batch(sql).expect("schema");
            read("s", &c.serialize(rusqlite::MAIN_DB).expect("ser"))
        };
        assert!(schema("CREATE TABLE Other (x)").is_err());
        assert!(
            schema("CREATE TABLE T (hnum, blob); CREATE VIEW Packages AS SELECT * FROM T").is_err()
        );
        assert!(
            schema("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, x BLOB, blob BLOB AS (zeroblob(1000000000)))").is_err()
        );
        assert!(schema("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob); INSERT INTO Packages VALUES (1, 'text')").is_err());
        assert!(schema("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob); INSERT INTO Packages VALUES (1, x'00')").is_err());
        assert_eq!(
            schema("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB)").expect("empty"),
            vec![]
        );
        let (ok, err) = survives_damage(&sqlite_file(&blobs), 1);
        assert!(ok > 0 && err > 0, "{ok} {err}");
    }

    #[test]
    fn hostile_ndb_files_are_errors() {
        let blobs = samples();
        let good = ndb_file(&blobs, 1);
        let (ok, err) = survives_damage(&good, 2);
        assert!(ok > 0 && err > 0, "{ok} {err}");
        let patched = |off: usize, v: u32| {
            let mut f = good.clone();
            f[off..off + 4].copy_from_slice(&v.to_le_bytes());
            read("n", &f)
        };
        let slot1 = NDB_HEADER; // pkg 1: +4 pkgidx, +8 blkoff, +12 blkcnt
        let slot2 = NDB_HEADER + NDB_SLOT;
        let blk1 = NDB_PAGE / NDB_BLK;
        assert!(patched(4, 1).is_err(), "version");
        assert!(patched(12, 0).is_err(), "no slot pages");
        assert!(patched(12, u32::MAX).is_err(), "slot pages past the end");
        assert!(patched(slot1, 0).is_err(), "slot magic");
        assert!(patched(slot1 + 4, 0).is_err(), "pkgidx 0");
        assert!(patched(slot1 + 4, 9).is_err(), "pkgidx differs from blob");
        assert!(patched(slot1 + 8, 3).is_err(), "blob inside the slot pages");
        assert!(
            patched(slot1 + 8, u32::MAX - 1).is_err(),
            "blob past the end"
        );
        assert!(patched(slot1 + 12, u32::MAX).is_err(), "huge block count");
        assert!(patched(slot1 + 12, 1).is_err(), "block count too small");
        assert!(
            patched(slot2 + 8, blk1 as u32).is_err(),
            "overlapping blobs"
        );
        assert!(
            patched(NDB_PAGE + 12, u32::MAX).is_err(),
            "huge blob length"
        );
        assert!(patched(NDB_PAGE, 0).is_err(), "blob magic");
        // A freed slot (block offset 0) is skipped.
        assert_eq!(patched(slot1 + 8, 0).expect("free slot").len(), 3);
    }

    #[test]
    fn hostile_bdb_files_are_errors() {
        let blobs = samples();
        let mut pairs = vec![(key(0), 5u32.to_le_bytes().to_vec())];
        pairs.extend(
            blobs
                .iter()
                .enumerate()
                .map(|(i, b)| (key(i as u32 + 1), b.clone())),
        );
        for be in [false, true] {
            let good = bdb_file(&pairs, 512, be);
            let (ok, err) = survives_damage(&good, 3 + be as u64);
            assert!(ok > 0 && err > 0, "{ok} {err}");
            let patched = |off: usize, v: u32| {
                let mut f = good.clone();
                f[off..off + 4].copy_from_slice(&if be {
                    v.to_be_bytes()
                } else {
                    v.to_le_bytes()
                });
                read("b", &f)
            };
            assert!(patched(16, 7).is_err(), "version");
            assert!(patched(20, 513).is_err(), "page size");
            assert!(patched(20, 1 << 20).is_err(), "page size");
            assert!(patched(72, u32::MAX).is_err(), "max bucket");
            assert!(patched(72, 3).is_err(), "buckets without pages");
            assert!(patched(96, 0).is_err(), "bucket 0 on the meta page");
            assert!(patched(96, u32::MAX).is_err(), "bucket page out of range");
            assert!(
                patched(32, 1).is_err(),
                "last page before the overflow pages"
            );
            assert!(patched(512 + 8, 5).is_err(), "wrong page number");
            // A bucket chain that loops back to itself.
            assert!(patched(512 + 16, 1).is_err(), "chain loop");
            // An overflow chain that loops back: the second page of the big
            // header's chain points to the first.
            let rd = |off: usize| rd32(&good, off, be).unwrap_or(0) as usize;
            let second = (2..good.len() / 512)
                .find(|&n| good[n * 512 + 25] == P_OVERFLOW && rd(n * 512 + 12) != 0)
                .expect("a chain of overflow pages");
            assert!(
                patched(second * 512 + 16, rd(second * 512 + 12) as u32).is_err(),
                "overflow loop"
            );
            // Or to itself, or to a hash page.
            assert!(
                patched(second * 512 + 16, second as u32).is_err(),
                "overflow loop"
            );
            assert!(
                patched(second * 512 + 16, 1).is_err(),
                "overflow into hash page"
            );
            let mut enc = good.clone();
            enc[24] = 1;
            assert!(read("b", &enc).is_err(), "encrypted");
        }
    }

    #[test]
    fn packages_purls_and_wiring() {
        let os = OsRelease {
            id: "rhel".into(),
            version_id: "9.2".into(),
            pretty_name: None,
        };
        let mut blobs = samples();
        blobs.push(header(&[
            (TAG_NAME, TYPE_STRING, s("tilde"), 1),
            (TAG_VERSION, TYPE_STRING, s("1.0~rc1^git5"), 1),
            (TAG_RELEASE, TYPE_STRING, s("0.1.el9+b1"), 1),
            (TAG_ARCH, TYPE_STRING, s("noarch"), 1),
        ]));
        let db = sqlite_file(&blobs);
        let path = "var/lib/rpm/rpmdb.sqlite";
        assert!(crate::catalog::wants(path));
        assert!(crate::catalog::wants("usr/lib/sysimage/rpm/Packages.db"));
        assert!(!crate::catalog::wants("var/lib/rpm/Index.db"));
        let p = crate::catalog::parse(path, &db, Some(&os));
        let names: Vec<&str> = p.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["openssl-libs", "bash", "big", "tilde"],
            "gpg-pubkey skipped"
        );
        let o = &p[0];
        assert_eq!(o.ecosystem, Ecosystem::Rpm);
        assert_eq!(o.version, "1:3.0.7-27.el9");
        assert_eq!(
            o.purl,
            "pkg:rpm/rhel/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1&distro=rhel-9.2"
        );
        assert_eq!(o.source_name.as_deref(), Some("openssl-libs-src"));
        assert_eq!(o.source_version.as_deref(), Some("3.0.7-27.el9"));
        assert_eq!(o.licenses, ["MIT or ASL 2.0"]);
        assert_eq!(o.path, "/var/lib/rpm/rpmdb.sqlite");
        assert_eq!(o.arch.as_deref(), Some("x86_64"));
        assert_eq!(
            p[3].purl,
            "pkg:rpm/rhel/tilde@1.0~rc1%5Egit5-0.1.el9%2Bb1?arch=noarch&distro=rhel-9.2"
        );
        assert_eq!(p[2].purl, "pkg:rpm/rhel/big@1.0-1?distro=rhel-9.2");
        assert_eq!(
            purl(&parse_header(&blobs[2]).expect("h"), None),
            "pkg:rpm/big@1.0-1"
        );
        // A damaged database gives no packages.
        assert!(crate::catalog::parse(path, &db[..db.len() / 2], Some(&os)).is_empty());
    }

    // -------------------------------------------------- against real rpm

    fn require() -> bool {
        std::env::var_os("BULKHEAD_REQUIRE_IMAGES").is_some_and(|v| !v.is_empty() && v != "0")
    }

    /// On PATH (not `--version`: db5.3_load rejects unknown options).
    fn have(tool: &str) -> bool {
        Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// Whether every tool is here; with BULKHEAD_REQUIRE_IMAGES set, missing
    /// ones are installed with apt-get (as root), and failing that the test
    /// fails instead of skipping.
    fn tools(tools: &[&str], debs: &[&str]) -> bool {
        if tools.iter().all(|t| have(t)) {
            return true;
        }
        if require() {
            static APT: std::sync::Mutex<()> = std::sync::Mutex::new(());
            let _one = APT.lock();
            let apt = |args: &[&str]| {
                Command::new("apt-get")
                    .args(["-o", "DPkg::Lock::Timeout=600"])
                    .args(args)
                    .output()
                    .is_ok_and(|o| o.status.success())
            };
            let mut install = vec!["install", "-y", "-qq"];
            install.extend_from_slice(debs);
            if !apt(&install) {
                apt(&["update", "-qq"]);
                apt(&install);
            }
            let missing: Vec<_> = tools.iter().filter(|t| !have(t)).collect();
            assert!(
                missing.is_empty(),
                "{missing:?} missing (apt-get install {debs:?} failed) and BULKHEAD_REQUIRE_IMAGES is set"
            );
            return true;
        }
        eprintln!(
            "\nSKIP: {tools:?} not installed (Debian: apt-get install {}); rpm database test not run\n",
            debs.join(" ")
        );
        false
    }

    fn run(cmd: &mut Command) -> String {
        let o = cmd.output().expect("run");
        assert!(
            o.status.success(),
            "{cmd:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    const QF: &str = "%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM}\\n";

    fn rpm_qa(dbpath: &Path, backend: &str) -> Vec<String> {
        let out = run(Command::new("rpm").arg("--dbpath").arg(dbpath).args([
            "--define",
            &format!("_db_backend {backend}"),
            "-qa",
            "--qf",
            QF,
        ]));
        let mut v: Vec<String> = out.lines().map(str::to_string).collect();
        v.sort();
        v
    }

    fn qa_lines(v: &[RawRpm]) -> Vec<String> {
        let mut v: Vec<String> = v
            .iter()
            .map(|r| {
                format!(
                    "{} {}:{}-{} {} {}",
                    r.name,
                    r.epoch.unwrap_or(0),
                    r.version,
                    r.release,
                    r.arch.as_deref().unwrap_or("(none)"),
                    r.source_rpm.as_deref().unwrap_or("(none)")
                )
            })
            .collect();
        v.sort();
        v
    }

    const SPECS: [&str; 3] = [
        "Name: alpha\nEpoch: 2\nVersion: 1.2.3\nRelease: 4.fc40\nSummary: a\n\
         License: MIT and (GPL-2.0-or-later OR BSD)\nVendor: Bulkhead Test\nBuildArch: noarch\n\
         %description\nalpha\n\
         %package -n beta\nSummary: b\nLicense: Apache-2.0\n%description -n beta\nbeta\n\
         %package -n gamma\nSummary: g\nLicense: GPL-3.0-only\n%description -n gamma\n@LONG@\n\
         %files\n%files -n beta\n%files -n gamma\n",
        "Name: delta\nVersion: 3.0~rc1^git5\nRelease: 0.1.el9+b1\nSummary: d\nLicense: BSD\n\
         BuildArch: noarch\n%description\ndelta\n%files\n",
        "Name: epsilon\nEpoch: 0\nVersion: 7\nRelease: 1\nSummary: e\nLicense: ISC\n\
         BuildArch: noarch\n%description\nepsilon\n%files\n",
    ];

    /// Builds the test rpms and installs them into a fresh SQLite database
    /// (`DIR/sqlite/rpmdb.sqlite`); returns `rpm -qa` of it.
    fn build_and_install(dir: &Path) -> Vec<String> {
        let top = dir.join("top");
        let long = "This description is long so that the header spans pages. ".repeat(300);
        for (i, spec) in SPECS.iter().enumerate() {
            let f = dir.join(format!("p{i}.spec"));
            std::fs::write(&f, spec.replace("@LONG@", &long)).expect("spec");
            run(Command::new("rpmbuild")
                .arg("--define")
                .arg(format!("_topdir {}", top.display()))
                .arg("-bb")
                .arg(&f));
        }
        let rpms: Vec<_> = std::fs::read_dir(top.join("RPMS/noarch"))
            .expect("RPMS")
            .map(|e| e.expect("entry").path())
            .collect();
        assert_eq!(rpms.len(), 5, "{rpms:?}");
        let db = dir.join("sqlite");
        std::fs::create_dir_all(&db).expect("mkdir");
        run(Command::new("rpm")
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
            .args(&rpms));
        let qa = rpm_qa(&db, "sqlite");
        assert_eq!(qa.len(), 5, "{qa:?}");
        qa
    }

    /// The header blobs of the rpm-made SQLite database, with their numbers.
    fn blobs_of(sqlite: &[u8]) -> Vec<(u32, Vec<u8>)> {
        // rpm leaves its database in WAL mode; read it as a rollback-journal one.
        let mut sqlite = sqlite.to_vec();
        sqlite[18] = 1;
        sqlite[19] = 1;
        let mut c = rusqlite::Connection::open_in_memory().expect("sqlite");
        c.deserialize_read_exact(rusqlite::MAIN_DB, sqlite.as_slice(), sqlite.len(), true)
            .expect("deserialize");
        let mut st = c
            .prepare("SELECT hnum, blob FROM Packages")
            .expect("select");
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect()
    }

    #[test]
    fn rpm_sqlite_and_ndb_match_rpm_qa() {
        if !tools(&["rpm", "rpmbuild"], &["rpm"]) {
            return;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let qa = build_and_install(dir.path());
        let sq = std::fs::read(dir.path().join("sqlite/rpmdb.sqlite")).expect("db");
        assert_eq!(qa_lines(&read("sqlite", &sq).expect("sqlite")), qa);
        assert!(qa.contains(&"beta 2:1.2.3-4.fc40 noarch alpha-1.2.3-4.fc40.src.rpm".into()));
        assert!(qa.contains(&"epsilon 0:7-1 noarch epsilon-7-1.src.rpm".into()));

        // The cataloger, through catalog::parse, on the same database.
        let os = OsRelease {
            id: "fedora".into(),
            version_id: "40".into(),
            pretty_name: None,
        };
        let p = crate::catalog::parse("usr/lib/sysimage/rpm/rpmdb.sqlite", &sq, Some(&os));
        let beta = p.iter().find(|p| p.name == "beta").expect("beta");
        assert_eq!(beta.version, "2:1.2.3-4.fc40");
        assert_eq!(
            beta.purl,
            "pkg:rpm/fedora/beta@1.2.3-4.fc40?arch=noarch&epoch=2&distro=fedora-40"
        );
        assert_eq!(beta.source_name.as_deref(), Some("alpha"));
        assert_eq!(beta.source_version.as_deref(), Some("1.2.3-4.fc40"));
        assert_eq!(beta.licenses, ["Apache-2.0"]);
        let alpha = p.iter().find(|p| p.name == "alpha").expect("alpha");
        assert_eq!(alpha.licenses, ["MIT and (GPL-2.0-or-later OR BSD)"]);
        let eps = p.iter().find(|p| p.name == "epsilon").expect("epsilon");
        assert_eq!(eps.version, "7-1");

        // ndb: made by rpm where its ndb backend is built in, else written
        // here from rpm's own header blobs in rpmpkg.c's layout.
        let rc = run(Command::new("rpm").arg("--showrc"));
        let ndb_built_in = rc
            .lines()
            .any(|l| l.contains("available backends") && l.split_whitespace().any(|w| w == "ndb"));
        let nd = if ndb_built_in {
            let db = dir.path().join("ndb");
            std::fs::create_dir_all(&db).expect("mkdir");
            let rpms: Vec<_> = std::fs::read_dir(dir.path().join("top/RPMS/noarch"))
                .expect("RPMS")
                .map(|e| e.expect("entry").path())
                .collect();
            run(Command::new("rpm")
                .arg("--dbpath")
                .arg(&db)
                .args([
                    "--define",
                    "_db_backend ndb",
                    "--justdb",
                    "--nodeps",
                    "--noscripts",
                    "-i",
                ])
                .args(&rpms));
            assert_eq!(rpm_qa(&db, "ndb"), qa);
            std::fs::read(db.join("Packages.db")).expect("Packages.db")
        } else {
            eprintln!(
                "note: this rpm has no ndb backend; reading a Packages.db written from its header blobs"
            );
            let blobs: Vec<Vec<u8>> = blobs_of(&sq).into_iter().map(|(_, b)| b).collect();
            ndb_file(&blobs, 1)
        };
        assert_eq!(qa_lines(&read("ndb", &nd).expect("ndb")), qa);
    }

    #[test]
    fn rpm_berkeley_db_matches_rpm_qa() {
        if !tools(&["rpm", "rpmbuild", "db5.3_load"], &["rpm", "db-util"]) {
            return;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let qa = build_and_install(dir.path());
        let sq = std::fs::read(dir.path().join("sqlite/rpmdb.sqlite")).expect("db");
        let blobs = blobs_of(&sq);
        // Berkeley DB itself (db5.3_load) writes the hash database that rpm
        // < 4.16 kept, with rpm's header blobs as values; small pages make
        // overflow chains, large ones inline items. rpm's bdb_ro must agree.
        let mut dump = String::from("VERSION=3\nformat=bytevalue\ntype=hash\n@PS@HEADER=END\n");
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        dump.push_str(&format!(
            " {}\n {}\n",
            hex(&0u32.to_ne_bytes()),
            hex(&[9, 0, 0, 0])
        ));
        for (n, b) in &blobs {
            dump.push_str(&format!(" {}\n {}\n", hex(&n.to_ne_bytes()), hex(b)));
        }
        dump.push_str("DATA=END\n");
        for ps in [512, 4096, 65536] {
            let db = dir.path().join(format!("bdb{ps}"));
            std::fs::create_dir_all(&db).expect("mkdir");
            let d = db.join("dump.txt");
            std::fs::write(&d, dump.replace("@PS@", &format!("db_pagesize={ps}\n"))).expect("dump");
            run(Command::new("db5.3_load")
                .arg("-f")
                .arg(&d)
                .arg(db.join("Packages")));
            assert_eq!(rpm_qa(&db, "bdb_ro"), qa, "rpm bdb_ro, page size {ps}");
            let f = std::fs::read(db.join("Packages")).expect("Packages");
            assert_eq!(
                qa_lines(&read("bdb", &f).expect("bdb")),
                qa,
                "page size {ps}"
            );
        }
        // The hand-written files of the unit tests, in both byte orders, are
        // real Berkeley DB files as far as rpm's bdb_ro is concerned.
        let mut pairs = vec![(key(0), 9u32.to_le_bytes().to_vec())];
        pairs.extend(
            blobs
                .iter()
                .map(|(n, b)| (n.to_ne_bytes().to_vec(), b.clone())),
        );
        for be in [false, true] {
            let db = dir.path().join(format!("hand{be}"));
            std::fs::create_dir_all(&db).expect("mkdir");
            let f = bdb_file(&pairs, 1024, be);
            std::fs::write(db.join("Packages"), &f).expect("write");
            assert_eq!(
                rpm_qa(&db, "bdb_ro"),
                qa,
                "rpm on the hand-written file, big-endian {be}"
            );
            assert_eq!(qa_lines(&read("bdb", &f).expect("bdb")), qa);
        }
    }
}
