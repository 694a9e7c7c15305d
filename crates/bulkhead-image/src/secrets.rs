//! Secret detection in layer files and in the image config. Line based and
//! hand-written (no regex engine) because every detector is a fixed prefix,
//! a PEM header or a `NAME=value` assignment; the name and shape heuristics
//! are shared with the Dockerfile and Kubernetes rules (`core::secrets`).
//!
//! Public material is allowed: documentation, man pages, headers, test
//! directories of language packages, placeholders, and names that are public
//! by convention (`GPG_KEY` fingerprints, checksums).

use bulkhead_core::secrets::{looks_like_key, placeholder, secret_name};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretHit {
    pub path: String,
    pub line: u32,
    /// What it looks like: "a private key", "an AWS access key id", ...
    pub what: String,
    /// The matched text with the secret part masked.
    pub masked: String,
}

/// Directories whose files are public material or test fixtures.
const ALLOWED_DIRS: &[&str] = &[
    "usr/share/doc/",
    "usr/share/man/",
    "usr/share/info/",
    "usr/share/locale/",
    "usr/include/",
    "usr/share/common-licenses/",
    "usr/share/lintian/",
];

/// A language runtime's own standard library (`usr/lib/python3.11/`, not its
/// `dist-packages`/`site-packages`): public code whose docstrings and
/// examples hold sample passwords.
fn runtime_stdlib(path: &str) -> bool {
    let Some(rest) = path
        .strip_prefix("usr/lib/python")
        .or_else(|| path.strip_prefix("usr/local/lib/python"))
    else {
        return path.starts_with("usr/share/perl/")
            || path.starts_with("usr/lib/go-")
            || path.starts_with("usr/local/go/src/");
    };
    !rest.contains("/dist-packages/") && !rest.contains("/site-packages/")
}

fn allowed_path(path: &str) -> bool {
    ALLOWED_DIRS.iter().any(|d| path.starts_with(d))
        || runtime_stdlib(path)
        || path.split('/').any(|c| {
            matches!(
                c,
                "test" | "tests" | "testdata" | "__tests__" | "fixtures" | "examples"
            )
        })
        || path.ends_with(".md")
        || path.ends_with(".rst")
}

/// A NUL in the first 8 KiB: binary.
pub fn is_binary(buf: &[u8]) -> bool {
    buf[..buf.len().min(8192)].contains(&0)
}

/// Files whose name says they hold credentials.
pub fn sensitive_name(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    matches!(
        base,
        ".env"
            | ".npmrc"
            | ".pypirc"
            | ".netrc"
            | ".git-credentials"
            | "credentials"
            | "id_rsa"
            | "id_ecdsa"
            | "id_ed25519"
    ) || path.ends_with(".docker/config.json")
}

fn mask(s: &str) -> String {
    let keep: String = s.chars().take(4).collect();
    format!(
        "{keep}{}",
        "*".repeat(s.chars().count().saturating_sub(4).min(16))
    )
}

/// Shannon entropy in bits per character.
fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Checks one line; returns what it found.
pub fn scan_line(line: &str) -> Option<(String, String)> {
    scan_line_in(line, false)
}

/// Source code by file name: there an assignment is a secret only when its
/// value is a string literal (`token = random.randrange(n)` is code).
pub fn is_source_code(path: &str) -> bool {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(
        ext,
        "py" | "js"
            | "mjs"
            | "cjs"
            | "ts"
            | "go"
            | "rb"
            | "java"
            | "php"
            | "pl"
            | "pm"
            | "rs"
            | "c"
            | "h"
            | "cc"
            | "cpp"
            | "cs"
            | "kt"
            | "scala"
            | "lua"
            | "tcl"
    )
}

