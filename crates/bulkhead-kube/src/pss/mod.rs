//! Pod Security Standards, exactly as kubernetes/pod-security-admission
//! evaluates them, per level and per Kubernetes minor version.
//!
//! Each upstream check is one file here, named by its rule's slug, holding
//! its rule metadata (`RULE`), its versioned [`Check`] (`CHECK`) and the
//! check functions. [`REGISTRY`] holds them all; a [`Check`] is a
//! [`Rule`] of the [`Pss`] layer that reproduces upstream's rules for which
//! function runs: the newest entry whose minimum version is at or below the
//! requested one; restricted includes every baseline check except those a
//! restricted check overrides at that version; a version above the newest
//! known one evaluates as the newest.

use crate::path::FieldPath;
use crate::pod::PodTemplate;
use bulkhead_core::{Fix, Layer, PatchOp, Registry, Rule, RuleMeta};
use std::fmt;
use std::str::FromStr;

pub mod allow_privilege_escalation;
pub mod apparmor_profile;
pub mod capabilities_baseline;
pub mod capabilities_restricted;
pub mod host_namespaces;
pub mod host_path_volumes;
pub mod host_ports;
pub mod privileged;
pub mod probe_host;
pub mod proc_mount;
pub mod proc_mount_restricted;
pub mod restricted_volume_types;
pub mod run_as_non_root;
pub mod run_as_user_root;
pub mod seccomp_baseline;
pub mod seccomp_restricted;
pub mod selinux_options;
pub mod unsafe_sysctls;
pub mod windows_host_process;

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

/// How many minor versions above [`LATEST`] a requested version may be and
/// still be taken as a real, newer Kubernetes (about a year of releases, three
/// minors): evaluated as the newest known, with a warning.
pub const AHEAD: u32 = 3;

impl Version {
    /// A version the user asked for (`--pss-version`, the configuration),
    /// judged before use. Upstream evaluates a version newer than it knows as
    /// its newest, and namespace labels keep that meaning (a cluster may run a
    /// newer Kubernetes than bulkhead knows). A flag is a different matter: a
    /// version more than [`AHEAD`] minors above [`LATEST`] cannot exist yet and
    /// is an error naming the newest known; one nearer is evaluated as
    /// [`LATEST`] with the returned warning.
    pub fn requested(self) -> Result<Option<String>, String> {
        if self <= LATEST {
            Ok(None)
        } else if self.0 > LATEST.0 + AHEAD {
            Err(format!(
                "Pod Security Standards version {self} does not exist yet: the newest known is {LATEST} (use latest, or v1.0 to {LATEST})"
            ))
        } else {
            Ok(Some(format!(
                "Pod Security Standards version {self} is newer than the newest known, {LATEST}: evaluated as {LATEST}, as the admission controller does"
            )))
        }
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

/// What a PSS check reads: the pod template, and the level and version it
/// is evaluated at.
pub struct Ctx<'a> {
    pub pod: &'a PodTemplate<'a>,
    pub level: Level,
    pub version: Version,
}

/// The Pod Security Standards layer: every PSS rule is a versioned
/// [`Check`] over a [`Ctx`], reporting [`Violation`]s.
pub struct Pss;

impl Layer for Pss {
    type Input<'a> = Ctx<'a>;
    type Output = Violation;
    type Check = CheckFn;
    fn call(check: CheckFn, input: &Ctx<'_>) -> Vec<Violation> {
        check(input.pod)
    }
}

pub struct VersionedCheck {
    pub min: u32,
    pub check: CheckFn,
    /// Upstream ids of baseline checks this restricted check replaces.
    pub overrides: &'static [&'static str],
}

/// One upstream check: a rule whose function depends on the version, and
/// which runs only at its level and above unless a restricted check
/// replaces it.
pub struct Check {
    /// The upstream check id (`allowPrivilegeEscalation`).
    pub id: &'static str,
    pub level: Level,
    pub rule: &'static RuleMeta,
    pub versions: &'static [VersionedCheck],
}

impl Check {
    /// The entry in force at `v` (already capped at [`LATEST`]).
    fn entry_at(&self, v: Version) -> Option<&VersionedCheck> {
        self.versions.iter().rev().find(|vc| vc.min <= v.0)
    }

    /// The function that runs at `level` and `version`, if this check runs
    /// there at all.
    pub fn at(&self, level: Level, version: Version) -> Option<CheckFn> {
        let v = version.min(LATEST);
        if self.level > level || overridden(self.id, level, v) {
            return None;
        }
        self.entry_at(v).map(|e| e.check)
    }
}

impl Rule<Pss> for Check {
    fn meta(&self) -> &'static RuleMeta {
        self.rule
    }
    fn check(&self, ctx: &Ctx<'_>) -> Vec<Violation> {
        self.at(ctx.level, ctx.version)
            .map_or_else(Vec::new, |f| Pss::call(f, ctx))
    }
}

