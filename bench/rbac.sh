#!/usr/bin/env bash
# Benchmark: `bulkhead rbac` on a generated cluster dump with 5,000 roles and
# 20,000 bindings (plus service accounts and workloads), the shape of
# `kubectl get roles,clusterroles,rolebindings,clusterrolebindings,sa,deploy -A -o yaml`.
# Runs who-can (cluster-wide and in one namespace), one subject's access
# matrix and the full dangerous-rights report; prints wall time and peak RSS
# (GNU time -v). Goal: < 2 s and < 500 MB each. Never fails on a missed goal.
#
#   bench/rbac.sh                 # ROLES=5000 BINDINGS=20000 by default
#   ROLES=20000 BINDINGS=80000 bench/rbac.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK="$ROOT/bench/.work/rbac"
ROLES=${ROLES:-5000}
BINDINGS=${BINDINGS:-20000}
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"

echo "== generating a dump with $ROLES roles and $BINDINGS bindings in $WORK"
rm -rf "$WORK" && mkdir -p "$WORK/dump"
python3 - "$WORK/dump" "$ROLES" "$BINDINGS" <<'PY'
import os, random, sys
out, n_roles, n_bind = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(7)
NS = [f"team-{i:03d}" for i in range(250)] + ["kube-system"]
VERBS = [["get", "list", "watch"], ["get"], ["create", "update", "patch", "delete"], ["*"], ["list"], ["create"]]
RES = [("", "pods"), ("", "configmaps"), ("", "secrets"), ("", "services"), ("apps", "deployments"),
       ("", "pods/exec"), ("", "pods/log"), ("batch", "jobs"), ("networking.k8s.io", "ingresses"),
       ("", "serviceaccounts/token"), ("", "events"), ("example.com", "widgets")] + \
      [(f"crd{i}.example.com", f"things{i}") for i in range(40)]
CRES = [("", "nodes"), ("", "nodes/proxy"), ("", "namespaces"), ("", "persistentvolumes"),
        ("rbac.authorization.k8s.io", "clusterroles"), ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
        ("certificates.k8s.io", "certificatesigningrequests/approval"), ("", "users")]

def q(s): return '"' + s + '"'

def rule(cluster):
    k = rnd.randint(1, 4)
    picks = rnd.sample(RES + (CRES if cluster else []), k)
    groups = sorted({g for g, _ in picks})
    verbs = rnd.choice(VERBS)
    if cluster and rnd.random() < 0.05:
        verbs = ["impersonate"]
    lines = [f"  - apiGroups: [{', '.join(q(g) for g in groups)}]",
             f"    resources: [{', '.join(q(r) for _, r in picks)}]",
             f"    verbs: [{', '.join(q(v) for v in verbs)}]"]
    if rnd.random() < 0.1:
        lines.append(f"    resourceNames: [\"obj-{rnd.randint(0, 99)}\"]")
    return "\n".join(lines)

def write(name, items):
    with open(os.path.join(out, name), "w") as f:
        f.write("apiVersion: v1\nkind: List\nitems:\n")
        for it in items:
            f.write(it)

n_cluster = n_roles // 5
n_ns_roles = n_roles - n_cluster
roles = []
ns_roles = {}
for i in range(n_ns_roles):
    ns = NS[i % len(NS)]
    name = f"role-{i}"
    ns_roles.setdefault(ns, []).append(name)
    rules = "\n".join(rule(False) for _ in range(rnd.randint(1, 4)))
    roles.append(f"- apiVersion: rbac.authorization.k8s.io/v1\n  kind: Role\n  metadata:\n    name: {name}\n    namespace: {ns}\n  rules:\n{rules}\n")
croles = []
cnames = []
for i in range(n_cluster):
    name = f"clusterrole-{i}"
    cnames.append(name)
    label = f"\n    labels:\n      bench/agg-{i % 20}: \"true\"" if i % 7 == 0 else ""
    if i < 20:
        croles.append(f"- apiVersion: rbac.authorization.k8s.io/v1\n  kind: ClusterRole\n  metadata:\n    name: {name}\n  aggregationRule:\n    clusterRoleSelectors:\n    - matchLabels:\n        bench/agg-{i}: \"true\"\n  rules: []\n")
        continue
    rules = "\n".join(rule(True) for _ in range(rnd.randint(1, 5)))
    if i % 97 == 0:
        rules = '  - apiGroups: ["*"]\n    resources: ["*"]\n    verbs: ["*"]'
    croles.append(f"- apiVersion: rbac.authorization.k8s.io/v1\n  kind: ClusterRole\n  metadata:\n    name: {name}{label}\n  rules:\n{rules}\n")

