//! Readings of one process from `/proc` and the cgroup filesystem, shared
//! by the host view of a live container ([`super::live`]) and a container's
//! view of itself ([`super::inside`]).
//!
//! Every path is joined under a root directory (`/` on a real system, a
//! fixture tree in tests), every file read is bounded, and a file that
//! vanishes because the process exited is reported as exactly that.
//! Hand-written: the formats are a few line-oriented kernel files
//! (`status`, `mountinfo`, `cgroup`, `uid_map`), and the `procfs` crate
//! would bring its own error model and a `rustix` dependency to read
//! fifteen fields.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest `/proc` or cgroup file read (mountinfo of a busy host is a few
/// hundred KiB).
pub const MAX_FILE: u64 = 8 << 20;

/// Capability names by bit number (linux/capability.h).
pub const CAP_NAMES: &[&str] = &[
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
];

/// The capability names of a `/proc/PID/status` hex mask, in bit order.
pub fn decode_caps(hex: &str) -> Option<Vec<String>> {
    let mask = u64::from_str_radix(hex.trim(), 16).ok()?;
    Some(
        (0..64)
            .filter(|b| mask & (1u64 << b) != 0)
            .map(|b| {
                CAP_NAMES
                    .get(b as usize)
                    .map_or_else(|| format!("CAP_{b}"), |n| (*n).to_string())
            })
            .collect(),
    )
}

/// A filesystem view rooted at `root` (`/` for the real system).
#[derive(Debug, Clone)]
pub struct Fs {
    pub root: PathBuf,
}

impl Fs {
    pub fn new(root: impl Into<PathBuf>) -> Fs {
        Fs { root: root.into() }
    }

    /// `abs` (an absolute path as the kernel names it) under the root.
    pub fn path(&self, abs: &str) -> PathBuf {
        self.root.join(abs.trim_start_matches('/'))
    }

    /// A bounded text read; `Err` is the one-line reason.
    pub fn read(&self, abs: &str) -> Result<String, ReadError> {
        let p = self.path(abs);
        let f = std::fs::File::open(&p).map_err(|e| ReadError::from_io(abs, &e))?;
        let mut buf = Vec::new();
        f.take(MAX_FILE + 1)
            .read_to_end(&mut buf)
            .map_err(|e| ReadError::from_io(abs, &e))?;
        if buf.len() as u64 > MAX_FILE {
            return Err(ReadError::Other(format!(
                "{abs}: larger than {MAX_FILE} bytes"
            )));
        }
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    pub fn read_link(&self, abs: &str) -> Result<String, ReadError> {
        std::fs::read_link(self.path(abs))
            .map(|p| p.to_string_lossy().into_owned())
            .map_err(|e| ReadError::from_io(abs, &e))
    }

    pub fn exists(&self, abs: &str) -> bool {
        self.path(abs).exists()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The file is not there (the process exited, or the kernel lacks it).
    Gone(String),
    Other(String),
}

impl ReadError {
    fn from_io(abs: &str, e: &std::io::Error) -> ReadError {
        // ESRCH (3) is what /proc answers for a process that died after open.
        if e.kind() == std::io::ErrorKind::NotFound || e.raw_os_error() == Some(3) {
            ReadError::Gone(format!("{abs}: not found"))
        } else {
            ReadError::Other(format!("{abs}: {e}"))
        }
    }

    pub fn message(&self) -> &str {
        match self {
            ReadError::Gone(m) | ReadError::Other(m) => m,
        }
    }
}

/// The fields of `/proc/PID/status` bulkhead reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    pub name: String,
    /// Effective uid and gid, as the reader's user namespace sees them.
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub cap_eff: Option<String>,
    pub cap_bnd: Option<String>,
    pub no_new_privs: Option<bool>,
    /// 0 disabled, 1 strict, 2 filter.
    pub seccomp: Option<u8>,
    pub seccomp_filters: Option<u32>,
}

pub fn parse_status(text: &str) -> Status {
    let mut s = Status::default();
    for line in text.lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let v = v.trim();
        // Uid/Gid: real, effective, saved, filesystem.
        let second = || v.split_whitespace().nth(1).and_then(|x| x.parse().ok());
        match k {
            "Name" => s.name = v.to_string(),
            "Uid" => s.uid = second(),
            "Gid" => s.gid = second(),
            "CapEff" => s.cap_eff = Some(v.to_string()),
            "CapBnd" => s.cap_bnd = Some(v.to_string()),
            "NoNewPrivs" => s.no_new_privs = v.parse::<u8>().ok().map(|n| n != 0),
            "Seccomp" => s.seccomp = v.parse().ok(),
            "Seccomp_filters" => s.seccomp_filters = v.parse().ok(),
            _ => {}
        }
    }
    s
}

