//! Live containers, read from the host: the runtime's state directory
//! names each container's init PID, and `/proc/PID/*` plus the cgroup files
//! say what the kernel actually enforces on it.
//!
//! Discovery reads the OCI runtimes' own state (runc's `state.json`, crun's
//! `status`) under the roots runc, crun, containerd and Docker use, so no
//! daemon socket is needed; the start time recorded there is compared with
//! `/proc/PID/stat` so a reused PID of a stopped container is not read as
//! the container. Names come from the bundle: Kubernetes CRI annotations,
//! podman's `containers.json`, Docker's `config.v2.json`.
//!
//! Every fact's [`At`] names the kernel file it was read from
//! (`/proc/4242/status` field `CapBnd`); host readings are the authority —
//! the bundle's `config.json` is used only for the name. Namespaces are
//! compared with bulkhead's own (run it on the host), mounts are mapped back
//! to host paths through the host's mountinfo (same device, root inside
//! it), and the recursive submounts of one bind are folded into it.
//! Published ports are not visible from `/proc` (they live in the network
//! namespace's NAT rules or a proxy process) and are not reported.

use super::procfs::{self, Cgroups, Fs, MountInfo, ReadError};
use crate::model::{At, Container, Fact, Mount, MountKind, Ns, NsMode, SourceKind};
use bulkhead_core::InputError;
use serde_json::Value;

/// Where OCI runtimes keep container state, relative to the root.
pub const STATE_ROOTS: &[&str] = &[
    "/run/runc",
    "/run/crun",
    "/run/containerd/runc",
    "/run/docker/runtime-runc",
    "/var/run/docker/runtime-runc",
];

/// Most containers read in one run.
pub const MAX_CONTAINERS: usize = 10_000;
/// Most device nodes listed per container.
const MAX_DEVICES: usize = 4096;

/// The host as bulkhead reads it.
#[derive(Debug, Clone)]
pub struct Host {
    pub fs: Fs,
    /// State directories (absolute, under the root).
    pub state_roots: Vec<String>,
    /// The process whose namespaces stand for the host's (`self`).
    pub reference: String,
}

impl Host {
    pub fn system() -> Host {
        Host {
            fs: Fs::new("/"),
            state_roots: STATE_ROOTS.iter().map(|s| (*s).to_string()).collect(),
            reference: "self".into(),
        }
    }
}

/// A container the state directories name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub id: String,
    pub name: String,
    pub pid: u32,
    /// The OCI runtime whose state named it (`runc`, `crun`).
    pub runtime: &'static str,
    /// The state file.
    pub state: String,
    pub bundle: Option<String>,
}

/// What discovery produced.
#[derive(Debug, Default)]
pub struct Discovery {
    pub found: Vec<Found>,
    pub errors: Vec<InputError>,
    pub notes: Vec<String>,
}

fn state_file(fs: &Fs, dir: &str) -> Option<(String, &'static str)> {
    let runc = format!("{dir}/state.json");
    if fs.path(&runc).is_file() {
        return Some((runc, "runc"));
    }
    let crun = format!("{dir}/status");
    if fs.path(&crun).is_file() {
        return Some((crun, "crun"));
    }
    None
}

fn subdirs(fs: &Fs, dir: &str) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(fs.path(dir)) else {
        return Vec::new();
    };
    let mut v: Vec<String> = rd
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| format!("{dir}/{}", e.file_name().to_string_lossy()))
        .collect();
    v.sort();
    v
}