def subjects(ns):
    s = []
    for _ in range(rnd.randint(1, 3)):
        r = rnd.random()
        if r < 0.4:
            s.append(f"  - kind: ServiceAccount\n    name: sa-{rnd.randint(0, 19)}\n    namespace: {ns or rnd.choice(NS)}")
        elif r < 0.75:
            s.append(f"  - apiGroup: rbac.authorization.k8s.io\n    kind: User\n    name: user-{rnd.randint(0, 4999)}@example.com")
        elif r < 0.995:
            s.append(f"  - apiGroup: rbac.authorization.k8s.io\n    kind: Group\n    name: group-{rnd.randint(0, 499)}")
        else:
            s.append("  - apiGroup: rbac.authorization.k8s.io\n    kind: Group\n    name: system:authenticated")
    return "\n".join(s)

n_crb = n_bind // 10
rbs, crbs = [], []
for i in range(n_bind - n_crb):
    ns = NS[i % len(NS)]
    if rnd.random() < 0.6 and ns_roles.get(ns):
        ref = f"    kind: Role\n    name: {rnd.choice(ns_roles[ns])}"
    else:
        ref = f"    kind: ClusterRole\n    name: {rnd.choice(cnames + ['edit', 'view', 'admin'])}"
    rbs.append(f"- apiVersion: rbac.authorization.k8s.io/v1\n  kind: RoleBinding\n  metadata:\n    name: rb-{i}\n    namespace: {ns}\n  roleRef:\n    apiGroup: rbac.authorization.k8s.io\n{ref}\n  subjects:\n{subjects(ns)}\n")
for i in range(n_crb):
    name = rnd.choice(cnames) if i % 50 else "cluster-admin"
    crbs.append(f"- apiVersion: rbac.authorization.k8s.io/v1\n  kind: ClusterRoleBinding\n  metadata:\n    name: crb-{i}\n  roleRef:\n    apiGroup: rbac.authorization.k8s.io\n    kind: ClusterRole\n    name: {name}\n  subjects:\n{subjects(None)}\n")
sas, wls = [], []
for ns in NS:
    for j in range(20):
        sas.append(f"- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: sa-{j}\n    namespace: {ns}\n")
    for j in range(8):
        wls.append(f"- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: app-{j}\n    namespace: {ns}\n  spec:\n    template:\n      spec:\n        serviceAccountName: sa-{rnd.randint(0, 19)}\n        containers:\n        - name: app\n          image: registry.example.com/app:{j}\n")
write("roles.yaml", roles)
write("clusterroles.yaml", croles)
chunk = 5000
for k in range(0, len(rbs), chunk):
    write(f"rolebindings-{k // chunk}.yaml", rbs[k:k + chunk])
write("clusterrolebindings.yaml", crbs)
write("serviceaccounts.yaml", sas)
write("deployments.yaml", wls)
print(f"{len(roles) + len(croles)} roles, {len(rbs) + len(crbs)} bindings, {len(sas)} service accounts, {len(wls)} deployments")
PY
du -sh "$WORK/dump" | awk '{print "dump size: " $1}'

measure() { # label, command...: wall seconds and peak RSS (MB)
  local label=$1; shift
  if [ -n "$TIME_BIN" ]; then
    "$TIME_BIN" -v "$@" >"$WORK/out.txt" 2>"$WORK/time.txt" || true
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time.txt")
    rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}' "$WORK/time.txt")
    printf "%-44s wall %-8s peak RSS %5s MB   (%s)\n" "$label" "$wall" "$rss" "$(head -c 90 "$WORK/out.txt" | head -1)"
  else
    local s e
    s=$(date +%s.%N); "$@" >"$WORK/out.txt" 2>/dev/null || true; e=$(date +%s.%N)
    printf "%-44s wall %.2fs\n" "$label" "$(python3 -c "print($e - $s)")"
  fi
}

echo "== timing (goal: each < 2 s and < 500 MB)"
measure "who-can get secrets (all namespaces)" "$BK" rbac who-can get secrets "$WORK/dump" --bootstrap
measure "who-can create pods -n team-007" "$BK" rbac who-can create pods "$WORK/dump" -n team-007 --bootstrap
measure "can ServiceAccount:team-001:sa-1 -n team-001" "$BK" rbac can ServiceAccount:team-001:sa-1 "$WORK/dump" -n team-001
measure "findings report (json)" "$BK" rbac "$WORK/dump" --bootstrap --no-config --format json --output "$WORK/report.json" --fail-on none
python3 - "$WORK/report.json" <<'PY'
import json, sys, collections
r = json.load(open(sys.argv[1]))
c = collections.Counter(f["rule_id"] for f in r["findings"])
print("findings:", len(r["findings"]), dict(sorted(c.items())), "errors:", len(r.get("errors", [])))
PY