/// Is the baseline check `id` replaced by a restricted check at `level`/`v`?
fn overridden(id: &str, level: Level, v: Version) -> bool {
    level == Level::Restricted
        && CHECKS
            .iter()
            .filter(|c| c.level == Level::Restricted)
            .filter_map(|c| c.entry_at(v))
            .any(|e| e.overrides.contains(&id))
}

/// Every check, baseline first (upstream order: by level, then id): the
/// one list [`CHECKS`] and [`REGISTRY`] are both views of.
const LIST: [&Check; 19] = [
    &apparmor_profile::CHECK,
    &capabilities_baseline::CHECK,
    &host_namespaces::CHECK,
    &host_path_volumes::CHECK,
    &host_ports::CHECK,
    &probe_host::CHECK,
    &privileged::CHECK,
    &proc_mount::CHECK,
    &seccomp_baseline::CHECK,
    &selinux_options::CHECK,
    &unsafe_sysctls::CHECK,
    &windows_host_process::CHECK,
    &allow_privilege_escalation::CHECK,
    &capabilities_restricted::CHECK,
    &proc_mount_restricted::CHECK,
    &restricted_volume_types::CHECK,
    &run_as_non_root::CHECK,
    &run_as_user_root::CHECK,
    &seccomp_restricted::CHECK,
];

/// Every check with its upstream data (level, versions, overrides), in
/// upstream order.
pub static CHECKS: &[&Check] = &LIST;

static RULES: [&dyn Rule<Pss>; LIST.len()] = as_rules(LIST);

/// The same checks as rules of the [`Pss`] layer, in upstream order (the
/// order violations are reported in).
pub static REGISTRY: Registry<Pss> = Registry::new(&RULES);

const fn as_rules<const N: usize>(checks: [&'static Check; N]) -> [&'static dyn Rule<Pss>; N] {
    let mut out: [&'static dyn Rule<Pss>; N] = [checks[0]; N];
    let mut i = 0;
    while i < N {
        out[i] = checks[i];
        i += 1;
    }
    out
}

/// The rule metadata of every PSS control, in id order.
pub fn rules() -> Vec<&'static RuleMeta> {
    let mut r = REGISTRY.metas();
    r.sort_by_key(|m| m.id);
    r
}

/// The checks that run at `level` and `version`, in upstream order.
pub fn active(level: Level, version: Version) -> Vec<(&'static Check, CheckFn)> {
    CHECKS
        .iter()
        .filter_map(|c| c.at(level, version).map(|f| (*c, f)))
        .collect()
}

/// Upstream check ids that `check_id` replaces at `level`/`version`
/// (for matching a fixture's expected control).
pub fn overriders_of(check_id: &str, level: Level, version: Version) -> Vec<&'static str> {
    active(level, version)
        .into_iter()
        .filter(|(c, _)| {
            c.entry_at(version.min(LATEST))
                .is_some_and(|e| e.overrides.contains(&check_id))
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

/// Runs the enabled checks of `level` at `version` on a pod template.
pub fn check(
    pod: &PodTemplate<'_>,
    level: Level,
    version: Version,
    enabled: &dyn Fn(&RuleMeta) -> bool,
) -> Vec<Violation> {
    let mut out = REGISTRY.run(
        &Ctx {
            pod,
            level,
            version,
        },
        enabled,
    );
    if level == Level::Restricted {
        out.extend(overridden_baseline(pod, version, enabled));
    }
    out
}

/// At restricted, upstream replaces three baseline checks (hostPath
/// volumes, Unconfined seccomp, added capabilities) with broader restricted
/// ones of lower severity. So that a stricter level never reports a
/// violation at a lower severity than the looser level does, the replaced
/// baseline checks still run and report beside the restricted ones (which
/// name everything the stricter level refuses). The verdict is unchanged:
/// whatever the baseline check refuses, its replacement refuses too.
fn overridden_baseline(
    pod: &PodTemplate<'_>,
    version: Version,
    enabled: &dyn Fn(&RuleMeta) -> bool,
) -> Vec<Violation> {
    let v = version.min(LATEST);
    CHECKS
        .iter()
        .filter(|c| c.level == Level::Baseline && overridden(c.id, Level::Restricted, v))
        .filter(|c| enabled(c.rule))
        .filter_map(|c| c.entry_at(v))
        .flat_map(|e| (e.check)(pod))
        .collect()
}

/// Evaluates a pod template (every check of `level` at `version`).
pub fn evaluate(pod: &PodTemplate<'_>, level: Level, version: Version) -> Vec<Violation> {
    check(pod, level, version, &|_| true)
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
