//! The HTTPS server: rustls with a certificate resolver that reloads the
//! certificate and key when their files change (cert-manager rotation needs
//! no restart; a broken pair keeps the last good one), hyper 1 over HTTP/1.1
//! and HTTP/2, the policy file reloaded the same way, bounded bodies and
//! connections, a per-request deadline answered by the failure policy,
//! `/healthz`, `/readyz`, `/metrics`, one JSON log line per review, and a
//! graceful shutdown on SIGTERM/SIGINT that drains accepted requests.

use crate::engine::{self, Decision, Mode, Namespaces, Policy};
use crate::metrics::{self, Metrics};
use bulkhead_core::Catalogue;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::{Value, json};
use std::convert::Infallible;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// What `bulkhead admission serve` was asked.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub cert: PathBuf,
    pub key: PathBuf,
    /// The policy file (`bulkhead.yaml` schema); none: the defaults.
    pub config: Option<PathBuf>,
    /// A `kubectl get ns -o yaml` dump to learn namespace labels from at start.
    pub namespaces: Option<PathBuf>,
    /// Largest request body (bytes); larger gets 413.
    pub max_body: usize,
    /// Most simultaneous connections; more are closed at accept.
    pub max_connections: usize,
    /// How often certificate and policy files are checked for changes.
    pub reload_interval: Duration,
    /// How long accepted requests may take to finish at shutdown.
    pub drain: Duration,
    /// Log every review (`true`) or only denials and warnings.
    pub log_all: bool,
    /// Worker threads (default: one per core).
    pub threads: Option<usize>,
}

impl ServeOptions {
    pub fn new(listen: SocketAddr, cert: PathBuf, key: PathBuf) -> ServeOptions {
        ServeOptions {
            listen,
            cert,
            key,
            config: None,
            namespaces: None,
            max_body: 3 * 1024 * 1024,
            max_connections: 4096,
            reload_interval: Duration::from_secs(1),
            drain: Duration::from_secs(30),
            log_all: true,
            threads: None,
        }
    }
}

/// A log line on stderr: JSON, one object per line, with a timestamp.
pub fn log(mut v: Value) {
    if let Some(m) = v.as_object_mut() {
        m.insert("ts".into(), json!(jiff::Timestamp::now().to_string()));
    }
    let mut line = v.to_string();
    line.push('\n');
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

fn mtime(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// Reads a PEM certificate chain and private key into a rustls key.
pub fn load_certified_key(cert: &Path, key: &Path) -> Result<CertifiedKey, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("{}: cannot read certificate: {e}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: invalid PEM certificate: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no CERTIFICATE block", cert.display()));
    }
    let der = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("{}: no usable private key: {e}", key.display()))?;
    let signing = rustls::crypto::ring::sign::any_supported_type(&der)
        .map_err(|e| format!("{}: unsupported private key: {e}", key.display()))?;
    let ck = CertifiedKey::new(certs, signing);
    ck.keys_match().map_err(|e| {
        format!(
            "{} and {}: the key does not belong to the certificate ({e})",
            cert.display(),
            key.display()
        )
    })?;
    Ok(ck)
}

/// The certificate in use, swapped when the files change.
#[derive(Debug)]
struct Certs {
    current: RwLock<Arc<CertifiedKey>>,
}

impl ResolvesServerCert for Certs {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().map(|c| Arc::clone(&c))
    }
}

/// Loads the policy file (or the defaults) into a compiled policy.
pub fn load_policy(path: Option<&Path>, catalogue: &Arc<Catalogue>) -> Result<Policy, String> {
    let config = match path {
        Some(p) => bulkhead_core::config::load(p)?,
        None => bulkhead_core::config::Config::default(),
    };
    let name = path
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "defaults".into());
    Policy::new(config, Arc::clone(catalogue)).map_err(|e| format!("{name}: {e}"))
}

struct State {
    policy: RwLock<Arc<Policy>>,
    namespaces: Namespaces,
    metrics: Metrics,
    opts: ServeOptions,
    ready: AtomicBool,
}

impl State {
    fn policy(&self) -> Option<Arc<Policy>> {
        self.policy.read().ok().map(|p| Arc::clone(&p))
    }
}

/// Everything loaded and checked before the port opens: an error here is
/// the one line `serve` refuses to start with.
pub struct Prepared {
    state: Arc<State>,
    certs: Arc<Certs>,
    catalogue: Arc<Catalogue>,
}

