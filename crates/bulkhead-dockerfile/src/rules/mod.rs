//! Dockerfile rules. Each rule is a `static RuleMeta` next to its check;
//! related rules share a file (image, user, secrets, supply chain, hygiene).

use crate::model::Model;
use bulkhead_core::{Fix, RuleMeta};

pub mod hygiene;
pub mod image;
pub mod secrets;
pub mod supply_chain;
pub mod user;

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
    /// The hadolint rule this finding corresponds to, if any (pragmas, parity).
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
            hadolint: None,
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

pub type CheckFn = fn(&Ctx<'_>) -> Vec<Violation>;

pub static RULES: &[(&RuleMeta, CheckFn)] = &[
    (&image::FROM_LATEST, image::from_latest),
    (&image::FROM_DIGEST, image::from_digest),
    (&image::UNTRUSTED_REGISTRY, image::untrusted_registry),
    (&image::NON_MINIMAL_BASE, image::non_minimal_base),
    (&user::USER_ROOT, user::user_root),
    (&user::USER_MISSING, user::user_missing),
    (&user::USER_NAME, user::user_name),
    (&secrets::SECRET_ENV, secrets::secret_env),
    (&secrets::SECRET_BUILD_ARG, secrets::secret_build_arg),
    (&secrets::COPY_CREDENTIALS, secrets::copy_credentials),
    (
        &supply_chain::ADD_NO_CHECKSUM,
        supply_chain::add_no_checksum,
    ),
    (&supply_chain::PIPE_TO_SHELL, supply_chain::pipe_to_shell),
    (&supply_chain::TLS_DISABLED, supply_chain::tls_disabled),
    (
        &supply_chain::SIGNATURES_DISABLED,
        supply_chain::signatures_disabled,
    ),
    (&hygiene::SUDO, hygiene::sudo),
    (
        &hygiene::NO_INSTALL_RECOMMENDS,
        hygiene::no_install_recommends,
    ),
    (&hygiene::APT_LISTS, hygiene::apt_lists),
    (&hygiene::UNPINNED_PACKAGES, hygiene::unpinned_packages),
    (
        &hygiene::UNPINNED_LANGUAGE_PACKAGES,
        hygiene::unpinned_language_packages,
    ),
    (&hygiene::ADD_INSTEAD_OF_COPY, hygiene::add_instead_of_copy),
    (&hygiene::EXPOSE_SSH, hygiene::expose_ssh),
    (&hygiene::CHMOD_777, hygiene::chmod_777),
    (&hygiene::MISSING_HEALTHCHECK, hygiene::missing_healthcheck),
];

pub fn rules() -> Vec<&'static RuleMeta> {
    RULES.iter().map(|(r, _)| *r).collect()
}

pub(crate) const HADOLINT: &str = "https://github.com/hadolint/hadolint#rules";
pub(crate) const DOCKER_BP: &str = "https://docs.docker.com/build/building/best-practices/";
