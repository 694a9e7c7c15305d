//! `db update --mirror URL`: fetches `<mirror>/<Ecosystem>/all.zip` files
//! (the layout of OSV's public bucket, and of any mirror of it) into a local
//! download directory, then the caller imports them.
//!
//! What a flaky network needs, and what this does:
//! - **Resume**: a download writes `all.zip.part`; a later run asks for the
//!   rest with `Range: bytes=N-` and `If-Range: <ETag>` so a file that changed
//!   meanwhile is sent whole (200) instead of being spliced (206).
//! - **No needless downloads**: the ETag (or Last-Modified) of the finished
//!   file is kept beside it and sent as `If-None-Match` / `If-Modified-Since`;
//!   a 304 keeps the local copy.
//! - **Checksums**: when the mirror publishes `all.zip.sha256` (hex digest,
//!   `sha256sum` format accepted), the download must match it; the length must
//!   match `Content-Length`/`Content-Range`; and the zip is opened and every
//!   member read back, which checks each member's CRC-32, before it replaces
//!   the previous copy. A failed check removes the partial file and fails the
//!   ecosystem with a message naming the URL.
//! - **Progress**: the caller gets `(done, total)` byte counts to draw a bar.
//!
//! HTTP is `ureq` (blocking, rustls): one file at a time is what a mirror
//! expects, and the import that follows is the part worth parallelising.

use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The ecosystems fetched when none is named: those bulkhead can match.
pub const DEFAULT_ECOSYSTEMS: &[&str] = &[
    "Go",
    "PyPI",
    "crates.io",
    "npm",
    "Maven",
    "RubyGems",
    "Debian",
    "Alpine",
];

/// How one ecosystem's download went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A new file was downloaded (bytes; resumed from this offset when > 0).
    Downloaded { bytes: u64, resumed_from: u64 },
    /// The mirror has no archive for this ecosystem (404); nothing was written.
    NotOnMirror,
    /// The mirror said the local copy is current (304).
    NotModified,
}

/// One ecosystem's result.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub ecosystem: String,
    pub url: String,
    /// The local `all.zip` (present whenever something was fetched or kept).
    pub path: PathBuf,
    pub outcome: Outcome,
    /// Whether a published `.sha256` was checked.
    pub sha256_checked: bool,
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(15))
        .timeout_read(Duration::from_secs(60))
        .build()
}

/// The URL of an ecosystem's archive under a mirror (path segments encoded).
pub fn archive_url(mirror: &str, ecosystem: &str) -> String {
    let mut seg = String::new();
    for b in ecosystem.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            seg.push(b as char);
        } else {
            seg.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{}/{seg}/all.zip", mirror.trim_end_matches('/'))
}

/// Where an ecosystem's archive is kept under the download directory.
pub fn archive_path(dir: &Path, ecosystem: &str) -> PathBuf {
    dir.join(ecosystem).join("all.zip")
}

fn sidecar(path: &Path, ext: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(ext);
    PathBuf::from(s)
}

/// Fetches one ecosystem's `all.zip` into `dir/<ecosystem>/all.zip`.
pub fn fetch(
    mirror: &str,
    ecosystem: &str,
    dir: &Path,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<Fetched, String> {
    let url = archive_url(mirror, ecosystem);
    let fail = |e: &dyn std::fmt::Display| format!("{url}: {e}");
    let dest = archive_path(dir, ecosystem);
    if let Some(edir) = dest.parent() {
        fs::create_dir_all(edir).map_err(|e| format!("{}: {e}", edir.display()))?;
    }
    let part = sidecar(&dest, ".part");
    let tag_file = sidecar(&dest, ".etag");
    let part_tag_file = sidecar(&part, ".etag");
    let agent = agent();

    let expected_sha = published_sha256(&agent, &url)?;
    let offset = fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    let part_tag = fs::read_to_string(&part_tag_file).ok();
    let mut req = agent.get(&url);
    if offset > 0
        && let Some(t) = part_tag.as_deref()
    {
        req = req
            .set("Range", &format!("bytes={offset}-"))
            .set("If-Range", t.trim());
    } else if dest.exists()
        && let Ok(t) = fs::read_to_string(&tag_file)
    {
        let t = t.trim();
        req = if t.starts_with('"') || t.starts_with("W/") {
            req.set("If-None-Match", t)
        } else {
            req.set("If-Modified-Since", t)
        };
    }
    let resp = match req.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(404, _)) => {
            return Ok(Fetched {
                ecosystem: ecosystem.to_string(),
                url,
                path: dest,
                outcome: Outcome::NotOnMirror,
                sha256_checked: false,
            });
        }
        Err(ureq::Error::Status(416, _)) => {
            // The part is not a prefix of what the server holds now: start over.
            let _ = fs::remove_file(&part);
            return fetch(mirror, ecosystem, dir, progress);
        }
        Err(ureq::Error::Status(code, r)) => {
            return Err(fail(&format!("HTTP {code} {}", r.status_text())));
        }
        // ureq's transport errors already name the URL.
        Err(e) => return Err(e.to_string()),
    };
    if resp.status() == 304 {
        return Ok(Fetched {
            ecosystem: ecosystem.to_string(),
            url,
            path: dest,
            outcome: Outcome::NotModified,
            sha256_checked: false,
        });
    }
    let validator = resp
        .header("ETag")
        .or_else(|| resp.header("Last-Modified"))
        .map(str::to_string);
    let (mut file, start, total) = match resp.status() {
        206 => {
            let total = resp
                .header("Content-Range")
                .and_then(|c| c.rsplit('/').next())
                .and_then(|n| n.parse::<u64>().ok());
            let f = OpenOptions::new()
                .append(true)
                .open(&part)
                .map_err(|e| format!("{}: {e}", part.display()))?;
            (f, offset, total)
        }
        200 => {
            let total = resp
                .header("Content-Length")
                .and_then(|n| n.parse::<u64>().ok());
            let f = File::create(&part).map_err(|e| format!("{}: {e}", part.display()))?;
            (f, 0, total)
        }
        s => return Err(fail(&format!("unexpected HTTP status {s}"))),
    };
    match &validator {
        Some(v) => fs::write(&part_tag_file, v).map_err(|e| format!("{}: {e}", part.display()))?,
        None => {
            let _ = fs::remove_file(&part_tag_file);
        }
    }
    let mut body = resp.into_reader();
    let mut done = start;
    let mut buf = vec![0u8; 256 << 10];
    progress(done, total);
    loop {
        let n = body.read(&mut buf).map_err(|e| {
            fail(&format!(
                "download interrupted after {done} bytes ({e}); run again to resume"
            ))
        })?;
        if n == 0 {
            break;
        }
        file.write_all(&buf[..n])
            .map_err(|e| format!("{}: {e}", part.display()))?;
        done += n as u64;
        progress(done, total);
    }
    file.sync_all()
        .map_err(|e| format!("{}: {e}", part.display()))?;
    drop(file);
    if let Some(t) = total
        && t != done
    {
        return Err(fail(&format!(
            "got {done} of {t} bytes; run again to resume"
        )));
    }
    let checked = verify(&part, expected_sha.as_deref()).inspect_err(|_| {
        let _ = fs::remove_file(&part);
        let _ = fs::remove_file(&part_tag_file);
    });
    let sha256_checked = checked.map_err(|e| fail(&e))?;
    fs::rename(&part, &dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    match validator {
        Some(v) => fs::write(&tag_file, v).map_err(|e| format!("{}: {e}", tag_file.display()))?,
        None => {
            let _ = fs::remove_file(&tag_file);
        }
    }
    let _ = fs::remove_file(&part_tag_file);
    Ok(Fetched {
        ecosystem: ecosystem.to_string(),
        url,
        path: dest,
        outcome: Outcome::Downloaded {
            bytes: done,
            resumed_from: start,
        },
        sha256_checked,
    })
}

