//! Go binaries: the build information the Go linker embeds (Go 1.18+),
//! found while the file streams by, without the ELF section table (which
//! sits at the end of the file, after the data we need).
//!
//! The blob starts with the 14-byte magic `\xff Go buildinf:`, then the
//! pointer size (4 or 8) and a flags byte whose bit 1 says the strings are
//! inline: at offset 32, a uvarint-length-prefixed Go version (`go1.22.5`)
//! and a uvarint-length-prefixed module info text framed by 16-byte
//! sentinels. The same 14 bytes also occur in binaries that *read* build
//! info (their copy of the constant), so a hit only counts when the header
//! and the version string check out. Pre-1.18 binaries (pointers into the
//! data segment instead of inline strings) are not read.
//!
//! Module info lines: `path` (main package), `mod` (main module), `dep`
//! (dependency path, version, checksum), `=>` (replacement of the previous
//! `dep`), `build` (settings).

use bulkhead_core::{Ecosystem, Package};
use std::io::{self, Read};

pub const MAGIC: &[u8] = b"\xff Go buildinf:";
/// Bytes kept after a magic hit: the header plus the largest module info we accept.
const MAX_INFO: usize = 4 << 20;
const CHUNK: usize = 1 << 20;

fn uvarint(b: &[u8]) -> Option<(usize, usize)> {
    let mut x: u64 = 0;
    for (i, &c) in b.iter().enumerate().take(10) {
        x |= u64::from(c & 0x7f) << (7 * i);
        if c & 0x80 == 0 {
            return Some((usize::try_from(x).ok()?, i + 1));
        }
    }
    None
}

/// Reads the inline build info at the start of `b` (which begins with the
/// magic): the Go version and the module info text, and how many bytes they took.
pub fn parse_header(b: &[u8]) -> Option<(String, String, usize)> {
    if !b.starts_with(MAGIC) || b.len() < 33 {
        return None;
    }
    let (ptr, flags) = (b[14], b[15]);
    if !matches!(ptr, 4 | 8) || flags & 2 == 0 {
        return None;
    }
    let mut at = 32;
    let (n, k) = uvarint(&b[at..])?;
    at += k;
    let version = std::str::from_utf8(b.get(at..at.checked_add(n)?)?).ok()?;
    if !(version.starts_with("go1") || version.starts_with("devel")) {
        return None;
    }
    at += n;
    let (m, k) = uvarint(b.get(at..)?)?;
    at += k;
    let raw = b.get(at..at.checked_add(m)?)?;
    at += m;
    // Strip the 16-byte sentinels around the text when present.
    let text = if raw.len() >= 33 && raw[raw.len() - 17] == b'\n' {
        &raw[16..raw.len() - 16]
    } else {
        raw
    };
    Some((
        version.to_string(),
        String::from_utf8_lossy(text).into_owned(),
        at,
    ))
}

/// Build-info magics tried in one file before it is given up on.
const MAX_CANDIDATES: u32 = 4096;

/// Streams the rest of an ELF file (`head` already read) looking for the
/// build info; returns the bytes from the magic through the module info.
pub fn sniff(head: &[u8], r: &mut dyn Read) -> io::Result<Option<Vec<u8>>> {
    let finder = memchr::memmem::Finder::new(MAGIC);
    let mut win: Vec<u8> = head.to_vec();
    let mut from = 0;
    let mut eof = false;
    // A real binary has one build-info magic; a file of repeated magics
    // (hostile-input issue, item 6: 1 GiB of them took 1.6 GB and 13 s) is
    // given up on after this many candidates, and the window never keeps
    // more than a candidate's worth behind the search position.
    let mut candidates = 0u32;
    loop {
        while let Some(i) = finder.find(&win[from..]).map(|i| i + from) {
            candidates += 1;
            if candidates > MAX_CANDIDATES {
                return Ok(None);
            }
            // Need the whole candidate in the window before judging it.
            while win.len() < i + MAX_INFO && !eof {
                let want = (i + MAX_INFO - win.len()).min(CHUNK);
                eof = fill(&mut win, r, want)?;
            }
            if let Some((_, _, used)) = parse_header(&win[i..]) {
                return Ok(Some(win[i..i + used].to_vec()));
            }
            from = i + 1;
            if from > MAX_INFO {
                win.drain(..from);
                from = 0;
            }
        }
        if eof {
            return Ok(None);
        }
        // Keep only a tail that could hold the start of a magic.
        let keep = win.len().saturating_sub(MAGIC.len() - 1);
        win.drain(..keep);
        from = 0;
        eof = fill(&mut win, r, CHUNK)?;
    }
}

