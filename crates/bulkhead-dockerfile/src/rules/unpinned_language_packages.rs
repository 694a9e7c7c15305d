//! DF048: pip or npm packages installed without a version.

use super::{Ctx, HADOLINT, Violation, unpinned};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF048",
    slug: "unpinned-language-packages",
    title: "pip or npm packages installed without a version",
    severity: Severity::Low,
    layer: "image",
    tags: &["dockerfile", "shell", "supply-chain"],
    default_enabled: true,
    what: "`pip install` names packages without a version specifier (`==`, `>=`, `~=`, ...), a VCS URL pinned with `@`, a wheel/sdist file or a path, and without `-r`/`-c` files; or `npm install` names packages without `@version` (git URLs without `#ref`, tarballs and folders are fine).",
    why: "An unpinned `pip install requests` or `npm install left-pad` takes whatever the registry serves at build time: a hijacked maintainer account or a malicious release (the event-stream and ctx incidents) goes straight into the image, and builds are not reproducible.",
    fix: "Pin exact versions (`requests==2.32.3`, `left-pad@1.3.0`), or install from a lock file (`pip install -r requirements.txt` with hashes, `npm ci`).",
    example: include_str!("../../fixtures/DF048/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF048/pass.Dockerfile"),
    equivalents: &[eq("hadolint", "DL3013 / DL3016")],
    references: &[HADOLINT],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for run in &ctx.model.runs {
        for c in &run.commands {
            let (bad, id) = if let Some(b) = unpinned_pip(c) {
                (b, "DL3013")
            } else if let Some(b) = unpinned_npm(c) {
                (b, "DL3016")
            } else {
                continue;
            };
            out.push(unpinned(ctx, &RULE, run.index, c.name(), &bad, id));
        }
    }
    out
}

const PIP_VALUE_FLAGS: &[&str] = &[
    "abi",
    "b",
    "build",
    "e",
    "editable",
    "extra-index-url",
    "f",
    "find-links",
    "i",
    "index-url",
    "implementation",
    "no-binary",
    "only-binary",
    "platform",
    "prefix",
    "progress-bar",
    "proxy",
    "python",
    "python-version",
    "root",
    "root-user-action",
    "src",
    "t",
    "target",
    "trusted-host",
    "upgrade-strategy",
];

const VCS: &[&str] = &[
    "git+file",
    "git+https",
    "git+ssh",
    "git+http",
    "git+git",
    "git",
    "hg+file",
    "hg+http",
    "hg+https",
    "hg+ssh",
    "hg+static-http",
    "svn",
    "svn+svn",
    "svn+http",
    "svn+https",
    "svn+ssh",
    "bzr+http",
    "bzr+https",
    "bzr+ssh",
    "bzr+sftp",
    "bzr+ftp",
    "bzr+lp",
];

/// Packages after the `install` word.
fn after_install(args: Vec<&str>) -> Vec<&str> {
    args.into_iter()
        .skip_while(|a| *a != "install")
        .skip_while(|a| *a == "install")
        .collect()
}

fn unpinned_pip(c: &crate::shell::Command) -> Option<Vec<String>> {
    let name = c.name();
    let args: Vec<&str> = c.args().iter().map(String::as_str).collect();
    let std_pip =
        name.starts_with("pip") && !name.starts_with("pipenv") && args.contains(&"install");
    let py_pip =
        name.starts_with("python") && args.windows(3).any(|w| w == ["-m", "pip", "install"]);
    if !(std_pip || py_pip) {
        return None;
    }
    if args
        .iter()
        .any(|a| *a == "--requirement" || *a == "-r" || *a == ".")
        || c.has_flag("constraint")
        || c.has_flag("c")
    {
        return None;
    }
    let is_vcs = |p: &str| VCS.iter().any(|v| p.starts_with(v));
    let fixed = |p: &str| {
        ["==", ">=", "<=", ">", "<", "!=", "~=", "==="]
            .iter()
            .any(|s| p.contains(s))
            || (is_vcs(p) && p.contains('@'))
            || p.ends_with(".whl")
            || p.ends_with(".tar.gz")
            || (!is_vcs(p) && p.contains('/'))
    };
    let bad: Vec<String> = after_install(c.positional_skipping(PIP_VALUE_FLAGS))
        .into_iter()
        .filter(|p| !fixed(p))
        .map(str::to_string)
        .collect();
    (!bad.is_empty()).then_some(bad)
}

fn unpinned_npm(c: &crate::shell::Command) -> Option<Vec<String>> {
    if !c.is("npm", "install") {
        return None;
    }
    let pos = c.positional_skipping(&["loglevel", "registry"]);
    if pos.first() != Some(&"install") {
        return None;
    }
    let fixed = |p: &str| {
        if ["git://", "git+ssh://", "git+http://", "git+https://"]
            .iter()
            .any(|g| p.starts_with(g))
        {
            return p.contains('#');
        }
        if [".tar", ".tar.gz", ".tgz"].iter().any(|s| p.ends_with(s))
            || ["/", "./", "../", "~/"].iter().any(|s| p.starts_with(s))
        {
            return true;
        }
        // hadolint drops a leading scope by skipping characters above '/'.
        let rest = if p.starts_with('@') {
            p.trim_start_matches(|ch: char| ch > '/')
        } else {
            p
        };
        rest.contains('@')
    };
    let bad: Vec<String> = after_install(pos)
        .into_iter()
        .filter(|p| !fixed(p))
        .map(str::to_string)
        .collect();
    (!bad.is_empty()).then_some(bad)
}
