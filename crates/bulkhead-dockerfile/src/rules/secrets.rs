//! Secrets baked into the image.

use super::{Ctx, DOCKER_BP, Violation};
use bulkhead_core::rule::eq;
use bulkhead_core::secrets::{looks_like_key, placeholder, secret_name};
use bulkhead_core::{RuleMeta, Severity};

pub static SECRET_ENV: RuleMeta = RuleMeta {
    id: "DF020",
    slug: "secret-in-env-or-arg",
    title: "Secret value written into ENV or an ARG default",
    severity: Severity::High,
    layer: "image",
    tags: &["dockerfile", "secrets"],
    default_enabled: true,
    what: "An `ENV` or `ARG` default gives a literal value to a variable whose name says it is a credential (PASSWORD, TOKEN, SECRET, API_KEY, ...), or a value shaped like a known key (AWS, GitHub, GitLab, Slack, Stripe, npm, PyPI tokens, private keys). Public material with secret-looking names (`GPG_KEY` fingerprints, `*_SHA256`, `*_VERSION`) and placeholders are ignored.",
    why: "ENV values are stored in the image config and ARG values in the build history: anyone who can pull the image reads them with `docker inspect` or `docker history`, forever — deleting them in a later layer does not help.",
    fix: "Pass build-time secrets with `RUN --mount=type=secret,id=...` and runtime secrets through the orchestrator (a Kubernetes Secret); rotate the exposed value.",
    example: "ENV DB_PASSWORD=hunter2",
    example_fixed: "RUN --mount=type=secret,id=db_password ./configure",
    equivalents: &[
        eq("Trivy", "DS-secret (generic)"),
        eq("Checkov", "CKV_SECRET_*"),
    ],
    references: &["https://docs.docker.com/build/building/secrets/"],
};

pub static SECRET_BUILD_ARG: RuleMeta = RuleMeta {
    id: "DF021",
    slug: "secret-build-arg",
    title: "Secret passed as a build argument",
    severity: Severity::Medium,
    layer: "image",
    tags: &["dockerfile", "secrets"],
    default_enabled: true,
    what: "An `ARG` whose name says it is a credential (NPM_TOKEN, GITHUB_TOKEN, PASSWORD, ...) and that has no literal default: the value comes from `--build-arg`.",
    why: "Build arguments are recorded in the image history (`docker history --no-trunc` shows them in the RUN lines that use them) and in provenance attestations, so the token leaks to everyone who can pull the image.",
    fix: "Use a secret mount: `RUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci` and `docker build --secret id=npm_token,env=NPM_TOKEN`.",
    example: "ARG NPM_TOKEN\nRUN npm ci",
    example_fixed: "RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci",
    equivalents: &[eq("BuildKit check", "SecretsUsedInArgOrEnv")],
    references: &["https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/"],
};

pub static COPY_CREDENTIALS: RuleMeta = RuleMeta {
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
    example: "COPY id_rsa /root/.ssh/id_rsa",
    example_fixed: "RUN --mount=type=ssh git clone git@example.com:org/repo.git",
    equivalents: &[
        eq("Checkov", "CKV_DOCKER_* (secrets)"),
        eq("Trivy", "secret scanning"),
    ],
    references: &[DOCKER_BP, "https://docs.docker.com/build/building/secrets/"],
};

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

fn is_literal(v: &str) -> bool {
    !placeholder(v)
}

pub fn secret_env(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for (i, inst) in ctx.model.parsed.instructions.iter().enumerate() {
        let pairs: Vec<(String, String)> = if inst.is("env") {
            let a: Vec<&str> = inst.strings().collect();
            a.chunks(3)
                .filter_map(|c| match c {
                    [k, v, _] => Some((k.to_string(), v.trim_matches(['"', '\'']).to_string())),
                    _ => None,
                })
                .collect()
        } else if inst.is("arg") {
            inst.strings()
                .filter_map(|w| {
                    w.split_once('=')
                        .map(|(k, v)| (k.to_string(), v.trim_matches(['"', '\'']).to_string()))
                })
                .collect()
        } else {
            continue;
        };
        for (k, v) in pairs {
            let shape = looks_like_key(&v);
            if !(shape.is_some() || (secret_name(&k) && is_literal(&v))) {
                continue;
            }
            let why = shape.map_or_else(
                || "a credential by its name".to_string(),
                |s| format!("{s} by its shape"),
            );
            out.push(ctx.at_text(&SECRET_ENV, i, &k, format!("{} {k} is set to a literal value that is {why}; it is readable by anyone who pulls the image", inst.keyword.to_ascii_uppercase())));
        }
    }
    out
}

pub fn secret_build_arg(ctx: &Ctx<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    for (i, inst) in ctx.model.parsed.instructions.iter().enumerate() {
        if !inst.is("arg") {
            continue;
        }
        for w in inst.strings() {
            let (k, default) = match w.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (w, None),
            };
            if !secret_name(k) || default.is_some_and(is_literal) {
                continue;
            }
            out.push(ctx.at_text(&SECRET_BUILD_ARG, i, k, format!("build argument {k} carries a secret; build args are recorded in the image history — use RUN --mount=type=secret")));
        }
    }
    out
}

pub fn copy_credentials(ctx: &Ctx<'_>) -> Vec<Violation> {
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
                out.push(ctx.at_text(&COPY_CREDENTIALS, i, s, format!("{} copies {s} ({what}) into a layer; it stays in the image even if deleted later", inst.keyword.to_ascii_uppercase())));
            }
        }
    }
    out
}
