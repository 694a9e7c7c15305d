//! DF033: package signature checks turned off.

use super::{Ctx, DOCKER_BP, Violation};
use crate::shell::Command;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF033",
    slug: "package-signatures-disabled",
    title: "Package signature checks turned off",
    severity: Severity::High,
    layer: "supply-chain",
    tags: &["dockerfile", "supply-chain", "shell"],
    default_enabled: true,
    what: "A package manager runs with signature or repository authentication disabled: `apt-get --allow-unauthenticated` / `--allow-insecure-repositories` / `-o APT::Get::AllowUnauthenticated=true`, `[trusted=yes]` sources, `apk --allow-untrusted`, `yum/dnf/microdnf/tdnf --nogpgcheck`, `zypper --no-gpg-checks`, `rpm --nosignature/--nodigest`, `gpgcheck=0`.",
    why: "Package signatures are what makes a mirror untrusted-by-design safe: with them off, a compromised or spoofed mirror can serve any package (a backdoored libc, an ssh with a master key) and it installs as root.",
    fix: "Remove the option; import the repository's signing key (`/etc/apt/keyrings`, `rpm --import`) so verification succeeds.",
    example: include_str!("../../fixtures/DF033/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF033/pass.Dockerfile"),
    equivalents: &[eq(
        "Checkov",
        "CKV2_DOCKER_7 / CKV2_DOCKER_8 / CKV2_DOCKER_9 / CKV2_DOCKER_10",
    )],
    references: &[DOCKER_BP],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for run in &ctx.model.runs {
        for c in &run.commands {
            if let Some(what) = signature_problem(c) {
                out.push(ctx.at_text(
                    &RULE,
                    run.index,
                    c.name(),
                    format!("{what} installs packages without verifying their signatures"),
                ));
            }
        }
    }
    out
}

fn signature_problem(c: &Command) -> Option<String> {
    let p = c.program();
    let args = c.args();
    let joined = args.join(" ");
    match p {
        "apt-get" | "apt" | "aptitude" => {
            for f in [
                "allow-unauthenticated",
                "allow-insecure-repositories",
                "allow-releaseinfo-change-origin",
            ] {
                if c.has_flag(f) && f != "allow-releaseinfo-change-origin" {
                    return Some(format!("{p} --{f}"));
                }
            }
            let lower = joined.to_ascii_lowercase();
            if lower.contains("allowunauthenticated=true")
                || lower.contains("allowinsecurerepositories=true")
                || lower.contains("allow-insecure=yes")
            {
                return Some(format!(
                    "{p} -o ...AllowUnauthenticated/AllowInsecureRepositories"
                ));
            }
            None
        }
        "apk" if c.has_flag("allow-untrusted") => Some("apk --allow-untrusted".into()),
        "yum" | "dnf" | "microdnf" | "tdnf"
            if c.has_flag("nogpgcheck")
                || joined.contains("gpgcheck=0")
                || joined.contains("gpgcheck=false") =>
        {
            Some(format!("{p} --nogpgcheck"))
        }
        "zypper"
            if c.has_flag("no-gpg-checks")
                || c.has_flag("gpg-auto-import-keys") && c.has_flag("no-gpg-checks") =>
        {
            Some("zypper --no-gpg-checks".into())
        }
        "rpm" if c.has_flag("nosignature") || c.has_flag("nodigest") || c.has_flag("nosig") => {
            Some("rpm --nosignature".into())
        }
        "echo" | "printf" | "tee" | "sed"
            if joined.contains("[trusted=yes]") || joined.contains("trusted=yes") =>
        {
            Some("an apt source marked [trusted=yes]".into())
        }
        "echo" | "printf" | "tee" | "sed" if joined.contains("gpgcheck=0") => {
            Some("a repository with gpgcheck=0".into())
        }
        _ => None,
    }
}
