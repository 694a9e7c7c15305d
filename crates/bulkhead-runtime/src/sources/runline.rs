//! `docker run` / `podman run` (and `container run`, `create`) command
//! lines found in shell scripts, Makefiles, CI YAML and similar text →
//! the runtime model.
//!
//! Each command is split into words with POSIX shell quoting (single and
//! double quotes, backslash escapes, `\`-newline continuations; `$VAR`,
//! `${...}` and `$(...)` are kept as literal text inside their word) up to
//! the end of the command (an unquoted newline, `;`, `&`, `|`, `)`, a
//! redirection, a comment, or the closing quote of a YAML/JSON string the
//! command sits in). A quote still open at the end of a line is an error
//! naming the file and line: a command whose quoting cannot be read is not
//! guessed at. The words are then parsed as the docker/podman CLI does:
//! long and short flags, `--flag=value` and `--flag value`, clustered short
//! flags (`-itd`, `-p8080:80`), up to the image.

use super::compose::{ns_mode, security_opt, short_port, short_volume, unlimited};
use super::{Input, Loaded};
use crate::model::{At, Container, Fact, Mount, MountKind, Ns, SourceKind, norm_cap};
use bulkhead_core::InputError;

/// Long flags of `docker run` / `podman run` that take a value.
const VALUE_FLAGS: &[&str] = &[
    "add-host",
    "annotation",
    "arch",
    "attach",
    "authfile",
    "blkio-weight",
    "blkio-weight-device",
    "cap-add",
    "cap-drop",
    "cert-dir",
    "cgroup-conf",
    "cgroup-parent",
    "cgroupns",
    "cgroups",
    "chrootdirs",
    "cidfile",
    "conmon-pidfile",
    "cpu-count",
    "cpu-percent",
    "cpu-period",
    "cpu-quota",
    "cpu-rt-period",
    "cpu-rt-runtime",
    "cpu-shares",
    "cpus",
    "cpuset-cpus",
    "cpuset-mems",
    "creds",
    "decryption-key",
    "detach-keys",
    "device",
    "device-cgroup-rule",
    "device-read-bps",
    "device-read-iops",
    "device-write-bps",
    "device-write-iops",
    "dns",
    "dns-opt",
    "dns-option",
    "dns-search",
    "domainname",
    "entrypoint",
    "env",
    "env-file",
    "env-merge",
    "expose",
    "gidmap",
    "gpus",
    "group-add",
    "group-entry",
    "health-cmd",
    "health-interval",
    "health-on-failure",
    "health-retries",
    "health-start-interval",
    "health-start-period",
    "health-startup-cmd",
    "health-startup-interval",
    "health-startup-retries",
    "health-startup-success",
    "health-startup-timeout",
    "health-timeout",
    "hostname",
    "hosts-file",
    "hostuser",
    "image-volume",
    "init-path",
    "ip",
    "ip6",
    "ipc",
    "isolation",
    "kernel-memory",
    "label",
    "label-file",
    "link",
    "link-local-ip",
    "log-driver",
    "log-opt",
    "mac-address",
    "memory",
    "memory-reservation",
    "memory-swap",
    "memory-swappiness",
    "mount",
    "name",
    "net",
    "net-alias",
    "network",
    "network-alias",
    "oom-score-adj",
    "os",
    "passwd-entry",
    "personality",
    "pid",
    "pidfile",
    "pids-limit",
    "platform",
    "pod",
    "pod-id-file",
    "preserve-fd",
    "preserve-fds",
    "publish",
    "pull",
    "rdt-class",
    "requires",
    "restart",
    "retry",
    "retry-delay",
    "runtime",
    "sdnotify",
    "seccomp-policy",
    "secret",
    "security-opt",
    "shm-size",
    "shm-size-systemd",
    "stop-signal",
    "stop-timeout",
    "storage-opt",
    "subgidname",
    "subuidname",
    "sysctl",
    "systemd",
    "timeout",
    "tmpfs",
    "tz",
    "uidmap",
    "ulimit",
    "umask",
    "unsetenv",
    "user",
    "userns",
    "uts",
    "variant",
    "volume",
    "volume-driver",
    "volumes-from",
    "workdir",
];