/// Appends up to `n` bytes; true at end of input.
fn fill(win: &mut Vec<u8>, r: &mut dyn Read, n: usize) -> io::Result<bool> {
    let start = win.len();
    win.resize(start + n, 0);
    let mut got = 0;
    while got < n {
        match r.read(&mut win[start + got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    win.truncate(start + got);
    Ok(got < n)
}

/// The packages of one Go binary: the standard library at the binary's Go
/// version, the main module (unless it is a `(devel)` build) and every
/// dependency (replacements applied).
pub fn packages(path: &str, blob: &[u8]) -> Vec<Package> {
    let Some((go, info, _)) = parse_header(blob) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let pkg = |name: &str, version: &str| {
        let purl_name = name
            .split('/')
            .map(crate::catalog::purl_enc)
            .collect::<Vec<_>>()
            .join("/");
        crate::catalog::language_package(Ecosystem::Go, name, version, &purl_name, path)
    };
    // go1.22.5 → v1.22.5; "go1.22.5 X:boringcrypto" keeps the version only.
    let gov = go.split_whitespace().next().unwrap_or(&go);
    if let Some(v) = gov.strip_prefix("go") {
        out.push(pkg("stdlib", &format!("v{v}")));
    }
    for line in info.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            ["mod", name, version, ..] if *version != "(devel)" && !version.is_empty() => {
                out.push(pkg(name, version));
            }
            ["dep", name, version, ..] => out.push(pkg(name, version)),
            ["=>", name, version, ..] => {
                // Replaces the dependency just listed; a local path has no version.
                if let Some(last) = out.last_mut()
                    && !version.is_empty()
                {
                    *last = pkg(name, version);
                } else {
                    out.pop();
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_magics_keep_the_window_small_and_end() {
        // 64 MiB of back-to-back magics, streamed: bounded work, no result.
        struct Magics(u64);
        impl Read for Magics {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Ok(0);
                }
                let n = buf.len().min(self.0 as usize);
                for (k, b) in buf[..n].iter_mut().enumerate() {
                    *b = MAGIC[k % MAGIC.len()];
                }
                self.0 -= n as u64;
                Ok(n)
            }
        }
        let mut r = Magics((64 << 20) / MAGIC.len() as u64 * MAGIC.len() as u64);
        let t = std::time::Instant::now();
        assert_eq!(sniff(b"\x7fELF", &mut r).ok().flatten(), None);
        assert!(
            t.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            t.elapsed()
        );
    }

    fn blob(version: &str, info: &str) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend([8u8, 2]);
        b.resize(32, 0);
        b.push(version.len() as u8);
        b.extend(version.as_bytes());
        let framed = format!("{}{info}{}", "0".repeat(16), "1".repeat(16));
        // uvarint of the length
        let mut n = framed.len();
        while n >= 0x80 {
            b.push((n as u8) | 0x80);
            n >>= 7;
        }
        b.push(n as u8);
        b.extend(framed.as_bytes());
        b
    }

    #[test]
    fn build_info_in_a_stream() {
        let info = "path\texample.com/cmd/app\nmod\texample.com/app\tv1.2.3\th1:x=\ndep\tgolang.org/x/net\tv0.17.0\th1:y=\ndep\tgithub.com/a/b\tv1.0.0\th1:z=\n=>\tgithub.com/fork/b\tv1.0.1\th1:w=\ndep\tgithub.com/c/d\tv0.1.0\n=>\t../local\t\nbuild\t-compiler=gc\n";
        // A decoy copy of the magic (as in a binary that reads build info) first.
        let mut file = b"\x7fELF".to_vec();
        file.extend(vec![0u8; 3 << 20]);
        file.extend(MAGIC);
        file.extend(b"\x00\x00\x02\x01decoy");
        file.extend(vec![7u8; 100]);
        file.extend(blob("go1.21.3", info));
        file.extend(vec![0u8; 1000]);
        let mut r = &file[4..];
        let got = sniff(&file[..4], &mut r).expect("io").expect("found");
        let p = packages("usr/bin/app", &got);
        let names: Vec<String> = p
            .iter()
            .map(|p| format!("{} {}", p.name, p.version))
            .collect();
        assert_eq!(
            names,
            [
                "stdlib v1.21.3",
                "example.com/app v1.2.3",
                "golang.org/x/net v0.17.0",
                "github.com/fork/b v1.0.1"
            ]
        );
        assert_eq!(p[2].purl, "pkg:golang/golang.org/x/net@v0.17.0");
        assert_eq!(p[0].path, "/usr/bin/app");
    }

    #[test]
    fn not_go_or_truncated() {
        let mut r: &[u8] = &[0u8; 5000];
        assert!(sniff(b"\x7fELF", &mut r).expect("io").is_none());
        let b = blob("go1.21.3", "mod\tx\tv1\n");
        let mut r = &b[..40];
        assert!(sniff(b"", &mut r).expect("io").is_none());
        assert!(parse_header(&b[..20]).is_none());
    }
}
