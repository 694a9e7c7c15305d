//! `sign`, `sign keygen`, `attest`, `verify`, `verify-attestation`,
//! `verify-blob`: wiring of `bulkhead_sign` (keys, stores, envelopes,
//! verification) to the report layer. Passwords come from
//! `BULKHEAD_PASSWORD` / `COSIGN_PASSWORD` or a prompt on a terminal.

use super::catalogue;
use crate::cli::ReportArgs;
use crate::settings::Settings;
use anyhow::{Context, Result, anyhow, bail};
use bulkhead_core::Format;
use bulkhead_core::report::{Report, Target};
use bulkhead_sign::keys::{self, KeyError};
use bulkhead_sign::sign::{self, Attachment, Layout, SignOptions};
use bulkhead_sign::verify::{self, Outcome, VerifyOptions};
use clap::{Args, Subcommand};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

#[derive(Args, Debug, Clone)]
pub struct RegistryArgs {
    /// Plain HTTP to the registry (for loopback test registries).
    #[arg(long, env = "BULKHEAD_INSECURE")]
    pub insecure: bool,
}

#[derive(Args, Debug, Clone)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SignArgs {
    #[command(subcommand)]
    pub command: Option<SignCommand>,
    /// Image to sign: HOST[:PORT]/NAME[:TAG|@DIGEST] or oci:DIR[:TAG]. A tag is resolved
    /// once; the digest is what is signed.
    pub reference: Option<String>,
    /// Private key (cosign.key; every form cosign reads).
    #[arg(long, env = "BULKHEAD_KEY")]
    pub key: Option<PathBuf>,
    /// Annotation to sign with the payload, key=value (repeatable).
    #[arg(short = 'a', long = "annotation", value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,
    /// legacy: the sha256-<hex>.sig tag (Kyverno, Harbor, podman, cosign v2);
    /// bundle: a Sigstore bundle v0.3 as an OCI 1.1 referrer (cosign v3).
    #[arg(long, default_value = "legacy", value_parser = ["legacy", "bundle"])]
    pub format: String,
    /// Also sign every platform manifest of a multi-arch index.
    #[arg(long)]
    pub recursive: bool,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

#[derive(Subcommand, Debug, Clone)]
pub enum SignCommand {
    /// Write a cosign-format key pair: an encrypted private key and its public key.
    Keygen(KeygenArgs),
}