/// Short flags that take a value, and their long names.
const SHORT_VALUE: &[(char, &str)] = &[
    ('a', "attach"),
    ('c', "cpu-shares"),
    ('e', "env"),
    ('h', "hostname"),
    ('l', "label"),
    ('m', "memory"),
    ('p', "publish"),
    ('u', "user"),
    ('v', "volume"),
    ('w', "workdir"),
];

const SHORT_BOOL: &[(char, &str)] = &[
    ('d', "detach"),
    ('i', "interactive"),
    ('t', "tty"),
    ('P', "publish-all"),
    ('q', "quiet"),
];

/// A word of the command and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub text: String,
    pub line: u32,
    pub col: u32,
}

pub fn load(input: &Input) -> Loaded {
    let mut out = Loaded::default();
    let text = &input.text;
    let b = text.as_bytes();
    let mut line_no = 0u32;
    let mut pos = 0usize;
    // Commands already consumed (a continuation line is not scanned again).
    let mut resume = 0usize;
    while pos < b.len() {
        line_no += 1;
        let end = text[pos..].find('\n').map_or(b.len(), |i| pos + i);
        let line = &text[pos..end];
        if pos >= resume && !line.trim_start().starts_with('#') {
            let mut from = 0;
            while let Some((start, after)) = find_run(line, from) {
                let outer = outer_quote(&line[..start]);
                let words = lex(text, pos + after, line_no, pos, outer);
                match words {
                    Ok((words, stop)) => {
                        let col = u32::try_from(start + 1).unwrap_or(u32::MAX);
                        let at = At {
                            file: input.name.clone(),
                            line: line_no,
                            col,
                            field: String::new(),
                        };
                        match container(&input.name, at, &words) {
                            Ok(c) => out.containers.push(c),
                            Err(e) => out.errors.push(e),
                        }
                        if stop > end {
                            resume = stop;
                            break;
                        }
                        from = stop - pos;
                    }
                    Err(e) => {
                        out.errors
                            .push(InputError::new(&input.name, Some(e.0), e.1));
                        break;
                    }
                }
            }
        }
        pos = end + 1;
    }
    out
}

/// The next `docker|podman [container] run|create` in a line at or after
/// `from`: (start of `docker`, byte just after `run`).
fn find_run(line: &str, from: usize) -> Option<(usize, usize)> {
    let b = line.as_bytes();
    let mut i = from;
    while i < b.len() {
        // Bytes, not `&line[i..]`: `i` walks every byte and may sit inside a
        // multi-byte character (found by the `runtime` fuzz target).
        let rest = &b[i..];
        if !(rest.starts_with(b"docker") || rest.starts_with(b"podman")) {
            i += 1;
            continue;
        }
        let tool = 6;
        // `rest` starts with ASCII, so `i` is a char boundary here; a letter
        // of any script before it makes a longer word (`Ziҍdocker`).
        let boundary_before = line
            .get(..i)
            .and_then(|p| p.chars().next_back())
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'));
        let mut j = i + tool;
        if !boundary_before || !b.get(j).is_some_and(|c| *c == b' ' || *c == b'\t') {
            i += 1;
            continue;
        }
        let skip_ws = |mut k: usize| {
            while k < b.len() && (b[k] == b' ' || b[k] == b'\t') {
                k += 1;
            }
            k
        };
        j = skip_ws(j);
        if b[j..].starts_with(b"container")
            && b.get(j + 9).is_some_and(|c| *c == b' ' || *c == b'\t')
        {
            j = skip_ws(j + 9);
        }
        for verb in ["run", "create"] {
            if b[j..].starts_with(verb.as_bytes()) {
                let k = j + verb.len();
                if k == b.len() || matches!(b[k], b' ' | b'\t' | b'\\' | b'\r') {
                    return Some((i, k));
                }
            }
        }
        i += 1;
    }
    None
}

