//! DF046: world-writable permissions (chmod 777).

use super::{Ctx, DOCKER_BP, Violation};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF046",
    slug: "world-writable",
    title: "World-writable permissions (chmod 777)",
    severity: Severity::Medium,
    layer: "image",
    tags: &["dockerfile", "shell", "runtime"],
    default_enabled: true,
    what: "`chmod` (or `COPY/ADD --chmod`) sets a mode that lets every user write: 777, 666, o+w, a+w, a+rwx.",
    why: "Any process in the container, whatever its user, can then replace those files: an attacker who gets code execution as an unprivileged user overwrites a binary or script that root (or the app) runs next, and escalates.",
    fix: "Grant write only to the owning user or group (`chmod 755`, `chown app:app` + `chmod 750`).",
    example: include_str!("../../fixtures/DF046/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF046/pass.Dockerfile"),
    equivalents: &[eq("Trivy", "DS (chmod)")],
    references: &[DOCKER_BP],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for run in &ctx.model.runs {
        for c in run.commands.iter().filter(|c| c.program() == "chmod") {
            if let Some(mode) = c.positional().first()
                && world_writable(mode)
            {
                out.push(ctx.at_text(
                    &RULE,
                    run.index,
                    mode,
                    format!("chmod {mode} makes files writable by every user"),
                ));
            }
        }
    }
    for (i, inst) in ctx.model.parsed.instructions.iter().enumerate() {
        if let Some(mode) = inst.flag("chmod").filter(|m| world_writable(m)) {
            out.push(ctx.at_text(
                &RULE,
                i,
                "--chmod",
                format!(
                    "{} --chmod={mode} makes files writable by every user",
                    inst.keyword.to_ascii_uppercase()
                ),
            ));
        }
    }
    out
}

/// Does a chmod mode let others write?
fn world_writable(mode: &str) -> bool {
    if !mode.is_empty() && mode.len() <= 4 && mode.chars().all(|c| c.is_digit(8)) {
        let others = mode.chars().last().and_then(|c| c.to_digit(8)).unwrap_or(0);
        return others & 2 != 0;
    }
    mode.split(',').any(|clause| {
        let (who, rest) = clause.split_at(clause.find(['+', '=']).unwrap_or(clause.len()));
        let adds = rest.starts_with('+') || rest.starts_with('=');
        adds && rest.contains('w') && (who.is_empty() || who.contains('o') || who.contains('a'))
    })
}

#[cfg(test)]
mod tests {
    use super::world_writable;

    #[test]
    fn modes() {
        for m in [
            "777", "0777", "666", "a+w", "o+rwx", "+w", "ugo+rwx", "u+x,o+w",
        ] {
            assert!(world_writable(m), "{m}");
        }
        for m in ["755", "0644", "u+w", "g+w", "o-w", "750"] {
            assert!(!world_writable(m), "{m}");
        }
    }
}
