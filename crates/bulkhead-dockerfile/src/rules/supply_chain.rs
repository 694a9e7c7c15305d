//! Supply-chain rules: what the build downloads and how it checks it.

use super::{Ctx, DOCKER_BP, Violation};
use crate::shell::Command;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static ADD_NO_CHECKSUM: RuleMeta = RuleMeta {
    id: "DF030",
    slug: "add-remote-without-checksum",
    title: "ADD downloads a URL without --checksum",
    severity: Severity::High,
    layer: "supply-chain",
    tags: &["dockerfile", "supply-chain"],
    default_enabled: true,
    what: "An `ADD` whose source is an `http://` or `https://` URL has no `--checksum=sha256:...`.",
    why: "Whatever the server returns at build time goes into the image: a compromised download host, a hijacked domain or (over http) anyone on the path can substitute a backdoored binary, and the build cannot notice.",
    fix: "Add `--checksum=sha256:<digest>` (BuildKit verifies it), or download in a RUN step and verify with `sha256sum -c`.",
    example: "ADD https://example.com/tool.tar.gz /opt/",
    example_fixed: "ADD --checksum=sha256:<digest> https://example.com/tool.tar.gz /opt/",
    equivalents: &[
        eq("hadolint", "DL3020 (partial)"),
        eq("Checkov", "CKV_DOCKER_4"),
    ],
    references: &["https://docs.docker.com/reference/dockerfile/#add---checksum"],
};

pub static PIPE_TO_SHELL: RuleMeta = RuleMeta {
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
    example: "RUN curl -fsSL https://get.example.sh | sh",
    example_fixed: "RUN curl -fsSLo install.sh https://get.example.sh \\\n && echo \"<sha256>  install.sh\" | sha256sum -c - \\\n && sh install.sh",
    equivalents: &[eq("Checkov", "CKV2_DOCKER_* (curl | bash)")],
    references: &[DOCKER_BP],
};

pub static TLS_DISABLED: RuleMeta = RuleMeta {
    id: "DF032",
    slug: "tls-verification-disabled",
    title: "TLS certificate verification turned off",
    severity: Severity::High,
    layer: "supply-chain",
    tags: &["dockerfile", "supply-chain", "shell"],
    default_enabled: true,
    what: "A download or package tool runs with certificate checks off: `curl -k/--insecure`, `wget --no-check-certificate`, `pip --trusted-host`, `npm/yarn config set strict-ssl false`, `git -c http.sslVerify=false` / `git config http.sslVerify false`, or `GIT_SSL_NO_VERIFY`, `NODE_TLS_REJECT_UNAUTHORIZED=0`, `PYTHONHTTPSVERIFY=0` set in ENV or on the command.",
    why: "Without certificate verification anyone on the network path (a hostile Wi-Fi, a compromised proxy or CI network) can impersonate the server and feed the build a malicious package or binary.",
    fix: "Remove the flag or variable; if a corporate proxy re-signs TLS, install its CA certificate into the image instead.",
    example: "RUN curl -k https://example.com/x.tar.gz | tar xz",
    example_fixed: "COPY corp-ca.crt /usr/local/share/ca-certificates/\nRUN update-ca-certificates && curl https://example.com/x.tar.gz | tar xz",
    equivalents: &[eq(
        "Checkov",
        "CKV2_DOCKER_2 / CKV2_DOCKER_3 / CKV2_DOCKER_4 / CKV2_DOCKER_5 / CKV2_DOCKER_6",
    )],
    references: &[DOCKER_BP],
};

pub static SIGNATURES_DISABLED: RuleMeta = RuleMeta {
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
    example: "RUN apk add --allow-untrusted ./pkg.apk",
    example_fixed: "COPY pkg-signing.rsa.pub /etc/apk/keys/\nRUN apk add ./pkg.apk",
    equivalents: &[eq(
        "Checkov",
        "CKV2_DOCKER_7 / CKV2_DOCKER_8 / CKV2_DOCKER_9 / CKV2_DOCKER_10",
    )],
    references: &[DOCKER_BP],
};

