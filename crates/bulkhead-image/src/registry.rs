//! A registry over the OCI distribution API: manifests (OCI and Docker v2,
//! indexes resolved to the requested or host platform) and blobs streamed
//! straight into the layer scanner. Anonymous access, HTTP basic auth and
//! the bearer-token flow (`WWW-Authenticate: Bearer realm=...`) with
//! credentials from `~/.docker/config.json` (`auths.HOST.auth`).
//! HTTPS with rustls by default; `insecure` allows plain HTTP (loopback
//! test registries).
//!
//! Hand-written over `ureq` rather than `oci-client`: the scanner is
//! synchronous (rayon over layers) and needs a streaming `Read` per blob;
//! the protocol surface used here is four GET requests.

use crate::ImageError;
use serde_json::Value;
use std::io::Read;
use std::sync::Mutex;

pub const MANIFEST_TYPES: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

pub struct Registry {
    base: String,
    pub host: String,
    pub name: String,
    agent: ureq::Agent,
    basic: Option<String>,
    token: Mutex<Option<String>>,
    requests: std::sync::atomic::AtomicUsize,
}

/// Why a request failed: an HTTP status (with up to 4 KiB of the body) or
/// anything else (transport, TLS, authentication).
#[derive(Debug)]
pub enum Failure {
    Status(u16, String),
    Other(ImageError),
}

/// Docker Hub's canonical name, as `docker` and go-containerregistry write it
/// in references and signatures.
pub const DOCKER_HUB: &str = "index.docker.io";
/// The host Docker Hub's registry API answers on.
const DOCKER_HUB_API: &str = "registry-1.docker.io";

/// A reference as `docker pull` names it → (host, name, tag or digest):
/// `HOST[:PORT]/NAME[:TAG|@DIGEST]`, or without a registry host (the first
/// component has no `.` or `:` and is not `localhost`) Docker Hub, with
/// `library/` for a one-component name: `nginx` is
/// `index.docker.io/library/nginx:latest`, `docker.io/x/y` is
/// `index.docker.io/x/y:latest`. `None` when it is not a reference (upper
/// case, a path such as `./x`, `/x` or `x.tar`, an empty part).
pub fn parse(reference: &str) -> Option<(String, String, String)> {
    let r = reference.strip_prefix("docker://").unwrap_or(reference);
    if r.is_empty()
        || r.starts_with(['.', '/', '~'])
        || r.ends_with('/')
        || [".tar", ".tgz", ".tar.gz", ".tar.zst", ".json"]
            .iter()
            .any(|e| r.ends_with(e))
    {
        return None;
    }
    let (host, rest) = match r.split_once('/') {
        Some((h, rest)) if h.contains('.') || h.contains(':') || h == "localhost" => {
            (h.to_string(), rest.to_string())
        }
        _ => (DOCKER_HUB.to_string(), r.to_string()),
    };
    if rest.is_empty() {
        return None;
    }
    let (name, tag) = if let Some((n, d)) = rest.split_once('@') {
        (n.to_string(), d.to_string())
    } else {
        match rest.rsplit_once(':') {
            Some((n, t)) if !t.contains('/') => (n.to_string(), t.to_string()),
            _ => (rest.to_string(), "latest".to_string()),
        }
    };
    let valid_name = !name.is_empty()
        && name.split('/').all(|c| {
            !c.is_empty()
                && c.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
                })
        });
    if !valid_name || tag.is_empty() {
        return None;
    }
    let host = match host.as_str() {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB.to_string(),
        _ => host,
    };
    let name = if host == DOCKER_HUB && !name.contains('/') {
        format!("library/{name}")
    } else {
        name
    };
    Some((host, name, tag))
}

fn docker_auth(host: &str) -> Option<String> {
    let home = std::env::var_os("DOCKER_CONFIG")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".docker")))?;
    let cfg: Value = serde_json::from_slice(&std::fs::read(home.join("config.json")).ok()?).ok()?;
    let auths = cfg["auths"].as_object()?;
    // `docker login` keys Docker Hub as `https://index.docker.io/v1/`.
    let hub = ["index.docker.io", "docker.io", "registry-1.docker.io"];
    auths
        .iter()
        .find(|(k, _)| {
            let k = k
                .trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_end_matches('/');
            let k = k.strip_suffix("/v1").unwrap_or(k);
            k == host || (host == DOCKER_HUB && hub.contains(&k))
        })
        .and_then(|(_, v)| v["auth"].as_str())
        .map(|a| format!("Basic {a}"))
}

