//! The one runtime model: what a container runs with, each fact with the
//! place it was read from.
//!
//! A source fills only what it states. `None` (or an empty list) means the
//! source said nothing, and the runtime's default applies: for Compose and
//! `docker run` that is Docker's default (root unless the image sets a
//! USER, the default capability set, the default seccomp profile, private
//! namespaces, no limits); for an OCI `config.json` or `inspect` output the
//! sources write the concrete value they found (an absent namespace entry is
//! a shared host namespace, an absent `linux.seccomp` is no filter).

use bulkhead_core::Location;
use serde::Serialize;

/// Where a fact was read: file, 1-based line and column, and the field path
/// inside the file (`services.web.cap_add[0]`, `linux.namespaces`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct At {
    pub file: String,
    pub line: u32,
    pub col: u32,
    pub field: String,
}

impl At {
    pub fn short(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// One fact and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact<T> {
    pub value: T,
    pub at: At,
}

impl<T> Fact<T> {
    pub fn new(value: T, at: At) -> Self {
        Fact { value, at }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A service of a Compose project.
    Compose,
    /// An OCI runtime bundle's `config.json`.
    Oci,
    /// `docker inspect` / `podman inspect` output.
    Inspect,
    /// A `docker run` / `podman run` command line in a script, Makefile or CI file.
    RunLine,
    /// A running container, read from the host's `/proc` and cgroup files.
    Live,
    /// The container bulkhead runs in, read from inside (`runtime --self`).
    SelfView,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Compose => "compose",
            SourceKind::Oci => "oci-config",
            SourceKind::Inspect => "inspect",
            SourceKind::RunLine => "run-command",
            SourceKind::Live => "live",
            SourceKind::SelfView => "self",
        }
    }
}

/// The namespaces a container may share with the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ns {
    Pid,
    Net,
    Ipc,
    Uts,
    User,
    Cgroup,
}

impl Ns {
    pub const ALL: [Ns; 6] = [Ns::Pid, Ns::Net, Ns::Ipc, Ns::Uts, Ns::User, Ns::Cgroup];

