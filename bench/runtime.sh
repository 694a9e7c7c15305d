#!/usr/bin/env bash
# Benchmark: the runtime layer.
#
# 1. Every compose file of ../shared/corpora/compose/, COPIES times over
#    (100 by default), through `bulkhead runtime` (model + RT rules + JSON
#    report) against a parse-only pass over the same files with the same
#    YAML parser (crates/bulkhead-runtime/examples/parse_only.rs), and
#    PyYAML's C loader when present. Prints each time and the ratios.
# 2. `bulkhead runtime --live` on LIVE running podman containers (50 by
#    default; needs root, podman, runc and busybox): time per container.
#
# Trivy does not scan compose files and Checkov has no compose framework,
# so no peer reads the same input; never fails on a number.
#
#   bench/runtime.sh
#   COPIES=20 LIVE=10 RUNS=3 bench/runtime.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK="$ROOT/bench/.work/runtime"
COPIES=${COPIES:-100}
LIVE=${LIVE:-50}
RUNS=${RUNS:-5}
CORPUS="$ROOT/../shared/corpora/compose"
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
cargo build --release -q -p bulkhead-runtime --example parse_only
PARSE="$TARGET_DIR/release/examples/parse_only"
rm -rf "$WORK" && mkdir -p "$WORK/files"

# Median wall time of RUNS runs of a command, in seconds.
median() {
  local ts=()
  for _ in $(seq "$RUNS"); do
    local a b
    a=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; b=$(date +%s.%N)
    ts+=("$(echo "$b - $a" | bc -l)")
  done
  printf '%s\n' "${ts[@]}" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}

if [ -d "$CORPUS" ]; then
  n=0
  for i in $(seq "$COPIES"); do
    mkdir -p "$WORK/files/$i"
    for f in "$CORPUS"/*.y*ml; do
      cp "$f" "$WORK/files/$i/$(basename "$f" | sed 's/\.y[a-z]*ml$//')-compose.yml"
      n=$((n + 1))
    done
  done
  echo "== $n compose files ($COPIES copies of the corpus), median of $RUNS runs"
  t_bk=$(median "$BK" runtime "$WORK/files" -f json -o "$WORK/out.json")
  t_parse=$(median "$PARSE" "$WORK/files")
  "$BK" runtime "$WORK/files" -f json -o "$WORK/out.json" >/dev/null 2>&1 || true
  findings=$(python3 -c "import json;print(len(json.load(open('$WORK/out.json'))['findings']))")
  printf '%-40s %8.3f s  (%d findings)\n' "bulkhead runtime (model+rules+JSON)" "$t_bk" "$findings"
  printf '%-40s %8.3f s\n' "parse-only (same YAML parser)" "$t_parse"
  if python3 -c "import yaml; yaml.CSafeLoader" 2>/dev/null; then
    cat > "$WORK/pyyaml.py" <<'PY'
import sys, os, yaml
n = 0
for d, _, fs in os.walk(sys.argv[1]):
    for f in fs:
        with open(os.path.join(d, f)) as h:
            list(yaml.load_all(h, Loader=yaml.CSafeLoader)); n += 1
print(n)
PY
    t_py=$(median python3 "$WORK/pyyaml.py" "$WORK/files")
    printf '%-40s %8.3f s\n' "PyYAML CSafeLoader parse-only" "$t_py"
    echo "ratio bulkhead/parse-only: $(echo "$t_bk / $t_parse" | bc -l | cut -c1-5)  bulkhead/PyYAML-C: $(echo "$t_bk / $t_py" | bc -l | cut -c1-5)"
  else
    echo "ratio bulkhead/parse-only: $(echo "$t_bk / $t_parse" | bc -l | cut -c1-5)  (PyYAML with libyaml not installed: no Python baseline)"
  fi
else
  echo "*** SKIPPED compose part: $CORPUS not found ***"
fi

if [ "$(id -u)" = 0 ] && command -v podman >/dev/null && command -v runc >/dev/null && [ -x /bin/busybox ]; then
  echo "== --live on $LIVE running containers"
  rf="$WORK/rootfs"; mkdir -p "$rf/bin" "$rf/proc" "$rf/sys" "$rf/dev" "$rf/etc"
  cp /bin/busybox "$rf/bin/"; ln -sf busybox "$rf/bin/sleep"; ln -sf busybox "$rf/bin/sh"
  tar -C "$rf" -cf "$WORK/rootfs.tar" .
  tag="localhost/bulkhead-bench-live:$$"
  podman import -q "$WORK/rootfs.tar" "$tag" >/dev/null
  cleanup() { podman ps -aq --filter "name=bulkhead-bench-live-$$-" | xargs -r podman rm -f -t 0 >/dev/null 2>&1; podman rmi -f "$tag" >/dev/null 2>&1 || true; }
  trap cleanup EXIT
  for i in $(seq "$LIVE"); do
    podman --runtime runc run -d -q --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 \
      --name "bulkhead-bench-live-$$-$i" "$tag" sleep 600 >/dev/null
  done
  running=$(find /run/runc /run/crun -maxdepth 2 -name state.json -o -maxdepth 2 -name status 2>/dev/null | wc -l || true)
  t_live=$(median "$BK" runtime --live -f json -o "$WORK/live.json")
  objs=$(python3 -c "import json;d=json.load(open('$WORK/live.json'));print(len(d.get('targets', [])))")
  printf '%-40s %8.3f s  %s containers read (%s state files), %.2f ms per container\n' \
    "bulkhead runtime --live" "$t_live" "$objs" "$running" "$(echo "$t_live * 1000 / $objs" | bc -l)"
else
  echo "*** SKIPPED --live part: needs root, podman, runc and /bin/busybox ***"
fi
