//! DF022: credential file copied into the image.

use super::{Ctx, DOCKER_BP, Violation};
use bulkhead_core::rule::eq;
use bulkhead_core::{RuleMeta, Severity};

pub static RULE: RuleMeta = RuleMeta {
    id: "DF022",
    slug: "copy-credentials",
    title: "Credential file copied into the image",
    severity: Severity::High,
    layer: "image",
    tags: &["dockerfile", "secrets"],
    default_enabled: true,
    what: "A `COPY` or `ADD` source is a credential file: SSH keys (`id_rsa`, `id_ed25519`, `.ssh/`), TLS keys (`*.pem`, `*.key`, `*.p12`, `*.pfx`), `.env`, `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`, `.docker/config.json`, `.aws/credentials`, kubeconfigs.",
    why: "The file becomes part of a layer, and every layer ships with the image: removing it in a later instruction only hides it from the final filesystem view, while `docker save` or any registry pull still delivers the key to whoever has the image.",
    fix: "Use `RUN --mount=type=secret` (or `--mount=type=ssh` for git over SSH) so the credential is never written to a layer; keep credential files out of the context with `.dockerignore`.",
    example: include_str!("../../fixtures/DF022/fail.Dockerfile"),
    example_fixed: include_str!("../../fixtures/DF022/pass.Dockerfile"),
    equivalents: &[
        eq("Checkov", "CKV_DOCKER_* (secrets)"),
        eq("Trivy", "secret scanning"),
    ],
    references: &[DOCKER_BP, "https://docs.docker.com/build/building/secrets/"],
};

pub static CHECK: bulkhead_core::FnRule<crate::Dockerfile> =
    bulkhead_core::FnRule { meta: &RULE, check };

pub fn check(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for (i, inst) in ctx.model.parsed.instructions.iter().enumerate() {
        if !(inst.is("copy") || inst.is("add")) {
            continue;
        }
        let args: Vec<&str> = inst.strings().collect();
        let Some((_, srcs)) = args.split_last() else {
            continue;
        };
        for s in srcs {
            if let Some(what) = is_credential_path(s) {
                out.push(ctx.at_text(&RULE, i, s, format!("{} copies {s} ({what}) into a layer; it stays in the image even if deleted later", inst.keyword.to_ascii_uppercase())));
            }
        }
    }
    out
}

fn is_credential_path(p: &str) -> Option<&'static str> {
    let p = p.trim_matches(['"', '\'']);
    let base = p.trim_end_matches('/').rsplit('/').next().unwrap_or(p);
    let lower = base.to_ascii_lowercase();
    let names: &[(&str, &str)] = &[
        ("id_rsa", "an SSH private key"),
        ("id_dsa", "an SSH private key"),
        ("id_ecdsa", "an SSH private key"),
        ("id_ed25519", "an SSH private key"),
        (".ssh", "an SSH directory"),
        (".env", "a dotenv file"),
        (".npmrc", "an npm credentials file"),
        (".pypirc", "a PyPI credentials file"),
        (".netrc", "a netrc credentials file"),
        (".git-credentials", "git credentials"),
        ("credentials", "a credentials file"),
        ("credentials.json", "a credentials file"),
        ("kubeconfig", "a kubeconfig"),
        (".aws", "AWS credentials"),
        (".kube", "a kubeconfig directory"),
        (".docker", "Docker registry credentials"),
    ];
    if let Some((_, what)) = names.iter().find(|(n, _)| lower == *n) {
        return Some(what);
    }
    if p.ends_with(".docker/config.json")
        || p.contains(".aws/credentials")
        || p.ends_with(".kube/config")
    {
        return Some("registry or cloud credentials");
    }
    if lower.starts_with(".env.") && !lower.ends_with(".example") && !lower.ends_with(".sample") {
        return Some("a dotenv file");
    }
    for (ext, what) in [
        (".pem", "a PEM key or certificate bundle"),
        (".key", "a private key"),
        (".p12", "a PKCS#12 key store"),
        (".pfx", "a PKCS#12 key store"),
        (".jks", "a Java key store"),
        (".keystore", "a key store"),
    ] {
        if lower.ends_with(ext) {
            return Some(what);
        }
    }
    None
}
