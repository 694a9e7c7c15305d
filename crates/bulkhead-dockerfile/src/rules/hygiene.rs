//! Hygiene with security impact: package managers, privilege tools,
//! permissions, exposed services.

use super::{Ctx, DOCKER_BP, HADOLINT, Violation};
use bulkhead_core::rule::eq;
use bulkhead_core::{Fix, RuleMeta, Severity, TextEdit};

pub static SUDO: RuleMeta = RuleMeta {
    id: "DF040",
    slug: "sudo",
    title: "sudo in a RUN",
    severity: Severity::Medium,
    layer: "image",
    tags: &["dockerfile", "shell", "user"],
    default_enabled: true,
    what: "A `RUN` calls `sudo`.",
    why: "sudo in a build means the image ships sudo and a sudoers policy: any process that later runs as the unprivileged user can become root with it (often passwordless), undoing the `USER` drop; its TTY and environment handling also make builds behave unpredictably.",
    fix: "Run privileged steps before `USER` (as root in the build), then drop to the non-root user; use `gosu`/`su-exec` in entrypoints if a runtime step must change user.",
    example: "USER app\nRUN sudo apt-get install -y curl",
    example_fixed: "RUN apt-get install -y curl\nUSER app",
    equivalents: &[eq("hadolint", "DL3004")],
    references: &[HADOLINT],
};

pub static NO_INSTALL_RECOMMENDS: RuleMeta = RuleMeta {
    id: "DF041",
    slug: "apt-no-install-recommends",
    title: "apt-get install without --no-install-recommends",
    severity: Severity::Low,
    layer: "image",
    tags: &["dockerfile", "shell", "minimal"],
    default_enabled: true,
    what: "`apt-get install` runs without `--no-install-recommends` (or `-o APT::Install-Recommends=false`).",
    why: "Recommended packages are pulled in silently: compilers, mail agents, X libraries and daemons nobody asked for, each one attack surface and CVE backlog in the final image.",
    fix: "Add `--no-install-recommends` (`--fix` does it).",
    example: "RUN apt-get install -y curl",
    example_fixed: "RUN apt-get install -y --no-install-recommends curl",
    equivalents: &[
        eq("hadolint", "DL3015"),
        eq("Checkov", "CKV_DOCKER_9 (partial)"),
    ],
    references: &[HADOLINT],
};

pub static APT_LISTS: RuleMeta = RuleMeta {
    id: "DF042",
    slug: "apt-lists-not-cleaned",
    title: "apt lists left in the image",
    severity: Severity::Info,
    layer: "image",
    tags: &["dockerfile", "shell", "minimal"],
    default_enabled: true,
    what: "A `RUN` of the final stage runs `apt-get update` (or `apt update`) without removing `/var/lib/apt/lists` in the same step and without a cache/tmpfs mount for it.",
    why: "Stale package indexes in the image make later `apt-get install` calls (in child images or at runtime) install outdated, possibly vulnerable versions, and add tens of megabytes of attack-irrelevant data to every pull.",
    fix: "End the same RUN with `&& rm -rf /var/lib/apt/lists/*`, or use `RUN --mount=type=cache,target=/var/lib/apt/lists`.",
    example: "RUN apt-get update && apt-get install -y curl",
    example_fixed: "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*",
    equivalents: &[eq("hadolint", "DL3009")],
    references: &[HADOLINT],
};

pub static UNPINNED_PACKAGES: RuleMeta = RuleMeta {
    id: "DF043",
    slug: "unpinned-os-packages",
    title: "OS packages installed without a version",
    severity: Severity::Low,
    layer: "image",
    tags: &["dockerfile", "shell", "supply-chain"],
    default_enabled: true,
    what: "`apt-get install` packages without `=version` (and not a path or `.deb`), or `apk add` packages without `=`, `~`, `<` or `>` (and not an `.apk` file).",
    why: "Unpinned packages make each build install whatever the mirror has that day: builds are not reproducible, a vulnerable or compromised release arrives silently, and you cannot tell from the Dockerfile what shipped.",
    fix: "Pin versions (`curl=8.5.0-2`, `curl=~8.5`), or pin the whole base by digest and rebuild deliberately.",
    example: "RUN apk add curl",
    example_fixed: "RUN apk add curl=8.9.1-r1",
    equivalents: &[eq("hadolint", "DL3008 / DL3018")],
    references: &[HADOLINT],
};

pub static UNPINNED_LANGUAGE_PACKAGES: RuleMeta = RuleMeta {
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
    example: "RUN pip install requests",
    example_fixed: "RUN pip install --require-hashes -r requirements.txt",
    equivalents: &[eq("hadolint", "DL3013 / DL3016")],
    references: &[HADOLINT],
};