#[derive(Args, Debug, Clone)]
pub struct KeygenArgs {
    /// File name prefix: PREFIX.key and PREFIX.pub (cosign's names by default).
    #[arg(long, default_value = "cosign")]
    pub output_key_prefix: String,
    /// Accept an empty password (the private key is still written encrypted).
    #[arg(long)]
    pub allow_empty_password: bool,
    /// Overwrite existing key files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug, Clone)]
pub struct AttestArgs {
    /// Image to attest: HOST[:PORT]/NAME[:TAG|@DIGEST] or oci:DIR[:TAG].
    pub reference: String,
    /// Private key (cosign.key).
    #[arg(long, env = "BULKHEAD_KEY")]
    pub key: PathBuf,
    /// Predicate type: cyclonedx, spdx, vuln, custom, slsaprovenance, openvex or a URI.
    #[arg(long = "type", default_value = "custom")]
    pub predicate_type: String,
    /// The predicate: a JSON file (e.g. the SBOM `bulkhead sbom` writes).
    #[arg(long)]
    pub predicate: PathBuf,
    /// Annotation to sign with the statement, key=value (repeatable).
    #[arg(short = 'a', long = "annotation", value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,
    /// legacy: the sha256-<hex>.att tag; bundle: a Sigstore bundle referrer.
    #[arg(long, default_value = "legacy", value_parser = ["legacy", "bundle"])]
    pub format: String,
    /// Also attest every platform manifest of a multi-arch index.
    #[arg(long)]
    pub recursive: bool,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

#[derive(Args, Debug, Clone)]
pub struct VerifyArgs {
    /// Image to verify: HOST[:PORT]/NAME[:TAG|@DIGEST] or oci:DIR[:TAG].
    pub reference: String,
    /// Public key (cosign.pub: ECDSA P-256 or RSA, PKIX PEM).
    #[arg(long, env = "BULKHEAD_PUBLIC_KEY")]
    pub key: PathBuf,
    /// Annotation every accepted signature must carry, key=value (repeatable).
    #[arg(short = 'a', long = "annotation", value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,
    /// Also verify every platform manifest of a multi-arch index.
    #[arg(long)]
    pub recursive: bool,
    /// Look in both layouts even after a signature verified.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub registry: RegistryArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Args, Debug, Clone)]
pub struct VerifyAttestationArgs {
    #[command(flatten)]
    pub verify: VerifyArgs,
    /// Predicate type required: cyclonedx, spdx, vuln, custom, slsaprovenance, openvex or a URI.
    #[arg(long = "type", default_value = "custom")]
    pub predicate_type: String,
    /// Write the verified predicate(s) as JSON to FILE.
    #[arg(long)]
    pub output_predicate: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct VerifyBlobArgs {
    /// The signed file.
    pub file: PathBuf,
    /// Sigstore bundle (key-based, e.g. `*.sigstore.json`).
    #[arg(long)]
    pub bundle: PathBuf,
    /// Public key (PKIX PEM).
    #[arg(long)]
    pub key: PathBuf,
}

fn annotations(list: &[String]) -> Result<Vec<(String, String)>> {
    list.iter()
        .map(|a| {
            a.split_once('=')
                .filter(|(k, _)| !k.is_empty())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| anyhow!("-a {a}: expected KEY=VALUE"))
        })
        .collect()
}

/// The password: environment first, then a prompt on a terminal.
fn password(prompt: &str) -> Result<Zeroizing<String>, KeyError> {
    for var in ["BULKHEAD_PASSWORD", "COSIGN_PASSWORD"] {
        if let Ok(p) = std::env::var(var) {
            return Ok(Zeroizing::new(p));
        }
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(prompt)
            .map(Zeroizing::new)
            .map_err(|e| KeyError(format!("reading the password: {e}")));
    }
    Err(KeyError(
        "the key is encrypted: set BULKHEAD_PASSWORD (or COSIGN_PASSWORD), or run on a terminal"
            .into(),
    ))
}

fn read_file(p: &Path) -> Result<Vec<u8>> {
    verify::read_input(p).map_err(|e| anyhow!("{e}"))
}

pub(crate) fn private_key(p: &Path) -> Result<keys::PrivateKey> {
    let pem = read_file(p)?;
    keys::read_private(&pem, &|| password("Enter password for private key: "))
        .map_err(|e| anyhow!("{}: {e}", p.display()))
}

pub(crate) fn public_key(p: &Path) -> Result<keys::PublicKey> {
    let pem = read_file(p)?;
    keys::read_public(&pem).map_err(|e| anyhow!("{}: {e}", p.display()))
}

fn layout(f: &str) -> Layout {
    if f == "bundle" {
        Layout::Bundle
    } else {
        Layout::Legacy
    }
}

fn open(
    reference: &str,
    r: &RegistryArgs,
) -> Result<(Box<dyn bulkhead_sign::store::Store>, String)> {
    bulkhead_sign::store::open(reference, r.insecure).map_err(|e| anyhow!("{e}"))
}

pub fn run_sign(args: SignArgs) -> Result<i32> {
    if let Some(SignCommand::Keygen(k)) = args.command {
        return keygen(&k);
    }
    let reference = args
        .reference
        .ok_or_else(|| anyhow!("sign: an image reference is required (or `sign keygen`)"))?;
    let key_path = args
        .key
        .ok_or_else(|| anyhow!("sign: --key is required (make one with `bulkhead sign keygen`)"))?;
    let key = private_key(&key_path)?;
    let (store, r) = open(&reference, &args.registry)?;
    let opts = SignOptions {
        layout: layout(&args.format),
        annotations: annotations(&args.annotations)?,
        recursive: args.recursive,
    };
    let t = std::time::Instant::now();
    let signed = sign::sign(store.as_ref(), &r, &key, &Attachment::Signature, &opts)
        .map_err(|e| anyhow!("{e}"))?;
    for s in &signed {
        outln!(
            "signed {}@{} ({} layout) -> {}{}",
            store.describe(),
            s.digest,
            s.layout.as_str(),
            s.at,
            if s.layout == Layout::Legacy {
                format!(" ({} signature(s))", s.count)
            } else {
                String::new()
            }
        );
    }
    eprintln!(
        "{} manifest(s) signed in {:.0} ms, {} request(s)",
        signed.len(),
        t.elapsed().as_secs_f64() * 1000.0,
        store.requests()
    );
    Ok(0)
}

fn keygen(k: &KeygenArgs) -> Result<i32> {
    let (kp, pp) = (
        PathBuf::from(format!("{}.key", k.output_key_prefix)),
        PathBuf::from(format!("{}.pub", k.output_key_prefix)),
    );
    for p in [&kp, &pp] {
        if !k.force && std::fs::symlink_metadata(p).is_ok() {
            bail!(
                "{}: exists; refusing to overwrite (use --force)",
                p.display()
            );
        }
    }
    let pw = match std::env::var("BULKHEAD_PASSWORD").or_else(|_| std::env::var("COSIGN_PASSWORD"))
    {
        Ok(p) => Zeroizing::new(p),
        Err(_) if std::io::stdin().is_terminal() => {
            let a = Zeroizing::new(rpassword::prompt_password(
                "Enter password for private key: ",
            )?);
            let b = Zeroizing::new(rpassword::prompt_password(
                "Enter password for private key again: ",
            )?);
            if a != b {
                bail!("the passwords do not match");
            }
            a
        }
        Err(_) => bail!(
            "keygen: set BULKHEAD_PASSWORD (or COSIGN_PASSWORD), or run on a terminal to be asked"
        ),
    };
    if pw.is_empty() && !k.allow_empty_password {
        bail!("keygen: empty password (use --allow-empty-password to accept one)");
    }
    let (private, public) = keys::generate(pw.as_bytes()).map_err(|e| anyhow!("{e}"))?;
    write_private(&kp, private.as_bytes())?;
    std::fs::write(&pp, public).with_context(|| format!("{}: cannot write", pp.display()))?;
    eprintln!(
        "Private key written to {}\nPublic key written to {}",
        kp.display(),
        pp.display()
    );
    Ok(0)
}

fn write_private(p: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::remove_file(p);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(p)
        .with_context(|| format!("{}: cannot write", p.display()))?;
    f.write_all(bytes)
        .with_context(|| format!("{}: cannot write", p.display()))
}

pub fn run_attest(args: AttestArgs) -> Result<i32> {
    let key = private_key(&args.key)?;
    let predicate_type =
        bulkhead_sign::predicate_type(&args.predicate_type).map_err(|e| anyhow!("{e}"))?;
    let text = read_file(&args.predicate)?;
    let predicate: serde_json::Value = serde_json::from_slice(&text).map_err(|e| {
        anyhow!(
            "{}: the predicate is not JSON ({e})",
            args.predicate.display()
        )
    })?;
    let (store, r) = open(&args.reference, &args.registry)?;
    let opts = SignOptions {
        layout: layout(&args.format),
        annotations: annotations(&args.annotations)?,
        recursive: args.recursive,
    };
    let what = Attachment::Attestation {
        predicate_type: predicate_type.clone(),
        predicate,
    };
    let signed = sign::sign(store.as_ref(), &r, &key, &what, &opts).map_err(|e| anyhow!("{e}"))?;
    for s in &signed {
        outln!(
            "attested {}@{} ({predicate_type}, {} layout) -> {}",
            store.describe(),
            s.digest,
            s.layout.as_str(),
            s.at
        );
    }
    Ok(0)
}

pub fn run_verify(args: VerifyArgs) -> Result<i32> {
    verify_common(&args, None, None)
}

pub fn run_verify_attestation(args: VerifyAttestationArgs) -> Result<i32> {
    let pt = bulkhead_sign::predicate_type(&args.predicate_type).map_err(|e| anyhow!("{e}"))?;
    verify_common(&args.verify, Some(pt), args.output_predicate.as_deref())
}

fn verify_common(
    args: &VerifyArgs,
    predicate_type: Option<String>,
    predicates_to: Option<&Path>,
) -> Result<i32> {
    let catalogue = catalogue();
    let settings = Settings::resolve(&args.report, &catalogue, &bulkhead_sign::rules())?;
    let key = public_key(&args.key)?;
    let (store, r) = open(&args.reference, &args.registry)?;
    let opts = VerifyOptions {
        annotations: annotations(&args.annotations)?,
        recursive: args.recursive,
        all: args.all,
        predicate_type,
    };
    let t = std::time::Instant::now();
    let results = verify::verify(store.as_ref(), &r, &args.reference, &key, &opts)
        .map_err(|e| anyhow!("{e}"))?;
    let elapsed = t.elapsed();
    let mut report = Report::new(if opts.predicate_type.is_some() {
        "verify-attestation"
    } else {
        "verify"
    });
    report.settings.insert(
        "key".into(),
        format!("{} ({})", args.key.display(), key.algorithm()),
    );
    let mut predicates = Vec::new();
    for v in &results {
        report.targets.push(Target {
            file: v.reference.clone(),
            name: v.digest.clone(),
            line: None,
        });
        let what = match &v.platform {
            Some(p) => format!("{} ({p})", v.digest),
            None => v.digest.clone(),
        };
        for c in &v.candidates {
            let ann = if c.annotations.is_empty() {
                String::new()
            } else {
                let a: Vec<String> = c
                    .annotations
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                format!(" [{}]", a.join(", "))
            };
            report.notes.push(match &c.outcome {
                Outcome::Verified => {
                    format!("{what}: verified {} {} {}{ann}", c.layout, v.kind, c.source)
                }
                Outcome::BadSignature(x)
                | Outcome::WrongImage(x)
                | Outcome::Annotations(x)
                | Outcome::Malformed(x) => {
                    format!("{what}: rejected {} {} {}: {x}", c.layout, v.kind, c.source)
                }
            });
            if let Some(p) = &c.predicate {
                predicates.push(serde_json::json!({"digest": v.digest, "source": c.source, "predicateType": c.predicate_type, "predicate": p}));
            }
        }
    }
    report.findings = bulkhead_sign::rules::check(&results, &|r| settings.selection.enabled(r));
    report.notes.push(format!(
        "{} manifest(s) checked in {:.0} ms, {} request(s) to {}",
        results.len(),
        elapsed.as_secs_f64() * 1000.0,
        store.requests(),
        store.describe()
    ));
    if let Some(p) = predicates_to {
        let text = serde_json::to_string_pretty(&predicates)?;
        std::fs::write(p, text + "\n").with_context(|| format!("{}: cannot write", p.display()))?;
    }
    settings.apply_suppressions(&catalogue, &mut report);
    settings.finish(&mut report, None);
    if settings.quiet && settings.format == Format::Table {
        report.notes.clear();
    }
    let text = report.render(settings.format, &catalogue, settings.render);
    settings.emit(&text)?;
    Ok(report.exit_code(settings.fail_on))
}

pub fn run_verify_blob(args: VerifyBlobArgs) -> Result<i32> {
    let key = public_key(&args.key)?;
    let bundle = bulkhead_sign::envelope::parse_bundle(&read_file(&args.bundle)?)
        .map_err(|e| anyhow!("{}: {e}", args.bundle.display()))?;
    let artifact = std::fs::read(&args.file)
        .with_context(|| format!("{}: cannot read", args.file.display()))?;
    match bulkhead_sign::envelope::verify_blob(&bundle, &artifact, &key) {
        Ok(()) => {
            outln!("Verified OK: {}", args.file.display());
            Ok(0)
        }
        Err(e) => {
            eprintln!("bulkhead: {}: not verified: {e}", args.file.display());
            Ok(1)
        }
    }
}
