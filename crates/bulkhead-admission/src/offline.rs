//! `bulkhead admission test`: the policy run on files, in the test formats
//! users already keep — Kyverno's `kyverno-test.yaml` (for the pod-security
//! policies, each mapped to the PSS control it implements) and Gatekeeper's
//! `suite.yaml` (through the Rego engine, when built in). Each case is
//! judged by the same engine the server uses, on a synthetic CREATE review.

use crate::engine::{self, Namespaces, Policy, Request};
use bulkhead_core::Catalogue;
use bulkhead_core::config::Config;
use bulkhead_core::yaml::{self, Limits};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Kyverno pod-security policy name → (PSS level, rule id). Where Kyverno
/// splits one control into rules, [`KYVERNO_RULE_FIELDS`] narrows the
/// comparison to the field the rule is about. `disallow-host-ports-range`
/// is not mapped: it allows a configurable port range, which the PSS
/// `hostPorts` control does not.
pub const KYVERNO_POLICIES: &[(&str, &str, &str)] = &[
    ("disallow-capabilities", "baseline", "PSS003"),
    ("disallow-host-namespaces", "baseline", "PSS001"),
    ("disallow-host-path", "baseline", "PSS004"),
    ("disallow-host-ports", "baseline", "PSS005"),
    ("disallow-host-process", "baseline", "PSS011"),
    ("disallow-privileged-containers", "baseline", "PSS002"),
    ("disallow-proc-mount", "baseline", "PSS008"),
    ("disallow-selinux", "baseline", "PSS007"),
    ("restrict-apparmor-profiles", "baseline", "PSS006"),
    ("restrict-seccomp", "baseline", "PSS009"),
    ("restrict-sysctls", "baseline", "PSS010"),
    ("disallow-capabilities-strict", "restricted", "PSS014"),
    ("disallow-privilege-escalation", "restricted", "PSS013"),
    ("require-run-as-non-root-user", "restricted", "PSS016"),
    ("require-run-as-nonroot", "restricted", "PSS015"),
    ("restrict-seccomp-strict", "restricted", "PSS017"),
    ("restrict-volume-types", "restricted", "PSS018"),
];

/// (Kyverno rule name, the field its violations are on).
pub const KYVERNO_RULE_FIELDS: &[(&str, &str)] = &[
    ("adding-capabilities-strict", "capabilities.add"),
    ("require-drop-all", "capabilities.drop"),
];

/// One test case and how it came out.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    /// The test file.
    pub file: String,
    /// `kyverno` or `gatekeeper`.
    pub format: &'static str,
    /// The policy (Kyverno) or template/constraint (Gatekeeper).
    pub policy: String,
    /// The case: `Kind/name` (and the Kyverno rule) or the suite case name.
    pub case: String,
    pub expected: String,
    pub actual: String,
    pub passed: bool,
    /// Why, when it did not pass, or what was compared.
    pub detail: String,
}

fn read_yaml(path: &Path) -> Result<Vec<Value>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let docs = yaml::parse(&text, Limits::default())
        .map_err(|e| format!("{}:{}: invalid YAML: {}", path.display(), e.line, e.message))?;
    Ok(docs
        .into_iter()
        .map(|d| d.root.to_json())
        .filter(Value::is_object)
        .collect())
}

/// A CREATE review of `obj` as the API server would send it.
pub fn request_for(obj: &Value, namespace: &str) -> Request {
    let api = obj["apiVersion"].as_str().unwrap_or("v1");
    let (group, _) = api.rsplit_once('/').unwrap_or(("", api));
    let kind = obj["kind"].as_str().unwrap_or("").to_string();
    Request {
        api_version: "admission.k8s.io/v1".into(),
        uid: "offline".into(),
        resource: format!("{}s", kind.to_lowercase()),
        kind,
        group: group.to_string(),
        namespace: obj["metadata"]["namespace"]
            .as_str()
            .unwrap_or(namespace)
            .to_string(),
        name: obj["metadata"]["name"].as_str().unwrap_or("").to_string(),
        operation: "CREATE".into(),
        object: obj.clone(),
        ..Request::default()
    }
}

