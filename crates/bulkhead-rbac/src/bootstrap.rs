//! Kubernetes' default ClusterRoles and ClusterRoleBindings (the API
//! server's bootstrap policy), for inputs that reference them without
//! defining them: a RoleBinding to `edit`, a ClusterRoleBinding to
//! `cluster-admin`, and, with `--bootstrap`, the default bindings themselves
//! (`system:masters` is cluster-admin, every authenticated user may discover
//! the API, ...).
//!
//! Hand-kept and condensed from upstream
//! `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go` (Apache-2.0):
//! `admin`, `edit` and `view` are written flattened (upstream builds them by
//! aggregation), with the rights that matter for security analysis exact —
//! `edit` can exec into pods, read secrets, impersonate service accounts and
//! mint their tokens; `view` cannot read secrets.

use crate::model::{
    Binding, BindingKind, Origin, PolicyRule, Role, RoleKind, Subject, SubjectKind, items,
};
use bulkhead_core::yaml::Pos;

/// Shown as the file of built-in objects.
pub const BUILTIN_FILE: &str = "<kubernetes defaults>";

type R = (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

const READ: &[&str] = &["get", "list", "watch"];
const WRITE: &[&str] = &["create", "delete", "deletecollection", "patch", "update"];
const ALL_RW: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

const VIEW: &[R] = &[
    (
        &[""],
        &[
            "pods",
            "pods/status",
            "pods/log",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "replicationcontrollers/status",
            "serviceaccounts",
            "services",
            "services/status",
            "endpoints",
            "persistentvolumeclaims",
            "persistentvolumeclaims/status",
            "configmaps",
            "limitranges",
            "resourcequotas",
            "resourcequotas/status",
            "bindings",
            "events",
            "namespaces",
            "namespaces/status",
        ],
        READ,
    ),
    (
        &["apps"],
        &[
            "controllerrevisions",
            "daemonsets",
            "daemonsets/status",
            "deployments",
            "deployments/scale",
            "deployments/status",
            "replicasets",
            "replicasets/scale",
            "replicasets/status",
            "statefulsets",
            "statefulsets/scale",
            "statefulsets/status",
        ],
        READ,
    ),
    (
        &["autoscaling"],
        &[
            "horizontalpodautoscalers",
            "horizontalpodautoscalers/status",
        ],
        READ,
    ),
    (
        &["batch"],
        &["cronjobs", "cronjobs/status", "jobs", "jobs/status"],
        READ,
    ),
    (
        &["policy"],
        &["poddisruptionbudgets", "poddisruptionbudgets/status"],
        READ,
    ),
    (
        &["networking.k8s.io"],
        &["ingresses", "ingresses/status", "networkpolicies"],
        READ,
    ),
    (&["discovery.k8s.io"], &["endpointslices"], READ),
];

const EDIT: &[R] = &[
    (
        &[""],
        &[
            "pods",
            "pods/attach",
            "pods/exec",
            "pods/portforward",
            "pods/proxy",
        ],
        WRITE,
    ),
    (
        &[""],
        &[
            "pods/attach",
            "pods/exec",
            "pods/portforward",
            "pods/proxy",
            "secrets",
            "services/proxy",
        ],
        READ,
    ),
    (
        &[""],
        &[
            "configmaps",
            "events",
            "persistentvolumeclaims",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "secrets",
            "serviceaccounts",
            "services",
            "services/proxy",
        ],
        WRITE,
    ),
    (&[""], &["serviceaccounts/token"], &["create"]),
    (&[""], &["serviceaccounts"], &["impersonate"]),
    (
        &["apps"],
        &[
            "daemonsets",
            "deployments",
            "deployments/rollback",
            "deployments/scale",
            "replicasets",
            "replicasets/scale",
            "statefulsets",
            "statefulsets/scale",
        ],
        WRITE,
    ),
    (&["autoscaling"], &["horizontalpodautoscalers"], WRITE),
    (&["batch"], &["cronjobs", "jobs"], WRITE),
    (&["policy"], &["poddisruptionbudgets"], WRITE),
    (
        &["networking.k8s.io"],
        &["ingresses", "networkpolicies"],
        WRITE,
    ),
    (&["coordination.k8s.io"], &["leases"], ALL_RW),
];

const ADMIN: &[R] = &[
    (
        &["authorization.k8s.io"],
        &["localsubjectaccessreviews"],
        &["create"],
    ),
    (
        &["rbac.authorization.k8s.io"],
        &["rolebindings", "roles"],
        ALL_RW,
    ),
];

struct Def {
    name: &'static str,
    parts: &'static [&'static [R]],
    urls: &'static [(&'static [&'static str], &'static [&'static str])],
}

const DISCOVERY_URLS: &[&str] = &[
    "/api",
    "/api/*",
    "/apis",
    "/apis/*",
    "/healthz",
    "/livez",
    "/openapi",
    "/openapi/*",
    "/readyz",
    "/version",
    "/version/",
];
const PUBLIC_URLS: &[&str] = &["/healthz", "/livez", "/readyz", "/version", "/version/"];

static DEFS: &[Def] = &[
    Def {
        name: "cluster-admin",
        parts: &[&[(&["*"], &["*"], &["*"])]],
        urls: &[(&["*"], &["*"])],
    },
    Def {
        name: "admin",
        parts: &[ADMIN, EDIT, VIEW],
        urls: &[],
    },
    Def {
        name: "edit",
        parts: &[EDIT, VIEW],
        urls: &[],
    },
    Def {
        name: "view",
        parts: &[VIEW],
        urls: &[],
    },
    Def {
        name: "system:basic-user",
        parts: &[&[(
            &["authorization.k8s.io"],
            &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
            &["create"],
        )]],
        urls: &[],
    },
    Def {
        name: "system:discovery",
        parts: &[],
        urls: &[(DISCOVERY_URLS, &["get"])],
    },
    Def {
        name: "system:public-info-viewer",
        parts: &[],
        urls: &[(PUBLIC_URLS, &["get"])],
    },
    Def {
        name: "system:kube-dns",
        parts: &[&[(&[""], &["endpoints", "services"], &["list", "watch"])]],
        urls: &[],
    },
    Def {
        name: "system:node-proxier",
        parts: &[&[
            (
                &[""],
                &["endpoints", "services", "nodes"],
                &["list", "watch", "get"],
            ),
            (&[""], &["events"], &["create", "patch", "update"]),
            (
                &["discovery.k8s.io"],
                &["endpointslices"],
                &["list", "watch"],
            ),
        ]],
        urls: &[],
    },
    Def {
        name: "system:volume-scheduler",
        parts: &[&[
            (
                &[""],
                &["persistentvolumes"],
                &["get", "list", "patch", "update", "watch"],
            ),
            (&["storage.k8s.io"], &["storageclasses"], READ),
            (
                &[""],
                &["persistentvolumeclaims"],
                &["get", "list", "patch", "update", "watch"],
            ),
        ]],
        urls: &[],
    },
    Def {
        name: "system:kube-scheduler",
        parts: &[&[
            (
                &["", "events.k8s.io"],
                &["events"],
                &["create", "patch", "update"],
            ),
            (
                &["coordination.k8s.io"],
                &["leases"],
                &["create", "get", "update"],
            ),
            (&[""], &["nodes"], READ),
            (&[""], &["pods"], &["delete", "get", "list", "watch"]),
            (&[""], &["bindings", "pods/binding"], &["create"]),
            (&[""], &["pods/status"], &["patch", "update"]),
        ]],
        urls: &[],
    },
    Def {
        name: "system:kube-controller-manager",
        parts: &[&[
            (
                &["", "events.k8s.io"],
                &["events"],
                &["create", "patch", "update"],
            ),
            (
                &["coordination.k8s.io"],
                &["leases"],
                &["create", "get", "update"],
            ),
            (&[""], &["secrets", "serviceaccounts"], &["create"]),
            (&[""], &["secrets"], &["delete", "get", "update"]),
            (&[""], &["serviceaccounts/token"], &["create"]),
            (&["*"], &["*"], &["list", "watch"]),
        ]],
        urls: &[],
    },
    Def {
        name: "system:node",
        parts: &[&[
            (
                &[""],
                &["pods"],
                &["get", "list", "watch", "create", "delete"],
            ),
            (
                &[""],
                &["nodes", "nodes/status"],
                &["create", "get", "list", "watch", "patch", "update"],
            ),
            (
                &[""],
                &[
                    "secrets",
                    "configmaps",
                    "persistentvolumeclaims",
                    "persistentvolumes",
                ],
                &["get"],
            ),
            (&[""], &["serviceaccounts/token"], &["create"]),
            (
                &["certificates.k8s.io"],
                &["certificatesigningrequests"],
                &["create", "get", "list", "watch"],
            ),
        ]],
        urls: &[],
    },
];

const fn item_pos() -> Pos {
    Pos {
        line: 0,
        col: 0,
        byte: 0,
    }
}

pub fn is_default_cluster_role(name: &str) -> bool {
    DEFS.iter().any(|d| d.name == name)
}

/// The default ClusterRoles bulkhead knows.
pub fn cluster_roles() -> Vec<Role> {
    DEFS.iter()
        .map(|d| {
            let mut rules: Vec<PolicyRule> = d
                .parts
                .iter()
                .flat_map(|p| p.iter())
                .map(|(g, r, v)| PolicyRule {
                    verbs: items(v),
                    api_groups: items(g),
                    resources: items(r),
                    ..Default::default()
                })
                .collect();
            rules.extend(d.urls.iter().map(|(u, v)| PolicyRule {
                verbs: items(v),
                non_resource_urls: items(u),
                ..Default::default()
            }));
            Role {
                kind: RoleKind::ClusterRole,
                name: d.name.to_string(),
                namespace: None,
                origin: Origin::builtin(),
                rules,
                labels: vec![("kubernetes.io/bootstrapping".into(), "rbac-defaults".into())],
                aggregation: None,
                effective: Vec::new(),
                builtin: true,
            }
        })
        .collect()
}

/// Kubernetes' default ClusterRoleBindings (upstream bootstrap policy).
pub fn bindings() -> Vec<Binding> {
    let b = |name: &str, subjects: &[(SubjectKind, &str, &str)]| Binding {
        kind: BindingKind::ClusterRoleBinding,
        name: name.to_string(),
        namespace: None,
        origin: Origin::builtin(),
        subjects: subjects
            .iter()
            .map(|(k, n, ns)| Subject {
                kind: *k,
                name: (*n).to_string(),
                namespace: (!ns.is_empty()).then(|| (*ns).to_string()),
                pos: item_pos(),
            })
            .collect(),
        role_kind: RoleKind::ClusterRole,
        role_name: name.to_string(),
        role_ref_pos: item_pos(),
        bootstrap: true,
    };
    use SubjectKind::{Group, ServiceAccount, User};
    vec![
        b("cluster-admin", &[(Group, "system:masters", "")]),
        b("system:basic-user", &[(Group, "system:authenticated", "")]),
        b("system:discovery", &[(Group, "system:authenticated", "")]),
        b(
            "system:kube-controller-manager",
            &[(User, "system:kube-controller-manager", "")],
        ),
        b(
            "system:kube-dns",
            &[(ServiceAccount, "kube-dns", "kube-system")],
        ),
        b(
            "system:kube-scheduler",
            &[(User, "system:kube-scheduler", "")],
        ),
        b("system:node", &[]),
        b("system:node-proxier", &[(User, "system:kube-proxy", "")]),
        b(
            "system:public-info-viewer",
            &[
                (Group, "system:authenticated", ""),
                (Group, "system:unauthenticated", ""),
            ],
        ),
        b(
            "system:volume-scheduler",
            &[(User, "system:kube-scheduler", "")],
        ),
    ]
}
