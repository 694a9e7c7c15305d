//! Image rules IMG001–IMG008: each `RuleMeta` sits next to its check
//! function; [`check`] runs the enabled ones from one table.

use crate::Scan;
use crate::layers::Kind;
use bulkhead_core::rule::eq;
use bulkhead_core::{Finding, Location, RuleMeta, Severity};

pub static SECRET_IN_LAYER: RuleMeta = RuleMeta {
    id: "IMG001",
    slug: "secret-in-layer",
    title: "Secret in an image layer",
    severity: Severity::Critical,
    layer: "image",
    tags: &["image", "secrets"],
    default_enabled: true,
    what: "A file in any layer holds a private key, a cloud or service token (AWS, GCP service account, Azure, GitHub, GitLab, Slack, Stripe, npm, PyPI) or a credential assigned to a secret-looking name — including files that a later layer deletes or overwrites.",
    why: "Every layer ships with the image: `docker save`, `skopeo copy` or a registry pull hands the deleted file to anyone who can pull, who then uses the key against your cloud account, registry or repositories.",
    fix: "Rotate the credential now. Rebuild without it: use build secrets (`RUN --mount=type=secret`), multi-stage builds that copy only artefacts, and a `.dockerignore` for credential files.",
    example: "COPY .npmrc /root/.npmrc\nRUN npm ci && rm /root/.npmrc",
    example_fixed: "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci",
    equivalents: &[
        eq("Trivy", "secret scanning"),
        eq("Checkov", "CKV_SECRET_*"),
    ],
    references: &["https://docs.docker.com/build/building/secrets/"],
};

fn secret_in_layer(scan: &Scan, out: &mut Vec<Finding>) {
    for l in &scan.layers {
        for h in &l.secrets {
            let now = scan.files.get(&h.path).is_some_and(|f| f.layer == l.index);
            let fate = if now {
                String::new()
            } else {
                match scan.deleted_in.get(&(l.index, h.path.clone())) {
                    Some(d) => format!(" (deleted in layer {} — still in the image)", d + 1),
                    None => " (not in the final filesystem — still in the image)".into(),
                }
            };
            let mut f = Finding::new(
                &SECRET_IN_LAYER,
                loc(scan, Some(l.index), &h.path, Some(h.line)),
                format!(
                    "{} in /{} added by layer {}{fate}",
                    h.what,
                    h.path,
                    l.index + 1
                ),
            );
            f.location.snippet = Some(h.masked.clone());
            f.evidence.insert("layer_index", (l.index + 1).to_string());
            f.evidence.insert("kind", h.what.clone());
            if !now {
                f.evidence.insert("deleted", "true".into());
            }
            out.push(f);
        }
    }
}

pub static SECRET_IN_CONFIG: RuleMeta = RuleMeta {
    id: "IMG002",
    slug: "secret-in-image-config",
    title: "Secret in the image config (Env, labels, history)",
    severity: Severity::High,
    layer: "image",
    tags: &["image", "secrets"],
    default_enabled: true,
    what: "The image config's `Env`, `Labels` or a history `created_by` line (which records build arguments) holds a credential.",
    why: "The config is readable by anyone who can pull the image (`docker inspect`, `docker history --no-trunc`, registry APIs); the credential is exposed without even unpacking a layer.",
    fix: "Pass runtime secrets through the orchestrator, build-time secrets through secret mounts; rotate the exposed value.",
    example: "ENV API_TOKEN=ghp_...",
    example_fixed: "# inject API_TOKEN at run time from a Kubernetes Secret",
    equivalents: &[
        eq("Trivy", "secret scanning (config)"),
        eq("hadolint", "DL3061 (n/a)"),
    ],
    references: &["https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/"],
};