/// Runs one `kyverno-test.yaml`.
pub fn kyverno_test(path: &Path, catalogue: &Arc<Catalogue>) -> Result<Vec<Case>, String> {
    let name = path.display().to_string();
    let dir = path.parent().unwrap_or(Path::new("."));
    let test = read_yaml(path)?
        .into_iter()
        .next()
        .ok_or_else(|| format!("{name}: empty test file"))?;
    let mut objects = Vec::new();
    for r in test["resources"].as_array().into_iter().flatten() {
        let rel = r
            .as_str()
            .ok_or_else(|| format!("{name}: resources must be file names"))?;
        objects.extend(read_yaml(&dir.join(rel))?);
    }
    let mut policies = Vec::new();
    for p in test["policies"].as_array().into_iter().flatten() {
        if let Some(rel) = p.as_str() {
            // Policies named by URL are not fetched; their cases are reported unsupported.
            if !rel.contains("://") {
                policies.extend(read_yaml(&dir.join(rel))?);
            }
        }
    }
    let mut out = Vec::new();
    for res in test["results"].as_array().into_iter().flatten() {
        let policy = res["policy"].as_str().unwrap_or("");
        // `policy` may be namespaced as `ns/name` for namespaced policies.
        let policy_name = policy.rsplit('/').next().unwrap_or(policy);
        let rule = res["rule"].as_str().unwrap_or("");
        let kind = res["kind"].as_str().unwrap_or("");
        let expected = res["result"].as_str().unwrap_or("").to_string();
        let mut names: Vec<&str> = res["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        // The older single-resource form.
        names.extend(res["resource"].as_str());
        let mapped = KYVERNO_POLICIES.iter().find(|(p, _, _)| *p == policy_name);
        let subrule = pod_security_subrule(&policies, policy_name, rule);
        for rname in names {
            let case = format!("{kind}/{rname} ({rule})");
            let mut c = Case {
                file: name.clone(),
                format: "kyverno",
                policy: policy.to_string(),
                case,
                expected: expected.clone(),
                actual: String::new(),
                passed: false,
                detail: String::new(),
            };
            if let Some(sub) = &subrule {
                let Some(obj) = objects
                    .iter()
                    .find(|o| o["kind"] == kind && o["metadata"]["name"] == rname)
                else {
                    c.actual = "error".into();
                    c.detail = format!("{kind}/{rname} is not in the test's resources");
                    out.push(c);
                    continue;
                };
                let hits = sub.violations(obj, catalogue)?;
                c.actual = if hits.is_empty() { "pass" } else { "fail" }.into();
                c.passed = c.actual == c.expected;
                c.detail = format!(
                    "podSecurity {} {}: {}",
                    sub.level,
                    sub.version,
                    if hits.is_empty() {
                        "no violation".to_string()
                    } else {
                        hits.join(", ")
                    }
                );
                out.push(c);
                continue;
            }
            let Some((_, level, rule_id)) = mapped else {
                c.actual = "unsupported".into();
                c.detail = format!("policy {policy_name} maps to no bulkhead rule");
                out.push(c);
                continue;
            };
            if expected != "pass" && expected != "fail" {
                c.actual = "unsupported".into();
                c.detail = format!("result {expected} is not compared (pass and fail are)");
                out.push(c);
                continue;
            }
            let Some(obj) = objects
                .iter()
                .find(|o| o["kind"] == kind && o["metadata"]["name"] == rname)
            else {
                c.actual = "error".into();
                c.detail = format!("{kind}/{rname} is not in the test's resources");
                out.push(c);
                continue;
            };
            let mut config = Config {
                select: vec![(*rule_id).to_string()],
                ..Config::default()
            };
            config.admission.pss = Some((*level).to_string());
            let policy = Policy::new(config, Arc::clone(catalogue))?;
            let d = engine::evaluate(
                &policy,
                &Namespaces::default(),
                &request_for(obj, "default"),
                false,
            );
            let field = KYVERNO_RULE_FIELDS
                .iter()
                .find(|(r, _)| *r == rule)
                .map(|(_, f)| *f);
            let hits: Vec<String> = d
                .denied
                .iter()
                .filter(|f| f.rule_id == *rule_id)
                .filter(|f| {
                    field
                        .is_none_or(|x| f.location.field.as_deref().is_some_and(|p| p.ends_with(x)))
                })
                .map(|f| f.location.field.clone().unwrap_or_default())
                .collect();
            c.actual = if hits.is_empty() { "pass" } else { "fail" }.into();
            c.passed = c.actual == c.expected;
            c.detail = if hits.is_empty() {
                format!("{rule_id} at {level}: no violation")
            } else {
                format!("{rule_id} at {level}: {}", hits.join(", "))
            };
            out.push(c);
        }
    }
    Ok(out)
}

/// Files under `paths` (walked, symlinked directories not followed) that
/// `accept` takes by name; files named directly are taken whatever their name.
pub fn walk(paths: &[PathBuf], accept: &dyn Fn(&Path) -> bool) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| format!("{}: {e}", p.display()))?;
        if meta.is_file() {
            out.push(p.clone());
            continue;
        }
        let mut stack = vec![p.clone()];
        while let Some(d) = stack.pop() {
            let entries = std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))?;
            for e in entries.flatten() {
                let path = e.path();
                let Ok(ft) = e.file_type() else { continue };
                if ft.is_dir() {
                    stack.push(path);
                } else if ft.is_file() && accept(&path) {
                    out.push(path);
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The test files under `paths`: `kyverno-test.yaml` and Gatekeeper
/// `suite.yaml` (files named directly are taken whatever their name).
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let out = walk(paths, &|p| {
        matches!(
            p.file_name().and_then(|n| n.to_str()),
            Some("kyverno-test.yaml" | "kyverno-test.yml" | "suite.yaml" | "suite.yml")
        )
    })?;
    if out.is_empty() {
        return Err("no kyverno-test.yaml or suite.yaml found".into());
    }
    Ok(out)
}

/// What kind of test file `path` is, by its content.
pub fn format_of(path: &Path) -> Result<&'static str, String> {
    let first = read_yaml(path)?.into_iter().next().unwrap_or(Value::Null);
    match (
        first["apiVersion"].as_str().unwrap_or(""),
        first["kind"].as_str().unwrap_or(""),
    ) {
        (a, "Suite") if a.starts_with("test.gatekeeper.sh/") => Ok("gatekeeper"),
        (a, "Test") if a.starts_with("cli.kyverno.io/") => Ok("kyverno"),
        (_, _) if first.get("results").is_some() && first.get("policies").is_some() => {
            Ok("kyverno")
        }
        (a, k) => Err(format!(
            "{}: not a Kyverno test or a Gatekeeper suite (apiVersion {a:?}, kind {k:?})",
            path.display()
        )),
    }
}

