//! Pod Security Standards, exactly as kubernetes/pod-security-admission
//! evaluates them, per level and per Kubernetes minor version.
//!
//! Each upstream check is one file here holding its rule metadata and its
//! versioned check functions. The registry reproduces upstream's rules for
//! which function runs at a version: the newest entry whose minimum version
//! is at or below the requested one; restricted includes every baseline
//! check except those a restricted check overrides at that version; a
//! version above the newest known one evaluates as the newest.

use crate::path::FieldPath;
use crate::pod::PodTemplate;
use bulkhead_core::{Fix, PatchOp, RuleMeta};
use std::fmt;
use std::str::FromStr;

mod allow_privilege_escalation;
mod apparmor_profile;
mod capabilities_baseline;
mod capabilities_restricted;
mod host_namespaces;
mod host_path_volumes;
mod host_ports;
mod host_probes;
mod privileged;
mod proc_mount;
mod proc_mount_restricted;
mod restricted_volumes;
mod run_as_non_root;
mod run_as_user;
mod seccomp_baseline;
mod seccomp_restricted;
mod selinux_options;
mod sysctls;
mod windows_host_process;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "privileged" => Ok(Level::Privileged),
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            o => Err(format!(
                "unknown Pod Security Standards level '{o}' (expected baseline, restricted or privileged)"
            )),
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        })
    }
}

/// A Kubernetes minor version (`v1.N`); `latest` is the newest known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32);

/// The newest minor version any check changes at.
pub const LATEST: Version = Version(37);

impl FromStr for Version {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("latest") {
            return Ok(LATEST);
        }
        let bad = || format!("bad Pod Security Standards version '{s}' (expected v1.N or latest)");
        let rest = s.strip_prefix('v').unwrap_or(s);
        let (major, minor) = rest.split_once('.').ok_or_else(bad)?;
        if major != "1" {
            return Err(bad());
        }
        minor.parse::<u32>().map(Version).map_err(|_| bad())
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v1.{}", self.0)
    }
}

/// One failing control, at one field.
#[derive(Debug, Clone)]
pub struct Violation {
    pub rule: &'static RuleMeta,
    /// The offending field (or where the missing one belongs).
    pub path: FieldPath,
    pub message: String,
    pub fix: Option<Fix>,
}

pub type CheckFn = fn(&PodTemplate<'_>) -> Vec<Violation>;

pub struct VersionedCheck {
    pub min: u32,
    pub check: CheckFn,
    /// Upstream ids of baseline checks this restricted check replaces.
    pub overrides: &'static [&'static str],
}

pub struct Check {
    /// The upstream check id (`allowPrivilegeEscalation`).
    pub id: &'static str,
    pub level: Level,
    pub rule: &'static RuleMeta,
    pub versions: &'static [VersionedCheck],
}

/// Every check, baseline first (upstream order: by level, then id).
pub static CHECKS: &[&Check] = &[
    &apparmor_profile::CHECK,
    &capabilities_baseline::CHECK,
    &host_namespaces::CHECK,
    &host_path_volumes::CHECK,
    &host_ports::CHECK,
    &host_probes::CHECK,
    &privileged::CHECK,
    &proc_mount::CHECK,
    &seccomp_baseline::CHECK,
    &selinux_options::CHECK,
    &sysctls::CHECK,
    &windows_host_process::CHECK,
    &allow_privilege_escalation::CHECK,
    &capabilities_restricted::CHECK,
    &proc_mount_restricted::CHECK,
    &restricted_volumes::CHECK,
    &run_as_non_root::CHECK,
    &run_as_user::CHECK,
    &seccomp_restricted::CHECK,
];

/// The rule metadata of every PSS control, in id order.
pub fn rules() -> Vec<&'static RuleMeta> {
    let mut r: Vec<&'static RuleMeta> = CHECKS.iter().map(|c| c.rule).collect();
    r.sort_by_key(|m| m.id);
    r
}

fn entry_at(check: &Check, v: Version) -> Option<&VersionedCheck> {
    check.versions.iter().rev().find(|vc| vc.min <= v.0)
}

/// The checks that run at `level` and `version`, in upstream order.
pub fn active(level: Level, version: Version) -> Vec<(&'static Check, CheckFn)> {
    let v = version.min(LATEST);
    if level == Level::Privileged {
        return Vec::new();
    }
    let mut overridden: Vec<&str> = Vec::new();
    if level == Level::Restricted {
        for c in CHECKS.iter().filter(|c| c.level == Level::Restricted) {
            if let Some(e) = entry_at(c, v) {
                overridden.extend(e.overrides);
            }
        }
    }
    CHECKS
        .iter()
        .filter(|c| c.level <= level)
        .filter(|c| !overridden.contains(&c.id))
        .filter_map(|c| entry_at(c, v).map(|e| (*c, e.check)))
        .collect()
}

/// Upstream check ids that `check_id` replaces at `level`/`version`
/// (for matching a fixture's expected control).
pub fn overriders_of(check_id: &str, level: Level, version: Version) -> Vec<&'static str> {
    active(level, version)
        .into_iter()
        .filter(|(c, _)| {
            entry_at(c, version.min(LATEST)).is_some_and(|e| e.overrides.contains(&check_id))
        })
        .map(|(c, _)| c.id)
        .collect()
}

/// For an upstream fixture file (`capabilities_baseline3.yaml`): the controls
/// whose violation counts as the expected failure at `level`/`version` — the
/// named check and any restricted check that replaces it. `None` when the
/// name is no check (`base`).
pub fn controls_for_fixture(
    file_stem: &str,
    level: Level,
    version: Version,
) -> Option<Vec<&'static str>> {
    let name = file_stem.trim_end_matches(|c: char| c.is_ascii_digit());
    let id = CHECKS.iter().find(|c| c.id.eq_ignore_ascii_case(name))?.id;
    let mut out = vec![id];
    out.extend(overriders_of(id, level, version));
    Some(out)
}

/// Evaluates a pod template.
pub fn evaluate(pod: &PodTemplate<'_>, level: Level, version: Version) -> Vec<Violation> {
    active(level, version)
        .into_iter()
        .flat_map(|(_, f)| f(pod))
        .collect()
}

// ---- helpers shared by the checks ----

pub(crate) fn violation(
    rule: &'static RuleMeta,
    path: FieldPath,
    message: String,
    fix: Option<Fix>,
) -> Violation {
    Violation {
        rule,
        path,
        message,
        fix,
    }
}

pub(crate) fn set(path: &FieldPath, value: serde_json::Value) -> PatchOp {
    PatchOp::Set {
        path: path.pointer(),
        value,
    }
}

pub(crate) fn append(path: &FieldPath, value: serde_json::Value) -> PatchOp {
    PatchOp::Append {
        path: path.pointer(),
        value,
    }
}

pub(crate) fn remove(path: &FieldPath) -> PatchOp {
    PatchOp::Remove {
        path: path.pointer(),
    }
}

pub(crate) fn fix(description: impl Into<String>, ops: Vec<PatchOp>) -> Option<Fix> {
    Some(Fix {
        description: description.into(),
        ops,
        edits: Vec::new(),
    })
}

/// A fix that needs a person (no ops).
pub(crate) fn manual(description: impl Into<String>) -> Option<Fix> {
    fix(description, Vec::new())
}

pub(crate) fn join_quote<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| format!("\"{}\"", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) const PSS_DOC: &str =
    "https://kubernetes.io/docs/concepts/security/pod-security-standards/";
