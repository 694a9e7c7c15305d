//! `bulkhead init`: a commented `bulkhead.yaml` for the tree it runs in.
//!
//! [`survey`] walks the tree with [`crate::discover`] (the same sorting of
//! files by layer as `scan`) and counts what each layer would read:
//! Dockerfiles and their base images' registries, manifests by kind
//! (workloads, RBAC objects, NetworkPolicies, Namespaces with Pod Security
//! labels), Compose and other runtime files, OCI layouts. [`render`] turns
//! that into a configuration whose every key is explained, with the
//! sections of the layers found filled in and the others left as comments;
//! the text loads with `bulkhead_core::config::load`.

use crate::discover;
use bulkhead_core::yaml::Limits;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// What the tree holds, per layer.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Survey {
    /// Display names of the Dockerfiles found.
    pub dockerfiles: Vec<String>,
    /// Registries of the Dockerfiles' base images (`docker.io` for Docker
    /// Hub names), stages and `scratch` left out.
    pub base_registries: BTreeSet<String>,
    /// Manifest files (Kubernetes YAML/JSON, kustomize output).
    pub manifest_files: Vec<String>,
    /// Objects with a pod template (Pods, Deployments, CronJobs, ...).
    pub workloads: usize,
    /// Roles, ClusterRoles, RoleBindings, ClusterRoleBindings.
    pub rbac_objects: usize,
    pub network_policies: usize,
    /// Registries of the images the workloads run.
    pub image_registries: BTreeSet<String>,
    /// Namespaces that carry a `pod-security.kubernetes.io/enforce` label.
    pub pss_labelled_namespaces: usize,
    /// Compose files, OCI configs, inspect output, scripts with run lines.
    pub runtime_files: Vec<String>,
    /// OCI image layout directories.
    pub layouts: Vec<String>,
    /// Inputs that could not be read (named in the file's header).
    pub unreadable: usize,
    /// A `.hadolint.yaml` at the top of the tree.
    pub hadolint_config: bool,
}

/// The registry of an image reference as `docker pull` names it:
/// `registry.example:5000/a/b:1` → `registry.example:5000`, `nginx` and
/// `team/app` → `docker.io`.
pub fn registry_of(image: &str) -> String {
    let name = image.split('@').next().unwrap_or(image);
    match name.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            first.to_string()
        }
        _ => "docker.io".to_string(),
    }
}

/// The base images of a Dockerfile's stages, by a line reader (enough for
/// a suggestion: an unreadable FROM is left out): stage names, `scratch`
/// and references built from build arguments are skipped.
fn base_images(text: &str) -> Vec<String> {
    let mut stages: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if !words.next().is_some_and(|w| w.eq_ignore_ascii_case("from")) {
            continue;
        }
        let rest: Vec<&str> = words.filter(|w| !w.starts_with("--")).collect();
        let Some(image) = rest.first() else { continue };
        let lower = image.to_ascii_lowercase();
        let skip = lower == "scratch" || image.contains('$') || stages.contains(&lower);
        if let [_, as_kw, name, ..] = rest.as_slice()
            && as_kw.eq_ignore_ascii_case("as")
        {
            stages.push(name.to_ascii_lowercase());
        }
        if skip {
            continue;
        }
        out.push((*image).to_string());
    }
    out
}

/// Surveys `paths` (as `scan` reads them; `max_bytes` per file).
pub fn survey(paths: &[String], max_bytes: u64) -> Survey {
    let inputs = discover::discover(paths, max_bytes);
    let mut s = Survey {
        unreadable: inputs.errors.len(),
        ..Survey::default()
    };
    for (name, text) in &inputs.dockerfiles {
        s.dockerfiles.push(name.clone());
        for image in base_images(text) {
            s.base_registries.insert(registry_of(&image));
        }
    }
    for src in &inputs.manifests {
        s.manifest_files.push(src.name.clone());
        let loaded = bulkhead_kube::load::load(src.clone(), Limits::default());
        for obj in &loaded.objects {
            match obj.kind.as_str() {
                "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => {
                    s.rbac_objects += 1;
                }
                "NetworkPolicy" => s.network_policies += 1,
                "Namespace" => {
                    let labelled = obj
                        .metadata()
                        .and_then(|m| m.get("labels"))
                        .and_then(|l| l.get("pod-security.kubernetes.io/enforce"))
                        .is_some();
                    if labelled {
                        s.pss_labelled_namespaces += 1;
                    }
                }
                _ => {}
            }
            if let Some(pod) = bulkhead_kube::pod::pod_template(obj) {
                s.workloads += 1;
                for c in &pod.containers {
                    if let Some(img) = c
                        .node
                        .get("image")
                        .and_then(bulkhead_core::yaml::Node::as_str)
                    {
                        s.image_registries.insert(registry_of(img));
                    }
                }
            }
        }
    }
    // Compose files, OCI configs and inspect output count; scripts, Makefiles
    // and CI files only when they hold a docker/podman run line.
    s.runtime_files = inputs
        .runtime
        .iter()
        .filter(|i| match bulkhead_runtime::detect(&i.name, &i.text) {
            Some(bulkhead_runtime::Kind::Script) => !bulkhead_runtime::load(i, &Default::default())
                .containers
                .is_empty(),
            Some(_) => true,
            None => false,
        })
        .map(|i| i.name.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    s.layouts = inputs
        .layouts
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    // Names relative to the one directory surveyed, as the commands in the
    // file's header are run from there.
    if let [root] = paths {
        let prefix = format!("{}/", root.trim_end_matches('/'));
        let strip = |n: &mut String| {
            if let Some(r) = n.strip_prefix(&prefix) {
                *n = r.to_string();
            }
        };
        s.dockerfiles
            .iter_mut()
            .chain(s.manifest_files.iter_mut())
            .chain(s.runtime_files.iter_mut())
            .chain(s.layouts.iter_mut())
            .for_each(strip);
    }
    s.hadolint_config = paths.iter().any(|p| {
        let d = std::path::Path::new(p);
        d.join(".hadolint.yaml").is_file() || d.join(".hadolint.yml").is_file()
    });
    s
}

