//! `bulkhead runtime --self`: the container bulkhead runs in, seen from
//! inside. What the kernel says about the process itself (capabilities,
//! no_new_privs, seccomp, uid map, its mounts and cgroup limits) is exact;
//! what needs the host's view is inferred, and each inference is named a
//! heuristic in the fact's field and in the notes:
//!
//! - **namespaces**: the kernel gives the initial namespaces fixed inode
//!   numbers (`include/linux/proc_ns.h`; net and mnt since Linux 6.x), so a
//!   namespace link with that number is the host's;
//! - **host mounts**: a mount of a disk filesystem (not the overlay root),
//!   of `devtmpfs`, or of a single file or directory out of a tmpfs is a bind
//!   from the host; its source is the path inside that host filesystem,
//!   which is the host path when it comes from the host's root disk;
//! - **escape preconditions**: a writable cgroup v1 hierarchy with a
//!   `release_agent` (CVE-2022-0492), a writable `/proc/sys`, a runtime
//!   socket file, the host PID namespace with CAP_SYS_PTRACE.

use super::live::{at, fill_limits, fill_status, lsm, ns_link, set_privileged};
use super::procfs::{self, Cgroups, Fs, MountInfo};
use crate::model::{Container, Fact, Mount, MountKind, Ns, NsMode, SourceKind};
use crate::rules::runtime_socket_mounted::SOCKETS;
use bulkhead_core::InputError;

/// Inode numbers of the initial namespaces.
pub const INIT_INODES: &[(Ns, u64)] = &[
    (Ns::Cgroup, 0xEFFF_FFFB),
    (Ns::Ipc, 0xEFFF_FFFF),
    (Ns::Uts, 0xEFFF_FFFE),
    (Ns::User, 0xEFFF_FFFD),
    (Ns::Pid, 0xEFFF_FFFC),
    (Ns::Net, 0xEFFF_FFF9),
];

/// Runtime plumbing every container gets bound in.
const PLUMBING: &[&str] = &[
    "/etc/hosts",
    "/etc/hostname",
    "/etc/resolv.conf",
    "/run/.containerenv",
    "/.dockerenv",
    "/dev/termination-log",
];

const SOCKET_PATHS: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/run/podman/podman.sock",
    "/var/run/crio/crio.sock",
    "/run/buildkit/buildkitd.sock",
];

const MAX_DEVICES: usize = 4096;

/// What `--self` found: the model, and the named escape preconditions.
#[derive(Debug)]
pub struct SelfView {
    pub container: Container,
    pub preconditions: Vec<String>,
    pub notes: Vec<String>,
}

/// The inode in a namespace link (`net:[4026531833]`).
fn inode(link: &str) -> Option<u64> {
    link.split_once(":[")?.1.strip_suffix(']')?.parse().ok()
}