/// The digest the mirror publishes beside the archive, if it publishes one.
fn published_sha256(agent: &ureq::Agent, url: &str) -> Result<Option<String>, String> {
    let sum_url = format!("{url}.sha256");
    match agent.get(&sum_url).call() {
        Ok(r) => {
            let mut text = String::new();
            r.into_reader()
                .take(4096)
                .read_to_string(&mut text)
                .map_err(|e| format!("{sum_url}: {e}"))?;
            let hex = text.split_whitespace().next().unwrap_or("");
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("{sum_url}: not a SHA-256 digest"));
            }
            Ok(Some(hex.to_ascii_lowercase()))
        }
        Err(ureq::Error::Status(404, _)) => Ok(None),
        Err(ureq::Error::Status(code, _)) => Err(format!("{sum_url}: HTTP {code}")),
        Err(e) => Err(e.to_string()),
    }
}

/// Checks the published digest (when given) and every zip member's CRC.
fn verify(path: &Path, sha: Option<&str>) -> Result<bool, String> {
    if let Some(want) = sha {
        let mut f = File::open(path).map_err(|e| e.to_string())?;
        let mut h = Sha256::new();
        std::io::copy(&mut f, &mut h).map_err(|e| e.to_string())?;
        let got: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        if got != want {
            return Err(format!(
                "SHA-256 mismatch: the mirror publishes {want}, the download is {got}"
            ));
        }
    }
    let f = File::open(path).map_err(|e| e.to_string())?;
    let mut z = zip::ZipArchive::new(std::io::BufReader::new(f))
        .map_err(|e| format!("not a readable zip: {e}"))?;
    for i in 0..z.len() {
        let mut m = z
            .by_index(i)
            .map_err(|e| format!("not a readable zip: {e}"))?;
        // Reading to the end makes the zip reader check the member's CRC-32.
        std::io::copy(&mut m, &mut std::io::sink())
            .map_err(|e| format!("corrupt zip member {}: {e}", m.name()))?;
    }
    Ok(sha.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_encode_the_ecosystem() {
        assert_eq!(
            archive_url("http://127.0.0.1:1/osv/", "crates.io"),
            "http://127.0.0.1:1/osv/crates.io/all.zip"
        );
        assert_eq!(
            archive_url("http://h", "Red Hat"),
            "http://h/Red%20Hat/all.zip"
        );
    }

    #[test]
    fn verify_rejects_a_bad_digest_and_a_corrupt_zip() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.zip");
        let mut w = zip::ZipWriter::new(File::create(&p).unwrap());
        w.start_file("x.json", zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(br#"{"id":"X"}"#).unwrap();
        w.finish().unwrap();
        assert_eq!(verify(&p, None), Ok(false));
        let bad = "0".repeat(64);
        assert!(
            verify(&p, Some(&bad))
                .unwrap_err()
                .contains("SHA-256 mismatch")
        );
        let mut bytes = fs::read(&p).unwrap();
        bytes.truncate(bytes.len() / 2);
        fs::write(&p, &bytes).unwrap();
        assert!(verify(&p, None).unwrap_err().contains("zip"));
    }
}