/// The quote character left open before the command on its line (a YAML
/// or JSON string the command is written in), if any.
fn outer_quote(prefix: &str) -> Option<u8> {
    let mut q: Option<u8> = None;
    let b = prefix.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match (q, b[i]) {
            (None, b'\'' | b'"') => q = Some(b[i]),
            (Some(b'"'), b'\\') => i += 1,
            (Some(c), x) if c == x => q = None,
            _ => {}
        }
        i += 1;
    }
    q
}

/// Splits the command starting at byte `start` of `text` into words.
/// Returns the words and the byte where the command stopped, or (line, error).
fn lex(
    text: &str,
    start: usize,
    first_line: u32,
    line_start: usize,
    outer: Option<u8>,
) -> Result<(Vec<Word>, usize), (u32, String)> {
    let b = text.as_bytes();
    let mut words = Vec::new();
    let mut cur: Option<Word> = None;
    let mut line = first_line;
    let mut lstart = line_start;
    let mut i = start;
    let col = |i: usize, ls: usize| u32::try_from(i - ls + 1).unwrap_or(u32::MAX);
    macro_rules! begin {
        () => {
            if cur.is_none() {
                cur = Some(Word {
                    text: String::new(),
                    line,
                    col: col(i, lstart),
                });
            }
        };
    }
    macro_rules! push {
        ($s:expr) => {
            if let Some(w) = cur.as_mut() {
                w.text.push_str($s);
            }
        };
    }
    while i < b.len() {
        let c = b[i];
        if Some(c) == outer {
            break;
        }
        match c {
            b' ' | b'\t' | b'\r' => {
                if let Some(w) = cur.take() {
                    words.push(w);
                }
                i += 1;
            }
            b'\n' => break,
            b';' | b'&' | b'|' | b')' | b'`' | b'>' | b'<' => break,
            b'#' if cur.is_none() => break,
            b'\\' => match b.get(i + 1) {
                Some(b'\n') => {
                    line += 1;
                    lstart = i + 2;
                    i += 2;
                }
                Some(b'\r') if b.get(i + 2) == Some(&b'\n') => {
                    line += 1;
                    lstart = i + 3;
                    i += 3;
                }
                Some(_) => {
                    begin!();
                    let ch_len = utf8_len(b[i + 1]);
                    push!(&text[i + 1..i + 1 + ch_len]);
                    i += 1 + ch_len;
                }
                None => i += 1,
            },
            b'\'' => {
                begin!();
                let open = line;
                let Some(close) = text[i + 1..].find('\'') else {
                    return Err((open, unbalanced('\'', open)));
                };
                let inner = &text[i + 1..i + 1 + close];
                if inner.contains('\n') {
                    return Err((open, unbalanced('\'', open)));
                }
                push!(inner);
                i += close + 2;
            }
            b'"' => {
                begin!();
                let open = line;
                let mut j = i + 1;
                let mut s = String::new();
                loop {
                    match b.get(j) {
                        None | Some(b'\n') => return Err((open, unbalanced('"', open))),
                        Some(b'"') => break,
                        Some(b'\\') => match b.get(j + 1) {
                            Some(b'\n') => {
                                line += 1;
                                lstart = j + 2;
                                j += 2;
                            }
                            Some(x @ (b'"' | b'\\' | b'$' | b'`')) => {
                                s.push(char::from(*x));
                                j += 2;
                            }
                            _ => {
                                s.push('\\');
                                j += 1;
                            }
                        },
                        Some(x) => {
                            let l = utf8_len(*x);
                            s.push_str(&text[j..j + l]);
                            j += l;
                        }
                    }
                }
                push!(&s);
                i = j + 1;
            }
            b'$' if matches!(b.get(i + 1), Some(b'(' | b'{')) => {
                begin!();
                let (open, close) = if b[i + 1] == b'(' {
                    (b'(', b')')
                } else {
                    (b'{', b'}')
                };
                let mut depth = 0;
                let mut j = i + 1;
                while j < b.len() {
                    if b[j] == open {
                        depth += 1;
                    } else if b[j] == close {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    } else if b[j] == b'\n' {
                        return Err((
                            line,
                            format!("unbalanced '$' expansion in the run command at line {line}"),
                        ));
                    }
                    j += 1;
                }
                let endj = (j + 1).min(b.len());
                push!(&text[i..endj]);
                i = endj;
            }
            _ => {
                begin!();
                let l = utf8_len(c);
                push!(&text[i..(i + l).min(b.len())]);
                i += l;
            }
        }
    }
    if let Some(w) = cur.take() {
        words.push(w);
    }
    Ok((words, i))
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

fn unbalanced(q: char, line: u32) -> String {
    format!(
        "unbalanced quote ({q}) in a docker/podman run command: the quote opened on line {line} is not closed on that line"
    )
}

/// Parsed flags: (long name, value, word where the flag is).
type Flags = Vec<(String, String, At)>;

/// Splits the words into flags and the image.
pub fn parse_args(
    file: &str,
    words: &[Word],
) -> Result<(Flags, Option<Word>, Vec<String>), String> {
    let mut flags = Flags::new();
    let mut notes = Vec::new();
    let at = |w: &Word| At {
        file: file.to_string(),
        line: w.line,
        col: w.col,
        field: String::new(),
    };
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let t = w.text.as_str();
        if t == "--" {
            return Ok((flags, words.get(i + 1).cloned(), notes));
        }
        if let Some(long) = t.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let value = match inline {
                Some(v) => v,
                None if VALUE_FLAGS.contains(&name) => {
                    i += 1;
                    words
                        .get(i)
                        .map(|w| w.text.clone())
                        .ok_or_else(|| format!("flag --{name} needs a value (line {})", w.line))?
                }
                None => "true".to_string(),
            };
            if !VALUE_FLAGS.contains(&name) && !is_bool_flag(name) {
                notes.push(format!("unknown flag --{name} taken as a switch"));
            }
            flags.push((name.to_string(), value, at(w)));
        } else if t.len() > 1 && t.starts_with('-') {
            let chars: Vec<(usize, char)> = t.char_indices().skip(1).collect();
            for (k, &(bi, ch)) in chars.iter().enumerate() {
                if let Some((_, long)) = SHORT_VALUE.iter().find(|(s, _)| *s == ch) {
                    let rest = &t[bi + ch.len_utf8()..];
                    let value = if !rest.is_empty() {
                        rest.trim_start_matches('=').to_string()
                    } else {
                        i += 1;
                        words
                            .get(i)
                            .map(|w| w.text.clone())
                            .ok_or_else(|| format!("flag -{ch} needs a value (line {})", w.line))?
                    };
                    flags.push(((*long).to_string(), value, at(w)));
                    break;
                }
                let long = SHORT_BOOL
                    .iter()
                    .find(|(s, _)| *s == ch)
                    .map_or_else(|| ch.to_string(), |(_, l)| (*l).to_string());
                flags.push((long, "true".into(), at(w)));
                let _ = k;
            }
        } else {
            return Ok((flags, Some(w.clone()), notes));
        }
        i += 1;
    }
    Ok((flags, None, notes))
}