/// `key="value"` pairs of a WWW-Authenticate challenge.
fn challenge(h: &str) -> Vec<(String, String)> {
    let rest = h
        .trim_start_matches("Bearer ")
        .trim_start_matches("bearer ");
    let mut out = Vec::new();
    for part in rest.split(',') {
        if let Some((k, v)) = part.split_once('=') {
            out.push((k.trim().to_string(), v.trim().trim_matches('"').to_string()));
        }
    }
    out
}

impl Registry {
    pub fn new(host: &str, name: &str, insecure: bool) -> Registry {
        let scheme = if insecure { "http" } else { "https" };
        let api = if host == DOCKER_HUB {
            DOCKER_HUB_API
        } else {
            host
        };
        Registry {
            base: format!("{scheme}://{api}"),
            host: host.to_string(),
            name: name.to_string(),
            agent: ureq::AgentBuilder::new()
                .timeout_connect(std::time::Duration::from_secs(15))
                .timeout_read(std::time::Duration::from_secs(120))
                .build(),
            basic: docker_auth(host),
            token: Mutex::new(None),
            requests: Default::default(),
        }
    }

    fn err(&self, m: String) -> ImageError {
        ImageError::new(format!("{}/{}", self.host, self.name), m)
    }

    fn auth_header(&self) -> Option<String> {
        let t = self.token.lock().ok()?.clone();
        t.map(|t| format!("Bearer {t}"))
            .or_else(|| self.basic.clone())
    }

    /// GET with the current credentials; on 401, runs the token flow once.
    pub fn get(&self, path: &str, accept: Option<&str>) -> Result<ureq::Response, ImageError> {
        let url = format!("{}/v2/{}/{path}", self.base, self.name);
        match self.send("GET", &url, accept, None, None) {
            Ok(r) => Ok(r),
            Err(Failure::Status(code, body)) => Err(self.err(format!(
                "{url}: HTTP {code} {}",
                body.chars().take(200).collect::<String>()
            ))),
            Err(Failure::Other(e)) => Err(e),
        }
    }

