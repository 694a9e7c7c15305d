//! `--help` written for a reader who has never seen the tool (issue 13,
//! point 7): the top-level text names every layer, each command says what it
//! reads (registries for `image`, every advisory source for `db`), the shared
//! flags say nothing that holds for one command only, and the main commands
//! show examples.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use common::*;

/// `bulkhead ARGS... --help`, which must succeed.
fn help(path: &[&str]) -> String {
    let mut args = path.to_vec();
    args.push("--help");
    let o = run(&args);
    assert!(o.status.success(), "{path:?} --help: {}", stderr(&o));
    stdout(&o)
}

/// The description above `Usage:`.
fn about(text: &str) -> &str {
    text.split("\nUsage:").next().unwrap_or("")
}

/// The names listed under `Commands:` (without clap's `help`).
fn subcommands(text: &str) -> Vec<String> {
    let Some(rest) = text.split("\nCommands:\n").nth(1) else {
        return Vec::new();
    };
    rest.lines()
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_string)
        .collect()
}

/// Every command path, depth first: `["k8s"]`, `["rbac", "who-can"]`, ...
fn all_commands() -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut todo: Vec<Vec<String>> = subcommands(&help(&[]))
        .into_iter()
        .map(|n| vec![n])
        .collect();
    while let Some(path) = todo.pop() {
        let args: Vec<&str> = path.iter().map(String::as_str).collect();
        for sub in subcommands(&help(&args)) {
            let mut p = path.clone();
            p.push(sub);
            todo.push(p);
        }
        out.push(path);
    }
    out
}

#[test]
fn top_level_names_every_layer() {
    let text = help(&[]);
    let intro = about(&text);
    for layer in [
        "image",
        "Dockerfile",
        "runtime",
        "Compose",
        "Kubernetes",
        "Pod Security Standards",
        "RBAC",
        "NetworkPolicies",
        "sign",
        "admission",
        "audit",
        "vulnerabilit",
    ] {
        assert!(
            intro.contains(layer),
            "top-level about lacks {layer}:\n{intro}"
        );
    }
    assert!(text.contains("Examples:"), "{text}");
    assert!(text.contains("Exit codes"), "{text}");
    // -h keeps the one-line summary, and still names the layers.
    let short = stdout(&run(&["-h"]));
    let line = about(&short);
    for layer in ["images", "Dockerfiles", "Kubernetes", "RBAC", "audit"] {
        assert!(line.contains(layer), "-h lacks {layer}:\n{line}");
    }
}

#[test]
fn image_help_names_registries_and_docker_hub_naming() {
    for cmd in ["image", "sbom"] {
        let text = help(&[cmd]);
        assert!(text.contains("registry"), "{cmd}: {text}");
        assert!(text.contains("Docker Hub"), "{cmd}: {text}");
        assert!(text.contains("nginx:latest"), "{cmd}: {text}");
        assert!(text.contains("oci:DIR"), "{cmd}: {text}");
    }
}

#[test]
fn db_help_names_update_and_every_advisory_source() {
    let db = help(&["db"]);
    for word in ["import", "update", "OSV", "RustSec", "Debian", "Alpine"] {
        assert!(about(&db).contains(word), "db about lacks {word}:\n{db}");
    }
    let import = help(&["db", "import"]);
    for word in ["OSV", "RustSec", "Debian Security Tracker", "Alpine secdb"] {
        assert!(import.contains(word), "db import lacks {word}:\n{import}");
    }
    let update = help(&["db", "update"]);
    assert!(
        update.contains("Debian") && update.contains("--add"),
        "{update}"
    );
    // The in-memory --advisories of the image commands take the same sources.
    let image = help(&["image"]);
    assert!(
        image.contains("Debian") && image.contains("Alpine"),
        "{image}"
    );
}

