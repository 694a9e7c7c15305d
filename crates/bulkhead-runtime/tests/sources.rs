//! Every source fills the one model: Compose (interpolation, anchors and
//! `x-` extensions, `extends`, several `-f` files merged, short and long
//! volume and port syntax, `deploy.resources`), OCI `config.json` and
//! `podman inspect` samples of real containers, and hostile inputs that must
//! be one-line errors, never a panic or a hang.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_runtime::sources::compose::{self, Env};
use bulkhead_runtime::{Container, Input, Loaded, Ns, NsMode, load};
use std::time::{Duration, Instant};

fn compose_one(text: &str, env: &[(&str, &str)]) -> Loaded {
    compose::load(&[Input::new("compose.yaml", text)], &Env::with(env))
}

fn svc<'a>(l: &'a Loaded, name: &str) -> &'a Container {
    l.containers
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no service {name}: {:?}", l.errors))
}

fn ids(c: &Container) -> Vec<String> {
    let mut v: Vec<String> = bulkhead_runtime::rules::check(std::slice::from_ref(c), &|_| true)
        .into_iter()
        .map(|f| f.rule_id)
        .collect();
    v.dedup();
    v
}

#[test]
fn interpolation_anchors_and_long_syntax() {
    let l = compose_one(
        r#"x-hardening: &hard
  read_only: true
  cap_drop: [ALL]
  security_opt: ["no-new-privileges:true"]
services:
  web:
    <<: *hard
    image: shop/web:${TAG:-1.4.2}
    user: "${APP_UID:-10001}"
    privileged: ${PRIV:-false}
    ports:
      - "${BIND:-127.0.0.1}:8080:80"
      - target: 443
        published: "8443"
        protocol: tcp
      - "9000"
    volumes:
      - type: bind
        source: ${SOCK:-/var/run/docker.sock}
        target: /var/run/docker.sock
        read_only: true
      - data:/data:ro
      - ./conf:/conf:rw,rshared
    deploy:
      resources:
        limits: {memory: 256M, cpus: "0.5", pids: 100}
volumes:
  data: {}
"#,
        &[("PRIV", "true"), ("APP_UID", "0")],
    );
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let c = svc(&l, "web");
    assert!(c.is_privileged());
    assert_eq!(c.uid(), Some(0));
    assert_eq!(c.read_only.as_ref().map(|f| f.value), Some(true));
    // The merged key points at the anchor's line.
    assert_eq!(c.read_only.as_ref().unwrap().at.line, 2);
    assert!(c.drops("ALL"));
    assert_eq!(c.no_new_privs.as_ref().map(|f| f.value), Some(true));
    assert_eq!(c.ports.len(), 3);
    assert!(!c.ports[0].all_interfaces());
    assert!(c.ports[1].all_interfaces() && c.ports[2].all_interfaces());
    assert_eq!(c.ports[2].published, None);
    assert_eq!(c.mounts[0].source, "/var/run/docker.sock");
    assert!(c.mounts[0].read_only);
    assert_eq!(c.mounts[0].at.line, 18);
    assert_eq!(c.mounts[2].propagation.as_deref(), Some("rshared"));
    assert_eq!(c.memory.as_ref().map(|f| f.value.as_str()), Some("256M"));
    assert_eq!(c.pids.as_ref().map(|f| f.at.line), Some(26));
    let got = ids(c);
    for want in ["RT001", "RT004", "RT010", "RT020"] {
        assert!(got.contains(&want.to_string()), "{want} in {got:?}");
    }
    for not in ["RT003", "RT005", "RT009", "RT016", "RT017", "RT018"] {
        assert!(!got.contains(&not.to_string()), "{not} in {got:?}");
    }
}

