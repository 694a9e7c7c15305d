//! The vulnerability database: one local file, built by `bulkhead db import`
//! and only read by scans.
//!
//! Storage is [redb](https://docs.rs/redb): an embedded, pure-Rust B-tree
//! store in one file, with ACID commits (an interrupted import never leaves
//! a half-written database behind: the file is written under a temporary
//! name and renamed) and a read-only open that takes a shared lock, so any
//! number of scans can read one database at once. Opening reads the header
//! and the root pages only, so it costs milliseconds whatever the size; a
//! scan then looks up exactly the packages it has. The alternatives were a
//! single serialized blob (opening would decode everything: hundreds of
//! milliseconds) and SQLite (a C library and a build step for a key-value
//! job).
//!
//! Tables: `meta` (schema version, build time, sources and counts as JSON),
//! `vulns` (id → [`Vuln`] as JSON), `packages` (ecosystem NUL name →
//! `[Affected]` as JSON). The schema version is checked on open; a database
//! of another version is refused with a message to re-import.

use crate::import::{Import, SourceCount};
use crate::record::{Affected, Vuln};
use redb::{ReadableDatabase, ReadableTableMetadata, TableDefinition};
use std::path::{Path, PathBuf};

pub const SCHEMA_VERSION: u32 = 1;

const META: TableDefinition<&str, &str> = TableDefinition::new("meta");
const VULNS: TableDefinition<&str, &[u8]> = TableDefinition::new("vulns");
const PACKAGES: TableDefinition<&str, &[u8]> = TableDefinition::new("packages");

/// What `db info` prints.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Info {
    pub schema: u32,
    pub built: String,
    pub sources: Vec<SourceCount>,
    pub vulnerabilities: u64,
    pub packages: u64,
    pub unsupported: std::collections::BTreeMap<String, usize>,
    pub skipped_records: usize,
}

/// The default database path: `$BULKHEAD_DB`, else
/// `$XDG_CACHE_HOME/bulkhead/vuln.db`, else `~/.cache/bulkhead/vuln.db`.
pub fn default_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("BULKHEAD_DB") {
        return Some(PathBuf::from(p));
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(cache.join("bulkhead").join("vuln.db"))
}

fn err(path: &Path, e: impl std::fmt::Display) -> String {
    format!("{}: {e}", path.display())
}

/// Where a database for `given` is written: the path itself, or the file a
/// symlink points at (so the link survives). Anything that exists and is not a
/// regular file (a device such as `/dev/null`, a FIFO, a directory, a socket)
/// is refused: the rename would replace it.
pub fn write_target(given: &Path) -> Result<PathBuf, String> {
    let meta = match std::fs::symlink_metadata(given) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(given.to_path_buf()),
        Err(e) => return Err(err(given, e)),
    };
    let (path, meta) = if meta.file_type().is_symlink() {
        match std::fs::canonicalize(given) {
            Ok(t) => {
                let m = std::fs::metadata(&t).map_err(|e| err(&t, e))?;
                (t, m)
            }
            // A dangling link: refuse rather than guess where it should point.
            Err(e) => {
                return Err(format!(
                    "{}: symlink to a missing file ({e}); refusing to replace it",
                    given.display()
                ));
            }
        }
    } else {
        (given.to_path_buf(), meta)
    };
    if !meta.file_type().is_file() {
        let kind = file_kind(&meta.file_type());
        return Err(format!(
            "{}: is {kind}, not a database file; refusing to replace it",
            path.display()
        ));
    }
    Ok(path)
}

/// ", the existing one is unchanged" when a database is already at `path`
/// (for the messages of refused writes), else nothing.
pub fn unchanged_note(path: &Path) -> &'static str {
    if path.exists() {
        ", the existing one is unchanged"
    } else {
        ""
    }
}

fn file_kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_dir() {
        "a directory"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Writes an import to `path` (atomically: a temporary file renamed over it).
///
/// An import with no vulnerability at all is refused (the old database, if
/// any, stays): an empty database would make every later scan report
/// "no vulnerabilities". `path` must be absent, a regular file, or a symlink
/// to one (the target is replaced, the link kept); see [`write_target`].
pub fn write(path: &Path, im: &Import) -> Result<Info, String> {
    if im.vulns.is_empty() {
        return Err(format!(
            "{}: no advisory was read from the sources; database not written{}",
            path.display(),
            unchanged_note(path)
        ));
    }
    let target = write_target(path)?;
    let path = target.as_path();
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| err(dir, e))?;
    // A temporary file of this run's own (two imports to one database
    // never share it), beside the target so the rename is atomic; removed
    // if anything below fails.
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "db".into());
    let partial = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .tempfile_in(dir)
        .map_err(|e| err(dir, e))?;
    let tmp = partial.path().to_path_buf();
    let info = Info {
        schema: SCHEMA_VERSION,
        built: jiff::Timestamp::now().to_string(),
        sources: im.sources.clone(),
        vulnerabilities: im.vulns.len() as u64,
        packages: im.packages.len() as u64,
        unsupported: im.unsupported.clone(),
        skipped_records: im.errors.len(),
    };
    {
        let db = redb::Database::create(&tmp).map_err(|e| err(&tmp, e))?;
        let tx = db.begin_write().map_err(|e| err(&tmp, e))?;
        {
            let mut meta = tx.open_table(META).map_err(|e| err(&tmp, e))?;
            let info_json = serde_json::to_string(&info).map_err(|e| err(&tmp, e))?;
            meta.insert("info", info_json.as_str())
                .map_err(|e| err(&tmp, e))?;
            let mut vulns = tx.open_table(VULNS).map_err(|e| err(&tmp, e))?;
            for (id, v) in &im.vulns {
                let b = serde_json::to_vec(v).map_err(|e| err(&tmp, e))?;
                vulns
                    .insert(id.as_str(), b.as_slice())
                    .map_err(|e| err(&tmp, e))?;
            }
            let mut pk = tx.open_table(PACKAGES).map_err(|e| err(&tmp, e))?;
            for (k, list) in &im.packages {
                let b = serde_json::to_vec(list).map_err(|e| err(&tmp, e))?;
                pk.insert(k.as_str(), b.as_slice())
                    .map_err(|e| err(&tmp, e))?;
            }
        }
        tx.commit().map_err(|e| err(&tmp, e))?;
    }
    partial.persist(path).map_err(|e| err(path, e.error))?;
    Ok(info)
}