/// [`scan_line`], knowing whether the line comes from source code.
pub fn scan_line_in(line: &str, code: bool) -> Option<(String, String)> {
    let t = line.trim();
    if t.len() < 8 {
        return None;
    }
    if t.starts_with("-----BEGIN") && t.contains("PRIVATE KEY-----") {
        return Some(("a private key".into(), t.to_string()));
    }
    // Tokens with a well-known shape anywhere on the line: one byte pass,
    // `looks_like_key` only for tokens long enough to be a key.
    let b = t.as_bytes();
    let (mut start, mut gcp, mut azure) = (0, false, false);
    for i in 0..=b.len() {
        let tok = i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-');
        if tok {
            continue;
        }
        // Only ASCII token bytes lie between `start` and `i`: valid UTF-8.
        let w = std::str::from_utf8(&b[start.min(i)..i]).unwrap_or("");
        if w.len() >= 20 {
            if let Some(what) = looks_like_key(w) {
                return Some((what.to_string(), mask(w)));
            }
        } else if w == "private_key" {
            gcp = true;
        } else if w == "AccountKey" {
            azure = true;
        }
        start = i + 1;
    }
    // `"private_key": "-----BEGIN ...`: a GCP service-account key file.
    if gcp && t.contains("\"private_key\"") && t.contains("BEGIN") {
        return Some((
            "a GCP service-account key".into(),
            "\"private_key\": ...".into(),
        ));
    }
    // Azure storage connection strings.
    if azure && let Some(i) = t.find("AccountKey=") {
        let v: String = t[i + 11..]
            .chars()
            .take_while(|c| *c != ';' && *c != '"')
            .collect();
        if v.len() >= 40 {
            return Some((
                "an Azure storage account key".into(),
                format!("AccountKey={}", mask(&v)),
            ));
        }
    }
    // NAME=value, NAME: value, "name": "value", _auth = value (.npmrc), password = (.pypirc).
    if !b.iter().any(|&c| c == b'=' || c == b':') {
        return None;
    }
    let (name, value) = split_assignment(t)?;
    if code && !value.trim_start().starts_with(['"', '\'', '`']) {
        return None;
    }
    let value = value
        .trim()
        .trim_matches(|c| c == '"' || c == '\'' || c == ',');
    if value.len() < 8 || value.contains(' ') || placeholder(value) {
        return None;
    }
    let lname = name.to_ascii_lowercase();
    let named = secret_name(name)
        || matches!(lname.as_str(), "_auth" | "_authtoken" | "password" | "auth")
        || lname.ends_with(":_authtoken");
    if named && (entropy(value) >= 3.0 || lname.contains("password") || lname.contains("auth")) {
        return Some((
            format!("a credential assigned to {name}"),
            format!("{name}={}", mask(value)),
        ));
    }
    None
}

fn split_assignment(t: &str) -> Option<(&str, &str)> {
    let i = t.find(['=', ':'])?;
    let name = t[..i]
        .trim()
        .trim_matches('"')
        .trim_start_matches("export ")
        .trim();
    if name.is_empty()
        || name.len() > 64
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/' | b':'))
    {
        return None;
    }
    Some((name, &t[i + 1..]))
}

/// Scans one text file.
pub fn scan_file(path: &str, buf: &[u8], out: &mut Vec<SecretHit>) {
    if allowed_path(path) {
        return;
    }
    let text = String::from_utf8_lossy(buf);
    let code = is_source_code(path);
    let mut in_key = false;
    for (i, line) in text.lines().enumerate() {
        // One finding per PEM block, at its header.
        if in_key {
            if line.contains("-----END") {
                in_key = false;
            }
            continue;
        }
        if let Some((what, masked)) = scan_line_in(line, code) {
            if what == "a private key" {
                in_key = true;
            }
            out.push(SecretHit {
                path: path.to_string(),
                line: u32::try_from(i + 1).unwrap_or(u32::MAX),
                what,
                masked,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detectors_and_allow_list() {
        let mut hits = Vec::new();
        let file = "AWS_ACCESS_KEY_ID=AKIAZ3MSJV4WWNKWW5FG\nDB_PASSWORD=s3cr3t-Pa55w0rd\nGPG_KEY=B42F6819007F00F88E364FD4036A9C25BF357DD4\nVERSION=1.2.3\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n//registry.example/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123\n";
        scan_file("app/.env", file.as_bytes(), &mut hits);
        let whats: Vec<&str> = hits.iter().map(|h| h.what.as_str()).collect();
        assert_eq!(hits.len(), 4, "{hits:#?}");
        assert!(whats.contains(&"an AWS access key id"));
        assert!(whats.contains(&"a private key"));
        assert!(whats.contains(&"an npm token"));
        assert!(hits.iter().all(|h| !h.masked.contains("s3cr3t-Pa55w0rd")));
        let mut none = Vec::new();
        scan_file("usr/share/doc/x/README", file.as_bytes(), &mut none);
        scan_file(
            "usr/lib/python3/dist-packages/x/tests/keys.py",
            file.as_bytes(),
            &mut none,
        );
        scan_file(
            "etc/app.conf",
            b"password = changeme\ntoken: ${TOKEN}\n",
            &mut none,
        );
        assert!(none.is_empty(), "{none:#?}");
        // Multi-byte characters next to tokens never split a character.
        assert!(scan_line("héllo wörld ünïcödé=ÄÖÜäöüßéèêëïîôûùç€").is_none());
        // In source code only string literals count; config values need no quotes.
        assert!(scan_line_in("        token = random.randrange(sys.maxsize)", true).is_none());
        assert!(scan_line_in("    self.credentials = credentials", true).is_none());
        assert!(scan_line_in("API_TOKEN = \"q8Zr3kP0vXw7LmN2bYt5\"", true).is_some());
        assert!(scan_line_in("API_TOKEN=q8Zr3kP0vXw7LmN2bYt5", false).is_some());
        assert!(runtime_stdlib("usr/lib/python3.11/urllib/request.py"));
        assert!(!runtime_stdlib(
            "usr/lib/python3/dist-packages/app/settings.py"
        ));
        assert!(!runtime_stdlib(
            "usr/local/lib/python3.12/site-packages/app/config.py"
        ));
    }
}