fn secret_in_config(scan: &Scan, out: &mut Vec<Finding>) {
    for (field, text) in config_strings(scan) {
        if let Some((what, masked)) = crate::secrets::scan_line(&text) {
            let mut f = Finding::new(
                &SECRET_IN_CONFIG,
                loc(scan, None, "", None),
                format!("{what} in the image config ({field})"),
            );
            f.location.field = Some(field);
            f.location.snippet = Some(masked);
            out.push(f);
        }
    }
}

pub static RUNS_AS_ROOT: RuleMeta = RuleMeta {
    id: "IMG003",
    slug: "image-runs-as-root",
    title: "Image runs as root",
    severity: Severity::Medium,
    layer: "image",
    tags: &["image", "runtime"],
    default_enabled: true,
    what: "The config's `User` is empty, `root` or uid 0.",
    why: "Unless the runtime overrides it, the process runs as uid 0: a code-execution bug becomes root in the container, one kernel bug or mount away from root on the node.",
    fix: "Create an unprivileged user and set `USER 10001` (numeric, so `runAsNonRoot` can verify it).",
    example: "# no USER instruction",
    example_fixed: "USER 10001",
    equivalents: &[eq("hadolint", "DL3002"), eq("Trivy", "DS002")],
    references: &["https://docs.docker.com/build/building/best-practices/#user"],
};

fn runs_as_root(scan: &Scan, out: &mut Vec<Finding>) {
    let user = scan.config["config"]["User"].as_str().unwrap_or("");
    let name = user.split(':').next().unwrap_or("");
    if name.is_empty() || name == "root" || name == "0" {
        let mut f = Finding::new(
            &RUNS_AS_ROOT,
            loc(scan, None, "", None),
            if user.is_empty() {
                "the image sets no User: it runs as root".to_string()
            } else {
                format!("the image runs as User {user} (root)")
            },
        );
        f.location.field = Some("config.User".into());
        out.push(f);
    }
}

pub static NOT_MINIMAL: RuleMeta = RuleMeta {
    id: "IMG004",
    slug: "shell-or-package-manager",
    title: "Shell or package manager in the final image",
    severity: Severity::Low,
    layer: "image",
    tags: &["image", "minimal"],
    default_enabled: true,
    what: "The final filesystem contains a shell (`/bin/sh`, `/bin/bash`) or a package manager (apt, dpkg, apk, rpm, dnf, yum, pip).",
    why: "An attacker with code execution uses the shell to script the next steps and the package manager to install tools (curl, netcat, compilers); a distroless image leaves them nothing to work with.",
    fix: "Build in one stage and copy the artefact onto a distroless or scratch base.",
    example: "FROM debian:12\nCOPY app /app",
    example_fixed: "FROM gcr.example/distroless/static\nCOPY --from=build /app /app",
    equivalents: &[eq("kube-linter", "n/a"), eq("Trivy", "n/a")],
    references: &["https://github.com/GoogleContainerTools/distroless"],
};

fn not_minimal(scan: &Scan, out: &mut Vec<Finding>) {
    let tools = [
        ("bin/sh", "a shell"),
        ("bin/bash", "a shell"),
        ("usr/bin/apt-get", "a package manager"),
        ("usr/bin/dpkg", "a package manager"),
        ("sbin/apk", "a package manager"),
        ("usr/bin/rpm", "a package manager"),
        ("usr/bin/dnf", "a package manager"),
        ("usr/bin/yum", "a package manager"),
    ];
    let found: Vec<String> = tools
        .iter()
        .filter(|(p, _)| {
            scan.files.contains_key(*p) || scan.files.contains_key(&format!("usr/{p}"))
        })
        .map(|(p, w)| format!("/{p} ({w})"))
        .collect();
    if !found.is_empty() {
        out.push(Finding::new(
            &NOT_MINIMAL,
            loc(scan, None, "", None),
            format!("the final image contains {}", found.join(", ")),
        ));
    }
}