/// PSS control names (as Pod Security admission and Kyverno's `podSecurity`
/// `exclude[].controlName` spell them) → bulkhead's rule ids.
pub const PSS_CONTROLS: &[(&str, &[&str])] = &[
    ("Host Namespaces", &["PSS001"]),
    ("Privileged Containers", &["PSS002"]),
    ("Capabilities", &["PSS003", "PSS014"]),
    ("HostPath Volumes", &["PSS004"]),
    ("Host Ports", &["PSS005"]),
    ("AppArmor", &["PSS006"]),
    ("SELinux", &["PSS007"]),
    ("/proc Mount Type", &["PSS008", "PSS019"]),
    ("Seccomp", &["PSS009", "PSS017"]),
    ("Sysctls", &["PSS010"]),
    ("HostProcess", &["PSS011"]),
    ("Host Probes / Lifecycle Hooks", &["PSS012"]),
    ("Privilege Escalation", &["PSS013"]),
    ("Running as Non-root", &["PSS015"]),
    ("Running as Non-root user", &["PSS016"]),
    ("Volume Types", &["PSS018"]),
];

/// A Kyverno `validate.podSecurity` rule: a PSS level and version with
/// exclusions — by control at pod level (no `images`), or by control for
/// the containers whose image matches one of `images` (globs).
#[derive(Debug, Clone)]
pub struct PodSecurityRule {
    pub level: String,
    pub version: String,
    pub exclude: Vec<(Vec<&'static str>, Vec<String>)>,
}

fn pod_security_subrule(policies: &[Value], policy: &str, rule: &str) -> Option<PodSecurityRule> {
    let p = policies.iter().find(|p| p["metadata"]["name"] == policy)?;
    let r = p["spec"]["rules"]
        .as_array()?
        .iter()
        .find(|r| r["name"] == rule)?;
    let ps = r["validate"].get("podSecurity")?;
    let exclude = ps["exclude"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let name = e["controlName"].as_str().unwrap_or("");
            let ids = PSS_CONTROLS
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, ids)| ids.to_vec())
                .unwrap_or_default();
            let images = e["images"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect();
            (ids, images)
        })
        .collect();
    Some(PodSecurityRule {
        level: ps["level"].as_str().unwrap_or("baseline").to_string(),
        version: ps["version"].as_str().unwrap_or("latest").to_string(),
        exclude,
    })
}