    /// The URL of `path` under this repository (`manifests/x`, `blobs/uploads/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}/v2/{}/{path}", self.base, self.name)
    }

    /// The URL of a `Location` header (absolute or relative to the registry).
    pub fn resolve(&self, location: &str) -> String {
        if location.starts_with("http://") || location.starts_with("https://") {
            location.to_string()
        } else {
            format!("{}{location}", self.base)
        }
    }

    /// How many HTTP requests this client has sent (token requests included).
    pub fn requests(&self) -> usize {
        self.requests.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// One request with the current credentials; on 401 the token flow runs
    /// once (with the scope the registry asks for, e.g. `pull,push`) and the
    /// request is repeated. An HTTP error status is `Failure::Status`.
    pub fn send(
        &self,
        method: &str,
        url: &str,
        accept: Option<&str>,
        content_type: Option<&str>,
        body: Option<&[u8]>,
    ) -> Result<ureq::Response, Failure> {
        for attempt in 0..2 {
            let mut req = self.agent.request(method, url);
            if let Some(a) = accept {
                req = req.set("Accept", a);
            }
            if let Some(c) = content_type {
                req = req.set("Content-Type", c);
            }
            if let Some(h) = self.auth_header() {
                req = req.set("Authorization", &h);
            }
            self.requests
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let res = match body {
                Some(b) => req.send_bytes(b),
                None => req.call(),
            };
            match res {
                Ok(r) => return Ok(r),
                Err(ureq::Error::Status(401, r)) if attempt == 0 => {
                    let h = r.header("WWW-Authenticate").unwrap_or("").to_string();
                    if h.to_ascii_lowercase().starts_with("bearer") {
                        self.fetch_token(&h).map_err(Failure::Other)?;
                    } else if self.basic.is_none() {
                        return Err(Failure::Other(self.err(format!("{url}: 401 unauthorized (no credentials for {} in ~/.docker/config.json)", self.host))));
                    }
                }
                Err(ureq::Error::Status(code, r)) => {
                    let mut body = String::new();
                    let _ = r.into_reader().take(4096).read_to_string(&mut body);
                    return Err(Failure::Status(code, body));
                }
                Err(e) => {
                    // ureq's transport errors already name the URL.
                    let m = e.to_string();
                    let m = if m.contains(url) {
                        m
                    } else {
                        format!("{url}: {m}")
                    };
                    return Err(Failure::Other(self.err(m)));
                }
            }
        }
        Err(Failure::Other(self.err(format!("{url}: unauthorized"))))
    }

    fn fetch_token(&self, header: &str) -> Result<(), ImageError> {
        let c = challenge(header);
        let get = |k: &str| c.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
        let realm = get("realm").ok_or_else(|| self.err("token challenge without realm".into()))?;
        let mut req = self.agent.get(&realm);
        if let Some(s) = get("service") {
            req = req.query("service", &s);
        }
        req = req.query(
            "scope",
            &get("scope").unwrap_or_else(|| format!("repository:{}:pull", self.name)),
        );
        if let Some(b) = &self.basic {
            req = req.set("Authorization", b);
        }
        self.requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let body = req
            .call()
            .map_err(|e| self.err(format!("token from {realm}: {e}")))?
            .into_string()
            .map_err(|e| self.err(format!("token from {realm}: {e}")))?;
        let v: Value = serde_json::from_str(&body)
            .map_err(|e| self.err(format!("token from {realm}: {e}")))?;
        let t = v["token"]
            .as_str()
            .or(v["access_token"].as_str())
            .ok_or_else(|| self.err(format!("token from {realm}: no token in the answer")))?;
        if let Ok(mut g) = self.token.lock() {
            *g = Some(t.to_string());
        }
        Ok(())
    }

    pub fn json(&self, path: &str, accept: Option<&str>) -> Result<Value, ImageError> {
        let mut buf = Vec::new();
        self.get(path, accept)?
            .into_reader()
            .take(16 << 20)
            .read_to_end(&mut buf)
            .map_err(|e| self.err(format!("{path}: {e}")))?;
        serde_json::from_slice(&buf).map_err(|e| self.err(format!("{path}: invalid JSON: {e}")))
    }

    pub fn blob(&self, digest: &str) -> Result<Box<dyn Read + Send>, ImageError> {
        Ok(Box::new(
            self.get(&format!("blobs/{digest}"), None)?.into_reader(),
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn references_are_named_as_docker_pull_names_them() {
        let p = super::parse;
        let t = |h: &str, n: &str, r: &str| Some((h.to_string(), n.to_string(), r.to_string()));
        assert_eq!(p("nginx"), t("index.docker.io", "library/nginx", "latest"));
        assert_eq!(
            p("nginx:1.27"),
            t("index.docker.io", "library/nginx", "1.27")
        );
        assert_eq!(
            p("docker.io/nginx"),
            t("index.docker.io", "library/nginx", "latest")
        );
        assert_eq!(
            p("docker://bitnami/redis:7"),
            t("index.docker.io", "bitnami/redis", "7")
        );
        assert_eq!(
            p("index.docker.io/library/alpine@sha256:ab"),
            t("index.docker.io", "library/alpine", "sha256:ab")
        );
        assert_eq!(p("localhost:5000/a/b:c"), t("localhost:5000", "a/b", "c"));
        assert_eq!(p("ghcr.io/o/r"), t("ghcr.io", "o/r", "latest"));
        for not in [
            "./img",
            "/tmp/x",
            "image.tar",
            "Upper/Case",
            "a//b",
            "",
            "x/",
            "ghcr.io/",
            "x.json",
        ] {
            assert_eq!(p(not), None, "{not}");
        }
        // The API host of Docker Hub is not its name.
        let r = super::Registry::new("index.docker.io", "library/nginx", false);
        assert_eq!(
            r.url("manifests/latest"),
            "https://registry-1.docker.io/v2/library/nginx/manifests/latest"
        );
    }
}