pub static ADD_INSTEAD_OF_COPY: RuleMeta = RuleMeta {
    id: "DF044",
    slug: "add-instead-of-copy",
    title: "ADD used for local files",
    severity: Severity::Low,
    layer: "image",
    tags: &["dockerfile", "supply-chain"],
    default_enabled: true,
    what: "An `ADD` copies sources that are neither URLs nor archives.",
    why: "`ADD` silently unpacks archives and fetches URLs: a file that happens to be (or is replaced by) a tarball gets extracted into the image, including paths you did not intend. `COPY` does only what it says.",
    fix: "Use `COPY` for files and directories; keep `ADD` for verified remote downloads (`--checksum`) and deliberate archive extraction.",
    example: "ADD app/ /app/",
    example_fixed: "COPY app/ /app/",
    equivalents: &[eq("hadolint", "DL3020"), eq("Checkov", "CKV_DOCKER_4")],
    references: &[HADOLINT],
};

pub static EXPOSE_SSH: RuleMeta = RuleMeta {
    id: "DF045",
    slug: "expose-ssh",
    title: "Image exposes SSH (port 22)",
    severity: Severity::Medium,
    layer: "image",
    tags: &["dockerfile", "runtime"],
    default_enabled: true,
    what: "`EXPOSE 22` (or `22/tcp`).",
    why: "An SSH daemon in a container is a second, long-lived way in: credentials or keys baked into the image, password guessing from the network, and an interactive foothold that bypasses `kubectl exec` auditing.",
    fix: "Remove sshd and the EXPOSE; use `kubectl exec` / `docker exec` (audited) for debugging.",
    example: "EXPOSE 22",
    example_fixed: "# no sshd; debug with kubectl exec",
    equivalents: &[eq("Checkov", "CKV_DOCKER_1")],
    references: &[DOCKER_BP],
};

pub static CHMOD_777: RuleMeta = RuleMeta {
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
    example: "RUN chmod -R 777 /app",
    example_fixed: "RUN chown -R 10001:10001 /app && chmod -R 750 /app",
    equivalents: &[eq("Trivy", "DS (chmod)")],
    references: &[DOCKER_BP],
};

pub static MISSING_HEALTHCHECK: RuleMeta = RuleMeta {
    id: "DF047",
    slug: "missing-healthcheck",
    title: "No HEALTHCHECK in the final image",
    severity: Severity::Info,
    layer: "image",
    tags: &["dockerfile", "availability"],
    default_enabled: false,
    what: "Neither the final stage nor the stages it is built from has a `HEALTHCHECK`. Off by default, as in hadolint.",
    why: "Without a health check a hung or hijacked process keeps its container `running`; Docker and Swarm cannot replace it. (Kubernetes ignores HEALTHCHECK: use probes there.)",
    fix: "Add `HEALTHCHECK CMD ...` that fails when the service cannot serve.",
    example: "FROM nginx:1.27",
    example_fixed: "FROM nginx:1.27\nHEALTHCHECK CMD curl -fs http://localhost/ || exit 1",
    equivalents: &[eq("hadolint", "DL3057"), eq("Checkov", "CKV_DOCKER_2")],
    references: &[HADOLINT],
};

pub fn sudo(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for run in &ctx.model.runs {
        if run.commands.iter().any(|c| c.name() == "sudo") {
            let mut v = ctx.at_text(&SUDO, run.index, "sudo", "RUN uses sudo".to_string());
            v.hadolint = Some("DL3004");
            out.push(v);
        }
    }
    out
}

pub fn no_install_recommends(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for run in &ctx.model.runs {
        for c in &run.commands {
            if !c.is("apt-get", "install")
                || c.has_flag("no-install-recommends")
                || c.has_arg("APT::Install-Recommends=false")
            {
                continue;
            }
            let mut v = ctx.at_text(
                &NO_INSTALL_RECOMMENDS,
                run.index,
                "install",
                "apt-get install without --no-install-recommends pulls in recommended packages"
                    .to_string(),
            );
            v.hadolint = Some("DL3015");
            // `--fix`: insert the flag right after `install` on that line.
            if let Some(line) = ctx.lines.get(v.line as usize - 1)
                && let Some(pos) = line
                    .find("apt-get")
                    .and_then(|a| line[a..].find(" install").map(|p| a + p + " install".len()))
            {
                v.fix = Some(Fix {
                    description: "add --no-install-recommends".into(),
                    ops: Vec::new(),
                    edits: vec![TextEdit {
                        line: v.line,
                        column: line[..pos].chars().count() as u32 + 1,
                        delete: 0,
                        insert: " --no-install-recommends".into(),
                    }],
                });
            }
            out.push(v);
        }
    }
    out
}

fn cache_mount(flags: &[String], target: &str) -> bool {
    flags.iter().any(|f| {
        let Some(m) = f.strip_prefix("--mount=") else {
            return false;
        };
        let typed = m
            .split(',')
            .any(|kv| kv == "type=cache" || kv == "type=tmpfs");
        let t = m.split(',').find_map(|kv| {
            kv.strip_prefix("target=")
                .or_else(|| kv.strip_prefix("dst="))
                .or_else(|| kv.strip_prefix("destination="))
        });
        typed && t.is_some_and(|t| t.trim_end_matches('/') == target)
    })
}

