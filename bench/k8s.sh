#!/usr/bin/env bash
# Benchmark: `bulkhead k8s` against Checkov and against bulkhead's own
# parse-only pass, on >= 1,000 generated manifests (Pods and Deployments built
# from the upstream Pod Security Standards fixtures in ../shared). Prints
# ratios and files/s, never absolute claims; never fails on a missed goal.
# Installs what it needs itself (Checkov into bench/.venv from PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# Not under a dot-directory: Checkov skips hidden directories.
WORK="$ROOT/target/bench/k8s"
SHARED="$ROOT/../shared/corpora/pss"
N=${N:-1200}

if [ ! -d "$SHARED" ]; then
  echo "*** SKIPPED: $SHARED not found: no corpus to benchmark ***"
  exit 0
fi

echo "== building bulkhead (release)"
cargo build --release -q -p bulkhead
BK="$ROOT/target/release/bulkhead"

if [ ! -x "$ROOT/bench/.venv/bin/checkov" ]; then
  echo "== installing Checkov into bench/.venv (first run only)"
  python3 -m venv "$ROOT/bench/.venv"
  "$ROOT/bench/.venv/bin/pip" install -q --disable-pip-version-check checkov
fi
CHECKOV="$ROOT/bench/.venv/bin/checkov"

# Peak RSS via GNU time when available.
TIME_BIN=""
if [ -x /usr/bin/time ]; then TIME_BIN=/usr/bin/time;
elif command -v apt-get >/dev/null 2>&1 && apt-get install -y -qq time >/dev/null 2>&1; then TIME_BIN=/usr/bin/time; fi

echo "== generating $N manifests in $WORK"
rm -rf "$WORK" && mkdir -p "$WORK/corpus"
python3 - "$SHARED" "$WORK/corpus" "$N" <<'PY'
import os, sys, glob
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = sorted(glob.glob(os.path.join(src, "*", "v1.3[0-7]", "*", "*.yaml")))
step = max(1, len(files) // n)
picked = files[::step][:n]
for i, f in enumerate(picked):
    text = open(f).read()
    level, ver, kind = f.split(os.sep)[-4:-1]
    name = f"{i:05d}-{level}-{ver}-{kind}-{os.path.basename(f)}"
    if i % 2 == 0:
        out = text
    else:
        # Wrap the pod as a Deployment: metadata annotations move to the
        # template, the spec goes under spec.template.
        meta, spec = text.split("\nspec:\n", 1)
        ann = meta.split("  annotations:\n", 1)[1] if "  annotations:\n" in meta else ""
        ann = "".join(l for l in ann.splitlines(True) if l.startswith("    "))
        ann_block = ("      annotations:\n" + "".join("    " + l for l in ann.splitlines(True))) if ann else ""
        body = "".join("    " + l if l.strip() else l for l in spec.splitlines(True))
        out = (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d{i}\n  namespace: bench\n"
               f"spec:\n  selector:\n    matchLabels: {{app: d{i}}}\n  template:\n    metadata:\n"
               f"      labels: {{app: d{i}}}\n{ann_block}    spec:\n{body}")
    open(os.path.join(dst, name), "w").write(out)
print(len(picked))
PY
FILES=$(ls "$WORK/corpus" | wc -l)

best() { # best wall time in seconds of N runs of a command
  local runs=$1; shift; local best=""
  for _ in $(seq "$runs"); do
    local s e t
    s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
    t=$(python3 -c "print($e - $s)")
    if [ -z "$best" ] || [ "$(python3 -c "print(int($t < $best))")" = 1 ]; then best=$t; fi
  done
  echo "$best"
}
rss() { # peak RSS in MB
  if [ -n "$TIME_BIN" ]; then
    { "$TIME_BIN" -v "$@" 2>&1 >/dev/null || true; } | awk -F: '/Maximum resident/ {printf "%.0f", $2/1024}'
  else echo "n/a"; fi
}

echo "== timing ($FILES files)"
T_BK=$(best 5 "$BK" k8s "$WORK/corpus" --no-config --format json --output /dev/null --fail-on none)
T_PARSE=$(best 5 "$BK" k8s "$WORK/corpus" --no-config --parse-only)
T_CK=$(best 1 "$CHECKOV" -d "$WORK/corpus" --framework kubernetes --quiet --compact -o json --skip-download)
M_BK=$(rss "$BK" k8s "$WORK/corpus" --no-config --format json --output /dev/null --fail-on none)
M_CK=$(rss "$CHECKOV" -d "$WORK/corpus" --framework kubernetes --quiet --compact -o json --skip-download)

# Detection: restricted fail fixtures flagged by each tool.
"$BK" k8s "$WORK/corpus" --no-config --select pss --format json --fail-on none > "$WORK/bk.json" || true
"$CHECKOV" -d "$WORK/corpus" --framework kubernetes --quiet --compact -o json --skip-download > "$WORK/ck.json" 2>/dev/null || true
python3 - "$WORK" <<'PY'
import json, os, sys
w = sys.argv[1]
# Fixtures of v1.37 (the version bulkhead evaluates by default) that must fail restricted.
fails = {f for f in os.listdir(os.path.join(w, "corpus")) if "-restricted-v1.37-fail-" in f}
bk = json.load(open(os.path.join(w, "bk.json")))
bk_files = {os.path.basename(f["location"]["file"]) for f in bk["findings"]}
# Checkov checks that correspond to Pod Security Standards controls (by name).
PSS_WORDS = ("privileged", "host", "capabilit", "escalation", "root", "seccomp", "sysctl", "apparmor", "selinux", "proc", "volume")
try:
    ck = json.load(open(os.path.join(w, "ck.json")))
    if isinstance(ck, list):
        ck = next((c for c in ck if c.get("check_type") == "kubernetes"), ck[0] if ck else {})
    failed = ck.get("results", {}).get("failed_checks", [])
    ck_files = {os.path.basename(c["file_path"]) for c in failed if any(word in c.get("check_name", "").lower() for word in PSS_WORDS)}
    scanned = ck.get("summary", {}).get("resource_count", "?")
except Exception as e:
    ck_files, scanned = set(), f"unreadable ({e})"
print(f"PSS detection on {len(fails)} restricted v1.37 'fail' fixtures: bulkhead (--select pss) flags {len(fails & bk_files)}, Checkov (its security-context/host/capability checks) flags {len(fails & ck_files)} (Checkov scanned {scanned} resources)")
PY

ratio() { python3 -c "print(round($1 / $2, 1))"; }
echo
echo "files: $FILES"
echo "bulkhead k8s      : $(ratio "$FILES" "$T_BK") files/s, peak RSS ${M_BK} MB"
echo "bulkhead parse-only: $(ratio "$FILES" "$T_PARSE") files/s"
echo "checkov           : $(ratio "$FILES" "$T_CK") files/s, peak RSS ${M_CK} MB"
echo "bulkhead vs Checkov: $(ratio "$T_CK" "$T_BK")x faster (goal >= 200x)"
echo "bulkhead full run / parse-only: $(ratio "$T_BK" "$T_PARSE")x (goal <= 2x)"