/// `*` matches any run of characters.
fn glob_match(pattern: &str, s: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if parts.len() == 1 {
        return pattern == s;
    }
    if !s.starts_with(first) || s.len() < first.len() + last.len() || !s.ends_with(last) {
        return false;
    }
    let mut rest = &s[first.len()..s.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// The container a field path is about (`spec.containers[2]…`,
/// `spec.template.spec.initContainers[0]…`), as its image.
fn container_image<'a>(obj: &'a Value, field: &str) -> Option<&'a str> {
    for list in ["initContainers", "ephemeralContainers", "containers"] {
        let key = format!("{list}[");
        let Some(at) = field.find(&key) else { continue };
        let prefix = &field[..at];
        let idx: usize = field[at + key.len()..].split(']').next()?.parse().ok()?;
        let mut spec = obj;
        for part in prefix
            .trim_end_matches('.')
            .split('.')
            .filter(|p| !p.is_empty())
        {
            spec = spec.get(part)?;
        }
        return spec[list][idx]["image"].as_str();
    }
    None
}

impl PodSecurityRule {
    /// The PSS violations of `obj` that the exclusions leave, as `ID (field)`.
    pub fn violations(
        &self,
        obj: &Value,
        catalogue: &Arc<Catalogue>,
    ) -> Result<Vec<String>, String> {
        let mut config = Config {
            select: vec!["pss".into()],
            ..Config::default()
        };
        config.admission.pss = Some(self.level.clone());
        config.admission.pss_version = Some(self.version.clone());
        let policy = Policy::new(config, Arc::clone(catalogue))?;
        let d = engine::evaluate(
            &policy,
            &Namespaces::default(),
            &request_for(obj, "default"),
            false,
        );
        Ok(d.denied
            .iter()
            .filter(|f| {
                let field = f.location.field.as_deref().unwrap_or("");
                let image = container_image(obj, field);
                !self.exclude.iter().any(|(ids, images)| {
                    ids.contains(&f.rule_id.as_str())
                        && match (images.is_empty(), image) {
                            (true, None) => true,
                            (false, Some(img)) => images.iter().any(|g| glob_match(g, img)),
                            _ => false,
                        }
                })
            })
            .map(|f| {
                format!(
                    "{} ({})",
                    f.rule_id,
                    f.location.field.as_deref().unwrap_or("")
                )
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_container_fields() {
        assert!(glob_match("redis*", "redis:7"));
        assert!(glob_match("*", "anything"));
        assert!(glob_match(
            "ghcr.io/kyverno/test-nginx*",
            "ghcr.io/kyverno/test-nginx:1"
        ));
        assert!(!glob_match("redis*", "myredis"));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b*c", "axxcyyb"));
        let pod = serde_json::json!({"spec": {"containers": [{"image": "x"}, {"image": "y"}],
            "initContainers": [{"image": "i"}]}});
        assert_eq!(
            container_image(&pod, "spec.containers[1].securityContext"),
            Some("y")
        );
        assert_eq!(
            container_image(&pod, "spec.initContainers[0].image"),
            Some("i")
        );
        assert_eq!(
            container_image(&pod, "spec.securityContext.seccompProfile"),
            None
        );
    }
}