pub fn prepare(opts: ServeOptions, catalogue: Arc<Catalogue>) -> Result<Prepared, String> {
    let policy = load_policy(opts.config.as_deref(), &catalogue)?;
    let ck = load_certified_key(&opts.cert, &opts.key)?;
    let namespaces = Namespaces::default();
    if let Some(p) = &opts.namespaces {
        let text =
            std::fs::read_to_string(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
        namespaces.load_text(&p.display().to_string(), text)?;
    }
    Ok(Prepared {
        state: Arc::new(State {
            policy: RwLock::new(Arc::new(policy)),
            namespaces,
            metrics: Metrics::default(),
            opts,
            ready: AtomicBool::new(false),
        }),
        certs: Arc::new(Certs {
            current: RwLock::new(Arc::new(ck)),
        }),
        catalogue,
    })
}

/// Runs the server until SIGTERM/SIGINT; returns once drained.
pub fn serve(p: Prepared) -> Result<(), String> {
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all();
    if let Some(n) = p.state.opts.threads {
        rt.worker_threads(n.max(1));
    }
    let rt = rt
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    rt.block_on(run(p))
}

async fn run(p: Prepared) -> Result<(), String> {
    let Prepared {
        state,
        certs,
        catalogue,
    } = p;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_no_client_auth()
        .with_cert_resolver(Arc::clone(&certs) as Arc<dyn ResolvesServerCert>);
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let listener = TcpListener::bind(state.opts.listen)
        .await
        .map_err(|e| format!("{}: cannot listen: {e}", state.opts.listen))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(watch_files(Arc::clone(&state), certs, catalogue));
    state.ready.store(true, Relaxed);
    log(
        json!({"level": "info", "msg": "listening", "addr": local.to_string(),
        "url": format!("https://{local}")}),
    );

    let sem = Arc::new(Semaphore::new(state.opts.max_connections));
    let graceful = GracefulShutdown::new();
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(10));
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(256);
    let builder = Arc::new(builder);
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((tcp, _peer)) = accepted else { continue };
                let Ok(permit) = Arc::clone(&sem).try_acquire_owned() else {
                    state.metrics.rejected_connections.fetch_add(1, Relaxed);
                    drop(tcp);
                    continue;
                };
                let _ = tcp.set_nodelay(true);
                let watcher = graceful.watcher();
                let acceptor = acceptor.clone();
                let state = Arc::clone(&state);
                let builder = Arc::clone(&builder);
                tokio::spawn(async move {
                    let _permit = permit;
                    let tls = match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
                        Ok(Ok(s)) => s,
                        _ => {
                            state.metrics.tls_errors.fetch_add(1, Relaxed);
                            return;
                        }
                    };
                    let svc_state = Arc::clone(&state);
                    let svc = hyper::service::service_fn(move |req| handle(req, Arc::clone(&svc_state)));
                    let conn = builder.serve_connection(TokioIo::new(tls), svc);
                    let _ = watcher.watch(conn).await;
                });
            }
        }
    }
    // Stop taking connections, tell keep-alive connections to close after
    // their current request, and wait for accepted requests to finish.
    drop(listener);
    state.ready.store(false, Relaxed);
    log(
        json!({"level": "info", "msg": "shutting down: draining accepted requests",
        "connections": graceful.count()}),
    );
    let drained = tokio::time::timeout(state.opts.drain, graceful.shutdown()).await;
    match drained {
        Ok(()) => log(json!({"level": "info", "msg": "drained; stopped"})),
        Err(_) => log(
            json!({"level": "warn", "msg": "drain deadline passed; stopping with connections open"}),
        ),
    }
    Ok(())
}

async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        () = term => {},
    }
}

