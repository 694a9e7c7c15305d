//! `bulkhead admission manifests`: the objects that run the server in a
//! cluster, as a kustomize base — Namespace (restricted PSS labels),
//! ServiceAccount without a token, the policy ConfigMap, a Deployment with
//! two or more replicas spread across nodes and a hardened pod that passes
//! `bulkhead k8s --pss restricted` with no finding, a PodDisruptionBudget, the
//! Service, a cert-manager Issuer and Certificate (the server reloads the
//! rotated files itself), and the Validating- and MutatingWebhookConfiguration
//! with `sideEffects: None`, a timeout above the server's deadline,
//! `matchConditions`, and kube-system plus the server's own namespace exempted.

use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct ManifestOptions {
    pub namespace: String,
    pub image: String,
    pub replicas: u32,
    /// The webhooks' `timeoutSeconds` (1..=30); the server's deadline is set
    /// half a second below it.
    pub timeout_seconds: u32,
    /// `Fail` or `Ignore` for the validating webhook.
    pub failure_policy: String,
}

impl Default for ManifestOptions {
    fn default() -> Self {
        ManifestOptions {
            namespace: "bulkhead-system".into(),
            image: format!("bulkhead:{}", env!("CARGO_PKG_VERSION")),
            replicas: 2,
            timeout_seconds: 3,
            failure_policy: "Fail".into(),
        }
    }
}

const NAME: &str = "bulkhead-admission";

fn labels() -> Value {
    json!({"app.kubernetes.io/name": NAME, "app.kubernetes.io/part-of": "bulkhead"})
}

fn meta(name: &str, ns: Option<&str>) -> Value {
    let mut m = json!({"name": name, "labels": labels()});
    if let Some(ns) = ns {
        m["namespace"] = json!(ns);
    }
    m
}

/// The webhook rules: every kind the server judges.
fn rules(validating: bool) -> Value {
    let ops = json!(["CREATE", "UPDATE"]);
    let mut r = vec![
        json!({"apiGroups": [""], "apiVersions": ["v1"], "operations": ops, "resources": ["pods", "pods/ephemeralcontainers", "replicationcontrollers"], "scope": "Namespaced"}),
        json!({"apiGroups": ["apps"], "apiVersions": ["v1"], "operations": ops, "resources": ["deployments", "replicasets", "statefulsets", "daemonsets"], "scope": "Namespaced"}),
        json!({"apiGroups": ["batch"], "apiVersions": ["v1"], "operations": ops, "resources": ["jobs", "cronjobs"], "scope": "Namespaced"}),
    ];
    if validating {
        r.push(json!({"apiGroups": [""], "apiVersions": ["v1"], "operations": ops, "resources": ["namespaces"], "scope": "Cluster"}));
        r.push(json!({"apiGroups": ["rbac.authorization.k8s.io"], "apiVersions": ["v1"], "operations": ops, "resources": ["roles", "rolebindings", "clusterroles", "clusterrolebindings"], "scope": "*"}));
        r.push(json!({"apiGroups": ["networking.k8s.io"], "apiVersions": ["v1"], "operations": ops, "resources": ["networkpolicies"], "scope": "Namespaced"}));
    }
    Value::Array(r)
}

fn webhook(o: &ManifestOptions, validating: bool) -> Value {
    let ns = &o.namespace;
    let (kind, name, path, failure) = if validating {
        (
            "ValidatingWebhookConfiguration",
            "validate.bulkhead.dev",
            "/validate",
            o.failure_policy.as_str(),
        )
    } else {
        // Mutation only adds fixes; a cluster must not stop because of it.
        (
            "MutatingWebhookConfiguration",
            "mutate.bulkhead.dev",
            "/mutate",
            "Ignore",
        )
    };
    let mut m = meta(NAME, None);
    m["annotations"] = json!({"cert-manager.io/inject-ca-from": format!("{ns}/{NAME}")});
    let mut hook = json!({
        "name": name,
        "admissionReviewVersions": ["v1"],
        "sideEffects": "None",
        "timeoutSeconds": o.timeout_seconds,
        "failurePolicy": failure,
        "matchPolicy": "Equivalent",
        "clientConfig": {"service": {"name": NAME, "namespace": ns, "path": path, "port": 443}},
        "namespaceSelector": {"matchExpressions": [
            {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system", ns]}
        ]},
        "matchConditions": [
            {"name": "not-the-server-itself",
             "expression": format!("request.userInfo.username != 'system:serviceaccount:{ns}:{NAME}'")},
            {"name": "not-node-or-controller-status",
             "expression": "!request.userInfo.username.startsWith('system:node:')"}
        ],
        "rules": rules(validating),
    });
    if !validating {
        hook["reinvocationPolicy"] = json!("Never");
    }
    json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind, "metadata": m, "webhooks": [hook]})
}

fn policy_file(o: &ManifestOptions) -> String {
    let ms = (u64::from(o.timeout_seconds) * 1000)
        .saturating_sub(500)
        .max(100);
    let fail = if o.failure_policy.eq_ignore_ascii_case("ignore") {
        "ignore"
    } else {
        "fail"
    };
    format!(
        "# bulkhead admission policy (the bulkhead.yaml schema). Edit and apply:\n\
         # the server reloads it within a second; a broken edit keeps the last good one.\n\
         admission:\n  mode: enforce          # enforce | warn | audit\n  deny-on: high          # findings at or above deny; the rest warn\n  pss: auto              # the namespace's pod-security.kubernetes.io/enforce label\n  failure-policy: {fail}\n  timeout-ms: {ms}\n  exemptions:\n    namespaces: [kube-system, {ns}]\n",
        ns = o.namespace
    )
}

