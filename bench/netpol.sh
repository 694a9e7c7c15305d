#!/usr/bin/env bash
# Benchmark: `bulkhead netpol` on generated clusters up to 2,400 pods and
# 4,800 NetworkPolicies (a published scale-test size). Prints wall time and
# peak RSS for the connectivity list (reach, JSON) and the findings report.
# Goal: < 10 s and < 1 GiB at the largest size. Never fails on a missed goal.
#
#   bench/netpol.sh                    # sizes 600/1200, 1200/2400, 2400/4800
#   SIZES="2400:4800" bench/netpol.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK="$ROOT/bench/.work/netpol"
SIZES=${SIZES:-"600:1200 1200:2400 2400:4800"}
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"

measure() { # label, command...
  local label=$1; shift
  if [ -n "$TIME_BIN" ]; then
    "$TIME_BIN" -f "%e %M" -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/stderr.txt" || true
    read -r secs kb < "$WORK/time.txt"
    printf '%-44s wall %6.2f s  peak RSS %5d MB\n' "$label" "$secs" $((kb / 1024))
  else
    local t0; t0=$(date +%s.%N)
    "$@" >/dev/null 2>"$WORK/stderr.txt" || true
    printf '%-44s wall %6.2f s\n' "$label" "$(echo "$(date +%s.%N) - $t0" | bc)"
  fi
}

for size in $SIZES; do
  pods=${size%:*}; pols=${size#*:}
  rm -rf "$WORK" && mkdir -p "$WORK/cluster"
  python3 - "$WORK/cluster" "$pods" "$pols" <<'PY'
import random, sys
out, n_pods, n_pols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(11)
n_ns = max(1, n_pods // 24)
apps = [f"app-{i}" for i in range(40)]
tiers = ["web", "api", "db", "cache", "batch"]
docs = []
for n in range(n_ns):
    docs.append(f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-{n}\n  labels:\n    kubernetes.io/metadata.name: ns-{n}\n    team: t{n % 12}\n    env: {'prod' if n % 3 else 'dev'}\n")
for p in range(n_pods):
    ns = p % n_ns
    docs.append(
        f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-{p}\n  namespace: ns-{ns}\n  labels:\n"
        f"    app: {rnd.choice(apps)}\n    tier: {rnd.choice(tiers)}\n    shard: s{p % 7}\n"
        f"spec:\n  containers:\n  - name: c\n    image: registry.example/app:1\n    ports:\n"
        f"    - {{containerPort: {8000 + p % 50}, name: http}}\n    - {{containerPort: 9090, name: metrics}}\n")
for i in range(n_pols):
    ns = i % n_ns
    kind = i % 6
    sel = f"{{matchLabels: {{tier: {rnd.choice(tiers)}}}}}" if kind else "{}"
    if kind == 0:
        spec = "  policyTypes: [Ingress, Egress]\n"
    elif kind == 1:
        spec = (f"  ingress:\n  - from:\n    - podSelector: {{matchLabels: {{app: {rnd.choice(apps)}}}}}\n"
                f"    ports: [{{port: http}}, {{port: 9090}}]\n")
    elif kind == 2:
        spec = (f"  ingress:\n  - from:\n    - namespaceSelector: {{matchLabels: {{team: t{rnd.randrange(12)}}}}}\n"
                f"      podSelector: {{matchExpressions: [{{key: shard, operator: In, values: [s{rnd.randrange(7)}, s{rnd.randrange(7)}]}}]}}\n")
    elif kind == 3:
        spec = (f"  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector: {{}}\n      podSelector: {{matchLabels: {{app: {rnd.choice(apps)}}}}}\n"
                f"  - ports: [{{port: 53, protocol: UDP}}]\n")
    elif kind == 4:
        a = rnd.randrange(1, 223)
        spec = (f"  ingress:\n  - from:\n    - ipBlock: {{cidr: {a}.0.0.0/8, except: [{a}.{rnd.randrange(256)}.0.0/16]}}\n"
                f"    ports: [{{port: 8000, endPort: {8000 + rnd.randrange(50)}}}]\n")
    else:
        spec = (f"  policyTypes: [Ingress, Egress]\n  ingress: [{{from: [{{namespaceSelector: {{matchLabels: {{env: prod}}}}}}]}}]\n"
                f"  egress: [{{to: [{{ipBlock: {{cidr: 10.{rnd.randrange(256)}.0.0/16}}}}]}}]\n")
    docs.append(f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np-{i}\n  namespace: ns-{ns}\nspec:\n  podSelector: {sel}\n{spec}")
chunk = 500
for k in range(0, len(docs), chunk):
    with open(f"{out}/part-{k // chunk:04d}.yaml", "w") as f:
        f.write("---\n".join(docs[k:k + chunk]))
PY
  echo "== $pods pods, $pols policies ($(du -sh "$WORK/cluster" | cut -f1))"
  measure "reach (JSON connectivity list)" "$BK" netpol reach "$WORK/cluster" -f json -o "$WORK/reach.json"
  measure "findings report (JSON)" "$BK" netpol "$WORK/cluster" --no-config -f json -o "$WORK/report.json" --fail-on none
  python3 -c "import json,sys; print('   connections:', len(json.load(open(sys.argv[1]))))" "$WORK/reach.json" || true
done