/// One `uid_map`/`gid_map` line: inside, outside, count.
pub type IdRange = (u64, u64, u64);

pub fn parse_id_map(text: &str) -> Vec<IdRange> {
    text.lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace().map(|x| x.parse::<u64>().ok());
            Some((it.next()??, it.next()??, it.next()??))
        })
        .collect()
}

/// The identity map of the initial user namespace (`0 0 4294967295`).
pub fn is_identity(map: &[IdRange]) -> bool {
    map.len() == 1 && map[0].0 == 0 && map[0].1 == 0 && map[0].2 >= u64::from(u32::MAX)
}

/// The id inside the namespace of an id the reader sees (outside).
pub fn inside_id(map: &[IdRange], outside: u32) -> Option<u32> {
    let o = u64::from(outside);
    map.iter()
        .find(|(_, out, n)| o >= *out && o < out + n)
        .and_then(|(ins, out, _)| u32::try_from(ins + (o - out)).ok())
}

pub fn format_id_map(map: &[IdRange]) -> String {
    map.iter()
        .map(|(i, o, n)| format!("{i}:{o}:{n}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// One line of `/proc/PID/mountinfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountInfo {
    pub id: u32,
    pub parent: u32,
    /// `major:minor` of the filesystem.
    pub dev: String,
    /// The path inside the filesystem this mount shows.
    pub root: String,
    pub target: String,
    /// Per-mount options (`ro`, `rw`, `nosuid`, ...).
    pub options: Vec<String>,
    /// Optional fields (`shared:1`, `master:2`).
    pub optional: Vec<String>,
    pub fstype: String,
    pub source: String,
    pub super_options: Vec<String>,
}

impl MountInfo {
    pub fn read_only(&self) -> bool {
        self.options.iter().any(|o| o == "ro")
    }

    pub fn propagation(&self) -> Option<String> {
        if self.optional.iter().any(|o| o.starts_with("shared:")) {
            Some("shared".into())
        } else if self.optional.iter().any(|o| o.starts_with("master:")) {
            Some("slave".into())
        } else {
            None
        }
    }
}

/// `\040` and friends in mountinfo paths.
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let octal = (b[i] == b'\\' && i + 3 < b.len())
            .then(|| &b[i + 1..i + 4])
            .filter(|d| d.iter().all(|c| (b'0'..=b'7').contains(c)))
            .and_then(|d| {
                let v = d.iter().fold(0u32, |a, c| a * 8 + u32::from(c - b'0'));
                u8::try_from(v).ok()
            });
        if let Some(v) = octal {
            out.push(v);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses mountinfo; lines that do not have the kernel's shape are skipped
/// and counted.
pub fn parse_mountinfo(text: &str) -> (Vec<MountInfo>, usize) {
    let mut out = Vec::new();
    let mut bad = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(' ').collect();
        let Some(sep) = f.iter().position(|x| *x == "-") else {
            bad += 1;
            continue;
        };
        if sep < 6 || f.len() < sep + 3 {
            bad += 1;
            continue;
        }
        let (Ok(id), Ok(parent)) = (f[0].parse(), f[1].parse()) else {
            bad += 1;
            continue;
        };
        out.push(MountInfo {
            id,
            parent,
            dev: f[2].to_string(),
            root: unescape(f[3]),
            target: unescape(f[4]),
            options: f[5].split(',').map(str::to_string).collect(),
            optional: f[6..sep].iter().map(|s| (*s).to_string()).collect(),
            fstype: f[sep + 1].to_string(),
            source: unescape(f[sep + 2]),
            super_options: f
                .get(sep + 3)
                .map(|s| s.split(',').map(str::to_string).collect())
                .unwrap_or_default(),
        });
    }
    (out, bad)
}

/// The mount that is `/` for the process (the last one stacked there).
pub fn root_mount(mounts: &[MountInfo]) -> Option<&MountInfo> {
    mounts.iter().rev().find(|m| m.target == "/")
}

/// `/proc/PID/cgroup`: (controllers, path) pairs; `""` controllers is the
/// cgroup v2 line `0::/path`.
pub fn parse_cgroup(text: &str) -> Vec<(Vec<String>, String)> {
    text.lines()
        .filter_map(|l| {
            let mut it = l.splitn(3, ':');
            let _hier = it.next()?;
            let ctrl = it.next()?;
            let path = it.next()?;
            let ctrls = if ctrl.is_empty() {
                Vec::new()
            } else {
                ctrl.split(',').map(str::to_string).collect()
            };
            Some((ctrls, path.to_string()))
        })
        .collect()
}

/// A resource limit read from a cgroup file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    /// `None`: no limit.
    pub value: Option<String>,
    /// The file it was read from (as the kernel names it).
    pub file: String,
}

/// Where the cgroup files of a process are, from its cgroup list and the
/// reader's mountinfo (which locates each hierarchy).
pub struct Cgroups<'a> {
    pub fs: &'a Fs,
    pub lines: Vec<(Vec<String>, String)>,
    pub mounts: &'a [MountInfo],
}