#[test]
fn interpolation_forms() {
    let vars: bulkhead_runtime::sources::Vars = [("A", "a"), ("E", "")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut unset = Default::default();
    let i = |s: &str, u: &mut _| compose::interpolate(s, &vars, u);
    assert_eq!(i("$A-${A}-$$A", &mut unset).unwrap(), "a-a-$A");
    assert_eq!(i("${E:-d} ${E-d} ${X-d}", &mut unset).unwrap(), "d  d");
    assert_eq!(
        i("${A:+alt}${E:+alt}${E+set}", &mut unset).unwrap(),
        "altset"
    );
    assert_eq!(i("${X:-${A}b}", &mut unset).unwrap(), "ab");
    assert_eq!(i("${MISSING}", &mut unset).unwrap(), "");
    assert!(unset.contains("MISSING"));
    let e = i("${X:?set X please}", &mut unset).unwrap_err();
    assert!(e.contains("set X please"), "{e}");
    assert!(i("${A", &mut unset).is_err());
}

#[test]
fn several_files_merge_like_compose_config() {
    let base = Input::new(
        "compose.yaml",
        "services:\n  app:\n    image: shop/app:1\n    cap_add: [NET_BIND_SERVICE]\n    volumes:\n      - ./a:/data\n    ports: [\"127.0.0.1:80:80\"]\n",
    );
    let over = Input::new(
        "compose.override.yaml",
        "services:\n  app:\n    privileged: true\n    cap_add: [SYS_PTRACE]\n    volumes:\n      - /:/data:ro\n  extra:\n    image: shop/extra:2\n",
    );
    let l = compose::load(&[base, over], &Env::with(&[]));
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.containers.len(), 2);
    let c = svc(&l, "app");
    assert_eq!(c.at.file, "compose.yaml");
    let p = c.privileged.as_ref().unwrap();
    assert_eq!(
        (p.at.file.as_str(), p.at.line),
        ("compose.override.yaml", 3)
    );
    let caps: Vec<_> = c.cap_add.iter().map(|f| f.value.as_str()).collect();
    assert_eq!(caps, ["NET_BIND_SERVICE", "SYS_PTRACE"]);
    // Volumes merge by target: the override replaced /data.
    assert_eq!(c.mounts.len(), 1);
    assert_eq!(c.mounts[0].source, "/");
    assert_eq!(c.mounts[0].at.file, "compose.override.yaml");
    assert_eq!(c.ports.len(), 1);
}

#[test]
fn extends_same_file_other_file_and_cycles() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("common.yml"),
        "services:\n  hardened:\n    read_only: true\n    cap_drop: [ALL]\n    network_mode: host\n",
    )
    .unwrap();
    let main = dir.path().join("compose.yml");
    let text = "services:\n  base:\n    extends:\n      file: common.yml\n      service: hardened\n    image: shop/base:1\n  web:\n    extends: base\n    user: \"1000\"\n";
    let l = compose::load(
        &[Input::new(main.display().to_string(), text)],
        &Env::with(&[]),
    );
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let c = svc(&l, "web");
    assert_eq!(c.read_only.as_ref().map(|f| f.value), Some(true));
    let net = c.ns(Ns::Net).unwrap();
    assert_eq!(net.value, NsMode::Host);
    assert!(net.at.file.ends_with("common.yml"), "{}", net.at.file);
    assert_eq!(net.at.line, 5);
    assert_eq!(c.uid(), Some(1000));

    let l = compose_one(
        "services:\n  a:\n    extends: b\n  b:\n    extends: a\n",
        &[],
    );
    assert!(!l.errors.is_empty());
    assert!(l.errors[0].message.contains("cycle"), "{}", l.errors[0]);
    let l = compose_one("services:\n  a:\n    extends: nope\n", &[]);
    assert!(l.errors[0].message.contains("nope"), "{}", l.errors[0]);
}

