//! Prometheus text-format metrics, hand-written: a dozen counters and two
//! histograms on atomics need no registry crate, and the text format is
//! four line shapes.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5,
];

#[derive(Default)]
pub struct Histogram {
    counts: [AtomicU64; 12],
    inf: AtomicU64,
    sum_ns: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, secs: f64) {
        match BUCKETS.iter().position(|b| secs <= *b) {
            Some(i) => self.counts[i].fetch_add(1, Relaxed),
            None => self.inf.fetch_add(1, Relaxed),
        };
        self.sum_ns.fetch_add((secs * 1e9) as u64, Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let mut cum = 0;
        for (i, b) in BUCKETS.iter().enumerate() {
            cum += self.counts[i].load(Relaxed);
            let _ = writeln!(out, "{name}_bucket{{{labels}le=\"{b}\"}} {cum}");
        }
        cum += self.inf.load(Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels}le=\"+Inf\"}} {cum}");
        let _ = writeln!(
            out,
            "{name}_sum{{{}}} {}",
            labels.trim_end_matches(','),
            self.sum_ns.load(Relaxed) as f64 / 1e9
        );
        let _ = writeln!(
            out,
            "{name}_count{{{}}} {cum}",
            labels.trim_end_matches(',')
        );
    }
}

#[derive(Default)]
pub struct Metrics {
    pub validate: Histogram,
    pub mutate: Histogram,
    pub allowed: AtomicU64,
    pub denied: AtomicU64,
    pub warned: AtomicU64,
    pub patched: AtomicU64,
    pub bad_requests: AtomicU64,
    pub too_large: AtomicU64,
    pub deadline_exceeded: AtomicU64,
    pub rejected_connections: AtomicU64,
    pub tls_errors: AtomicU64,
    pub in_flight: AtomicU64,
    pub policy_reloads: AtomicU64,
    pub policy_reload_failures: AtomicU64,
    pub cert_reloads: AtomicU64,
    pub cert_reload_failures: AtomicU64,
    /// Findings per rule family (id prefix: PSS, K8S, RBAC, ADM, SIGN).
    pub findings: Mutex<BTreeMap<String, u64>>,
    /// Evaluation time per rule family of the object's first finding
    /// (`none` when clean), in seconds.
    pub family_latency: Mutex<BTreeMap<String, (u64, f64)>>,
}

pub fn family(rule_id: &str) -> String {
    rule_id
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .to_string()
}

impl Metrics {
    pub fn count_findings<'a>(&self, ids: impl Iterator<Item = &'a str>) {
        if let Ok(mut m) = self.findings.lock() {
            for id in ids {
                *m.entry(family(id)).or_default() += 1;
            }
        }
    }

    pub fn observe_family(&self, family: &str, secs: f64) {
        if let Ok(mut m) = self.family_latency.lock() {
            let e = m.entry(family.to_string()).or_default();
            e.0 += 1;
            e.1 += secs;
        }
    }

    /// The text exposition; `extra`: (name, help, type, value) kept elsewhere.
    pub fn render(&self, extra: &[(&str, &str, &str, u64)]) -> String {
        let mut s = String::new();
        let c = |s: &mut String, name: &str, help: &str, v: u64| {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        };
        let _ = writeln!(
            s,
            "# HELP bulkhead_admission_request_duration_seconds Review latency (read body to response).\n# TYPE bulkhead_admission_request_duration_seconds histogram"
        );
        self.validate.render(
            &mut s,
            "bulkhead_admission_request_duration_seconds",
            "endpoint=\"validate\",",
        );
        self.mutate.render(
            &mut s,
            "bulkhead_admission_request_duration_seconds",
            "endpoint=\"mutate\",",
        );
        let _ = writeln!(
            s,
            "# HELP bulkhead_admission_decisions_total Decisions by outcome.\n# TYPE bulkhead_admission_decisions_total counter"
        );
        for (k, v) in [
            ("allowed", &self.allowed),
            ("denied", &self.denied),
            ("warned", &self.warned),
            ("patched", &self.patched),
        ] {
            let _ = writeln!(
                s,
                "bulkhead_admission_decisions_total{{decision=\"{k}\"}} {}",
                v.load(Relaxed)
            );
        }
        c(
            &mut s,
            "bulkhead_admission_bad_requests_total",
            "Bodies that are not an AdmissionReview.",
            self.bad_requests.load(Relaxed),
        );
        c(
            &mut s,
            "bulkhead_admission_too_large_total",
            "Bodies over the size limit.",
            self.too_large.load(Relaxed),
        );
        c(
            &mut s,
            "bulkhead_admission_deadline_exceeded_total",
            "Reviews answered by the failure mode at the deadline.",
            self.deadline_exceeded.load(Relaxed),
        );
        c(
            &mut s,
            "bulkhead_admission_rejected_connections_total",
            "Connections refused at the concurrency limit.",
            self.rejected_connections.load(Relaxed),
        );
        c(
            &mut s,
            "bulkhead_admission_tls_errors_total",
            "Failed or timed-out TLS handshakes.",
            self.tls_errors.load(Relaxed),
        );
        c(
            &mut s,
            "bulkhead_admission_policy_reloads_total",
            "Policy files loaded after a change.",
            self.policy_reloads.load(Relaxed),
        );
        c(
            &mut s,
            "bulkhead_admission_policy_reload_failures_total",
            "Changed policy files refused (the last good one stays).",
            self.policy_reload_failures.load(Relaxed),
        );
        c(
            &mut s,
            "bulkhead_admission_cert_reloads_total",
            "Certificates loaded after a change.",
            self.cert_reloads.load(Relaxed),
        );
        c(
            &mut s,
            "bulkhead_admission_cert_reload_failures_total",
            "Changed certificates refused (the last good one stays).",
            self.cert_reload_failures.load(Relaxed),
        );
        let _ = writeln!(
            s,
            "# HELP bulkhead_admission_in_flight Reviews being evaluated.\n# TYPE bulkhead_admission_in_flight gauge\nbulkhead_admission_in_flight {}",
            self.in_flight.load(Relaxed)
        );
        for (name, help, kind, v) in extra {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}");
        }
        let _ = writeln!(
            s,
            "# HELP bulkhead_admission_findings_total Findings by rule family.\n# TYPE bulkhead_admission_findings_total counter"
        );
        if let Ok(m) = self.findings.lock() {
            for (k, v) in m.iter() {
                let _ = writeln!(s, "bulkhead_admission_findings_total{{family=\"{k}\"}} {v}");
            }
        }
        let _ = writeln!(
            s,
            "# HELP bulkhead_admission_evaluation_seconds Evaluation time by the rule family that decided (none: clean).\n# TYPE bulkhead_admission_evaluation_seconds summary"
        );
        if let Ok(m) = self.family_latency.lock() {
            for (k, (n, sum)) in m.iter() {
                let _ = writeln!(
                    s,
                    "bulkhead_admission_evaluation_seconds_sum{{family=\"{k}\"}} {sum}"
                );
                let _ = writeln!(
                    s,
                    "bulkhead_admission_evaluation_seconds_count{{family=\"{k}\"}} {n}"
                );
            }
        }
        s
    }
}
