//! Shared credential heuristics: names that say "secret" and values shaped
//! like well-known keys. Used by the Kubernetes env rule and the Dockerfile
//! ENV/ARG rules so both layers judge a credential the same way.

const NAME_MARKERS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "CREDENTIAL",
    "AUTH_KEY",
    "CLIENT_SECRET",
];

/// Suffixes naming where a secret lives or what shape it has, not the secret.
const NAME_EXCLUSIONS: &[&str] = &[
    "_FILE",
    "_PATH",
    "_DIR",
    "_URL",
    "_ENDPOINT",
    "_NAME",
    "_ID",
    "_TYPE",
    "_LENGTH",
    "_TTL",
    "_EXPIRY",
    "_TIMEOUT",
    "_VERSION",
    "_SHA256",
    "_SHA",
    "_CHECKSUM",
    "_HASH",
    "_URI",
    "_HEADER",
    "_FIELD",
];

/// Public material whose names look secret (GPG key fingerprints, ...).
const PUBLIC_NAMES: &[&str] = &["GPG_KEY", "GPG_KEYS", "PGP_KEY", "KEYSERVER", "KEY_SERVER"];

const PLACEHOLDERS: &[&str] = &[
    "",
    "changeme",
    "change-me",
    "xxx",
    "none",
    "null",
    "todo",
    "placeholder",
    "<redacted>",
    "redacted",
    "true",
    "false",
    "dummy",
    "example",
    "secret",
    "password",
];

/// Does this variable name say it holds a credential?
pub fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if PUBLIC_NAMES
        .iter()
        .any(|p| upper == *p || upper.ends_with(&format!("_{p}")))
    {
        return false;
    }
    NAME_MARKERS.iter().any(|m| upper.contains(m))
        && !NAME_EXCLUSIONS.iter().any(|x| upper.ends_with(x))
}

/// Is this value a placeholder or a reference rather than a credential?
pub fn placeholder(value: &str) -> bool {
    let v = value.trim();
    PLACEHOLDERS.contains(&v.to_ascii_lowercase().as_str())
        || v.starts_with("$(")
        || v.starts_with('$')
        || v.len() < 4
}

/// Does a value have the shape of a well-known credential? Returns what it looks like.
pub fn looks_like_key(v: &str) -> Option<&'static str> {
    let alnum = |s: &str, n: usize| {
        s.len() >= n
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    if (v.starts_with("AKIA") || v.starts_with("ASIA"))
        && v.len() == 20
        && v.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Some("an AWS access key id");
    }
    for (prefix, what) in [
        ("ghp_", "a GitHub token"),
        ("gho_", "a GitHub token"),
        ("ghs_", "a GitHub token"),
        ("github_pat_", "a GitHub token"),
        ("glpat-", "a GitLab token"),
        ("xoxb-", "a Slack token"),
        ("xoxp-", "a Slack token"),
        ("sk_live_", "a Stripe key"),
        ("npm_", "an npm token"),
        ("pypi-", "a PyPI token"),
    ] {
        if let Some(rest) = v.strip_prefix(prefix)
            && alnum(rest, 16)
        {
            return Some(what);
        }
    }
    if v.contains("-----BEGIN") && v.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_values_and_shapes() {
        assert!(secret_name("DB_PASSWORD") && secret_name("github_token"));
        assert!(
            !secret_name("GPG_KEY") && !secret_name("PYTHON_GPG_KEY") && !secret_name("TOKEN_URL")
        );
        assert!(placeholder("changeme") && placeholder("${TOKEN}") && !placeholder("s3cr3t-pass"));
        assert!(looks_like_key("AKIAIOSFODNN7EXAMPLE").is_some());
        assert!(looks_like_key("ghp_0123456789abcdefABCDEF0123456789abcd").is_some());
        assert!(looks_like_key("hello world").is_none() && looks_like_key("ghp_short").is_none());
    }
}