/// The shared report flags say nothing Kubernetes-only, and each command's
/// `--select` names its own rules.
#[test]
fn shared_flags_fit_the_command_they_are_shown_for() {
    for path in all_commands() {
        let args: Vec<&str> = path.iter().map(String::as_str).collect();
        let text = help(&args);
        assert!(
            !text.contains("non-Kubernetes documents"),
            "{path:?} --help:\n{text}"
        );
    }
    let select = |cmd: &str| -> String {
        let text = help(&[cmd]);
        let at = text.find("--select <SELECT>").expect("--select");
        let end = text[at..].find("--ignore").map_or(text.len(), |e| at + e);
        text[at..end].to_string()
    };
    for (cmd, own, foreign) in [
        (
            "dockerfile",
            "DF",
            &["pss", "baseline", "restricted", "PSS"][..],
        ),
        ("rbac", "RBAC", &["pss", "baseline", "restricted", "DF"][..]),
        ("netpol", "NP", &["pss", "baseline", "restricted", "DF"][..]),
        (
            "runtime",
            "RT",
            &["pss", "baseline", "restricted", "DF"][..],
        ),
        (
            "image",
            "IMG",
            &["pss", "baseline", "restricted", "RBAC"][..],
        ),
        (
            "verify",
            "SIGN",
            &["pss", "baseline", "restricted", "DF"][..],
        ),
        ("k8s", "PSS", &["DF", "RBAC"][..]),
    ] {
        let text = select(cmd);
        assert!(text.contains(own), "{cmd} --select lacks {own}:\n{text}");
        for f in foreign {
            let word = |w: &str| {
                text.split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                    .any(|t| t == w)
            };
            assert!(!word(f), "{cmd} --select names {f}:\n{text}");
        }
    }
    // scan runs every layer and has two formats of its own.
    let scan = help(&["scan"]);
    for w in ["PSS", "DF", "RBAC", "XL", "policyreport", "html"] {
        assert!(scan.contains(w), "scan --help lacks {w}");
    }
}

#[test]
fn every_command_has_a_description_and_the_main_ones_examples() {
    for path in all_commands() {
        let args: Vec<&str> = path.iter().map(String::as_str).collect();
        let text = help(&args);
        assert!(
            about(&text).trim().len() > 20,
            "{path:?} has no description:\n{text}"
        );
    }
    for cmd in [
        "k8s",
        "dockerfile",
        "rbac",
        "netpol",
        "runtime",
        "audit",
        "scan",
        "image",
        "sbom",
        "fs",
        "db",
        "sign",
        "verify",
        "admission",
    ] {
        let text = help(&[cmd]);
        let examples = text
            .split("Examples:\n")
            .nth(1)
            .unwrap_or_else(|| panic!("{cmd} --help has no examples:\n{text}"));
        assert!(
            examples.contains(&format!("bulkhead {cmd}")),
            "{cmd} examples do not run {cmd}:\n{examples}"
        );
    }
}

/// Every example line in every --help parses: the command exists and its
/// flags are real (run with --help appended, so nothing is read or written).
#[test]
fn examples_use_real_commands_and_flags() {
    let mut checked = 0;
    for path in all_commands() {
        let args: Vec<&str> = path.iter().map(String::as_str).collect();
        let text = help(&args);
        let Some(examples) = text.split("Examples:\n").nth(1) else {
            continue;
        };
        for line in examples.lines().take_while(|l| l.starts_with("  ")) {
            // The bulkhead invocation of the line, without pipes, redirections
            // or trailing descriptions (three spaces or more).
            let Some(at) = line.find("bulkhead ") else {
                continue;
            };
            let cmd = line[at + "bulkhead ".len()..]
                .split(['|', '&', '>'])
                .next()
                .unwrap_or("")
                .split("   ")
                .next()
                .unwrap_or("");
            let words: Vec<&str> = cmd
                .split_whitespace()
                .map(|w| w.trim_matches('\''))
                .filter(|w| !w.starts_with('`'))
                .collect();
            if words.is_empty() || words[0].starts_with('`') {
                continue;
            }
            let mut argv = words.clone();
            argv.push("--help");
            let o = run(&argv);
            assert!(
                o.status.success(),
                "example `{line}` does not parse: {}",
                stderr(&o)
            );
            checked += 1;
        }
    }
    assert!(checked > 30, "only {checked} examples found");
}