pub fn read(fs: &Fs) -> Result<SelfView, InputError> {
    let err =
        |e: procfs::ReadError| InputError::new("runtime --self", None, e.message().to_string());
    let proc_ = "/proc/self";
    let status_file = format!("{proc_}/status");
    let status = procfs::parse_status(&fs.read(&status_file).map_err(err)?);
    let uid_file = format!("{proc_}/uid_map");
    let uid_map = procfs::parse_id_map(&fs.read(&uid_file).unwrap_or_default());
    let name = fs
        .read("/proc/sys/kernel/hostname")
        .or_else(|_| fs.read("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "container".into());
    let mut c = Container::new(SourceKind::SelfView, name, at(&status_file, ""));
    fill_status(
        &mut c,
        &status,
        &status_file,
        (&uid_map, &[]),
        &uid_file,
        false,
    );
    let mut notes = Vec::new();
    for ns in Ns::ALL {
        let file = format!("{proc_}/ns/{}", ns_link(ns));
        let Ok(link) = fs.read_link(&file) else {
            continue;
        };
        let Some(ino) = inode(&link) else { continue };
        let init = INIT_INODES.iter().find(|(n, _)| *n == ns).map(|(_, i)| *i);
        let mode = if init == Some(ino) {
            NsMode::Host
        } else {
            NsMode::Private
        };
        c.set_ns(
            ns,
            Fact::new(
                mode,
                at(
                    &file,
                    &format!("{link} (heuristic: the initial namespace's fixed inode)"),
                ),
            ),
        );
    }
    if c.ns(Ns::Net).is_some_and(|f| f.value == NsMode::Private)
        && inode(&fs.read_link("/proc/self/ns/net").unwrap_or_default())
            .is_some_and(|i| i < 0xF000_0000)
    {
        notes.push("network namespace: a low inode that is not the initial one; the kernel may predate fixed init inodes (heuristic)".into());
    }
    let mi_file = format!("{proc_}/mountinfo");
    let (mounts, _) = procfs::parse_mountinfo(&fs.read(&mi_file).map_err(err)?);
    if let Some(r) = procfs::root_mount(&mounts) {
        c.read_only = Some(Fact::new(
            r.read_only(),
            at(&mi_file, &format!("mount {} (/) options", r.id)),
        ));
    }
    c.mounts = host_mounts(&mounts, &mi_file);
    for p in SOCKET_PATHS {
        if is_socket(&fs.path(p)) && !c.mounts.iter().any(|m| m.target == *p) {
            c.mounts.push(Mount {
                kind: MountKind::Bind,
                source: String::new(),
                target: (*p).to_string(),
                read_only: false,
                propagation: None,
                at: at(
                    p,
                    "socket file present (heuristic: a runtime socket from the host)",
                ),
            });
        }
    }
    let masked = mounts.iter().any(|m| {
        matches!(
            m.target.as_str(),
            "/proc/keys" | "/proc/kcore" | "/proc/timer_list"
        )
    });
    set_privileged(&mut c, None, masked, &status_file);
    let cg = Cgroups {
        fs,
        lines: procfs::parse_cgroup(&fs.read(&format!("{proc_}/cgroup")).unwrap_or_default()),
        mounts: &mounts,
    };
    fill_limits(&mut c, &cg);
    lsm(&mut c, fs, proc_);
    c.devices = procfs::device_nodes(&fs.path("/dev"), MAX_DEVICES)
        .into_iter()
        .map(|d| Fact::new(d, at("/dev", "device node")))
        .collect();
    let preconditions = preconditions(fs, &c, &mounts);
    Ok(SelfView {
        container: c,
        preconditions,
        notes,
    })
}

fn is_socket(p: &std::path::Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(p).is_ok_and(|m| m.file_type().is_socket())
}

const DISK_FS: &[&str] = &[
    "ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "vfat", "f2fs", "nfs", "nfs4", "cifs", "9p",
    "virtiofs", "fuse", "fuseblk", "ntfs", "ntfs3", "exfat",
];

/// Mounts that come from the host (see the module doc); recursive
/// submounts of one are folded into it.
pub fn host_mounts(mounts: &[MountInfo], file: &str) -> Vec<Mount> {
    let mut out: Vec<Mount> = Vec::new();
    for m in mounts {
        if m.target == "/" || PLUMBING.contains(&m.target.as_str()) {
            continue;
        }
        let source = match m.fstype.as_str() {
            "devtmpfs" => format!("/dev{}", if m.root == "/" { "" } else { &m.root }),
            "tmpfs" if m.root != "/" => m.root.clone(),
            t if DISK_FS.contains(&t) || t.starts_with("fuse.") => m.root.clone(),
            _ => continue,
        };
        let under = |t: &str| {
            let d = t.trim_end_matches('/');
            m.target.starts_with(&format!("{d}/"))
        };
        if out.iter().any(|b| under(&b.target)) {
            continue;
        }
        out.push(Mount {
            kind: MountKind::Bind,
            source,
            target: m.target.clone(),
            read_only: m.read_only(),
            propagation: m.propagation(),
            at: at(
                file,
                &format!(
                    "mount {} ({} from {}; heuristic: a host filesystem)",
                    m.id, m.target, m.fstype
                ),
            ),
        });
    }
    out
}

fn writable(p: &std::path::Path) -> bool {
    // Opening for writing without writing changes nothing.
    std::fs::OpenOptions::new().write(true).open(p).is_ok()
}

fn preconditions(fs: &Fs, c: &Container, mounts: &[MountInfo]) -> Vec<String> {
    let mut out = Vec::new();
    let has = |cap: &str| {
        c.caps_effective
            .as_ref()
            .is_some_and(|e| e.value.iter().any(|x| x == cap))
    };
    let mut agent = false;
    for m in mounts
        .iter()
        .filter(|m| m.fstype == "cgroup" && !m.read_only())
    {
        let ra = fs.path(&format!("{}/release_agent", m.target.trim_end_matches('/')));
        if ra.exists() && writable(&ra) {
            agent = true;
            out.push(format!(
                "writable cgroup v1 release_agent at {}: a process here can make the host run a program of its choice when a cgroup empties (CVE-2022-0492)",
                ra.display()
            ));
        }
    }
    let v1 = mounts.iter().any(|m| m.fstype == "cgroup")
        || fs
            .read("/proc/self/cgroup")
            .is_ok_and(|t| t.lines().any(|l| !l.starts_with("0::")));
    let unfiltered = c.seccomp.as_ref().is_some_and(|s| s.value == "unconfined");
    if !agent && v1 && has("SYS_ADMIN") && unfiltered {
        out.push("cgroup v1 host with CAP_SYS_ADMIN and no seccomp filter: a new cgroup v1 hierarchy can be mounted and its release_agent pointed at a host program (CVE-2022-0492; heuristic)".into());
    }
    if let Some(m) = mounts.iter().rev().find(|m| m.target == "/proc/sys")
        && !m.read_only()
    {
        out.push("/proc/sys is writable: with root, kernel.core_pattern can name a host program run on the next crash (heuristic)".into());
    } else if !mounts.iter().any(|m| m.target == "/proc/sys")
        && writable(&fs.path("/proc/sys/kernel/core_pattern"))
    {
        out.push("/proc/sys/kernel/core_pattern is writable: the next crash runs a program of this container's choice on the host".into());
    }
    for m in &c.mounts {
        let name = m.target.rsplit('/').next().unwrap_or("");
        if SOCKETS.contains(&name) {
            out.push(format!(
                "runtime socket at {}: whoever can write to it starts a privileged container on the host",
                m.target
            ));
        }
    }
    if has("SYS_PTRACE") && c.shares_host(Ns::Pid).is_some() {
        out.push("host PID namespace with CAP_SYS_PTRACE: host processes can be traced and injected into (heuristic: namespace by inode)".into());
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
    use super::*;

    #[test]
    fn host_mounts_from_inside() {
        let t = "80 53 0:41 / / ro - overlay overlay rw\n\
                 86 80 254:0 /run/containers/x/hosts /etc/hosts rw - ext4 /dev/vda rw\n\
                 87 80 254:0 /tmp/rt/fake.sock /var/run/docker.sock rw - ext4 /dev/vda rw\n\
                 88 80 254:0 / /host ro - ext4 /dev/vda rw\n\
                 89 88 0:5 / /host/dev ro - devtmpfs udev rw\n\
                 90 80 0:45 / /dev rw - tmpfs tmpfs rw\n\
                 91 80 0:22 /data /srv rw - tmpfs tmpfs rw\n";
        let (m, _) = procfs::parse_mountinfo(t);
        let got: Vec<(String, String)> = host_mounts(&m, "mi")
            .into_iter()
            .map(|m| (m.source, m.target))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "/tmp/rt/fake.sock".to_string(),
                    "/var/run/docker.sock".to_string()
                ),
                ("/".into(), "/host".into()),
                ("/data".into(), "/srv".into()),
            ]
        );
        assert_eq!(inode("net:[4026531833]"), Some(4_026_531_833));
        assert_eq!(inode("garbage"), None);
    }
}