/// Every running container the state roots name.
pub fn discover(host: &Host) -> Discovery {
    let mut d = Discovery::default();
    let mut seen = std::collections::HashSet::new();
    for root in &host.state_roots {
        // Container directories sit in the root (runc, crun) or one level
        // below, in a namespace directory (containerd `k8s.io`, Docker `moby`).
        for dir in subdirs(&host.fs, root) {
            let candidates = match state_file(&host.fs, &dir) {
                Some(s) => vec![s],
                None => subdirs(&host.fs, &dir)
                    .iter()
                    .filter_map(|sub| state_file(&host.fs, sub))
                    .collect(),
            };
            for (file, runtime) in candidates {
                if d.found.len() >= MAX_CONTAINERS {
                    d.notes.push(format!(
                        "more than {MAX_CONTAINERS} containers; the rest were not read"
                    ));
                    return d;
                }
                match read_state(host, &file, runtime) {
                    Ok(Some(f)) => {
                        if seen.insert(f.id.clone()) {
                            d.found.push(f);
                        }
                    }
                    Ok(None) => {}
                    Err(Stale(msg)) => d.notes.push(msg),
                }
            }
        }
    }
    d
}

struct Stale(String);

fn read_state(host: &Host, file: &str, runtime: &'static str) -> Result<Option<Found>, Stale> {
    let text = match host.fs.read(file) {
        Ok(t) => t,
        // Removed between the listing and the read: the container is gone.
        Err(ReadError::Gone(_)) => return Ok(None),
        Err(e) => return Err(Stale(e.message().to_string())),
    };
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| Stale(format!("{file}: not JSON ({e}); container skipped")))?;
    let id = v
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            std::path::Path::new(file)
                .parent()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_default();
    let pid = v
        .get("init_process_pid")
        .or_else(|| v.get("pid"))
        .and_then(Value::as_u64)
        .and_then(|p| u32::try_from(p).ok())
        .filter(|p| *p > 0);
    let Some(pid) = pid else {
        return Err(Stale(format!(
            "{file}: container {id} has no init PID (created, not started); skipped"
        )));
    };
    let stat = match host.fs.read(&format!("/proc/{pid}/stat")) {
        Ok(s) => s,
        Err(_) => {
            return Err(Stale(format!(
                "container {id}: init PID {pid} is not running (stopped container); skipped"
            )));
        }
    };
    if let Some(want) = v.get("init_process_start").and_then(Value::as_u64)
        && procfs::start_time(&stat) != Some(want)
    {
        return Err(Stale(format!(
            "container {id}: PID {pid} now belongs to another process (the container stopped); skipped"
        )));
    }
    let bundle = v
        .get("bundle")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            v.pointer("/config/labels")
                .and_then(Value::as_array)
                .and_then(|ls| {
                    ls.iter()
                        .filter_map(Value::as_str)
                        .find_map(|l| l.strip_prefix("bundle=").map(str::to_string))
                })
        });
    let name = name_of(host, &id, bundle.as_deref());
    Ok(Some(Found {
        id,
        name,
        pid,
        runtime,
        state: file.to_string(),
        bundle,
    }))
}

fn json_file(fs: &Fs, path: &str) -> Option<Value> {
    serde_json::from_str(&fs.read(path).ok()?).ok()
}

