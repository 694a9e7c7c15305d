//! OCI runtime `config.json` (as `runc spec`, podman or containerd write it)
//! → the runtime model. The file states concrete values, so absences mean
//! something: no namespace entry is the host's namespace, no
//! `linux.seccomp` is no filter, no `noNewPrivileges` is off.

use super::compose::unlimited;
use super::{Files, Input, Loaded, T, parse_one};
use crate::model::{At, Container, Fact, Mount, MountKind, Ns, NsMode, SourceKind, norm_cap};

const PROPAGATIONS: &[&str] = &[
    "shared", "slave", "private", "rshared", "rslave", "rprivate",
];

pub fn load(input: &Input) -> Loaded {
    let mut files = Files::default();
    let idx = files.add(&input.name);
    let root = match parse_one(input, idx) {
        Ok(r) => r,
        Err(e) => {
            return Loaded {
                errors: vec![e],
                ..Default::default()
            };
        }
    };
    if root.get("ociVersion").is_none() {
        return Loaded::error(
            &input.name,
            Some(root.line),
            "not an OCI runtime config (no ociVersion)",
        );
    }
    let name = root
        .get("hostname")
        .and_then(T::str)
        .map_or_else(|| bundle_name(&input.name), str::to_string);
    let c = container(&files, &root, name);
    Loaded {
        containers: vec![c],
        ..Default::default()
    }
}