pub fn apt_lists(ctx: &Ctx<'_>) -> Vec<Violation> {
    let lineage = ctx.model.final_lineage();
    let mut out = Vec::new();
    for run in ctx.model.runs.iter().filter(|r| lineage.contains(&r.stage)) {
        let updates = run.commands.iter().any(|c| {
            c.is("apt-get", "update") || c.is("apt", "update") || c.is("aptitude", "update")
        });
        if !updates {
            continue;
        }
        let cleans = run.commands.iter().any(|c| {
            c.program() == "rm" && c.args().iter().any(|a| a.starts_with("/var/lib/apt/lists"))
        });
        let flags = &ctx.model.inst(run.index).flags;
        let mounted = cache_mount(flags, "/var/lib/apt/lists")
            || (cache_mount(flags, "/var/lib/apt") && cache_mount(flags, "/var/cache/apt"));
        if cleans || mounted {
            continue;
        }
        let mut v = ctx.at_text(&APT_LISTS, run.index, "update", "apt lists from `apt-get update` stay in the image (no rm -rf /var/lib/apt/lists/* in the same RUN)".to_string());
        v.hadolint = Some("DL3009");
        out.push(v);
    }
    out
}

/// The finding for packages installed without versions, at the first one.
fn unpinned<S: AsRef<str>>(
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

pub fn unpinned_packages(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for run in &ctx.model.runs {
        for c in &run.commands {
            let (bad, id): (Vec<&str>, &str) = if c.is("apt-get", "install") {
                (
                    c.positional_skipping(&["t", "target-release"])
                        .into_iter()
                        .filter(|p| {
                            *p != "install"
                                && !(p.contains('=') || p.contains('/') || p.ends_with(".deb"))
                        })
                        .collect(),
                    "DL3008",
                )
            } else if c.is("apk", "add") {
                (
                    c.positional_skipping(&["t", "virtual", "repository", "X"])
                        .into_iter()
                        .filter(|p| {
                            *p != "add"
                                && !(p.contains(['=', '~', '>', '<']) || p.ends_with(".apk"))
                        })
                        .collect(),
                    "DL3018",
                )
            } else {
                continue;
            };
            if bad.is_empty() {
                continue;
            }
            out.push(unpinned(
                ctx,
                &UNPINNED_PACKAGES,
                run.index,
                c.name(),
                &bad,
                id,
            ));
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

pub fn unpinned_language_packages(ctx: &Ctx<'_>) -> Vec<Violation> {
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
            out.push(unpinned(
                ctx,
                &UNPINNED_LANGUAGE_PACKAGES,
                run.index,
                c.name(),
                &bad,
                id,
            ));
        }
    }
    out
}

const ARCHIVES: &[&str] = &[
    ".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz",
    ".tpz", ".txz", ".xz",
];

pub fn add_instead_of_copy(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for (i, inst) in ctx.model.parsed.instructions.iter().enumerate() {
        if !inst.is("add") || !inst.heredocs.is_empty() {
            continue;
        }
        let args: Vec<&str> = inst.strings().collect();
        let Some((_, srcs)) = args.split_last() else {
            continue;
        };
        let local = srcs.iter().any(|s| {
            let s = s.trim_matches(['"', '\'']);
            !(s.starts_with("http://")
                || s.starts_with("https://")
                || ARCHIVES.iter().any(|e| s.ends_with(e)))
        });
        if local {
            let mut v = ctx.at(
                &ADD_INSTEAD_OF_COPY,
                i,
                "ADD used for local files and folders; use COPY".to_string(),
            );
            v.hadolint = Some("DL3020");
            out.push(v);
        }
    }
    out
}

pub fn expose_ssh(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for (i, inst) in ctx.model.parsed.instructions.iter().enumerate() {
        if inst.is("expose")
            && inst
                .strings()
                .any(|p| p == "22" || p.eq_ignore_ascii_case("22/tcp"))
        {
            out.push(ctx.at_text(
                &EXPOSE_SSH,
                i,
                "22",
                "EXPOSE 22: the image runs an SSH service".to_string(),
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

pub fn chmod_777(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for run in &ctx.model.runs {
        for c in run.commands.iter().filter(|c| c.program() == "chmod") {
            if let Some(mode) = c.positional().first()
                && world_writable(mode)
            {
                out.push(ctx.at_text(
                    &CHMOD_777,
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
                &CHMOD_777,
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

pub fn missing_healthcheck(ctx: &Ctx<'_>) -> Vec<Violation> {
    let lineage = ctx.model.final_lineage();
    let has = lineage.iter().any(|&si| {
        ctx.model.stages[si]
            .body
            .iter()
            .any(|&i| ctx.model.inst(i).is("healthcheck"))
    });
    match ctx.model.stages.last() {
        Some(last) if !has => {
            let mut v = ctx.at(
                &MISSING_HEALTHCHECK,
                last.from,
                "the final image has no HEALTHCHECK".to_string(),
            );
            v.hadolint = Some("DL3057");
            vec![v]
        }
        _ => Vec::new(),
    }
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