/// The kustomize base: (file name, object) pairs, `kustomization.yaml` last.
pub fn objects(o: &ManifestOptions) -> Vec<(String, Value)> {
    let ns = o.namespace.as_str();
    let sel = json!({"app.kubernetes.io/name": NAME});
    let container = json!({
        "name": "admission",
        "image": o.image,
        "imagePullPolicy": "IfNotPresent",
        "args": ["admission", "serve", "--listen", "0.0.0.0:8443",
                 "--cert", "/tls/tls.crt", "--key", "/tls/tls.key",
                 "--config", "/etc/bulkhead/bulkhead.yaml"],
        "ports": [{"name": "https", "containerPort": 8443, "protocol": "TCP"}],
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": "https", "scheme": "HTTPS"}, "periodSeconds": 5},
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": "https", "scheme": "HTTPS"}, "periodSeconds": 10},
        "resources": {
            "requests": {"cpu": "100m", "memory": "64Mi"},
            "limits": {"cpu": "1", "memory": "256Mi"}
        },
        "securityContext": {
            "runAsNonRoot": true,
            "runAsUser": 65532,
            "runAsGroup": 65532,
            "allowPrivilegeEscalation": false,
            "readOnlyRootFilesystem": true,
            "privileged": false,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"}
        },
        "volumeMounts": [
            {"name": "tls", "mountPath": "/tls", "readOnly": true},
            {"name": "policy", "mountPath": "/etc/bulkhead", "readOnly": true}
        ]
    });
    let deployment = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(NAME, Some(ns)),
        "spec": {
            "replicas": o.replicas.max(2),
            "selector": {"matchLabels": sel},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {"labels": labels()},
                "spec": {
                    "serviceAccountName": NAME,
                    "automountServiceAccountToken": false,
                    "enableServiceLinks": false,
                    "terminationGracePeriodSeconds": 40,
                    "securityContext": {
                        "runAsNonRoot": true,
                        "runAsUser": 65532,
                        "runAsGroup": 65532,
                        "fsGroup": 65532,
                        "seccompProfile": {"type": "RuntimeDefault"}
                    },
                    "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                        {"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": sel}}}
                    ]}},
                    "topologySpreadConstraints": [
                        {"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": sel}}
                    ],
                    "containers": [container],
                    "volumes": [
                        {"name": "tls", "secret": {"secretName": format!("{NAME}-tls")}},
                        {"name": "policy", "configMap": {"name": format!("{NAME}-policy")}}
                    ]
                }
            }
        }
    });
    let mut ns_meta = meta(ns, None);
    ns_meta["labels"]["pod-security.kubernetes.io/enforce"] = json!("restricted");
    ns_meta["labels"]["pod-security.kubernetes.io/enforce-version"] = json!("latest");
    let dns = [
        format!("{NAME}.{ns}.svc"),
        format!("{NAME}.{ns}.svc.cluster.local"),
    ];
    let mut files: Vec<(String, Value)> = vec![
        (
            "namespace.yaml".into(),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": ns_meta}),
        ),
        (
            "serviceaccount.yaml".into(),
            json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(NAME, Some(ns)), "automountServiceAccountToken": false}),
        ),
        (
            "policy.yaml".into(),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(&format!("{NAME}-policy"), Some(ns)), "data": {"bulkhead.yaml": policy_file(o)}}),
        ),
        ("deployment.yaml".into(), deployment),
        (
            "pdb.yaml".into(),
            json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta(NAME, Some(ns)),
            "spec": {"minAvailable": 1, "selector": {"matchLabels": sel}}}),
        ),
        (
            "service.yaml".into(),
            json!({"apiVersion": "v1", "kind": "Service", "metadata": meta(NAME, Some(ns)),
            "spec": {"selector": sel, "ports": [{"name": "https", "port": 443, "targetPort": "https", "protocol": "TCP"}]}}),
        ),
        (
            "certificate.yaml".into(),
            json!({"apiVersion": "cert-manager.io/v1", "kind": "Issuer", "metadata": meta(&format!("{NAME}-selfsigned"), Some(ns)),
            "spec": {"selfSigned": {}}}),
        ),
        (
            "certificate.yaml".into(),
            json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": meta(NAME, Some(ns)),
            "spec": {"secretName": format!("{NAME}-tls"), "dnsNames": dns, "duration": "2160h", "renewBefore": "360h",
                     "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
                     "issuerRef": {"name": format!("{NAME}-selfsigned"), "kind": "Issuer"}}}),
        ),
        ("webhooks.yaml".into(), webhook(o, true)),
        ("webhooks.yaml".into(), webhook(o, false)),
    ];
    let mut names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    names.dedup();
    files.push((
        "kustomization.yaml".into(),
        json!({"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": names}),
    ));
    files
}

/// The base as files: name → multi-document YAML text.
pub fn files(o: &ManifestOptions) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, v) in objects(o) {
        let text = bulkhead_kube::fix::to_yaml(&v);
        match out.last_mut() {
            Some((n, t)) if *n == name => {
                t.push_str("---\n");
                t.push_str(&text);
            }
            _ => out.push((name, text)),
        }
    }
    out
}

/// Every object but the kustomization, as one multi-document YAML stream.
pub fn stream(o: &ManifestOptions) -> String {
    let mut s = String::new();
    for (name, v) in objects(o) {
        if name == "kustomization.yaml" {
            continue;
        }
        s.push_str(&format!("---\n# {name}\n"));
        s.push_str(&bulkhead_kube::fix::to_yaml(&v));
    }
    s
}
