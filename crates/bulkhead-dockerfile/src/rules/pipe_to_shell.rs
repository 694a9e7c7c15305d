//! DF031: downloaded script piped straight into a shell.

use super::{Ctx, DOCKER_BP, Violation};
use crate::shell::Command;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF031",
    slug: "pipe-to-shell",
    title: "Downloaded script piped straight into a shell",
    severity: Severity::High,
    layer: "supply-chain",
    tags: &["dockerfile", "supply-chain", "shell"],
    default_enabled: true,
    what: "A `RUN` pipes `curl`/`wget` output into a shell or interpreter (`| sh`, `| bash`, `| sudo sh`, `| python`), or runs a downloaded script via `sh -c \"$(curl ...)\"` / `bash <(curl ...)`.",
    why: "The script is executed as it streams, unverified: whoever controls the server, the DNS or the network path for that moment runs arbitrary code as root in your build, and a truncated download can run half a script.",
    fix: "Download to a file, verify a pinned checksum or signature, then run it; or install from a signed package repository.",
    example: include_str!("../../fixtures/DF031/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF031/pass.Dockerfile"),
    equivalents: &[eq("Checkov", "CKV2_DOCKER_* (curl | bash)")],
    references: &[DOCKER_BP],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for run in &ctx.model.runs {
        let cmds = &run.commands;
        for (k, c) in cmds.iter().enumerate() {
            let piped = DOWNLOADERS.contains(&c.program())
                && c.pipes_to_next
                && cmds
                    .get(k + 1)
                    .is_some_and(|n| n.piped_from_prev && interpreter(n));
            let substituted = interpreter(c)
                && c.args().iter().any(|a| {
                    DOWNLOADERS.iter().any(|d| {
                        a.contains(&format!("$({d} "))
                            || a.contains(&format!("<({d} "))
                            || a.contains(&format!("`{d} "))
                    })
                });
            if piped || substituted {
                let shell = if piped {
                    cmds[k + 1].name().to_string()
                } else {
                    c.name().to_string()
                };
                out.push(ctx.at_text(
                    &RULE,
                    run.index,
                    c.name(),
                    format!(
                        "RUN executes a script downloaded with {} straight in {shell}, unverified",
                        if piped {
                            c.program()
                        } else {
                            "a command substitution"
                        }
                    ),
                ));
            }
        }
    }
    out
}

const DOWNLOADERS: &[&str] = &["curl", "wget", "fetch", "aria2c"];

const INTERPRETERS: &[&str] = &[
    "sh", "bash", "zsh", "ash", "dash", "ksh", "fish", "python", "python2", "python3", "perl",
    "ruby", "node", "php", "pwsh",
];

fn interpreter(c: &Command) -> bool {
    let mut words = c.words.iter().map(|w| w.rsplit('/').next().unwrap_or(w));
    let mut first = words.next().unwrap_or("");
    while matches!(first, "sudo" | "env" | "exec" | "nice" | "time") {
        first = match words.find(|w| !w.starts_with('-') && !w.contains('=')) {
            Some(w) => w,
            None => return false,
        };
    }
    INTERPRETERS.contains(&first)
}