pub fn add_no_checksum(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for (i, inst) in ctx.model.parsed.instructions.iter().enumerate() {
        let inst = if inst.is("onbuild") {
            match inst.sub() {
                Some(s) => s,
                None => continue,
            }
        } else {
            inst
        };
        if !inst.is("add") || inst.flag("checksum").is_some() {
            continue;
        }
        let args: Vec<&str> = inst.strings().collect();
        let Some((_, srcs)) = args.split_last() else {
            continue;
        };
        for s in srcs
            .iter()
            .filter(|s| s.starts_with("http://") || s.starts_with("https://"))
        {
            out.push(ctx.at_text(
                &ADD_NO_CHECKSUM,
                i,
                s,
                format!("ADD downloads {s} without --checksum; the content is not verified"),
            ));
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

pub fn pipe_to_shell(ctx: &Ctx<'_>) -> Vec<Violation> {
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
                    &PIPE_TO_SHELL,
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

fn env_disables_tls(k: &str, v: &str) -> bool {
    let v = v.trim_matches(['"', '\'']).to_ascii_lowercase();
    match k {
        "GIT_SSL_NO_VERIFY" => !v.is_empty() && v != "0" && v != "false",
        "NODE_TLS_REJECT_UNAUTHORIZED" | "PYTHONHTTPSVERIFY" => v == "0",
        "CURL_INSECURE" => v == "1" || v == "true",
        _ => false,
    }
}

fn tls_problem(c: &Command) -> Option<String> {
    for (k, v) in &c.env {
        if env_disables_tls(k, v) {
            return Some(format!("{k}={v}"));
        }
    }
    let p = c.program();
    let args = c.args();
    match p {
        "curl" if c.has_flag("k") || c.has_flag("insecure") => Some("curl --insecure".into()),
        "wget" if c.has_flag("no-check-certificate") => Some("wget --no-check-certificate".into()),
        p if p.starts_with("pip") || (p.starts_with("python") && c.has_arg("pip")) => {
            (c.has_flag("trusted-host") || args.iter().any(|a| a.contains("trusted-host")))
                .then(|| "pip --trusted-host".into())
        }
        "npm" | "yarn" | "pnpm" => {
            let joined = args.join(" ");
            (joined.contains("strict-ssl false")
                || joined.contains("strict-ssl=false")
                || joined.contains("strict-ssl=\"false\""))
            .then(|| format!("{p} strict-ssl false"))
        }
        "git" => {
            let joined = args.join(" ").to_ascii_lowercase();
            (joined.contains("http.sslverify=false") || joined.contains("http.sslverify false"))
                .then(|| "git http.sslVerify false".into())
        }
        "export" => args.iter().find_map(|a| {
            a.split_once('=')
                .filter(|(k, v)| env_disables_tls(k, v))
                .map(|(k, v)| format!("{k}={v}"))
        }),
        _ => None,
    }
}

pub fn tls_disabled(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for run in &ctx.model.runs {
        for c in &run.commands {
            if let Some(what) = tls_problem(c) {
                let needle = what.split([' ', '=']).next().unwrap_or("");
                out.push(ctx.at_text(
                    &TLS_DISABLED,
                    run.index,
                    needle,
                    format!("{what} turns off TLS certificate verification"),
                ));
            }
        }
    }
    for (i, inst) in ctx.model.parsed.instructions.iter().enumerate() {
        if !(inst.is("env") || inst.is("arg")) {
            continue;
        }
        let words: Vec<&str> = inst.strings().collect();
        let pairs: Vec<(&str, &str)> = if inst.is("env") {
            words
                .chunks(3)
                .filter_map(|c| match c {
                    [k, v, _] => Some((*k, *v)),
                    _ => None,
                })
                .collect()
        } else {
            words.iter().filter_map(|w| w.split_once('=')).collect()
        };
        for (k, v) in pairs {
            if env_disables_tls(k, v) {
                out.push(ctx.at_text(
                    &TLS_DISABLED,
                    i,
                    k,
                    format!("{k}={v} turns off TLS certificate verification for every later step"),
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

pub fn signatures_disabled(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for run in &ctx.model.runs {
        for c in &run.commands {
            if let Some(what) = signature_problem(c) {
                out.push(ctx.at_text(
                    &SIGNATURES_DISABLED,
                    run.index,
                    c.name(),
                    format!("{what} installs packages without verifying their signatures"),
                ));
            }
        }
    }
    out
}