#[test]
fn hostile_compose_inputs_are_errors() {
    // Alias bomb: nine levels of nine aliases.
    let mut s = String::from(
        "x-a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = "a".to_string();
    for n in ["b", "c", "d", "e", "f", "g", "h", "i"] {
        s.push_str(&format!(
            "x-{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = n.to_string();
    }
    s.push_str("services:\n  web:\n    image: alpine:3.20\n");
    let t = Instant::now();
    let l = compose_one(&s, &[]);
    assert!(t.elapsed() < Duration::from_secs(10));
    assert_eq!(l.errors.len(), 1);
    assert!(
        l.errors[0].message.contains("billion laughs"),
        "{}",
        l.errors[0]
    );

    let l = compose_one(
        "services:\n  web:\n    image: alpine:3.20\nservice:\n  typo: {}\n",
        &[],
    );
    assert_eq!(l.errors.len(), 1);
    assert_eq!(l.errors[0].line, Some(4));
    assert!(
        l.errors[0]
            .message
            .contains("unknown top-level key 'service'")
    );
    // Extensions are fine.
    assert!(
        compose_one("x-anything: 1\nservices: {}\n", &[])
            .errors
            .is_empty()
    );

    for bad in [
        "services:\n  web:\n    image: [unclosed\n",
        "services: [a, b]\n",
        "- just\n- a list\n",
        "services:\n  web: 3\n",
        "services:\n  a: {image: x}\n  a: {image: y}\n",
        "services:\n  web:\n    image: x\n---\nservices: {}\n",
        "services:\n  web:\n    image: \"${X:?X must be set}\"\n",
    ] {
        let l = compose_one(bad, &[]);
        assert_eq!(l.errors.len(), 1, "{bad:?}: {:?}", l.errors);
        assert!(!l.errors[0].to_string().contains('\n'), "{}", l.errors[0]);
    }

    // Huge: above the limit is an error, and a big legal file parses quickly.
    let huge = "x-pad: \"".to_string() + &"a".repeat(21 * 1024 * 1024) + "\"\nservices: {}\n";
    let l = load(&Input::new("compose.yaml", huge), &Env::with(&[]));
    assert!(l.errors[0].message.contains("limit"), "{}", l.errors[0]);
    let mut big = String::from("services:\n");
    for i in 0..20_000 {
        big.push_str(&format!(
            "  s{i}:\n    image: alpine:3.20\n    privileged: true\n"
        ));
    }
    let t = Instant::now();
    let l = compose_one(&big, &[]);
    assert_eq!(l.containers.len(), 20_000);
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
}

#[test]
fn hostile_run_lines_are_errors() {
    let l = load(
        &Input::new(
            "deploy.sh",
            "#!/bin/sh\ndocker run --rm \\\n  -e \"MSG=hello alpine:3.20\necho next\n",
        ),
        &Env::with(&[]),
    );
    assert_eq!(l.errors.len(), 1);
    assert_eq!(
        l.errors[0]
            .to_string()
            .split(':')
            .take(2)
            .collect::<Vec<_>>(),
        ["deploy.sh", "3"]
    );
    assert!(l.errors[0].message.contains("unbalanced quote"));
    let l = load(
        &Input::new("Makefile", "run:\n\tdocker run --name\n"),
        &Env::with(&[]),
    );
    assert!(
        l.errors[0].message.contains("needs a value"),
        "{:?}",
        l.errors
    );
    // A pathological line: long, many quotes, no panic.
    let long = format!("docker run {} alpine\n", "'a' \"b\" \\c ".repeat(100_000));
    let l = load(&Input::new("x.sh", long), &Env::with(&[]));
    assert_eq!(l.containers.len(), 1);
}

fn sample(name: &str) -> Option<Input> {
    let dir = bulkhead_core::testing::corpus(
        "oci_and_inspect_samples",
        env!("CARGO_MANIFEST_DIR"),
        "corpora/runtime-samples",
    )?;
    let p = dir.join(name);
    Some(Input::new(name, std::fs::read_to_string(p).unwrap()))
}

fn run_ids(l: &Loaded) -> Vec<String> {
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.containers.len(), 1);
    let mut v = ids(&l.containers[0]);
    v.sort();
    v
}

/// The five podman containers of the runtime samples (default, privileged,
/// hardened, host namespaces + docker socket, user namespace), each as its
/// OCI config and as `podman inspect`: the posture each source gives.
#[test]
fn oci_and_inspect_samples() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "default",
            &["RT003", "RT004", "RT005", "RT009", "RT016", "RT017"],
            &["RT001", "RT006", "RT012", "RT018"],
        ),
        ("priv", &["RT001", "RT004"], &["RT002", "RT003", "RT019"]),
        (
            "hard",
            &[],
            &[
                "RT003", "RT004", "RT005", "RT009", "RT016", "RT017", "RT018",
            ],
        ),
        (
            "hostns",
            &[
                "RT002", "RT006", "RT010", "RT011", "RT012", "RT013", "RT015",
            ],
            &["RT001"],
        ),
        ("userns", &["RT004"], &["RT012", "RT013"]),
    ];
    for (name, want, not) in cases {
        for file in [
            format!("oci-config-bh-{name}.json"),
            format!("podman-inspect-bh-{name}.json"),
        ] {
            let Some(input) = sample(&file) else { return };
            let l = load(&input, &Env::with(&[]));
            let got = run_ids(&l);
            for w in *want {
                // Podman inspect has no mount list for the OCI-only facts
                // below, and reports `IpcMode: shareable` for `--ipc host`.
                assert!(
                    got.iter().any(|g| g == w),
                    "{file}: {w} missing from {got:?}"
                );
            }
            for n in *not {
                assert!(
                    !got.iter().any(|g| g == n),
                    "{file}: {n} unexpected in {got:?}"
                );
            }
        }
    }
    // The hardened container: non-root, read-only, no capabilities, NNP, limits.
    let l = load(&sample("oci-config-bh-hard.json").unwrap(), &Env::with(&[]));
    let c = &l.containers[0];
    assert_eq!(c.uid(), Some(1000));
    assert_eq!(
        c.memory.as_ref().map(|f| f.value.as_str()),
        Some("67108864")
    );
    assert_eq!(c.pids.as_ref().map(|f| f.value.as_str()), Some("100"));
    assert_eq!(c.cpus.as_ref().map(|f| f.value.as_str()), Some("0.5"));
    // The user-namespace container maps root to 100000.
    let l = load(
        &sample("podman-inspect-bh-userns.json").unwrap(),
        &Env::with(&[]),
    );
    let f = bulkhead_runtime::rules::check(&l.containers, &|r| r.id == "RT004");
    assert!(f[0].message.contains("0:100000:65536"), "{}", f[0].message);
    // Host namespaces in the OCI config: ipc too (podman inspect misreports it).
    let l = load(
        &sample("oci-config-bh-hostns.json").unwrap(),
        &Env::with(&[]),
    );
    assert_eq!(
        l.containers[0].ns(Ns::Ipc).map(|f| f.value.clone()),
        Some(NsMode::Host)
    );
}

