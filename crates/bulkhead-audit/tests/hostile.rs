//! Bad input: every malformed line is one error with its line number and
//! the rest of the log is still analysed; over-long events are skipped
//! without being held; a compressed stream cut short keeps what was read;
//! special files are refused; errors are capped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_audit::analyze::{Judges, Options};
use bulkhead_core::source::InputPath;
use bulkhead_core::{Catalogue, RuleMeta};
use std::io::Write;
use std::path::Path;

fn event(i: usize) -> String {
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"id-{i}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/shop/pods/web-{i}/exec?command=sh","verb":"create","user":{{"username":"alice","groups":["system:authenticated"]}},"sourceIPs":["10.0.0.1"],"objectRef":{{"resource":"pods","namespace":"shop","name":"web-{i}","subresource":"exec","apiVersion":"v1"}},"responseStatus":{{"code":101}},"stageTimestamp":"2026-11-30T10:00:{:02}.000000Z"}}"#,
        i % 60
    )
}

fn run_path(p: &Path, opts: &Options) -> bulkhead_audit::Analysis {
    let all = |r: &RuleMeta| r.default_enabled;
    let c = Catalogue::new();
    let judges = Judges {
        audit: &all,
        objects: &all,
        catalogue: &c,
    };
    bulkhead_audit::run(&[InputPath::File(p.to_path_buf())], opts, &judges)
}

fn run_text(text: &[u8]) -> bulkhead_audit::Analysis {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text).unwrap();
    run_path(f.path(), &Options::default())
}

fn messages(a: &bulkhead_audit::Analysis) -> Vec<String> {
    a.errors.iter().map(|e| e.to_string()).collect()
}

#[test]
fn truncated_last_line_is_one_error_with_its_number() {
    let e = event(3);
    let text = format!("{}\n{}\n{}", event(1), event(2), &e[..e.len() / 2]);
    let a = run_text(text.as_bytes());
    assert_eq!(a.events, 2);
    assert_eq!(a.errors.len(), 1, "{:?}", messages(&a));
    assert_eq!(a.errors[0].line, Some(3));
    assert!(
        a.errors[0].message.contains("truncated event"),
        "{}",
        a.errors[0]
    );
    assert_eq!(a.findings.len(), 2, "the exec of each complete event");
}

#[test]
fn non_audit_json_and_garbage_lines_are_errors_the_rest_is_read() {
    let text = format!(
        "{}\n{{\"kind\":\"Pod\",\"apiVersion\":\"v1\"}}\n{{\"hello\":1}}\n\x00\x01binary\n[1,2]\n{}\n",
        event(1),
        event(2)
    );
    let a = run_text(text.as_bytes());
    assert_eq!(a.events, 2);
    let m = messages(&a);
    assert_eq!(m.len(), 4, "{m:?}");
    assert!(
        m[0].contains(":2:") && m[0].contains("\"Pod\" is not an audit Event"),
        "{m:?}"
    );
    assert!(
        m[1].contains(":3:") && m[1].contains("not an audit Event"),
        "{m:?}"
    );
    assert!(
        m[2].contains(":4:") && m[2].contains("not a JSON audit event"),
        "{m:?}"
    );
    assert!(m[3].contains(":5:"), "{m:?}");
    for e in &m {
        assert!(!e.contains('\n'), "one line: {e:?}");
    }
}

#[test]
fn an_event_of_50_mb_is_skipped_and_named() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    writeln!(f, "{}", event(1)).unwrap();
    let big = "x".repeat(50 * 1024 * 1024);
    writeln!(
        f,
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"create","requestURI":"/x","requestObject":{{"data":"{big}"}}}}"#
    )
    .unwrap();
    writeln!(f, "{}", event(3)).unwrap();
    drop(big);
    let a = run_path(f.path(), &Options::default());
    assert_eq!(a.events, 2);
    let m = messages(&a);
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains(":2:") && m[0].contains("larger than the 16.0 MiB limit"),
        "{m:?}"
    );
}

fn gzip(text: &str) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}

#[test]
fn gzip_cut_short_keeps_the_lines_before() {
    let text: String = (0..5000).map(|i| event(i) + "\n").collect();
    let z = gzip(&text);
    let a = run_text(&z[..z.len() / 2]);
    assert!(a.events > 100 && a.events < 5000, "{}", a.events);
    let m = messages(&a);
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains("gzip stream ends or breaks after line"),
        "{m:?}"
    );
    // Whole, concatenated members (rotated logs joined with cat) and zstd.
    let mut two = gzip(&text);
    two.extend(gzip(&text));
    let a = run_text(&two);
    assert_eq!((a.events, a.errors.len()), (10_000, 0));
    let zs = zstd::encode_all(text.as_bytes(), 1).unwrap();
    let a = run_text(&zs);
    assert_eq!((a.events, a.errors.len()), (5000, 0));
}

#[test]
fn kubectl_logs_prefixes_are_read() {
    let text = format!(
        "2026-11-30T10:00:00.123456789Z {}\n[pod/kube-apiserver-cp/kube-apiserver] {}\r\n\n",
        event(1),
        event(2)
    );
    let a = run_text(text.as_bytes());
    assert_eq!((a.events, a.errors.len()), (2, 0), "{:?}", messages(&a));
}

#[test]
fn errors_are_capped_and_counted() {
    let text: String = (0..1000).map(|_| "{not json\n").collect();
    let a = run_text(text.as_bytes());
    assert_eq!(a.errors.len(), 100);
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("900 more malformed line")),
        "{:?}",
        a.notes
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("log");
    let ok = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !ok.is_ok_and(|s| s.success()) {
        bulkhead_core::testing::skip("a_fifo_is_refused", "mkfifo not available");
        return;
    }
    let a = run_path(&fifo, &Options::default());
    assert_eq!(a.events, 0);
    assert!(
        messages(&a)[0].contains("not a regular file"),
        "{:?}",
        messages(&a)
    );
}

#[test]
fn since_and_until_bound_the_window() {
    let text: String = (0..60).map(|i| event(i) + "\n").collect();
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    let opts = Options {
        since: Some("2026-11-30T10:00:10Z".parse().unwrap()),
        until: Some("2026-11-30T10:00:19.5Z".parse().unwrap()),
        ..Options::default()
    };
    let a = run_path(f.path(), &opts);
    assert_eq!((a.events, a.out_of_window), (10, 50));
}