/// The container's name: CRI annotations, podman's `containers.json`,
/// Docker's `config.v2.json`, else the short id.
fn name_of(host: &Host, id: &str, bundle: Option<&str>) -> String {
    if let Some(b) = bundle
        && let Some(cfg) = json_file(&host.fs, &format!("{b}/config.json"))
    {
        let ann = |k: &str| {
            cfg.pointer(&format!("/annotations/{}", k.replace('/', "~1")))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        if let Some(c) = ann("io.kubernetes.cri.container-name") {
            let pod = ann("io.kubernetes.cri.sandbox-name").unwrap_or_default();
            let ns = ann("io.kubernetes.cri.sandbox-namespace").unwrap_or_default();
            return format!("{ns}/{pod}/{c}");
        }
        // podman: <storage>/overlay-containers/<id>/userdata
        let dir = std::path::Path::new(b);
        if let Some(store) = dir.parent().and_then(|p| p.parent()) {
            let list = format!("{}/containers.json", store.to_string_lossy());
            if let Some(Value::Array(cs)) = json_file(&host.fs, &list)
                && let Some(n) = cs
                    .iter()
                    .find(|c| c.get("id").and_then(Value::as_str) == Some(id))
                    .and_then(|c| c.pointer("/names/0"))
                    .and_then(Value::as_str)
            {
                return n.to_string();
            }
        }
    }
    for docker in ["/var/lib/docker/containers"] {
        if let Some(v) = json_file(&host.fs, &format!("{docker}/{id}/config.v2.json"))
            && let Some(n) = v.get("Name").and_then(Value::as_str)
        {
            return n.trim_start_matches('/').to_string();
        }
    }
    id.chars().take(12).collect()
}

/// The containers `wanted` names (id, id prefix or name); all when empty.
/// A name that matches nothing is an error.
pub fn select(found: Vec<Found>, wanted: &[String]) -> (Vec<Found>, Vec<InputError>) {
    if wanted.is_empty() {
        return (found, Vec::new());
    }
    let mut errors = Vec::new();
    let mut keep = vec![false; found.len()];
    for w in wanted {
        let hits: Vec<usize> = found
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                f.name == *w || f.id == *w || (w.len() >= 4 && f.id.starts_with(w.as_str()))
            })
            .map(|(i, _)| i)
            .collect();
        if hits.is_empty() {
            errors.push(InputError::new(
                w,
                None,
                "no running container with this name or id (looked in the runc/crun state directories)",
            ));
        }
        for i in hits {
            keep[i] = true;
        }
    }
    let found = found
        .into_iter()
        .zip(keep)
        .filter_map(|(f, k)| k.then_some(f))
        .collect();
    (found, errors)
}

/// An [`At`] naming a kernel file and the field read in it.
pub fn at(file: &str, field: &str) -> At {
    At {
        file: file.to_string(),
        line: 0,
        col: 0,
        field: field.to_string(),
    }
}

fn gone(f: &Found, e: &ReadError) -> InputError {
    match e {
        ReadError::Gone(_) => InputError::new(
            format!("container {}", f.name),
            None,
            format!("init PID {} exited while it was being read", f.pid),
        ),
        ReadError::Other(m) => InputError::new(format!("container {}", f.name), None, m.clone()),
    }
}

/// The host's view of one running container.
pub fn read(host: &Host, f: &Found) -> Result<Container, InputError> {
    let fs = &host.fs;
    let pid = f.pid;
    let proc_ = format!("/proc/{pid}");
    let mut c = Container::new(
        SourceKind::Live,
        f.name.clone(),
        at(&f.state, "init_process_pid"),
    );
    let status_file = format!("{proc_}/status");
    let status = procfs::parse_status(&fs.read(&status_file).map_err(|e| gone(f, &e))?);
    let uid_file = format!("{proc_}/uid_map");
    let uid_map = procfs::parse_id_map(&fs.read(&uid_file).map_err(|e| gone(f, &e))?);
    let gid_map = fs
        .read(&format!("{proc_}/gid_map"))
        .map(|t| procfs::parse_id_map(&t))
        .unwrap_or_default();
    fill_status(
        &mut c,
        &status,
        &status_file,
        (&uid_map, &gid_map),
        &uid_file,
        true,
    );

    // Namespaces against the reference process (the host).
    for ns in Ns::ALL {
        let link = ns_link(ns);
        let file = format!("{proc_}/ns/{link}");
        let mine = fs.read_link(&file).map_err(|e| gone(f, &e))?;
        let theirs = fs
            .read_link(&format!("/proc/{}/ns/{link}", host.reference))
            .unwrap_or_default();
        let mode = if mine == theirs {
            NsMode::Host
        } else {
            NsMode::Private
        };
        c.set_ns(ns, Fact::new(mode, at(&file, &mine)));
    }

    let mi_file = format!("{proc_}/mountinfo");
    let (mounts, _) = procfs::parse_mountinfo(&fs.read(&mi_file).map_err(|e| gone(f, &e))?);
    let (host_mounts, _) = procfs::parse_mountinfo(
        &fs.read(&format!("/proc/{}/mountinfo", host.reference))
            .unwrap_or_default(),
    );
    if let Some(r) = procfs::root_mount(&mounts) {
        c.read_only = Some(Fact::new(
            r.read_only(),
            at(&mi_file, &format!("mount {} (/) options", r.id)),
        ));
    }
    c.mounts = host_binds(&mounts, &host_mounts, &mi_file);
    let masked = mounts.iter().any(|m| {
        matches!(
            m.target.as_str(),
            "/proc/keys" | "/proc/kcore" | "/proc/timer_list"
        )
    });
    let reference = fs
        .read(&format!("/proc/{}/status", host.reference))
        .ok()
        .and_then(|t| procfs::parse_status(&t).cap_bnd)
        .and_then(|h| procfs::decode_caps(&h));
    set_privileged(&mut c, reference.as_deref(), masked, &status_file);

    let cg_file = format!("{proc_}/cgroup");
    let cg = Cgroups {
        fs,
        lines: procfs::parse_cgroup(&fs.read(&cg_file).map_err(|e| gone(f, &e))?),
        mounts: &host_mounts,
    };
    fill_limits(&mut c, &cg);
    lsm(&mut c, fs, &proc_);
    c.devices = procfs::device_nodes(&fs.path(&format!("{proc_}/root/dev")), MAX_DEVICES)
        .into_iter()
        .map(|d| Fact::new(d, at(&format!("{proc_}/root/dev"), "device node")))
        .collect();
    // A last check that the process is still the container's: a PID that
    // exited mid-read would have produced a mixture.
    if !fs.exists(&status_file) {
        return Err(gone(f, &ReadError::Gone(String::new())));
    }
    Ok(c)
}