/// Memory limits of 2^62 and above are the kernel's "unlimited"
/// (`9223372036854771712` in cgroup v1).
const UNLIMITED_BYTES: u64 = 1 << 62;

impl Cgroups<'_> {
    /// The directory of `controller` (v1) or of the unified hierarchy (v2),
    /// and whether it is v2.
    fn dir(&self, controller: &str) -> Option<(String, bool)> {
        for (ctrls, path) in &self.lines {
            if ctrls.iter().any(|c| c == controller)
                && let Some(m) = self.mounts.iter().find(|m| {
                    m.fstype == "cgroup" && m.super_options.iter().any(|o| o == controller)
                })
            {
                return Some((join_cg(m, path), false));
            }
        }
        // v2: the controller must be enabled somewhere; the files exist
        // when it is.
        for (ctrls, path) in &self.lines {
            if ctrls.is_empty()
                && let Some(m) = self.mounts.iter().find(|m| m.fstype == "cgroup2")
            {
                return Some((join_cg(m, path), true));
            }
        }
        None
    }

    fn file(&self, controller: &str, v1: &str, v2: &str) -> Option<(String, String)> {
        let (dir, is_v2) = self.dir(controller)?;
        let f = format!(
            "{}/{}",
            dir.trim_end_matches('/'),
            if is_v2 { v2 } else { v1 }
        );
        let text = self.fs.read(&f).ok()?;
        Some((f, text.trim().to_string()))
    }

    pub fn memory(&self) -> Option<Limit> {
        let (file, v) = self.file("memory", "memory.limit_in_bytes", "memory.max")?;
        let value = match v.parse::<u64>() {
            Ok(n) if n < UNLIMITED_BYTES => Some(n.to_string()),
            _ => None,
        };
        Some(Limit { value, file })
    }

    pub fn pids(&self) -> Option<Limit> {
        let (file, v) = self.file("pids", "pids.max", "pids.max")?;
        let value = (v != "max" && v.parse::<u64>().is_ok()).then_some(v);
        Some(Limit { value, file })
    }

    /// CPUs as a decimal (`0.5`).
    pub fn cpus(&self) -> Option<Limit> {
        let (dir, is_v2) = self.dir("cpu")?;
        let dir = dir.trim_end_matches('/').to_string();
        if is_v2 {
            let file = format!("{dir}/cpu.max");
            let text = self.fs.read(&file).ok()?;
            let mut it = text.split_whitespace();
            let quota = it.next().unwrap_or("max");
            let period = it.next().and_then(|p| p.parse::<f64>().ok());
            let value = match (quota.parse::<f64>(), period) {
                (Ok(q), Some(p)) if q > 0.0 && p > 0.0 => Some(format!("{}", q / p)),
                _ => None,
            };
            return Some(Limit { value, file });
        }
        let file = format!("{dir}/cpu.cfs_quota_us");
        let quota = self.fs.read(&file).ok()?.trim().parse::<i64>().ok()?;
        let period = self
            .fs
            .read(&format!("{dir}/cpu.cfs_period_us"))
            .ok()
            .and_then(|t| t.trim().parse::<i64>().ok())
            .filter(|p| *p > 0)
            .unwrap_or(100_000);
        let value = (quota > 0).then(|| format!("{}", quota as f64 / period as f64));
        Some(Limit { value, file })
    }
}

