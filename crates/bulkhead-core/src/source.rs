//! Reading inputs: files, directories (walked recursively, honouring
//! `.gitignore`), and `-` for standard input, with a size bound so a huge
//! file is an error that names it instead of an out-of-memory.

use crate::finding::InputError;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Default largest input file (override with `--max-file-size`).
pub const DEFAULT_MAX_BYTES: u64 = 20 * 1024 * 1024;

/// Display name of standard input.
pub const STDIN: &str = "<stdin>";

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InputPath {
    Stdin,
    File(PathBuf),
}

impl InputPath {
    pub fn display(&self) -> String {
        match self {
            InputPath::Stdin => STDIN.to_string(),
            InputPath::File(p) => p.display().to_string(),
        }
    }
}

/// Expands the command-line targets: `-` is stdin, a file is taken as is
/// (whatever its extension), a directory is walked for files `want` accepts.
/// Missing paths are input errors. The result is sorted and deduplicated.
pub fn collect(
    targets: &[String],
    want: &dyn Fn(&Path) -> bool,
) -> (Vec<InputPath>, Vec<InputError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for t in targets {
        if t == "-" {
            out.push(InputPath::Stdin);
            continue;
        }
        let p = Path::new(t);
        if p.is_dir() {
            let mut found = Vec::new();
            for entry in ignore::WalkBuilder::new(p)
                .hidden(true)
                .require_git(false)
                .build()
            {
                match entry {
                    Ok(e) => {
                        if e.file_type().is_some_and(|ft| ft.is_file()) && want(e.path()) {
                            found.push(InputPath::File(e.into_path()));
                        }
                    }
                    Err(e) => errors.push(InputError::new(
                        t.clone(),
                        None,
                        format!("cannot walk directory: {e}"),
                    )),
                }
            }
            found.sort();
            out.extend(found);
        } else if p.exists() {
            out.push(InputPath::File(p.to_path_buf()));
        } else {
            errors.push(InputError::new(
                t.clone(),
                None,
                "no such file or directory",
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.clone()));
    (out, errors)
}

/// A byte count for a message, in the largest binary unit that keeps at
/// least two significant digits: `512 bytes`, `12.3 KiB`, `20.0 MiB`.
pub fn human_size(n: u64) -> String {
    const KIB: u64 = 1024;
    if n < 10 * KIB {
        return format!("{n} byte{}", if n == 1 { "" } else { "s" });
    }
    let units = ["KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64 / KIB as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    format!("{v:.1} {}", units[u])
}

/// Two sizes to compare in one message (`size` above `limit`): human units,
/// unless they would read the same, then exact bytes for both.
pub fn size_pair(size: u64, limit: u64) -> (String, String) {
    let (a, b) = (human_size(size), human_size(limit));
    if a == b && size != limit {
        (format!("{size} bytes"), format!("{limit} bytes"))
    } else {
        (a, b)
    }
}

/// The reason an I/O error gives, as `ls` words it (`no such file or
/// directory`), without Rust's ` (os error 2)` tail.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_ascii_lowercase(),
                None => s,
            }
        }
    }
}