    pub fn as_str(self) -> &'static str {
        match self {
            Ns::Pid => "pid",
            Ns::Net => "network",
            Ns::Ipc => "ipc",
            Ns::Uts => "uts",
            Ns::User => "user",
            Ns::Cgroup => "cgroup",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NsMode {
    /// The host's namespace.
    Host,
    /// A namespace of its own.
    Private,
    /// Another container's or a named namespace (`container:db`, `service:db`,
    /// a `/run/netns/...` path, `none` for the network).
    Joined(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MountKind {
    /// A host path.
    Bind,
    /// A named or anonymous volume managed by the runtime.
    Volume,
    Tmpfs,
    /// Anything else (`proc`, `sysfs`, `npipe`, ...), by its type name.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mount {
    pub kind: MountKind,
    /// Host path for a bind, volume name for a volume, empty when anonymous.
    pub source: String,
    pub target: String,
    pub read_only: bool,
    /// `rprivate`, `rshared`, `rslave`, ...
    pub propagation: Option<String>,
    pub at: At,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Port {
    /// Host address; `None` (or `0.0.0.0`, `::`) is every interface.
    pub host_ip: Option<String>,
    /// Host port or range; `None` is a random port.
    pub published: Option<String>,
    pub target: String,
    pub protocol: String,
    pub at: At,
}

impl Port {
    /// Reachable on every host interface?
    pub fn all_interfaces(&self) -> bool {
        match self.host_ip.as_deref() {
            None => true,
            Some(ip) => matches!(ip.trim_matches(['[', ']']), "" | "0.0.0.0" | "::" | "*"),
        }
    }
}

/// One container as a runtime would start it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Container {
    pub source: SourceKind,
    /// Service name, container name, or the image of a `docker run` line.
    pub name: String,
    /// Where the container is defined (the service key, the run line, ...).
    pub at: At,
    /// The user as written (`1000:1000`, `root`, `0`, `app`).
    pub user: Option<Fact<String>>,
    pub privileged: Option<Fact<bool>>,
    /// Capability names, upper case without `CAP_` (`SYS_ADMIN`, `ALL`).
    pub cap_add: Vec<Fact<String>>,
    pub cap_drop: Vec<Fact<String>>,
    /// The concrete sets, when the source states them (OCI, inspect).
    pub caps_effective: Option<Fact<Vec<String>>>,
    pub caps_bounding: Option<Fact<Vec<String>>>,
    pub no_new_privs: Option<Fact<bool>>,
    /// `unconfined`, `default` or a profile.
    pub seccomp: Option<Fact<String>>,
    pub apparmor: Option<Fact<String>>,
    /// `disable`, `type:spc_t`, a label, ...
    pub selinux: Option<Fact<String>>,
    pub read_only: Option<Fact<bool>>,
    pub mounts: Vec<Mount>,
    /// Host device paths passed in.
    pub devices: Vec<Fact<String>>,
    pub namespaces: Vec<(Ns, Fact<NsMode>)>,
    /// User-namespace mapping as `container:host:size` triples.
    pub uid_map: Option<Fact<String>>,
    pub memory: Option<Fact<String>>,
    pub cpus: Option<Fact<String>>,
    pub pids: Option<Fact<String>>,
    pub sysctls: Vec<Fact<(String, String)>>,
    pub ports: Vec<Port>,
}

impl Container {
    pub fn new(source: SourceKind, name: impl Into<String>, at: At) -> Self {
        Container {
            source,
            name: name.into(),
            at,
            user: None,
            privileged: None,
            cap_add: Vec::new(),
            cap_drop: Vec::new(),
            caps_effective: None,
            caps_bounding: None,
            no_new_privs: None,
            seccomp: None,
            apparmor: None,
            selinux: None,
            read_only: None,
            mounts: Vec::new(),
            devices: Vec::new(),
            namespaces: Vec::new(),
            uid_map: None,
            memory: None,
            cpus: None,
            pids: None,
            sysctls: Vec::new(),
            ports: Vec::new(),
        }
    }

    /// `compose service/web`, `oci-config bundle`, ... for finding locations.
    pub fn object(&self) -> String {
        let what = match self.source {
            SourceKind::Compose => "service",
            SourceKind::Oci => "oci-config",
            SourceKind::Inspect => "container",
            SourceKind::RunLine => "run",
            SourceKind::Live => "container",
            SourceKind::SelfView => "self",
        };
        format!("{what}/{}", self.name)
    }

    /// A finding location at `at`, naming this container.
    pub fn loc(&self, at: &At) -> Location {
        Location {
            file: at.file.clone(),
            line: (at.line > 0).then_some(at.line),
            column: (at.col > 0).then_some(at.col),
            object: Some(self.object()),
            field: (!at.field.is_empty()).then(|| at.field.clone()),
            ..Default::default()
        }
    }

    pub fn is_privileged(&self) -> bool {
        self.privileged.as_ref().is_some_and(|f| f.value)
    }

    pub fn ns(&self, ns: Ns) -> Option<&Fact<NsMode>> {
        self.namespaces
            .iter()
            .rev()
            .find(|(n, _)| *n == ns)
            .map(|(_, f)| f)
    }

    /// Sets a namespace, replacing an earlier statement of the same one.
    pub fn set_ns(&mut self, ns: Ns, mode: Fact<NsMode>) {
        self.namespaces.retain(|(n, _)| *n != ns);
        self.namespaces.push((ns, mode));
    }

    pub fn shares_host(&self, ns: Ns) -> Option<&Fact<NsMode>> {
        self.ns(ns).filter(|f| f.value == NsMode::Host)
    }

    /// The user id the user field names, when it is numeric or `root`
    /// (`None`: unset, a name other than root, or a variable).
    pub fn uid(&self) -> Option<u32> {
        let u = self.user.as_ref()?;
        let name = u.value.split(':').next().unwrap_or("").trim();
        if name == "root" {
            return Some(0);
        }
        name.parse().ok()
    }

    /// `ALL` or the capability is in `cap_drop`.
    pub fn drops(&self, cap: &str) -> bool {
        self.cap_drop
            .iter()
            .any(|c| c.value == "ALL" || c.value == cap)
    }
}

/// `cap_sys_admin`, `CAP_SYS_ADMIN`, ` sys_admin ` → `SYS_ADMIN`.
pub fn norm_cap(s: &str) -> String {
    let u = s.trim().to_ascii_uppercase();
    match u.strip_prefix("CAP_") {
        Some(rest) => rest.to_string(),
        None => u,
    }
}

/// Docker's default capability set (moby `oci/caps/defaults.go`).
pub const DOCKER_DEFAULT_CAPS: &[&str] = &[
    "CHOWN",
    "DAC_OVERRIDE",
    "FSETID",
    "FOWNER",
    "MKNOD",
    "NET_RAW",
    "SETGID",
    "SETUID",
    "SETFCAP",
    "SETPCAP",
    "NET_BIND_SERVICE",
    "SYS_CHROOT",
    "KILL",
    "AUDIT_WRITE",
];

/// Capabilities that open a concrete way out of the container or into the
/// host kernel, with what each gives an attacker.
pub const DANGEROUS_CAPS: &[(&str, &str)] = &[
    (
        "ALL",
        "every capability: mount, load kernel modules, ptrace, raw I/O — the host in a few commands",
    ),
    (
        "SYS_ADMIN",
        "mount filesystems (a cgroup v1 release_agent or the host disk) and run code on the host",
    ),
    (
        "SYS_PTRACE",
        "ptrace and inject code into other processes in the PID namespace (host processes with pid: host)",
    ),
    (
        "SYS_MODULE",
        "load a kernel module: arbitrary code in the host kernel",
    ),
    (
        "SYS_RAWIO",
        "raw I/O ports and /dev/mem access: read and write host memory",
    ),
    ("SYS_BOOT", "reboot the host or kexec a new kernel"),
    (
        "SYS_TIME",
        "set the host clock (break TLS validity, log timelines, Kerberos)",
    ),
    (
        "NET_ADMIN",
        "reconfigure interfaces, routes and iptables: sniff or redirect other containers' traffic",
    ),
    (
        "DAC_READ_SEARCH",
        "open_by_handle_at: read any host file through the mount (the \"shocker\" escape)",
    ),
    (
        "BPF",
        "load eBPF programs: read kernel memory and other processes' data",
    ),
    ("PERFMON", "perf and eBPF tracing of the host kernel"),
    (
        "MAC_ADMIN",
        "change or disable the AppArmor/SELinux policy that confines containers",
    ),
    ("MAC_OVERRIDE", "bypass the mandatory access control policy"),
    (
        "SYSLOG",
        "read the kernel log, which leaks kernel addresses (defeats KASLR)",
    ),
    (
        "LINUX_IMMUTABLE",
        "clear immutable and append-only flags, then tamper with protected files and logs",
    ),
];

/// What a dangerous capability gives, `None` when it is not in the list.
pub fn danger(cap: &str) -> Option<&'static str> {
    DANGEROUS_CAPS
        .iter()
        .find(|(c, _)| *c == cap)
        .map(|(_, why)| *why)
}