/// `runc spec` writes the reference default config; runc is installed with
/// apt when missing (root), else the test is a loud skip.
#[test]
fn runc_spec_default() {
    let have = |t: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {t}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !have("runc") && have("apt-get") {
        let _ = std::process::Command::new("apt-get")
            .args(["install", "-y", "-qq", "runc"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(std::process::Stdio::null())
            .status();
    }
    let Ok(out) = std::process::Command::new("runc")
        .args(["spec", "--bundle"])
        .arg({
            let d = std::env::temp_dir().join(format!("bh-runc-spec-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&d);
            std::fs::create_dir_all(&d).unwrap();
            d
        })
        .output()
    else {
        bulkhead_core::testing::skip(
            "runc_spec_default",
            "runc is not installed (apt-get install -y runc)",
        );
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d = std::env::temp_dir().join(format!("bh-runc-spec-{}", std::process::id()));
    let text = std::fs::read_to_string(d.join("config.json")).unwrap();
    let _ = std::fs::remove_dir_all(&d);
    let l = load(&Input::new("bundle/config.json", text), &Env::with(&[]));
    let got = run_ids(&l);
    // runc's default: root, read-only root, NNP, no seccomp filter, no
    // limits, private namespaces, the small capability set.
    assert_eq!(
        got,
        ["RT003", "RT004", "RT006", "RT016", "RT017", "RT018"],
        "{got:?}"
    );
    let c = &l.containers[0];
    assert!(c.no_new_privs.as_ref().unwrap().value);
    assert!(c.read_only.as_ref().unwrap().value);
    assert!(Ns::ALL[..4].iter().all(|n| c.shares_host(*n).is_none()));
    // Line numbers: runc writes indented JSON.
    assert!(c.seccomp.as_ref().unwrap().at.line > 1);
}

/// Found by the `runtime` fuzz target: a multi-byte character just before a
/// `docker` candidate made the run-line finder slice inside it and panic.
#[test]
fn multibyte_text_around_run_lines_does_not_panic() {
    let text = "\u{a3}  ioNtmil on th cith ci-runner:~    imn th Zi\u{48d}unnmakefiler:~    ima6.0.0\nZi\u{48d}docker run --privileged alpine:3.20\n";
    let l = load(&Input::new("Makefile", text), &Env::with(&[]));
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.containers.len(), 0, "`Ziҍdocker` is not a docker command");
    let l = load(
        &Input::new("run.sh", "échec: é docker run --privileged alpine:3.20\n"),
        &Env::with(&[]),
    );
    assert_eq!(l.containers.len(), 1);
    assert!(l.containers[0].is_privileged());
}

fn load_file(path: &std::path::Path) -> Loaded {
    let text = std::fs::read_to_string(path).unwrap();
    compose::load(
        &[Input::new(path.display().to_string(), text)],
        &Env::with(&[]),
    )
}

#[test]
fn include_loads_projects_relative_to_the_including_file() {
    let d = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: &str| {
        let p = d.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w(
        "compose.yml",
        "include:\n  - sub/db.yml\n  - path: [sub/cache.yml, sub/cache.override.yml]\n    env_file: sub/cache.env\nservices:\n  web:\n    image: nginx\n    privileged: true\n",
    );
    // sub/db.yml includes a file of its own, relative to sub/.
    w(
        "sub/db.yml",
        "include: [more/q.yml]\nservices:\n  db:\n    image: postgres\n    network_mode: host\n",
    );
    w(
        "sub/more/q.yml",
        "services:\n  queue:\n    image: rabbitmq\n    pid: host\n",
    );
    w(
        "sub/cache.yml",
        "services:\n  cache:\n    image: redis:${TAG}\n",
    );
    w(
        "sub/cache.override.yml",
        "services:\n  cache:\n    cap_add: [SYS_ADMIN]\n",
    );
    w("sub/cache.env", "TAG=7.2\n");
    let l = load_file(&d.path().join("compose.yml"));
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let mut names: Vec<&str> = l.containers.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["cache", "db", "queue", "web"]);
    assert!(svc(&l, "db").shares_host(Ns::Net).is_some());
    assert!(svc(&l, "queue").shares_host(Ns::Pid).is_some());
    let cache = svc(&l, "cache");
    assert_eq!(cache.cap_add[0].value, "SYS_ADMIN");
    // Facts point at the included files.
    assert!(cache.cap_add[0].at.file.ends_with("sub/cache.override.yml"));
    assert!(svc(&l, "queue").at.file.ends_with("sub/more/q.yml"));
    assert!(l.notes.iter().all(|n| !n.contains("TAG")), "{:?}", l.notes);
}

#[test]
fn include_errors_are_one_line_each() {
    let d = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: &str| {
        std::fs::write(d.path().join(rel), text).unwrap();
    };
    let case = |rel: &str| -> Vec<String> {
        load_file(&d.path().join(rel))
            .errors
            .iter()
            .map(|e| {
                let s = e.to_string();
                assert!(!s.contains('\n'), "{s}");
                s
            })
            .collect()
    };
    w(
        "loop.yml",
        "include: [loop.yml]\nservices:\n  a: {image: x}\n",
    );
    let e = case("loop.yml");
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("loop.yml: include cycle"), "{e:?}");
    w("one.yml", "services:\n  db: {image: x}\n");
    w(
        "conflict.yml",
        "include: [one.yml]\nservices:\n  db: {image: y}\n",
    );
    let e = case("conflict.yml");
    assert!(
        e[0].contains("service 'db' is also defined by the included file"),
        "{e:?}"
    );
    w(
        "missing.yml",
        "include: [nope.yml]\nservices:\n  a: {image: x}\n",
    );
    assert!(case("missing.yml")[0].contains("nope.yml: cannot read"));
    w(
        "scalar.yml",
        "include: one.yml\nservices:\n  a: {image: x}\n",
    );
    assert!(case("scalar.yml")[0].contains("`include` must be a list"));
    w("nopath.yml", "include:\n  - env_file: x.env\n");
    assert!(case("nopath.yml")[0].contains("needs `path:`"));
    // A chain of includes deeper than the bound stops with an error.
    for i in 0..20 {
        w(
            &format!("chain{i}.yml"),
            &format!(
                "include: [chain{}.yml]\nservices:\n  s{i}: {{image: x}}\n",
                i + 1
            ),
        );
    }
    w("chain20.yml", "services:\n  end: {image: x}\n");
    let e = case("chain0.yml");
    assert!(
        e.iter().any(|m| m.contains("nested deeper than 16")),
        "{e:?}"
    );
    // A directory named as an include is refused, not read.
    std::fs::create_dir(d.path().join("dir.yml")).unwrap();
    w(
        "incdir.yml",
        "include: [dir.yml]\nservices:\n  a: {image: x}\n",
    );
    assert!(case("incdir.yml")[0].contains("not a regular file"));
}