/// At most three names, then how many more.
fn some(names: &[String]) -> String {
    let mut s = names.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > 3 {
        let _ = write!(s, ", and {} more", names.len() - 3);
    }
    s
}

fn flow_list(items: &BTreeSet<String>) -> String {
    let quoted: Vec<String> = items.iter().map(|r| format!("\"{r}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

/// The commented configuration for what `survey` found in `root` (shown in
/// the header).
pub fn render(root: &str, s: &Survey) -> String {
    let mut o = String::new();
    let w = &mut o;
    let _ = writeln!(w, "# bulkhead.yaml, written by `bulkhead init` for {root}.");
    let _ = writeln!(
        w,
        "# Every bulkhead command run in this directory or below reads it (the first\n\
         # bulkhead.yaml found upward); flags and BULKHEAD_* variables override it.\n\
         # `bulkhead rules` lists every rule, `bulkhead explain ID` explains one.\n#"
    );
    let _ = writeln!(w, "# Found here:");
    let mut found = false;
    if !s.dockerfiles.is_empty() {
        found = true;
        let _ = writeln!(
            w,
            "#   Dockerfiles         {} ({})",
            s.dockerfiles.len(),
            some(&s.dockerfiles)
        );
    }
    if !s.manifest_files.is_empty() {
        found = true;
        let _ = writeln!(
            w,
            "#   Kubernetes          {} manifest file(s): {} workload(s), {} RBAC object(s), {} NetworkPolicy(ies)",
            s.manifest_files.len(),
            s.workloads,
            s.rbac_objects,
            s.network_policies
        );
    }
    if !s.runtime_files.is_empty() {
        found = true;
        let _ = writeln!(
            w,
            "#   Compose / runtime   {} ({})",
            s.runtime_files.len(),
            some(&s.runtime_files)
        );
    }
    if !s.layouts.is_empty() {
        found = true;
        let _ = writeln!(
            w,
            "#   OCI image layouts   {} ({})",
            s.layouts.len(),
            some(&s.layouts)
        );
    }
    if !found {
        let _ = writeln!(
            w,
            "#   no Dockerfile, manifest, Compose file or image layout yet"
        );
    }
    if s.unreadable > 0 {
        let _ = writeln!(
            w,
            "#   {} input(s) could not be read (`bulkhead scan .` names them)",
            s.unreadable
        );
    }
    let _ = writeln!(w, "#\n# Try:");
    let _ = writeln!(
        w,
        "#   bulkhead scan .            every layer at once, joined (cross-layer rules)"
    );
    if !s.dockerfiles.is_empty() {
        let _ = writeln!(w, "#   bulkhead dockerfile .");
    }
    if !s.manifest_files.is_empty() {
        let _ = writeln!(w, "#   bulkhead k8s .");
        if s.rbac_objects > 0 {
            let _ = writeln!(w, "#   bulkhead rbac .");
        }
        if s.network_policies > 0 || s.workloads > 0 {
            let _ = writeln!(w, "#   bulkhead netpol .");
        }
    }
    if !s.runtime_files.is_empty() {
        let _ = writeln!(w, "#   bulkhead runtime {}", s.runtime_files[0]);
    }
    for l in s.layouts.iter().take(1) {
        let _ = writeln!(w, "#   bulkhead image oci:{l}");
    }
    let _ = writeln!(
        w,
        "\n# Report format: table, json, sarif or junit (scan also: policyreport, html).\nformat: table"
    );
    let _ = writeln!(
        w,
        "\n# Exit 1 when an unsuppressed finding is at or above this severity (info,\n\
         # low, medium, high, critical; none never fails). Without this key any\n\
         # finding fails; start at high and lower it as the findings are fixed.\n\
         fail-on: high"
    );
    let _ = writeln!(
        w,
        "\n# Report only these severities (default: all).\n# severity: [medium, high, critical]"
    );
    let _ = writeln!(
        w,
        "\n# Which rules run: ids (PSS002), prefixes (DF, K8S), slugs (privileged) or\n\
         # tags (pss, baseline, restricted, hardening). An empty select runs every\n\
         # rule that is on by default; a select naming no rule of a command leaves\n\
         # that command its defaults.\n\
         select: []\n\
         ignore: []"
    );
    let _ = writeln!(
        w,
        "\n# bulkhead k8s, scan and admission: Pod Security Standards."
    );
    if s.manifest_files.is_empty() {
        let _ = writeln!(w, "# (no manifests found yet)");
    }
    let k = if s.manifest_files.is_empty() {
        "# "
    } else {
        ""
    };
    let _ = writeln!(w, "{k}kubernetes:");
    if s.pss_labelled_namespaces > 0 {
        let _ = writeln!(
            w,
            "{k}  # {} Namespace(s) carry pod-security.kubernetes.io/enforce labels: auto\n\
             {k}  # applies each namespace's own level, as admission does.\n\
             {k}  pss: auto",
            s.pss_labelled_namespaces
        );
    } else {
        let _ = writeln!(
            w,
            "{k}  # restricted (default), baseline, privileged, or auto (each Namespace's\n\
             {k}  # pod-security.kubernetes.io/enforce label).\n\
             {k}  pss: restricted"
        );
    }
    let _ = writeln!(
        w,
        "{k}  # Kubernetes version whose PSS definitions apply: v1.N or latest.\n\
         {k}  pss-version: latest"
    );
    let _ = writeln!(
        w,
        "{k}  # Registries the workloads' images may come from (empty: any)."
    );
    if s.image_registries.is_empty() {
        let _ = writeln!(w, "{k}  trusted-registries: []");
    } else {
        let _ = writeln!(
            w,
            "{k}  # The images found come from these; keep the ones you trust:\n\
             {k}  # trusted-registries: {}",
            flow_list(&s.image_registries)
        );
    }
    let _ = writeln!(w, "\n# bulkhead dockerfile.");
    if s.dockerfiles.is_empty() {
        let _ = writeln!(w, "# (no Dockerfiles found yet)");
    }
    let d = if s.dockerfiles.is_empty() { "# " } else { "" };
    let _ = writeln!(w, "{d}dockerfile:");
    let _ = writeln!(
        w,
        "{d}  # Registries FROM images may come from (DF003; empty: any)."
    );
    if s.base_registries.is_empty() {
        let _ = writeln!(w, "{d}  trusted-registries: []");
    } else {
        let _ = writeln!(
            w,
            "{d}  # The base images found come from these; keep the ones you trust:\n\
             {d}  # trusted-registries: {}",
            flow_list(&s.base_registries)
        );
    }
    let _ = writeln!(
        w,
        "{d}  # Image name prefixes that count as minimal bases (DF004, off by default).\n\
         {d}  minimal-bases: []"
    );
    if s.hadolint_config {
        let _ = writeln!(
            w,
            "{d}  # A .hadolint.yaml is here: bulkhead reads it only while no bulkhead.yaml\n\
             {d}  # exists. Carry its `ignored` ids into `ignore` above (hadolint ids map to\n\
             {d}  # DF rules: `bulkhead rules` shows each rule's equivalents) and its\n\
             {d}  # trustedRegistries into trusted-registries."
        );
    }
    let _ = writeln!(
        w,
        "\n# Findings accepted on purpose: a rule (id, slug or tag), the files it is\n\
         # accepted in, why, and optionally until when (after that day it applies no\n\
         # more, and says so). Inline `# bulkhead:ignore RULE reason` comments and the\n\
         # `bulkhead.dev/ignore` annotation work too.\n\
         suppressions: []\n\
         #  - rule: sensitive-host-mount\n\
         #    paths: [\"deploy/node-agent/**\"]\n\
         #    reason: the log shipper reads /var/log\n\
         #    expires: 2027-06-30"
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries() {
        assert_eq!(registry_of("nginx:1.27"), "docker.io");
        assert_eq!(registry_of("team/app"), "docker.io");
        assert_eq!(
            registry_of("registry.example:5000/a/b:1"),
            "registry.example:5000"
        );
        assert_eq!(registry_of("localhost/app@sha256:00"), "localhost");
    }

    #[test]
    fn bases_skip_stages_and_scratch() {
        let df = "FROM --platform=$BUILDPLATFORM rust:1.95 AS build\nFROM build AS test\nFROM scratch\nFROM ${BASE}\nfrom quay.example/org/base:1\n";
        assert_eq!(
            base_images(df),
            vec!["rust:1.95", "quay.example/org/base:1"]
        );
    }
}