pub(crate) fn ns_link(ns: Ns) -> &'static str {
    match ns {
        Ns::Pid => "pid",
        Ns::Net => "net",
        Ns::Ipc => "ipc",
        Ns::Uts => "uts",
        Ns::User => "user",
        Ns::Cgroup => "cgroup",
    }
}

/// User, capabilities, no_new_privs, seccomp and the uid map from `status`
/// and `uid_map` (shared with the in-container view).
pub(crate) fn fill_status(
    c: &mut Container,
    s: &procfs::Status,
    status_file: &str,
    (uid_map, gid_map): (&[procfs::IdRange], &[procfs::IdRange]),
    uid_file: &str,
    translate: bool,
) {
    if let (Some(uid), Some(gid)) = (s.uid, s.gid) {
        // From the host the reader sees host ids; the user inside is the
        // mapped one. From inside, the ids are already the container's.
        let (iu, ig) = if translate {
            (
                procfs::inside_id(uid_map, uid).unwrap_or(uid),
                procfs::inside_id(gid_map, gid).unwrap_or(gid),
            )
        } else {
            (uid, gid)
        };
        c.user = Some(Fact::new(format!("{iu}:{ig}"), at(status_file, "Uid/Gid")));
    }
    if !uid_map.is_empty() && !procfs::is_identity(uid_map) {
        c.uid_map = Some(Fact::new(procfs::format_id_map(uid_map), at(uid_file, "")));
    }
    for (hex, field, slot) in [
        (&s.cap_eff, "CapEff", &mut c.caps_effective),
        (&s.cap_bnd, "CapBnd", &mut c.caps_bounding),
    ] {
        if let Some(h) = hex
            && let Some(caps) = procfs::decode_caps(h)
        {
            *slot = Some(Fact::new(caps, at(status_file, &format!("{field} {h}"))));
        }
    }
    if let Some(n) = s.no_new_privs {
        c.no_new_privs = Some(Fact::new(n, at(status_file, "NoNewPrivs")));
    }
    if let Some(m) = s.seccomp {
        let v = match m {
            0 => "unconfined".to_string(),
            1 => "strict".to_string(),
            _ => format!("filter ({} filters)", s.seccomp_filters.unwrap_or(0)),
        };
        c.seccomp = Some(Fact::new(v, at(status_file, "Seccomp")));
    }
}