/// Polls the certificate, key and policy files; a change that loads is
/// swapped in, one that does not keeps the last good one (log + metric).
async fn watch_files(state: Arc<State>, certs: Arc<Certs>, catalogue: Arc<Catalogue>) {
    let o = &state.opts;
    let mut cert_seen = (mtime(&o.cert), mtime(&o.key));
    let mut policy_seen = o.config.as_deref().and_then(mtime);
    let mut tick = tokio::time::interval(o.reload_interval);
    loop {
        tick.tick().await;
        let now = (mtime(&o.cert), mtime(&o.key));
        if now != cert_seen {
            cert_seen = now;
            match load_certified_key(&o.cert, &o.key) {
                Ok(ck) => {
                    if let Ok(mut c) = certs.current.write() {
                        *c = Arc::new(ck);
                    }
                    state.metrics.cert_reloads.fetch_add(1, Relaxed);
                    log(
                        json!({"level": "info", "msg": "certificate reloaded", "cert": o.cert.display().to_string()}),
                    );
                }
                Err(e) => {
                    state.metrics.cert_reload_failures.fetch_add(1, Relaxed);
                    log(
                        json!({"level": "error", "msg": "certificate change refused; keeping the last good certificate", "error": e}),
                    );
                }
            }
        }
        if let Some(path) = o.config.as_deref() {
            let now = mtime(path);
            if now != policy_seen {
                policy_seen = now;
                match load_policy(Some(path), &catalogue) {
                    Ok(p) => {
                        if let Ok(mut cur) = state.policy.write() {
                            *cur = Arc::new(p);
                        }
                        state.metrics.policy_reloads.fetch_add(1, Relaxed);
                        log(
                            json!({"level": "info", "msg": "policy reloaded", "config": path.display().to_string()}),
                        );
                    }
                    Err(e) => {
                        state.metrics.policy_reload_failures.fetch_add(1, Relaxed);
                        log(
                            json!({"level": "error", "msg": "policy change refused; keeping the last good policy", "error": e}),
                        );
                    }
                }
            }
        }
    }
}

type Body = Full<Bytes>;

fn reply(status: StatusCode, ctype: &str, body: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    if let Ok(v) = hyper::header::HeaderValue::from_str(ctype) {
        r.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    r
}

fn error(status: StatusCode, msg: &str) -> Response<Body> {
    reply(
        status,
        "application/json",
        json!({"error": msg}).to_string(),
    )
}

async fn handle(req: Request<Incoming>, state: Arc<State>) -> Result<Response<Body>, Infallible> {
    let path = req.uri().path().to_string();
    Ok(match (req.method(), path.as_str()) {
        (&Method::GET, "/healthz") => reply(StatusCode::OK, "text/plain", "ok\n"),
        (&Method::GET, "/readyz") => {
            if state.ready.load(Relaxed) {
                reply(StatusCode::OK, "text/plain", "ready\n")
            } else {
                reply(StatusCode::SERVICE_UNAVAILABLE, "text/plain", "not ready\n")
            }
        }
        (&Method::GET, "/metrics") => {
            let (entries, hits) = state
                .policy()
                .map(|p| (p.images.cache_len() as u64, p.images.cache_hits()))
                .unwrap_or((0, 0));
            let ns = state.namespaces.len() as u64;
            let ready = u64::from(state.ready.load(Relaxed));
            let text = state.metrics.render(&[
                ("bulkhead_admission_image_cache_entries", "Image verification results cached (by digest).", "gauge", entries),
                ("bulkhead_admission_image_cache_hits_total", "Signature verifications answered from the cache (since the policy was loaded).", "counter", hits),
                ("bulkhead_admission_namespaces_known", "Namespaces whose labels are known.", "gauge", ns),
                ("bulkhead_admission_ready", "1 when the policy and certificate are loaded and the server takes reviews.", "gauge", ready),
            ]);
            reply(StatusCode::OK, "text/plain; version=0.0.4", text)
        }
        (&Method::POST, "/validate") => review(req, state, false).await,
        (&Method::POST, "/mutate") => review(req, state, true).await,
        (_, "/validate" | "/mutate") => error(
            StatusCode::METHOD_NOT_ALLOWED,
            "use POST with an AdmissionReview",
        ),
        _ => error(
            StatusCode::NOT_FOUND,
            "no such endpoint (/validate, /mutate, /healthz, /readyz, /metrics)",
        ),
    })
}

struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Relaxed);
    }
}