fn is_bool_flag(name: &str) -> bool {
    matches!(
        name,
        "detach"
            | "interactive"
            | "tty"
            | "rm"
            | "privileged"
            | "read-only"
            | "init"
            | "publish-all"
            | "sig-proxy"
            | "oom-kill-disable"
            | "no-healthcheck"
            | "disable-content-trust"
            | "quiet"
            | "help"
            | "use-api-socket"
            | "replace"
            | "rmi"
            | "env-host"
            | "http-proxy"
            | "no-hosts"
            | "read-only-tmpfs"
            | "rootfs"
            | "tls-verify"
    )
}

fn truthy(v: &str) -> bool {
    !matches!(v.to_ascii_lowercase().as_str(), "false" | "0" | "no")
}

fn container(file: &str, at: At, words: &[Word]) -> Result<Container, InputError> {
    let (flags, image, _notes) =
        parse_args(file, words).map_err(|e| InputError::new(file, Some(at.line), e))?;
    let name = flags
        .iter()
        .rev()
        .find(|(n, _, _)| n == "name")
        .map(|(_, v, _)| v.clone())
        .or_else(|| image.as_ref().map(|w| w.text.clone()))
        .unwrap_or_else(|| "(no image)".into());
    let mut c = Container::new(SourceKind::RunLine, name, at);
    for (flag, v, a) in flags {
        let a = At {
            field: format!("--{flag}"),
            ..a
        };
        match flag.as_str() {
            "privileged" => c.privileged = Some(Fact::new(truthy(&v), a)),
            "read-only" => c.read_only = Some(Fact::new(truthy(&v), a)),
            "cap-add" | "cap-drop" => {
                for cap in v.split(',').filter(|s| !s.trim().is_empty()) {
                    let f = Fact::new(norm_cap(cap), a.clone());
                    if flag == "cap-add" {
                        c.cap_add.push(f);
                    } else {
                        c.cap_drop.push(f);
                    }
                }
            }
            "user" => c.user = Some(Fact::new(v, a)),
            "security-opt" => security_opt(&mut c, &v, a),
            "volume" => c.mounts.push(short_volume(&v, a)),
            "mount" => c.mounts.push(mount_flag(&v, a)),
            "device" => {
                let src = v.split(':').next().unwrap_or("").to_string();
                c.devices.push(Fact::new(src, a));
            }
            "pid" => c.set_ns(Ns::Pid, Fact::new(ns_mode(&v), a)),
            "network" | "net" => c.set_ns(Ns::Net, Fact::new(ns_mode(&v), a)),
            "ipc" => c.set_ns(Ns::Ipc, Fact::new(ns_mode(&v), a)),
            "uts" => c.set_ns(Ns::Uts, Fact::new(ns_mode(&v), a)),
            "userns" => c.set_ns(Ns::User, Fact::new(ns_mode(&v), a)),
            "cgroupns" => c.set_ns(Ns::Cgroup, Fact::new(ns_mode(&v), a)),
            "memory" if !unlimited(&v) => c.memory = Some(Fact::new(v, a)),
            "cpus" | "cpu-quota" if !unlimited(&v) => c.cpus = Some(Fact::new(v, a)),
            "pids-limit" if !unlimited(&v) => c.pids = Some(Fact::new(v, a)),
            "sysctl" => {
                let (k, val) = v.split_once('=').unwrap_or((v.as_str(), ""));
                c.sysctls
                    .push(Fact::new((k.to_string(), val.to_string()), a));
            }
            "publish" => c.ports.push(short_port(&v, a)),
            _ => {}
        }
    }
    Ok(c)
}