pub static SETUID: RuleMeta = RuleMeta {
    id: "IMG005",
    slug: "setuid-file",
    title: "setuid or setgid file",
    severity: Severity::Low,
    layer: "image",
    tags: &["image", "privilege"],
    default_enabled: true,
    what: "A regular file in the final filesystem has the setuid or setgid bit.",
    why: "setuid binaries are the classic local privilege escalation: a bug in one (or a writable library path it trusts) turns a non-root process into root, unless `no_new_privs` / `allowPrivilegeEscalation: false` is set.",
    fix: "Remove the bits in the build (`find / -perm /6000 -type f -exec chmod a-s {} +`) and set `allowPrivilegeEscalation: false`.",
    example: "-rwsr-xr-x /usr/bin/passwd",
    example_fixed: "-rwxr-xr-x /usr/bin/passwd",
    equivalents: &[eq("Trivy", "n/a"), eq("docker-bench", "4.8")],
    references: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
};

fn setuid(scan: &Scan, out: &mut Vec<Finding>) {
    for (path, f) in &scan.files {
        let e = &f.entry;
        if e.kind == Kind::File && e.mode & 0o6000 != 0 {
            out.push(Finding::new(
                &SETUID,
                loc(scan, Some(f.layer), path, None),
                format!(
                    "/{path} is {} (mode {:o}, owner uid {})",
                    if e.mode & 0o4000 != 0 {
                        "setuid"
                    } else {
                        "setgid"
                    },
                    e.mode & 0o7777,
                    e.uid
                ),
            ));
        }
    }
}

pub static WORLD_WRITABLE: RuleMeta = RuleMeta {
    id: "IMG006",
    slug: "world-writable-file",
    title: "World-writable file or directory without the sticky bit",
    severity: Severity::Low,
    layer: "image",
    tags: &["image", "permissions"],
    default_enabled: true,
    what: "A file, or a directory without the sticky bit, is writable by every user.",
    why: "Any process in the container, whatever its uid, can replace that file — a script or binary run by a more privileged process becomes code execution as that process.",
    fix: "`chmod o-w` in the build; keep shared scratch space in sticky directories like /tmp.",
    example: "chmod 777 /app/start.sh",
    example_fixed: "chmod 755 /app/start.sh",
    equivalents: &[eq("hadolint", "n/a"), eq("Checkov", "n/a")],
    references: &["https://docs.docker.com/build/building/best-practices/"],
};

fn world_writable(scan: &Scan, out: &mut Vec<Finding>) {
    for (path, f) in &scan.files {
        let e = &f.entry;
        // Sticky directories (/tmp) are world-writable by design.
        let ww = e.mode & 0o002 != 0
            && match e.kind {
                Kind::File => true,
                Kind::Dir => e.mode & 0o1000 == 0,
                _ => false,
            };
        if ww {
            out.push(Finding::new(
                &WORLD_WRITABLE,
                loc(scan, Some(f.layer), path, None),
                format!("/{path} is world-writable (mode {:o})", e.mode & 0o7777),
            ));
        }
    }
}

pub static EXPOSE_SSH: RuleMeta = RuleMeta {
    id: "IMG007",
    slug: "image-exposes-ssh",
    title: "Image exposes port 22",
    severity: Severity::Low,
    layer: "image",
    tags: &["image", "network"],
    default_enabled: true,
    what: "The config's `ExposedPorts` includes 22/tcp.",
    why: "An SSH server in a container is a second, usually weakly managed, way in (static keys, passwords) that bypasses the orchestrator's exec auditing.",
    fix: "Remove the SSH server; use `kubectl exec` or `docker exec` for debugging.",
    example: "EXPOSE 22",
    example_fixed: "# no SSH server",
    equivalents: &[eq("hadolint", "DL3011 (n/a)"), eq("Trivy", "DS004")],
    references: &["https://docs.docker.com/reference/dockerfile/#expose"],
};

fn expose_ssh(scan: &Scan, out: &mut Vec<Finding>) {
    if scan.config["config"]["ExposedPorts"]
        .get("22/tcp")
        .is_some()
    {
        let mut f = Finding::new(
            &EXPOSE_SSH,
            loc(scan, None, "", None),
            "the image exposes 22/tcp (SSH)",
        );
        f.location.field = Some("config.ExposedPorts".into());
        out.push(f);
    }
}

