//! `docker inspect` / `podman inspect` JSON (an array of containers, or one)
//! → the runtime model. Inspect output is the runtime's own record after
//! the image's settings were applied: an empty `Config.User` is root.
//!
//! Known gap: podman reports `IpcMode: shareable` even for `--ipc host`;
//! the container's `OCIConfigPath` (readable on the host) is authoritative.

use super::compose::{ns_mode, security_opt, unlimited};
use super::{Files, Input, Loaded, T, V, parse_one};
use crate::model::{Container, Fact, Mount, MountKind, Ns, NsMode, Port, SourceKind, norm_cap};

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
    let list: Vec<&T> = match &root.v {
        V::Seq(items) => items.iter().collect(),
        V::Map(_) => vec![&root],
        _ => Vec::new(),
    };
    let mut out = Loaded::default();
    for (i, obj) in list.into_iter().enumerate() {
        if obj.get("HostConfig").is_none() {
            out.errors.push(bulkhead_core::InputError::new(
                &input.name,
                Some(obj.line),
                format!("entry {i} is not a container (no HostConfig)"),
            ));
            continue;
        }
        out.containers.push(container(&files, obj, i));
    }
    out
}

fn container(files: &Files, obj: &T, i: usize) -> Container {
    let p = format!("[{i}]");
    let at = |t: &T, f: &str| files.at(t, format!("{p}.{f}"));
    let name = obj
        .get("Name")
        .and_then(T::str)
        .map(|n| n.trim_start_matches('/').to_string())
        .or_else(|| {
            obj.get("Id")
                .and_then(T::str)
                .map(|s| s.chars().take(12).collect())
        })
        .unwrap_or_else(|| format!("container-{i}"));
    let name_at = obj
        .get("Name")
        .map_or_else(|| files.at(obj, &p), |t| at(t, "Name"));
    let mut c = Container::new(SourceKind::Inspect, name, name_at.clone());
    let h = obj.get("HostConfig");
    let hg = |k: &str| h.and_then(|h| h.get(k));
    let cfg = obj.get("Config");
    let user = cfg.and_then(|c| c.entry("User"));
    c.user = Some(match user {
        Some((_, t)) => {
            let u = t.str().unwrap_or("");
            Fact::new(
                if u.is_empty() {
                    "root".into()
                } else {
                    u.to_string()
                },
                at(t, "Config.User"),
            )
        }
        None => Fact::new("root".into(), name_at.clone()),
    });
    if let Some(t) = hg("Privileged") {
        c.privileged = Some(Fact::new(
            t.bool().unwrap_or(false),
            at(t, "HostConfig.Privileged"),
        ));
    }
    for (key, list) in [("CapAdd", &mut c.cap_add), ("CapDrop", &mut c.cap_drop)] {
        if let Some(t) = hg(key) {
            for (j, it) in t.items().iter().enumerate() {
                if let Some(s) = it.str() {
                    list.push(Fact::new(
                        norm_cap(s),
                        at(it, &format!("HostConfig.{key}[{j}]")),
                    ));
                }
            }
        }
    }
    for (key, slot) in [
        ("EffectiveCaps", &mut c.caps_effective),
        ("BoundingCaps", &mut c.caps_bounding),
    ] {
        if let Some((_, t)) = obj.entry(key) {
            let caps = t.items().iter().filter_map(T::str).map(norm_cap).collect();
            *slot = Some(Fact::new(caps, at(t, key)));
        }
    }
    c.no_new_privs = Some(Fact::new(
        false,
        h.map_or_else(
            || name_at.clone(),
            |h| at(h, "HostConfig.SecurityOpt (no no-new-privileges)"),
        ),
    ));
    if let Some(t) = hg("SecurityOpt") {
        for (j, it) in t.items().iter().enumerate() {
            if let Some(s) = it.str() {
                security_opt(&mut c, s, at(it, &format!("HostConfig.SecurityOpt[{j}]")));
            }
        }
    }
    if let Some(t) = obj.get("AppArmorProfile")
        && t.str().is_some_and(|s| !s.is_empty())
        && c.apparmor.is_none()
    {
        c.apparmor = Some(Fact::new(
            t.str().unwrap_or("").to_string(),
            at(t, "AppArmorProfile"),
        ));
    }
    if let Some(t) = hg("ReadonlyRootfs") {
        c.read_only = Some(Fact::new(
            t.bool().unwrap_or(false),
            at(t, "HostConfig.ReadonlyRootfs"),
        ));
    }
    if let Some(ms) = obj.get("Mounts") {
        for (j, m) in ms.items().iter().enumerate() {
            let ty = m.get("Type").and_then(T::str).unwrap_or("");
            let kind = match ty {
                "bind" => MountKind::Bind,
                "volume" => MountKind::Volume,
                "tmpfs" => MountKind::Tmpfs,
                o => MountKind::Other(o.to_string()),
            };
            let source = if kind == MountKind::Volume {
                m.get("Name").and_then(T::str)
            } else {
                m.get("Source").and_then(T::str)
            };
            c.mounts.push(Mount {
                kind,
                source: source.unwrap_or("").to_string(),
                target: m
                    .get("Destination")
                    .and_then(T::str)
                    .unwrap_or("")
                    .to_string(),
                read_only: !m.get("RW").and_then(T::bool).unwrap_or(false),
                propagation: m
                    .get("Propagation")
                    .and_then(T::str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
                at: at(m, &format!("Mounts[{j}]")),
            });
        }
    }
    if let Some(ds) = hg("Devices") {
        for (j, d) in ds.items().iter().enumerate() {
            if let Some(s) = d.get("PathOnHost").and_then(T::str) {
                c.devices.push(Fact::new(
                    s.to_string(),
                    at(d, &format!("HostConfig.Devices[{j}]")),
                ));
            }
        }
    }
    for (key, ns) in [
        ("PidMode", Ns::Pid),
        ("NetworkMode", Ns::Net),
        ("IpcMode", Ns::Ipc),
        ("UTSMode", Ns::Uts),
        ("UsernsMode", Ns::User),
        ("CgroupnsMode", Ns::Cgroup),
        ("CgroupMode", Ns::Cgroup),
    ] {
        if let Some(t) = hg(key)
            && let Some(s) = t.str()
        {
            let mode = match s {
                "none" | "slirp4netns" | "pasta" => NsMode::Private,
                s if s.starts_with("bridge")
                    || s.starts_with("slirp4netns:")
                    || s.starts_with("pasta:") =>
                {
                    NsMode::Private
                }
                s => ns_mode(s),
            };
            c.set_ns(ns, Fact::new(mode, at(t, &format!("HostConfig.{key}"))));
        }
    }
    if let Some(m) = hg("IDMappings").and_then(|m| m.get("UidMap")) {
        let s: Vec<&str> = m.items().iter().filter_map(T::str).collect();
        c.uid_map = Some(Fact::new(
            s.join(","),
            at(m, "HostConfig.IDMappings.UidMap"),
        ));
    }
    if let Some(t) = hg("Memory")
        && let Some(s) = t.str()
        && !unlimited(s)
    {
        c.memory = Some(Fact::new(s.to_string(), at(t, "HostConfig.Memory")));
    }
    if let Some(t) = hg("NanoCpus")
        && let Some(n) = t.i64()
        && n > 0
    {
        c.cpus = Some(Fact::new(
            format!("{}", n as f64 / 1e9),
            at(t, "HostConfig.NanoCpus"),
        ));
    } else if let Some(t) = hg("CpuQuota")
        && let Some(q) = t.i64()
        && q > 0
    {
        let period = hg("CpuPeriod")
            .and_then(T::i64)
            .filter(|p| *p > 0)
            .unwrap_or(100_000);
        c.cpus = Some(Fact::new(
            format!("{}", q as f64 / period as f64),
            at(t, "HostConfig.CpuQuota"),
        ));
    }
    if let Some(t) = hg("PidsLimit")
        && let Some(s) = t.str()
        && !unlimited(s)
    {
        c.pids = Some(Fact::new(s.to_string(), at(t, "HostConfig.PidsLimit")));
    }
    if let Some(s) = hg("Sysctls") {
        for (k, v) in s.entries() {
            c.sysctls.push(Fact::new(
                (k.name.clone(), v.str().unwrap_or("").to_string()),
                files.at_key(k, format!("{p}.HostConfig.Sysctls.{}", k.name)),
            ));
        }
    }
    if let Some(pb) = hg("PortBindings") {
        for (k, binds) in pb.entries() {
            let (target, proto) = k.name.split_once('/').unwrap_or((k.name.as_str(), "tcp"));
            for b in binds.items() {
                c.ports.push(Port {
                    host_ip: b.get("HostIp").and_then(T::str).map(str::to_string),
                    published: b
                        .get("HostPort")
                        .and_then(T::str)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                    target: target.to_string(),
                    protocol: proto.to_string(),
                    at: at(b, &format!("HostConfig.PortBindings.{}", k.name)),
                });
            }
        }
    }
    c
}
