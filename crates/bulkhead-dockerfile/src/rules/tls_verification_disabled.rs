//! DF032: TLS certificate verification turned off.

use super::{Ctx, DOCKER_BP, Violation};
use crate::shell::Command;
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
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
    example: include_str!("../../fixtures/DF032/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF032/pass.Dockerfile"),
    equivalents: &[eq(
        "Checkov",
        "CKV2_DOCKER_2 / CKV2_DOCKER_3 / CKV2_DOCKER_4 / CKV2_DOCKER_5 / CKV2_DOCKER_6",
    )],
    references: &[DOCKER_BP],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for run in &ctx.model.runs {
        for c in &run.commands {
            if let Some(what) = tls_problem(c) {
                let needle = what.split([' ', '=']).next().unwrap_or("");
                out.push(ctx.at_text(
                    &RULE,
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
                    &RULE,
                    i,
                    k,
                    format!("{k}={v} turns off TLS certificate verification for every later step"),
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