async fn review(req: Request<Incoming>, state: Arc<State>, mutate: bool) -> Response<Body> {
    let start = Instant::now();
    let m = &state.metrics;
    m.in_flight.fetch_add(1, Relaxed);
    let _guard = InFlight(m);
    let max = state.opts.max_body;
    let declared = req
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        m.too_large.fetch_add(1, Relaxed);
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "request body is {} bytes, above the {max}-byte limit",
                declared.unwrap_or(0)
            ),
        );
    }
    let Some(policy) = state.policy() else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "no policy loaded");
    };
    let deadline = policy.deadline();
    let body =
        match tokio::time::timeout(deadline, Limited::new(req.into_body(), max).collect()).await {
            Ok(Ok(b)) => b.to_bytes(),
            Ok(Err(e)) => {
                if e.downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some()
                {
                    m.too_large.fetch_add(1, Relaxed);
                    return error(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        &format!("request body is above the {max}-byte limit"),
                    );
                }
                m.bad_requests.fetch_add(1, Relaxed);
                return error(
                    StatusCode::BAD_REQUEST,
                    &format!("cannot read the request body: {e}"),
                );
            }
            Err(_) => {
                m.deadline_exceeded.fetch_add(1, Relaxed);
                return error(
                    StatusCode::REQUEST_TIMEOUT,
                    "the request body did not arrive before the deadline",
                );
            }
        };
    let request = match engine::parse_review(&body) {
        Ok(r) => r,
        Err(engine::BadReview(why)) => {
            m.bad_requests.fetch_add(1, Relaxed);
            log(json!({"level": "warn", "msg": "bad request", "error": why}));
            return error(StatusCode::BAD_REQUEST, &why);
        }
    };
    let decision = if policy.images.needs_network() {
        let (p, st, r) = (Arc::clone(&policy), Arc::clone(&state), request.clone());
        let job =
            tokio::task::spawn_blocking(move || engine::evaluate(&p, &st.namespaces, &r, mutate));
        match tokio::time::timeout(deadline.saturating_sub(start.elapsed()), job).await {
            Ok(Ok(d)) => Ok(d),
            Ok(Err(e)) => Err(format!("evaluation failed: {e}")),
            Err(_) => Err(format!(
                "no decision within the {} ms deadline",
                deadline.as_millis()
            )),
        }
    } else {
        Ok(engine::evaluate(
            &policy,
            &state.namespaces,
            &request,
            mutate,
        ))
    };
    let decision = decision.unwrap_or_else(|why| {
        m.deadline_exceeded.fetch_add(1, Relaxed);
        policy.failure_decision(&why)
    });
    let secs = start.elapsed().as_secs_f64();
    record(&state, &request, &decision, mutate, secs);
    let body = engine::response(&request, &decision).to_string();
    reply(StatusCode::OK, "application/json", body)
}

fn record(state: &State, req: &engine::Request, d: &Decision, mutate: bool, secs: f64) {
    let m = &state.metrics;
    if mutate {
        m.mutate.observe(secs);
    } else {
        m.validate.observe(secs);
    }
    let enforced_deny = !d.allowed && d.mode == Mode::Enforce;
    if mutate {
        if d.patch.is_some() {
            m.patched.fetch_add(1, Relaxed);
        } else {
            m.allowed.fetch_add(1, Relaxed);
        }
    } else if enforced_deny {
        m.denied.fetch_add(1, Relaxed);
    } else if !d.warned.is_empty() || !d.denied.is_empty() {
        m.warned.fetch_add(1, Relaxed);
    } else {
        m.allowed.fetch_add(1, Relaxed);
    }
    m.count_findings(d.denied.iter().chain(&d.warned).map(|f| f.rule_id.as_str()));
    let family = d
        .denied
        .first()
        .or(d.warned.first())
        .map(|f| metrics::family(&f.rule_id))
        .unwrap_or_else(|| "none".into());
    m.observe_family(&family, secs);
    let noteworthy = enforced_deny || !d.warned.is_empty() || !d.denied.is_empty();
    if state.opts.log_all || noteworthy {
        let ids = |fs: &[bulkhead_core::Finding]| {
            fs.iter().map(|f| f.rule_id.clone()).collect::<Vec<_>>()
        };
        log(json!({
            "level": "info",
            "msg": "review",
            "uid": req.uid,
            "endpoint": if mutate { "mutate" } else { "validate" },
            "kind": req.kind,
            "namespace": req.namespace,
            "name": if req.name.is_empty() {
                req.object["metadata"]["name"].as_str().or(req.object["metadata"]["generateName"].as_str()).unwrap_or("")
            } else {
                req.name.as_str()
            },
            "operation": req.operation,
            "user": req.username,
            "dryRun": req.dry_run,
            "allowed": d.allowed || d.mode != Mode::Enforce,
            "mode": format!("{:?}", d.mode).to_lowercase(),
            "result": d.why,
            "denied": ids(&d.denied),
            "warned": ids(&d.warned),
            "patched": d.patch.as_ref().map(Vec::len).unwrap_or(0),
            "ms": (secs * 1e6).round() / 1e3,
        }));
    }
}