/// Privileged as the runtimes make it: a full bounding set, no seccomp
/// filter, and none of the masked `/proc` paths (the OCI config source's
/// definition). "Full" is every capability `reference` (the host process,
/// whose own bounding set may lack some on a restricted host) holds, or,
/// without a reference, 38 or more.
pub(crate) fn set_privileged(
    c: &mut Container,
    reference: Option<&[String]>,
    masked: bool,
    status_file: &str,
) {
    let full = c.caps_bounding.as_ref().is_some_and(|b| match reference {
        Some(r) if !r.is_empty() => r.iter().all(|cap| b.value.contains(cap)),
        _ => b.value.len() >= 38,
    });
    let no_filter = c.seccomp.as_ref().is_some_and(|s| s.value == "unconfined");
    c.privileged = Some(Fact::new(
        full && no_filter && !masked,
        at(
            status_file,
            "CapBnd (every capability), Seccomp 0, no masked /proc paths",
        ),
    ));
}

pub(crate) fn fill_limits(c: &mut Container, cg: &Cgroups<'_>) {
    if let Some(l) = cg.memory()
        && let Some(v) = l.value
    {
        c.memory = Some(Fact::new(v, at(&l.file, "")));
    }
    if let Some(l) = cg.cpus()
        && let Some(v) = l.value
    {
        c.cpus = Some(Fact::new(v, at(&l.file, "")));
    }
    if let Some(l) = cg.pids()
        && let Some(v) = l.value
    {
        c.pids = Some(Fact::new(v, at(&l.file, "")));
    }
}

/// AppArmor or SELinux, whichever the host runs (neither: nothing stated).
pub(crate) fn lsm(c: &mut Container, fs: &Fs, proc_: &str) {
    let apparmor_on = fs
        .read("/sys/module/apparmor/parameters/enabled")
        .is_ok_and(|t| t.trim().starts_with('Y'));
    if apparmor_on {
        for file in [
            format!("{proc_}/attr/apparmor/current"),
            format!("{proc_}/attr/current"),
        ] {
            if let Ok(t) = fs.read(&file) {
                let v = t.trim_end_matches(['\0', '\n']).trim().to_string();
                let profile = v.split(" (").next().unwrap_or(&v).to_string();
                c.apparmor = Some(Fact::new(profile, at(&file, &v)));
                break;
            }
        }
    } else if fs.exists("/sys/fs/selinux/enforce") {
        let file = format!("{proc_}/attr/current");
        if let Ok(t) = fs.read(&file) {
            let v = t.trim_end_matches(['\0', '\n']).trim().to_string();
            c.selinux = Some(Fact::new(v, at(&file, "")));
        }
    }
}

/// Filesystems that are the container's own, never a host path.
const OWN_FS: &[&str] = &[
    "proc",
    "sysfs",
    "cgroup",
    "cgroup2",
    "devpts",
    "mqueue",
    "overlay",
    "securityfs",
    "debugfs",
    "tracefs",
    "bpf",
    "fusectl",
    "pstore",
    "configfs",
    "hugetlbfs",
];

/// The container's mounts that show a host path: same device as a host
/// mount, root inside it. A bind's recursive submounts (`-v /:/host` brings
/// every host mount under `/host`) are folded into the bind.
pub fn host_binds(mounts: &[MountInfo], host: &[MountInfo], file: &str) -> Vec<Mount> {
    let mut out: Vec<Mount> = Vec::new();
    for m in mounts {
        if m.target == "/" || OWN_FS.contains(&m.fstype.as_str()) {
            continue;
        }
        // The host mount of the same filesystem whose root contains this
        // mount's root, the deepest such one.
        let Some(h) = host
            .iter()
            .filter(|h| h.dev == m.dev && (h.root == "/" || within(&m.root, &h.root)))
            .max_by_key(|h| h.root.len())
        else {
            continue;
        };
        let rel = if h.root == "/" {
            m.root.as_str()
        } else {
            m.root
                .strip_prefix(h.root.trim_end_matches('/'))
                .unwrap_or("")
        };
        let host_path = join(&h.target, rel);
        let folded = out.iter().any(|b| {
            within(&m.target, &b.target)
                && m.target != b.target
                && m.target
                    .strip_prefix(b.target.trim_end_matches('/'))
                    .is_some_and(|rest| join(&b.source, rest) == host_path)
        });
        if folded {
            continue;
        }
        out.push(Mount {
            kind: MountKind::Bind,
            source: host_path,
            target: m.target.clone(),
            read_only: m.read_only(),
            propagation: m.propagation(),
            at: at(file, &format!("mount {} ({})", m.id, m.target)),
        });
    }
    out
}