fn bundle_name(file: &str) -> String {
    let p = std::path::Path::new(file);
    p.parent().and_then(|d| d.file_name()).map_or_else(
        || "bundle".to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn strs(t: Option<&T>) -> Vec<String> {
    t.map(|t| t.items().iter().filter_map(T::str).map(norm_cap).collect())
        .unwrap_or_default()
}

/// Builds the container from a parsed config (also used for podman's
/// `OCIConfigPath` files).
pub fn container(files: &Files, root: &T, name: String) -> Container {
    let at = |t: &T, f: &str| files.at(t, f);
    let mut c = Container::new(SourceKind::Oci, name, at(root, ""));
    let process = root.get("process");
    let p_at = process.map_or_else(|| at(root, "process"), |p| at(p, "process"));
    if let Some(u) = process.and_then(|p| p.get("user")) {
        let uid = u.get("uid").and_then(T::str).unwrap_or("0");
        let gid = u.get("gid").and_then(T::str).unwrap_or("0");
        let t = u.get("uid").unwrap_or(u);
        c.user = Some(Fact::new(format!("{uid}:{gid}"), at(t, "process.user.uid")));
    } else {
        c.user = Some(Fact::new("0:0".into(), p_at.clone()));
    }
    let caps = process.and_then(|p| p.get("capabilities"));
    let cap_at = caps.map_or_else(|| p_at.clone(), |t| at(t, "process.capabilities"));
    for (key, slot) in [
        ("bounding", &mut c.caps_bounding),
        ("effective", &mut c.caps_effective),
    ] {
        let t = caps.and_then(|c| c.get(key));
        let a = t.map_or_else(
            || cap_at.clone(),
            |t| at(t, &format!("process.capabilities.{key}")),
        );
        *slot = Some(Fact::new(strs(t), a));
    }
    c.no_new_privs = Some(match process.and_then(|p| p.get("noNewPrivileges")) {
        Some(t) => Fact::new(t.bool().unwrap_or(false), at(t, "process.noNewPrivileges")),
        None => Fact::new(
            false,
            At {
                field: "process.noNewPrivileges (absent)".into(),
                ..p_at.clone()
            },
        ),
    });
    if let Some(t) = process.and_then(|p| p.get("apparmorProfile")) {
        c.apparmor = Some(Fact::new(
            t.str().unwrap_or("").to_string(),
            at(t, "process.apparmorProfile"),
        ));
    }
    if let Some(t) = process.and_then(|p| p.get("selinuxLabel")) {
        c.selinux = Some(Fact::new(
            t.str().unwrap_or("").to_string(),
            at(t, "process.selinuxLabel"),
        ));
    }
    let r = root.get("root");
    c.read_only = Some(match r.and_then(|r| r.get("readonly")) {
        Some(t) => Fact::new(t.bool().unwrap_or(false), at(t, "root.readonly")),
        None => Fact::new(false, at(r.unwrap_or(root), "root.readonly (absent)")),
    });
    if let Some(ms) = root.get("mounts") {
        for (i, m) in ms.items().iter().enumerate() {
            let opts: Vec<&str> = m
                .get("options")
                .map(|o| o.items().iter().filter_map(T::str).collect())
                .unwrap_or_default();
            let ty = m.get("type").and_then(T::str).unwrap_or("");
            let kind = if ty == "bind" || opts.iter().any(|o| *o == "bind" || *o == "rbind") {
                MountKind::Bind
            } else if ty == "tmpfs" {
                MountKind::Tmpfs
            } else {
                MountKind::Other(ty.to_string())
            };
            c.mounts.push(Mount {
                kind,
                source: m.get("source").and_then(T::str).unwrap_or("").to_string(),
                target: m
                    .get("destination")
                    .and_then(T::str)
                    .unwrap_or("")
                    .to_string(),
                read_only: opts.contains(&"ro"),
                propagation: opts
                    .iter()
                    .find(|o| PROPAGATIONS.contains(o))
                    .map(|s| (*s).to_string()),
                at: at(m, &format!("mounts[{i}]")),
            });
        }
    }
    let linux = root.get("linux");
    let l_at = linux.map_or_else(|| at(root, "linux"), |l| at(l, "linux"));
    let nss = linux.and_then(|l| l.get("namespaces"));
    let ns_at = nss.map_or_else(|| l_at.clone(), |t| at(t, "linux.namespaces"));
    for ns in Ns::ALL {
        let ty = match ns {
            Ns::Net => "network",
            o => o.as_str(),
        };
        let entry = nss.and_then(|n| {
            n.items()
                .iter()
                .enumerate()
                .find(|(_, e)| e.get("type").and_then(T::str) == Some(ty))
        });
        let fact = match entry {
            None => Fact::new(
                NsMode::Host,
                At {
                    field: format!("linux.namespaces (no {ty} entry)"),
                    ..ns_at.clone()
                },
            ),
            Some((i, e)) => {
                let mode = match e.get("path").and_then(T::str) {
                    None | Some("") => NsMode::Private,
                    Some(p) if p.starts_with("/proc/1/ns/") => NsMode::Host,
                    Some(p) => NsMode::Joined(p.to_string()),
                };
                Fact::new(mode, at(e, &format!("linux.namespaces[{i}]")))
            }
        };
        c.set_ns(ns, fact);
    }
    if let Some(m) = linux.and_then(|l| l.get("uidMappings")) {
        let s: Vec<String> = m
            .items()
            .iter()
            .map(|e| {
                let g = |k: &str| e.get(k).and_then(T::str).unwrap_or("?").to_string();
                format!("{}:{}:{}", g("containerID"), g("hostID"), g("size"))
            })
            .collect();
        c.uid_map = Some(Fact::new(s.join(","), at(m, "linux.uidMappings")));
    }
    let res = linux.and_then(|l| l.get("resources"));
    if let Some(t) = res.and_then(|r| r.path2("memory", "limit"))
        && let Some(s) = t.str()
        && !unlimited(s)
    {
        c.memory = Some(Fact::new(
            s.to_string(),
            at(t, "linux.resources.memory.limit"),
        ));
    }
    if let Some(t) = res.and_then(|r| r.path2("cpu", "quota"))
        && let Some(q) = t.i64()
        && q > 0
    {
        let period = res
            .and_then(|r| r.path2("cpu", "period"))
            .and_then(T::i64)
            .filter(|p| *p > 0)
            .unwrap_or(100_000);
        c.cpus = Some(Fact::new(
            format!("{}", q as f64 / period as f64),
            at(t, "linux.resources.cpu.quota"),
        ));
    }
    if let Some(t) = res.and_then(|r| r.path2("pids", "limit"))
        && let Some(s) = t.str()
        && !unlimited(s)
    {
        c.pids = Some(Fact::new(
            s.to_string(),
            at(t, "linux.resources.pids.limit"),
        ));
    }
    if let Some(ds) = linux.and_then(|l| l.get("devices")) {
        for (i, d) in ds.items().iter().enumerate() {
            if let Some(p) = d.get("path").and_then(T::str) {
                c.devices.push(Fact::new(
                    p.to_string(),
                    at(d, &format!("linux.devices[{i}]")),
                ));
            }
        }
    }
    if let Some(s) = linux.and_then(|l| l.get("sysctl")) {
        for (k, v) in s.entries() {
            c.sysctls.push(Fact::new(
                (k.name.clone(), v.str().unwrap_or("").to_string()),
                files.at_key(k, format!("linux.sysctl.{}", k.name)),
            ));
        }
    }
    c.seccomp = Some(match linux.and_then(|l| l.get("seccomp")) {
        Some(t) => Fact::new(
            t.get("defaultAction")
                .and_then(T::str)
                .unwrap_or("profile")
                .to_string(),
            at(t, "linux.seccomp"),
        ),
        None => Fact::new(
            "unconfined".into(),
            At {
                field: "linux.seccomp (absent)".into(),
                ..l_at.clone()
            },
        ),
    });
    // There is no "privileged" field: podman records the flag as an
    // annotation; otherwise every capability with no masked paths is what
    // `--privileged` writes.
    let ann = root
        .get("annotations")
        .and_then(|a| a.get("io.podman.annotations.privileged"));
    if let Some(t) = ann {
        let on = t.str().is_some_and(|s| s.eq_ignore_ascii_case("true"));
        c.privileged = Some(Fact::new(
            on,
            at(t, "annotations.io.podman.annotations.privileged"),
        ));
    } else {
        let bounding = c.caps_bounding.as_ref().map_or(0, |b| b.value.len());
        let masked = linux
            .and_then(|l| l.get("maskedPaths"))
            .is_some_and(|m| !m.items().is_empty());
        c.privileged = Some(Fact::new(
            bounding >= 38 && !masked,
            At {
                field: "process.capabilities.bounding (every capability, no maskedPaths)".into(),
                ..cap_at
            },
        ));
    }
    c
}

impl T {
    fn path2(&self, a: &str, b: &str) -> Option<&T> {
        self.get(a)?.get(b)
    }
}