/// `s` made safe for a terminal line: control characters (but newline)
/// and U+FFFD (bytes that were not UTF-8, as a corrupt tar header's lossy
/// text has them) escaped as `\u{..}`, and at most `max` characters
/// kept, so an error quoting bytes of a binary file cannot flood or garble
/// the terminal.
pub fn printable(s: &str, max: usize) -> String {
    let mut out = String::new();
    for (n, c) in s.chars().enumerate() {
        if n >= max {
            out.push('…');
            break;
        }
        if c == '\u{fffd}' || (c.is_control() && c != '\n') {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Was `input` named on the command line (`-`, or a file given as is),
/// rather than found by walking a directory?
pub fn named(input: &InputPath, targets: &[String]) -> bool {
    match input {
        InputPath::Stdin => true,
        InputPath::File(p) => targets.iter().any(|t| t != "-" && Path::new(t) == p),
    }
}

/// Does `text` hold no YAML document: only whitespace, `#` comments and
/// the `---` / `...` markers? (An empty file, `/dev/null`, the output of a
/// `helm template` that failed.)
pub fn is_blank_yaml(text: &str) -> bool {
    text.trim_start_matches('\u{feff}').lines().all(|l| {
        let t = l.trim();
        t.is_empty()
            || t.starts_with('#')
            || ((t.starts_with("---") || t.starts_with("...")) && {
                let rest = t[3..].trim_start();
                rest.is_empty() || rest.starts_with('#')
            })
    })
}

/// The input error for an input named on the command line that holds
/// nothing to check, as an empty directory is one.
pub fn empty_input(input: &InputPath, what: &str) -> InputError {
    InputError::new(
        input.display(),
        None,
        format!("empty input: no {what} (only whitespace or comments)"),
    )
}

/// Reads one input as UTF-8 text, refusing anything above `max_bytes`.
pub fn read_text(input: &InputPath, max_bytes: u64) -> Result<String, InputError> {
    let name = input.display();
    let too_big = |n: u64| {
        let (size, limit) = size_pair(n, max_bytes);
        InputError::new(
            name.clone(),
            None,
            format!(
                "file is {}{size}, above the {limit} limit (raise it with --max-file-size)",
                // From stdin only max_bytes + 1 is read: the size is a floor.
                if matches!(input, InputPath::Stdin) {
                    "more than "
                } else {
                    ""
                }
            ),
        )
    };
    let mut buf = Vec::new();
    match input {
        InputPath::Stdin => {
            std::io::stdin()
                .lock()
                .take(max_bytes + 1)
                .read_to_end(&mut buf)
                .map_err(|e| InputError::new(name.clone(), None, format!("cannot read: {e}")))?;
            if buf.len() as u64 > max_bytes {
                return Err(too_big(buf.len() as u64));
            }
        }
        InputPath::File(p) => {
            let f = std::fs::File::open(p)
                .map_err(|e| InputError::new(name.clone(), None, format!("cannot read: {e}")))?;
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            if len > max_bytes {
                return Err(too_big(len));
            }
            f.take(max_bytes + 1)
                .read_to_end(&mut buf)
                .map_err(|e| InputError::new(name.clone(), None, format!("cannot read: {e}")))?;
            if buf.len() as u64 > max_bytes {
                return Err(too_big(buf.len() as u64));
            }
        }
    }
    String::from_utf8(buf).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|b| **b == b'\n').count() + 1;
        InputError::new(name, Some(line as u32), "not valid UTF-8 text")
    })
}

/// Text of a file by lines, for quoting snippets.
#[derive(Debug, Clone)]
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    /// Line `n` (1-based) without its newline.
    pub fn get<'t>(&self, text: &'t str, n: u32) -> Option<&'t str> {
        let i = (n as usize).checked_sub(1)?;
        let s = *self.starts.get(i)?;
        let e = self.starts.get(i + 1).map_or(text.len(), |e| e - 1);
        text.get(s..e.max(s)).map(|l| l.trim_end_matches('\r'))
    }

    pub fn count(&self) -> usize {
        self.starts.len()
    }

    pub fn start_of(&self, n: u32) -> Option<usize> {
        self.starts.get((n as usize).checked_sub(1)?).copied()
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;

    #[test]
    fn printable_escapes_and_limits() {
        assert_eq!(
            printable("a\u{1c}\u{fffd}b\nc", 100),
            "a\\u{1c}\\u{fffd}b\nc"
        );
        assert_eq!(printable("abcdef", 3), "abc…");
    }

    #[test]
    fn blank_yaml() {
        assert!(is_blank_yaml(""));
        assert!(is_blank_yaml("# helm failed\n---\n\n--- # x\n...\n"));
        assert!(!is_blank_yaml("---\nkind: Pod\n"));
        assert!(!is_blank_yaml("--- {kind: Pod}\n"));
        assert!(!is_blank_yaml("{}"));
    }

    #[test]
    fn sizes_show_their_numbers() {
        assert_eq!(human_size(1000), "1000 bytes");
        assert_eq!(human_size(20 * 1024 * 1024), "20.0 MiB");
        assert_eq!(human_size(15_000), "14.6 KiB");
        assert_eq!(
            size_pair(20 * 1024 * 1024 + 1, 20 * 1024 * 1024),
            ("20971521 bytes".to_string(), "20971520 bytes".to_string())
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_limit_and_utf8() {
        let dir = std::env::temp_dir().join(format!("bulkhead-src-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let big = dir.join("big.yaml");
        std::fs::write(&big, vec![b'a'; 2048]).expect("write");
        let e = read_text(&InputPath::File(big), 1024).expect_err("too big");
        assert!(e.message.contains("limit"), "{e}");
        let bad = dir.join("bad.yaml");
        std::fs::write(&bad, b"a: 1\nb: \xff\n").expect("write");
        let e = read_text(&InputPath::File(bad), 1024).expect_err("utf8");
        assert_eq!(e.line, Some(2));
        let (_, errs) = collect(&[dir.join("missing").display().to_string()], &|_| true);
        assert_eq!(errs.len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn lines() {
        let t = "a\r\nbb\nccc";
        let l = Lines::new(t);
        assert_eq!(l.get(t, 1), Some("a"));
        assert_eq!(l.get(t, 3), Some("ccc"));
        assert_eq!(l.get(t, 4), None);
    }
}