/// `p` is `dir` or below it.
fn within(p: &str, dir: &str) -> bool {
    let d = dir.trim_end_matches('/');
    d.is_empty() || p == d || p.starts_with(&format!("{d}/"))
}

fn join(base: &str, rel: &str) -> String {
    let b = base.trim_end_matches('/');
    let r = rel.trim_start_matches('/');
    match (b.is_empty(), r.is_empty()) {
        (true, true) => "/".into(),
        (true, false) => format!("/{r}"),
        (false, true) => b.to_string(),
        (false, false) => format!("{b}/{r}"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
    use super::*;

    #[test]
    fn binds_map_back_to_host_paths_and_fold_submounts() {
        let host = "23 1 254:0 / / rw - ext4 /dev/vda rw\n24 23 0:22 / /run rw - tmpfs tmpfs rw\n25 23 0:5 / /dev rw - devtmpfs udev rw\n";
        let ctr = "80 53 0:41 / / rw - overlay overlay rw\n\
                   86 80 254:0 /var/lib/x/hosts /etc/hosts rw - ext4 /dev/vda rw\n\
                   87 80 0:22 /docker.sock /var/run/docker.sock rw - tmpfs tmpfs rw\n\
                   88 80 254:0 / /host ro - ext4 /dev/vda rw\n\
                   89 88 0:22 / /host/run ro - tmpfs tmpfs rw\n\
                   90 88 0:5 / /host/dev ro - devtmpfs udev rw\n\
                   91 80 0:99 / /tmp rw - tmpfs tmpfs rw\n";
        let (h, _) = procfs::parse_mountinfo(host);
        let (c, _) = procfs::parse_mountinfo(ctr);
        let b = host_binds(&c, &h, "/proc/1/mountinfo");
        let got: Vec<(&str, &str, bool)> = b
            .iter()
            .map(|m| (m.source.as_str(), m.target.as_str(), m.read_only))
            .collect();
        assert_eq!(
            got,
            [
                ("/var/lib/x/hosts", "/etc/hosts", false),
                ("/run/docker.sock", "/var/run/docker.sock", false),
                ("/", "/host", true),
            ]
        );
    }

    #[test]
    fn hostile_mount_tables_do_not_panic() {
        // A host root with a trailing slash that the mount's root equals
        // without it; a target equal to a bind's target without the slash.
        let (h, _) = procfs::parse_mountinfo("1 0 8:1 /a/ /srv rw - ext4 x rw\n");
        let (c, _) = procfs::parse_mountinfo(
            "2 1 8:1 /a /x/ rw - ext4 x rw\n3 2 8:1 /a /x rw - ext4 x rw\n4 2 8:1 \\777 /x/\\3 rw - ext4 x rw\n",
        );
        let b = host_binds(&c, &h, "m");
        assert_eq!(b[0].source, "/srv");
    }

    #[test]
    fn select_by_name_id_and_prefix() {
        let f = |id: &str, name: &str| Found {
            id: id.into(),
            name: name.into(),
            pid: 1,
            runtime: "runc",
            state: String::new(),
            bundle: None,
        };
        let all = vec![f("abcdef0123", "web"), f("99887766", "db")];
        let (s, e) = select(all.clone(), &["web".into(), "9988".into()]);
        assert_eq!(s.len(), 2);
        assert!(e.is_empty());
        let (s, e) = select(all, &["nope".into()]);
        assert!(s.is_empty());
        assert!(
            e[0].to_string().contains("no running container"),
            "{}",
            e[0]
        );
    }
}
