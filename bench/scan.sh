#!/usr/bin/env bash
# Benchmark: `bulkhead scan` over the whole np-guard corpus (282 cases of
# Kubernetes manifests and NetworkPolicies) against the per-layer commands
# it replaces (k8s, rbac, netpol) on the same tree, each best of RUNS; then
# the HTML report of a scan with more than 50,000 findings (5,000 pods):
# its size and the time headless Chromium takes to load it and run its
# script (when chromium is installed). Goal: scan no slower than the
# slowest single layer plus 20 %. Never fails on a missed goal.
#
#   bench/scan.sh
#   RUNS=10 bench/scan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK="$ROOT/bench/.work/scan"
RUNS=${RUNS:-5}
CORPUS=${CORPUS:-$ROOT/../shared/corpora/netpol/np-guard/tests}
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
mkdir -p "$WORK"
if [ ! -d "$CORPUS" ]; then echo "SKIPPED: $CORPUS not found"; exit 0; fi

best() { # command... → best wall seconds of RUNS
  local b=""
  for _ in $(seq "$RUNS"); do
    local t0 t1 s
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    s=$(echo "$t1 - $t0" | bc)
    if [ -z "$b" ] || [ "$(echo "$s < $b" | bc)" = 1 ]; then b=$s; fi
  done
  echo "$b"
}

echo "== np-guard corpus: $(find "$CORPUS" -name '*.yaml' -o -name '*.yml' -o -name '*.json' | wc -l) files, best of $RUNS"
k8s=$(best "$BK" k8s --no-config -f json "$CORPUS")
rbac=$(best "$BK" rbac --no-config -f json "$CORPUS")
netpol=$(best "$BK" netpol --no-config -f json "$CORPUS")
scan=$(best "$BK" scan --no-config -f json "$CORPUS")
sum=$(echo "$k8s + $rbac + $netpol" | bc)
slow=$(printf '%s\n' "$k8s" "$rbac" "$netpol" | sort -g | tail -1)
printf '%-28s %8.3f s\n' "k8s" "$k8s" "rbac" "$rbac" "netpol" "$netpol" "sum of the three" "$sum" "scan (all layers, joined)" "$scan"
awk -v s="$scan" -v m="$slow" -v t="$sum" 'BEGIN { printf "scan / slowest layer = %.2f (goal <= 1.20); scan / sum = %.2f\n", s / m, s / t }'

echo "== HTML report, 5,000 pods"
python3 - "$WORK/pods.yaml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(5000):
        f.write(f"---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: ns{i % 50}}}\nspec:\n  containers: [{{name: c, image: example/app:{i}}}]\n")
PY
t=$(best "$BK" scan --no-config -f html -o "$WORK/big.html" "$WORK/pods.yaml")
"$BK" scan --no-config --fail-on none -f json -o "$WORK/big.json" "$WORK/pods.yaml" || true
n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["findings"])' "$WORK/big.json")
printf 'findings %s, HTML %s bytes, scan + render %.3f s\n' "$n" "$(stat -c %s "$WORK/big.html")" "$t"
if command -v chromium >/dev/null 2>&1; then
  prof=$(mktemp -d)
  t0=$(date +%s.%N)
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --user-data-dir="$prof" --dump-dom "file://$WORK/big.html" > "$WORK/dom.html" 2>/dev/null || true
  t1=$(date +%s.%N)
  ms=$(grep -o 'data-render-ms="[0-9]*"' "$WORK/dom.html" | grep -o '[0-9]*' || echo "?")
  printf 'chromium: start + load + script %.2f s; script to first page %s ms\n' "$(echo "$t1 - $t0" | bc)" "$ms"
  rm -rf "$prof"
else
  echo "chromium not installed: no render time (apt-get install chromium)"
fi