pub static HOSTILE_ENTRY: RuleMeta = RuleMeta {
    id: "IMG008",
    slug: "hostile-layer-entry",
    title: "Layer entry escapes the root or is a device",
    severity: Severity::High,
    layer: "image",
    tags: &["image", "supply-chain"],
    default_enabled: true,
    what: "A layer has an entry whose path climbs out of the root (`../`), an absolute path, or a device node; or a Java archive in the image has an entry whose path climbs out of it (zip slip).",
    why: "Naive extractors write `../` paths outside the target directory (arbitrary file write on the machine that unpacks the image, or on the application server that explodes the war); device nodes give direct hardware access when the runtime does not filter them. Legitimate builders never produce them.",
    fix: "Do not run the image; find out who built it. Rebuild from a trusted Dockerfile.",
    example: "../../etc/cron.d/x in a layer tar",
    example_fixed: "",
    equivalents: &[eq("Trivy", "n/a"), eq("CVE", "CVE-2019-14271 class")],
    references: &["https://github.com/opencontainers/image-spec/blob/main/layer.md"],
};

fn hostile_entry(scan: &Scan, out: &mut Vec<Finding>) {
    for l in &scan.layers {
        for a in &l.anomalies {
            out.push(Finding::new(
                &HOSTILE_ENTRY,
                loc(scan, Some(l.index), a.path.trim_start_matches('/'), None),
                format!("layer {}: {}: {}", l.index + 1, a.path, a.what),
            ));
        }
    }
}

type Check = fn(&Scan, &mut Vec<Finding>);

/// Every rule with its check and whether it reads the image config (a
/// directory scan has none).
const CHECKS: &[(&RuleMeta, Check, bool)] = &[
    (&SECRET_IN_LAYER, secret_in_layer, false),
    (&SECRET_IN_CONFIG, secret_in_config, true),
    (&RUNS_AS_ROOT, runs_as_root, true),
    (&NOT_MINIMAL, not_minimal, false),
    (&SETUID, setuid, false),
    (&WORLD_WRITABLE, world_writable, false),
    (&EXPOSE_SSH, expose_ssh, true),
    (&HOSTILE_ENTRY, hostile_entry, false),
];

pub fn rules() -> Vec<&'static RuleMeta> {
    CHECKS.iter().map(|(r, _, _)| *r).collect()
}

fn loc(scan: &Scan, layer: Option<usize>, path: &str, line: Option<u32>) -> Location {
    Location {
        file: if path.is_empty() {
            scan.reference.clone()
        } else {
            format!("/{path}")
        },
        line,
        layer: layer.map(|l| scan.layer_digest(l).to_string()),
        object: Some(scan.reference.clone()),
        ..Default::default()
    }
}

fn config_strings(scan: &Scan) -> Vec<(String, String)> {
    let c = &scan.config["config"];
    let mut out = Vec::new();
    for e in c["Env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
    {
        out.push(("config.Env".to_string(), e.to_string()));
    }
    if let Some(l) = c["Labels"].as_object() {
        for (k, v) in l {
            out.push((
                format!("config.Labels.{k}"),
                format!("{k}={}", v.as_str().unwrap_or("")),
            ));
        }
    }
    for (i, h) in scan.config["history"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        if let Some(cb) = h["created_by"].as_str() {
            for word in cb.split_whitespace() {
                out.push((format!("history[{i}].created_by"), word.to_string()));
            }
        }
    }
    out
}

pub fn check(scan: &Scan, enabled: &dyn Fn(&RuleMeta) -> bool) -> Vec<Finding> {
    let has_config = !scan.config.is_null();
    let mut out = Vec::new();
    for (rule, run, needs_config) in CHECKS {
        if enabled(rule) && (has_config || !needs_config) {
            run(scan, &mut out);
        }
    }
    out
}