/// `--mount type=bind,source=/x,target=/y,readonly,bind-propagation=rshared`.
fn mount_flag(v: &str, at: At) -> Mount {
    let mut kind = MountKind::Volume;
    let mut source = String::new();
    let mut target = String::new();
    let mut read_only = false;
    let mut propagation = None;
    for part in v.split(',') {
        let (k, val) = part.split_once('=').unwrap_or((part, "true"));
        match k.trim() {
            "type" => {
                kind = match val {
                    "bind" => MountKind::Bind,
                    "volume" => MountKind::Volume,
                    "tmpfs" => MountKind::Tmpfs,
                    o => MountKind::Other(o.to_string()),
                }
            }
            "source" | "src" => source = val.to_string(),
            "target" | "destination" | "dst" => target = val.to_string(),
            "readonly" | "ro" => read_only = truthy(val),
            "bind-propagation" => propagation = Some(val.to_string()),
            _ => {}
        }
    }
    Mount {
        kind,
        source,
        target,
        read_only,
        propagation,
        at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> Container {
        let l = load(&Input::new("x.sh", s));
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        assert_eq!(l.containers.len(), 1, "{:?}", l.containers);
        l.containers.into_iter().next().unwrap()
    }

    #[test]
    fn flags_long_short_clustered() {
        let c = one(
            "set -e\nsudo docker run -itd --rm --privileged=false -p8080:80 \\\n  --cap-add=SYS_ADMIN --cap-add net_admin -u 0 \\\n  -v /var/run/docker.sock:/var/run/docker.sock:ro --pid host --name 'my app' alpine:3.20 sh -c 'echo hi'\n",
        );
        assert_eq!(c.name, "my app");
        assert_eq!(c.privileged.as_ref().map(|f| f.value), Some(false));
        let caps: Vec<_> = c.cap_add.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(caps, ["SYS_ADMIN", "NET_ADMIN"]);
        assert_eq!(c.cap_add[0].at.line, 3);
        assert_eq!(c.uid(), Some(0));
        assert_eq!(c.mounts[0].source, "/var/run/docker.sock");
        assert!(c.mounts[0].read_only);
        assert!(c.shares_host(Ns::Pid).is_some());
        assert_eq!(c.ports[0].published.as_deref(), Some("8080"));
    }

    #[test]
    fn yaml_ci_line_and_terminators() {
        let l = load(&Input::new(
            ".gitlab-ci.yml",
            "test:\n  script:\n    - \"docker run --network=host shop/web:1.4.2\"\n    - podman container run -v \"$PWD:/src\" img && docker run --read-only img2; echo\n",
        ));
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        assert_eq!(l.containers.len(), 3);
        assert!(l.containers[0].shares_host(Ns::Net).is_some());
        assert_eq!(l.containers[1].mounts[0].source, "$PWD");
        assert_eq!(
            l.containers[2].read_only.as_ref().map(|f| f.value),
            Some(true)
        );
    }

    #[test]
    fn unbalanced_quote_is_an_error_with_line() {
        let l = load(&Input::new(
            "run.sh",
            "echo ok\ndocker run -e 'A=b alpine\necho done\n",
        ));
        assert_eq!(l.errors.len(), 1);
        assert_eq!(l.errors[0].line, Some(2));
        assert!(
            l.errors[0]
                .to_string()
                .starts_with("run.sh:2: unbalanced quote"),
            "{}",
            l.errors[0]
        );
    }

    #[test]
    fn gitlab_ci_with_services_is_a_script() {
        let text = "stages: [test]\nservices:\n  - docker:dind\ntest:\n  script:\n    - docker run --privileged shop/ci:1\n";
        assert_eq!(
            crate::detect(".gitlab-ci.yml", text),
            Some(crate::Kind::Script)
        );
        assert_eq!(
            crate::detect("stack.yml", "services:\n  a: {image: x}\nvolumes: {}\n"),
            Some(crate::Kind::Compose)
        );
        let l = crate::load(
            &Input::new(".gitlab-ci.yml", text),
            &crate::sources::compose::Env::with(&[]),
        );
        assert!(l.containers[0].is_privileged());
    }

    #[test]
    fn not_a_run() {
        let l = load(&Input::new(
            "m",
            "docker-compose run x\ndocker compose run y\n# docker run commented\nmydocker run z\n",
        ));
        assert!(l.containers.is_empty() && l.errors.is_empty());
    }
}
