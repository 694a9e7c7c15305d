#!/usr/bin/env python3
"""Writes a synthetic Kubernetes audit log (audit.k8s.io/v1 Events, JSON
Lines) of N events with the shape of a real API server's log: mostly
controllers and kubelets reading and renewing leases, users listing and
editing workloads, service accounts reading config, a share of 403s, pod
and role creations logged at level Request (with their objects), exec
sessions at ResponseStarted and ResponseComplete, RequestReceived stages.
Deterministic (seeded) so figures are comparable between runs.

    python3 bench/gen_audit.py 5000000 > audit.log
"""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000_000
rnd = random.Random(16)
out = sys.stdout
NS = [f"team-{i:02d}" for i in range(40)] + ["kube-system", "default"]
USERS = [f"user{i}@example.com" for i in range(60)]
SAS = [(ns, f"app-{j}") for ns in NS[:40] for j in range(5)]
NODES = [f"node-{i:03d}" for i in range(100)]

def user_json(name, groups):
    return '{"username":"%s","groups":[%s]}' % (name, ",".join('"%s"' % g for g in groups))

HEAD = '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"%s","auditID":"%08x-0000-4000-8000-%012x","stage":"%s","requestURI":"%s","verb":"%s","user":%s,"sourceIPs":["%s"],"userAgent":"%s","objectRef":%s,"responseStatus":{"metadata":{},"code":%d},%s"requestReceivedTimestamp":"%s","stageTimestamp":"%s","annotations":{"authorization.k8s.io/decision":"%s","authorization.k8s.io/reason":"%s"}}\n'

POD = '"requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"%s","namespace":"%s","labels":{"app":"%s"}},"spec":{"serviceAccountName":"%s","containers":[{"name":"app","image":"example/%s:1.%d","securityContext":{%s},"resources":{"limits":{"cpu":"500m","memory":"256Mi"}}}]%s}},'
ROLE = '"requestObject":{"kind":"Role","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"%s","namespace":"%s"},"rules":[{"apiGroups":[""],"resources":["%s"],"verbs":[%s]}]},'

def objref(res, ns, name, group="", sub=""):
    s = '{"resource":"%s"' % res
    if ns:
        s += ',"namespace":"%s"' % ns
    if name:
        s += ',"name":"%s"' % name
    if group:
        s += ',"apiGroup":"%s"' % group
    s += ',"apiVersion":"v1"'
    if sub:
        s += ',"subresource":"%s"' % sub
    return s + "}"

t0 = 1_764_500_000  # 2025-11-30
for i in range(n):
    sec = t0 + i * 3600 * 24 // n
    h, m, s = (sec // 3600) % 24, (sec // 60) % 60, sec % 60
    day = 30 if sec < t0 + 3600 * 24 else 1
    ts = "2025-11-%02dT%02d:%02d:%02d.%06dZ" % (day, h, m, s, i % 1_000_000)
    r = rnd.random()
    level, stage, code, extra, decision = "Metadata", "ResponseComplete", 200, "", "allow"
    if r < 0.35:  # kubelet lease renewals
        node = rnd.choice(NODES)
        u = user_json("system:node:" + node, ["system:nodes", "system:authenticated"])
        verb, res, ns, name, group, sub = "update", "leases", "kube-node-lease", node, "coordination.k8s.io", ""
        uri = f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{node}"
        ip, ua = "10.0.%d.%d" % (rnd.randint(0, 3), rnd.randint(1, 250)), "kubelet/v1.31.0"
    elif r < 0.55:  # controllers watching
        res = rnd.choice(["pods", "deployments", "replicasets", "endpoints", "configmaps"])
        u = user_json("system:kube-controller-manager", ["system:authenticated"])
        verb, ns, name, group, sub = "watch", "", "", "apps" if res in ("deployments", "replicasets") else "", ""
        uri = f"/api/v1/{res}?watch=true"
        ip, ua = "10.0.0.10", "kube-controller-manager/v1.31.0"
    elif r < 0.80:  # users
        user = rnd.choice(USERS)
        u = user_json(user, ["developers", "system:authenticated"])
        ns = rnd.choice(NS)
        res = rnd.choice(["pods", "pods", "deployments", "services", "configmaps", "secrets", "pods/log"])
        sub = ""
        if res == "pods/log":
            res, sub = "pods", "log"
        verb = rnd.choice(["get", "list", "list", "watch", "patch"]) if not sub else "get"
        name = f"web-{rnd.randint(0, 999)}" if verb in ("get", "patch") else ""
        group = "apps" if res == "deployments" else ""
        uri = f"/api/v1/namespaces/{ns}/{res}" + (f"/{name}" if name else "")
        ip, ua = "192.168.%d.%d" % (rnd.randint(0, 20), rnd.randint(1, 250)), "kubectl/v1.31.0"
        if rnd.random() < 0.05:
            code, decision = 403, "forbid"
    elif r < 0.97:  # service accounts
        ns, sa = rnd.choice(SAS)
        u = user_json(f"system:serviceaccount:{ns}:{sa}", ["system:serviceaccounts", f"system:serviceaccounts:{ns}", "system:authenticated"])
        res = rnd.choice(["configmaps", "secrets", "pods", "services"])
        verb = rnd.choice(["get", "list", "watch"])
        name = "config" if verb == "get" else ""
        group, sub = "", ""
        uri = f"/api/v1/namespaces/{ns}/{res}" + (f"/{name}" if name else "")
        ip = "10.244.%d.%d" % (rnd.randint(0, 50), rnd.randint(1, 250)) if rnd.random() > 0.002 else "203.0.113.%d" % rnd.randint(1, 250)
        ua = "app/1.0"
        if rnd.random() < 0.03:
            code, decision = 403, "forbid"
    else:  # writes with objects, exec
        user = rnd.choice(USERS)
        u = user_json(user, ["developers", "system:authenticated"])
        ns = rnd.choice(NS[:40])
        ip, ua = "192.168.1.%d" % rnd.randint(1, 250), "kubectl/v1.31.0"
        k = rnd.random()
        if k < 0.6:
            name = f"job-{i}"
            verb, res, group, sub, level, code = "create", "pods", "", "", "Request", 201
            priv = '"privileged":true' if rnd.random() < 0.02 else '"allowPrivilegeEscalation":false,"runAsNonRoot":true'
            vols = ',"volumes":[{"name":"h","hostPath":{"path":"/var/run/docker.sock"}}]' if rnd.random() < 0.01 else ""
            extra = POD % (name, ns, name, "default", "app", i % 10, priv, vols)
            uri = f"/api/v1/namespaces/{ns}/pods"
            name = ""
        elif k < 0.8:
            name = f"role-{i}"
            verb, res, group, sub, level, code = "create", "roles", "rbac.authorization.k8s.io", "", "Request", 201
            verbs = '"*"' if rnd.random() < 0.05 else '"get","list"'
            extra = ROLE % (name, ns, rnd.choice(["pods", "secrets", "pods/exec"]), verbs)
            uri = f"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles"
            name = ""
        else:
            name = f"web-{rnd.randint(0, 999)}"
            verb, res, group, sub, code = "create", "pods", "", "exec", 101
            uri = f"/api/v1/namespaces/{ns}/pods/{name}/exec?command=sh&container=app&stdin=true&tty=true"
            stage = "ResponseStarted"
    if rnd.random() < 0.05 and stage == "ResponseComplete":
        stage = "RequestReceived"
    out.write(HEAD % (level, i, i, stage, uri, verb, u, ip, ua, objref(res, ns, name, group, sub), code, extra, ts, ts, decision, ""))