/// The directory of cgroup `path` in hierarchy mount `m`, whose root may be
/// a sub-cgroup (inside a container, or a nested cgroup namespace).
fn join_cg(m: &MountInfo, path: &str) -> String {
    let rel = if m.root == "/" {
        path
    } else {
        path.strip_prefix(m.root.as_str()).unwrap_or(path)
    };
    format!("{}{}", m.target.trim_end_matches('/'), rel)
}

/// Device nodes under `dev` (the process's `/dev`), at most `max`, up to
/// two levels deep, leaving out the pseudo-terminal, shm and mqueue trees.
pub fn device_nodes(dir: &Path, max: usize) -> Vec<String> {
    use std::os::unix::fs::FileTypeExt;
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::from("/dev"), 0)];
    while let Some((d, name, depth)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for e in entries {
            if out.len() >= max {
                return out;
            }
            let Ok(ft) = e.file_type() else { continue };
            let n = format!("{name}/{}", e.file_name().to_string_lossy());
            if ft.is_char_device() || ft.is_block_device() {
                out.push(n);
            } else if ft.is_dir()
                && depth < 1
                && !matches!(n.as_str(), "/dev/pts" | "/dev/shm" | "/dev/mqueue")
            {
                stack.push((e.path(), n, depth + 1));
            }
        }
    }
    out.sort();
    out
}

/// The starttime field (22) of `/proc/PID/stat`, in clock ticks since boot.
pub fn start_time(stat: &str) -> Option<u64> {
    // The command name (field 2) may hold spaces and parentheses: split
    // after its last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
    use super::*;

    #[test]
    fn caps_decode_as_the_kernel_numbers_them() {
        let c = decode_caps("00000000800405fb").unwrap();
        assert_eq!(
            c,
            [
                "CHOWN",
                "DAC_OVERRIDE",
                "FOWNER",
                "FSETID",
                "KILL",
                "SETGID",
                "SETUID",
                "SETPCAP",
                "NET_BIND_SERVICE",
                "SYS_CHROOT",
                "SETFCAP"
            ]
        );
        assert_eq!(decode_caps("000001ffffffffff").unwrap().len(), 41);
        assert!(decode_caps("0000000000000000").unwrap().is_empty());
        assert_eq!(decode_caps("8000000000000000").unwrap(), ["CAP_63"]);
        assert!(decode_caps("zz").is_none());
    }

    #[test]
    fn mountinfo_fields_and_escapes() {
        let t = "86 80 254:0 /srv/my\\040dir /data ro,relatime shared:5 - ext4 /dev/vda rw,discard\nbroken line\n";
        let (m, bad) = parse_mountinfo(t);
        assert_eq!(bad, 1);
        assert_eq!(m[0].root, "/srv/my dir");
        assert_eq!(m[0].target, "/data");
        assert!(m[0].read_only());
        assert_eq!(m[0].propagation().as_deref(), Some("shared"));
        assert_eq!(m[0].fstype, "ext4");
    }

    #[test]
    fn id_maps_translate_host_ids() {
        let m = parse_id_map("         0     100000      65536\n");
        assert_eq!(inside_id(&m, 100_000), Some(0));
        assert_eq!(inside_id(&m, 101_000), Some(1000));
        assert_eq!(inside_id(&m, 5), None);
        assert!(!is_identity(&m));
        assert!(is_identity(&parse_id_map("0 0 4294967295")));
    }

    #[test]
    fn start_time_survives_odd_command_names() {
        let stat = "42 (a) b) c) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10";
        assert_eq!(start_time(stat), Some(987_654));
        assert_eq!(start_time("garbage"), None);
    }
}
