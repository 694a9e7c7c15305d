//! Dockerfile rules: one file per rule, named by its slug, each with its
//! `RULE` metadata and its `check` over the parsed Dockerfile ([`Ctx`]).

use crate::Dockerfile;
use crate::model::{Model, expand};
use bulkhead_core::{Fix, Registry, RuleMeta};

pub mod add_instead_of_copy;
pub mod add_remote_without_checksum;
pub mod apt_lists_not_cleaned;
pub mod apt_no_install_recommends;
pub mod copy_credentials;
pub mod expose_ssh;
pub mod from_latest;
pub mod from_without_digest;
pub mod missing_healthcheck;
pub mod non_minimal_base;
pub mod package_signatures_disabled;
pub mod pipe_to_shell;
pub mod secret_build_arg;
pub mod secret_in_env_or_arg;
pub mod sudo;
pub mod tls_verification_disabled;
pub mod unpinned_language_packages;
pub mod unpinned_os_packages;
pub mod untrusted_registry;
pub mod user_by_name;
pub mod user_missing;
pub mod user_root;
pub mod world_writable;

/// Every Dockerfile rule, in catalogue order: the one list the catalogue and
/// the analysis read.
pub static REGISTRY: Registry<Dockerfile> = Registry::new(&[
    &from_latest::CHECK,
    &from_without_digest::CHECK,
    &untrusted_registry::CHECK,
    &non_minimal_base::CHECK,
    &user_root::CHECK,
    &user_missing::CHECK,
    &user_by_name::CHECK,
    &secret_in_env_or_arg::CHECK,
    &secret_build_arg::CHECK,
    &copy_credentials::CHECK,
    &add_remote_without_checksum::CHECK,
    &pipe_to_shell::CHECK,
    &tls_verification_disabled::CHECK,
    &package_signatures_disabled::CHECK,
    &sudo::CHECK,
    &apt_no_install_recommends::CHECK,
    &apt_lists_not_cleaned::CHECK,
    &unpinned_os_packages::CHECK,
    &unpinned_language_packages::CHECK,
    &add_instead_of_copy::CHECK,
    &expose_ssh::CHECK,
    &world_writable::CHECK,
    &missing_healthcheck::CHECK,
]);

pub fn rules() -> Vec<&'static RuleMeta> {
    REGISTRY.metas()
}

/// Runs every enabled rule, in registry order.
pub fn check(ctx: &Ctx<'_>, enabled: &dyn Fn(&RuleMeta) -> bool) -> Vec<Violation> {
    REGISTRY.run(ctx, enabled)
}

/// Settings the rules read.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Registries FROM images may come from (`*.corp.example`, `docker.io`); empty: any.
    pub trusted_registries: Vec<String>,
    /// Extra minimal base images (prefixes) besides the built-in list.
    pub minimal_bases: Vec<String>,
    /// Digests to pin base images to with `--fix` (`image[:tag]` → `sha256:...`).
    pub pins: Vec<(String, String)>,
}

pub struct Ctx<'a> {
    pub model: &'a Model<'a>,
    pub lines: Vec<&'a str>,
    pub config: &'a Config,
}

/// One rule failure.
#[derive(Debug, Clone)]
pub struct Violation {
    pub rule: &'static RuleMeta,
    /// Index of the instruction.
    pub inst: usize,
    pub line: u32,
    pub column: u32,
    pub message: String,
    /// The hadolint rule this finding corresponds to, if any (pragmas,
    /// parity). [`Ctx::at`] sets it from the rule's hadolint equivalent when
    /// that is a single rule; a check mapping to several sets it per finding.
    pub hadolint: Option<&'static str>,
    pub fix: Option<Fix>,
}

impl Ctx<'_> {
    /// A violation at the start of instruction `i`.
    pub fn at(&self, rule: &'static RuleMeta, i: usize, message: String) -> Violation {
        let inst = self.model.inst(i);
        Violation {
            rule,
            inst: i,
            line: inst.start_line,
            column: inst.column,
            message,
            hadolint: hadolint_id(rule),
            fix: None,
        }
    }

    /// A violation at the first line of instruction `i` containing `needle`.
    pub fn at_text(
        &self,
        rule: &'static RuleMeta,
        i: usize,
        needle: &str,
        message: String,
    ) -> Violation {
        let inst = self.model.inst(i);
        let mut v = self.at(rule, i, message);
        if needle.is_empty() {
            return v;
        }
        for n in inst.start_line..=inst.end_line {
            if let Some(col) = self.lines.get(n as usize - 1).and_then(|l| l.find(needle)) {
                v.line = n;
                v.column = col as u32 + 1;
                break;
            }
        }
        v
    }
}

/// The hadolint rule a bulkhead rule is equivalent to, when it names exactly
/// one (`DL3015`; not `DL3006 / DL3007` or `DL3020 (partial)`).
pub fn hadolint_id(rule: &RuleMeta) -> Option<&'static str> {
    rule.equivalents
        .iter()
        .find(|e| e.tool == "hadolint")
        .map(|e| e.id)
        .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()))
}

pub(crate) fn is_root(user: &str) -> bool {
    user == "root" || user == "0" || user.starts_with("root:") || user.starts_with("0:")
}

/// The last USER of the final stage's lineage: (instruction index, expanded user).
pub(crate) fn last_user(ctx: &Ctx<'_>) -> Option<(usize, String)> {
    for si in ctx.model.final_lineage() {
        let s = &ctx.model.stages[si];
        let mut vars = ctx.model.global_args.clone();
        let mut last = None;
        for &i in &s.body {
            let inst = ctx.model.inst(i);
            if inst.is("arg") || inst.is("env") {
                let args: Vec<&str> = inst.strings().collect();
                if inst.is("env") {
                    for kv in args.chunks(3) {
                        if let [k, v, _] = kv {
                            vars.insert(k.to_string(), v.trim_matches('"').to_string());
                        }
                    }
                } else {
                    for w in args {
                        if let Some((k, v)) = w.split_once('=') {
                            vars.insert(k.to_string(), v.trim_matches('"').to_string());
                        }
                    }
                }
            }
            if inst.is("user") {
                let raw = inst.strings().next().unwrap_or("").to_string();
                last = Some((i, expand(&raw, &vars)));
            }
        }
        if last.is_some() {
            return last;
        }
    }
    None
}

/// Is an ENV/ARG value a literal rather than a placeholder?
pub(crate) fn is_literal(v: &str) -> bool {
    !bulkhead_core::secrets::placeholder(v)
}

/// The finding for packages installed without versions, at the first one.
pub(crate) fn unpinned<S: AsRef<str>>(
    ctx: &Ctx<'_>,
    rule: &'static RuleMeta,
    inst: usize,
    tool: &str,
    bad: &[S],
    hadolint: &'static str,
) -> Violation {
    let names: Vec<&str> = bad.iter().map(AsRef::as_ref).collect();
    let mut v = ctx.at_text(
        rule,
        inst,
        names.first().copied().unwrap_or(""),
        format!(
            "{tool} installs {} without a pinned version",
            names.join(", ")
        ),
    );
    v.hadolint = Some(hadolint);
    v
}

pub(crate) const HADOLINT: &str = "https://github.com/hadolint/hadolint#rules";
pub(crate) const DOCKER_BP: &str = "https://docs.docker.com/build/building/best-practices/";
