//! Shell completions and man pages generated from the command definition
//! (issue 13, "beyond the list"): every shell's script, a bash script that
//! `bash -n` accepts and that completes every command, and roff pages that
//! name every command — without depending on `man` being installed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use common::*;

/// The top-level commands, as `bulkhead --help` lists them.
fn commands() -> Vec<String> {
    let text = stdout(&run(&["--help"]));
    let rest = text.split("\nCommands:\n").nth(1).expect("Commands:");
    let names: Vec<String> = rest
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_string)
        .collect();
    assert!(names.len() > 15, "{names:?}");
    names
}

#[test]
fn bash_completion_parses_and_names_every_command() {
    let o = run(&["completions", "bash"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let script = stdout(&o);
    for c in commands() {
        assert!(script.contains(&c), "bash completion lacks {c}");
    }
    // Subcommands and flags of subcommands too.
    for w in ["who-can", "--pss-version", "--fail-on", "--mirror"] {
        assert!(script.contains(w), "bash completion lacks {w}");
    }
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("bulkhead.bash");
    std::fs::write(&path, &script).expect("write");
    match std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
    {
        Ok(b) => assert!(
            b.status.success(),
            "bash -n rejects the script: {}",
            String::from_utf8_lossy(&b.stderr)
        ),
        Err(e) => eprintln!("SKIPPED bash -n: no bash ({e})"),
    }
    // Sourced, the completion function completes a command prefix.
    let probe = format!(
        "source {}; COMP_WORDS=(bulkhead net); COMP_CWORD=1; COMP_LINE='bulkhead net'; \
         COMP_POINT=${{#COMP_LINE}}; _bulkhead bulkhead net bulkhead; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path.display()
    );
    if let Ok(b) = std::process::Command::new("bash")
        .args(["--norc", "-c", &probe])
        .output()
    {
        let words = String::from_utf8_lossy(&b.stdout);
        assert!(
            words.lines().any(|l| l == "netpol"),
            "`bulkhead net<TAB>` does not complete netpol: {words:?} {}",
            String::from_utf8_lossy(&b.stderr)
        );
    }
}

#[test]
fn every_shell_gets_a_script() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = run(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let s = stdout(&o);
        assert!(s.contains("bulkhead") && s.contains("netpol"), "{shell}");
    }
    let o = run(&["completions", "tcsh"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn man_page_is_roff_and_names_every_command() {
    let o = run(&["man"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.contains(".TH bulkhead 1"), "{page}");
    assert!(page.contains(".SH NAME") && page.contains(".SH SYNOPSIS"));
    for c in commands() {
        assert!(
            page.contains(&format!("bulkhead\\-{}(1)", c.replace('-', "\\-"))),
            "man page does not refer to bulkhead-{c}(1)"
        );
    }
    assert!(page.contains("Exit codes"));
}

#[test]
fn man_dir_writes_one_page_per_command() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("man1");
    let o = run(&["man", "--dir", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("man pages"), "{}", stderr(&o));
    let mut pages: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    pages.sort();
    assert!(pages.contains(&"bulkhead.1".to_string()), "{pages:?}");
    for c in commands() {
        assert!(
            pages.contains(&format!("bulkhead-{c}.1")),
            "no page for {c}: {pages:?}"
        );
    }
    for nested in [
        "bulkhead-rbac-who-can.1",
        "bulkhead-db-import.1",
        "bulkhead-admission-serve.1",
    ] {
        assert!(
            pages.contains(&nested.to_string()),
            "no {nested}: {pages:?}"
        );
    }
    assert!(!pages.iter().any(|p| p.contains("help")), "{pages:?}");
    let k8s = std::fs::read_to_string(out.join("bulkhead-k8s.1")).unwrap();
    assert!(k8s.contains(".TH bulkhead-k8s 1"), "{k8s}");
    assert!(
        k8s.contains(&format!("\"bulkhead {}\"", env!("CARGO_PKG_VERSION"))),
        "{k8s}"
    );
    assert!(k8s.contains("\\-\\-pss\\-version"), "{k8s}");
    assert!(k8s.contains("Examples:"), "{k8s}");
    // A directory that cannot be created is a one-line error.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let o = run(&["man", "--dir", file.join("sub").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
}