/// An open database (read-only).
pub struct Db {
    db: redb::ReadOnlyDatabase,
    path: PathBuf,
}

thread_local! {
    /// Set while a redb call runs under [`guarded`]: its panics are answers.
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` (a redb call) so that a panic inside it — redb asserts on
/// truncated or corrupted files rather than returning an error — becomes an
/// error naming the file, printed once by the caller, not a crash. The
/// process's panic hook is wrapped once so these panics print nothing;
/// every other panic prints as before.
fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let was = GUARDED.with(|g| g.replace(true));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    r.unwrap_or_else(|_| {
        Err(format!(
            "{}: the database file is damaged (truncated or corrupted); rebuild it with `bulkhead db import` or fetch it again",
            path.display()
        ))
    })
}

impl Db {
    pub fn open(path: &Path) -> Result<Db, String> {
        guarded(path, || Db::open_unguarded(path))
    }

    fn open_unguarded(path: &Path) -> Result<Db, String> {
        if !path.is_file() {
            return Err(format!(
                "{}: no vulnerability database (build one with `bulkhead db import SOURCE...`)",
                path.display()
            ));
        }
        let db = redb::ReadOnlyDatabase::open(path)
            .map_err(|e| format!("{}: not a bulkhead database: {e}", path.display()))?;
        let d = Db {
            db,
            path: path.to_path_buf(),
        };
        let info = d.info()?;
        if info.schema != SCHEMA_VERSION {
            return Err(format!(
                "{}: database schema {} but this bulkhead reads schema {SCHEMA_VERSION}; run `bulkhead db import` again",
                path.display(),
                info.schema
            ));
        }
        Ok(d)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn info(&self) -> Result<Info, String> {
        guarded(&self.path, || self.info_unguarded())
    }

    fn info_unguarded(&self) -> Result<Info, String> {
        let e = |x: &dyn std::fmt::Display| format!("{}: {x}", self.path.display());
        let tx = self.db.begin_read().map_err(|x| e(&x))?;
        let t = tx.open_table(META).map_err(|x| e(&x))?;
        let v = t
            .get("info")
            .map_err(|x| e(&x))?
            .ok_or_else(|| e(&"database without metadata"))?;
        let mut info: Info = serde_json::from_str(v.value()).map_err(|x| e(&x))?;
        // Counts straight from the tables, in case they ever disagree.
        info.vulnerabilities = tx
            .open_table(VULNS)
            .and_then(|t| Ok(t.len()?))
            .map_err(|x| e(&x))?;
        Ok(info)
    }
}

/// Where advisories are looked up: the database, or records loaded in memory.
pub trait Lookup: Sync {
    fn affected(&self, key: &str) -> Result<Vec<Affected>, String>;
    fn vuln(&self, id: &str) -> Result<Option<Vuln>, String>;
}

impl Lookup for Db {
    fn affected(&self, key: &str) -> Result<Vec<Affected>, String> {
        guarded(&self.path, || self.affected_unguarded(key))
    }

    fn vuln(&self, id: &str) -> Result<Option<Vuln>, String> {
        guarded(&self.path, || self.vuln_unguarded(id))
    }
}

impl Db {
    fn affected_unguarded(&self, key: &str) -> Result<Vec<Affected>, String> {
        let e = |x: &dyn std::fmt::Display| format!("{}: {x}", self.path.display());
        let tx = self.db.begin_read().map_err(|x| e(&x))?;
        let t = tx.open_table(PACKAGES).map_err(|x| e(&x))?;
        match t.get(key).map_err(|x| e(&x))? {
            Some(v) => serde_json::from_slice(v.value()).map_err(|x| e(&x)),
            None => Ok(Vec::new()),
        }
    }

    fn vuln_unguarded(&self, id: &str) -> Result<Option<Vuln>, String> {
        let e = |x: &dyn std::fmt::Display| format!("{}: {x}", self.path.display());
        let tx = self.db.begin_read().map_err(|x| e(&x))?;
        let t = tx.open_table(VULNS).map_err(|x| e(&x))?;
        match t.get(id).map_err(|x| e(&x))? {
            Some(v) => serde_json::from_slice(v.value())
                .map(Some)
                .map_err(|x| e(&x)),
            None => Ok(None),
        }
    }
}

impl Lookup for Import {
    fn affected(&self, key: &str) -> Result<Vec<Affected>, String> {
        Ok(self.packages.get(key).cloned().unwrap_or_default())
    }

    fn vuln(&self, id: &str) -> Result<Option<Vuln>, String> {
        Ok(self.vulns.get(id).cloned())
    }
}
