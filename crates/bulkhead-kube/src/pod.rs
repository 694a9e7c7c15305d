//! From a workload object to its pod template: metadata, spec, containers,
//! each with the field path findings and fixes use.

use crate::load::Object;
use crate::path::FieldPath;
use bulkhead_core::yaml::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    pub fn noun(self) -> &'static str {
        match self {
            ContainerKind::Init => "init container",
            ContainerKind::Regular => "container",
            ContainerKind::Ephemeral => "ephemeral container",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Container<'a> {
    pub node: &'a Node,
    pub name: String,
    pub path: FieldPath,
    pub kind: ContainerKind,
}

impl Container<'_> {
    pub fn security_context(&self) -> Option<&Node> {
        self.node.get("securityContext")
    }

    pub fn sc_path(&self) -> FieldPath {
        self.path.key("securityContext")
    }

    /// `container "app"` / `init container "setup"`.
    pub fn label(&self) -> String {
        format!("{} \"{}\"", self.kind.noun(), self.name)
    }
}

/// A pod template found in an object.
#[derive(Debug, Clone)]
pub struct PodTemplate<'a> {
    pub meta: Option<&'a Node>,
    pub spec: &'a Node,
    pub meta_path: FieldPath,
    pub spec_path: FieldPath,
    /// Init, regular, then ephemeral containers (the upstream visiting order).
    pub containers: Vec<Container<'a>>,
}

impl<'a> PodTemplate<'a> {
    pub fn security_context(&self) -> Option<&'a Node> {
        self.spec.get("securityContext")
    }

    pub fn sc_path(&self) -> FieldPath {
        self.spec_path.key("securityContext")
    }

    pub fn annotations(&self) -> &'a [bulkhead_core::yaml::Entry] {
        self.meta
            .and_then(|m| m.get("annotations"))
            .map_or(&[], |a| a.entries())
    }

    pub fn is_windows(&self) -> bool {
        self.spec.path(&["os", "name"]).and_then(Node::as_str) == Some("windows")
    }

    /// `hostUsers: false`: the pod runs in a user namespace.
    pub fn user_namespace(&self) -> bool {
        self.spec.get("hostUsers").and_then(Node::as_bool) == Some(false)
    }
}

/// Where the pod template sits for each workload kind.
fn template_path(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "Pod" => &[],
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => &["spec", "template"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template"],
        "PodTemplate" => &["template"],
        _ => return None,
    })
}

pub fn pod_template(obj: &Object) -> Option<PodTemplate<'_>> {
    let keys = template_path(&obj.kind)?;
    let tmpl = obj.root.path(keys)?;
    let spec = tmpl.get("spec")?;
    if !spec.is_map() {
        return None;
    }
    let base = obj.base.keys(keys);
    let spec_path = base.key("spec");
    let mut containers = Vec::new();
    for (field, kind) in [
        ("initContainers", ContainerKind::Init),
        ("containers", ContainerKind::Regular),
        ("ephemeralContainers", ContainerKind::Ephemeral),
    ] {
        if let Some(list) = spec.get(field) {
            for (i, c) in list.items().iter().enumerate() {
                if !c.is_map() {
                    continue;
                }
                containers.push(Container {
                    node: c,
                    name: c
                        .get("name")
                        .and_then(Node::as_str)
                        .unwrap_or("")
                        .to_string(),
                    path: spec_path.key(field).index(i),
                    kind,
                });
            }
        }
    }
    Some(PodTemplate {
        meta: tmpl.get("metadata"),
        spec,
        meta_path: base.key("metadata"),
        spec_path,
        containers,
    })
}
