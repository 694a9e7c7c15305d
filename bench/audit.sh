#!/usr/bin/env bash
# Benchmark: `bulkhead audit` on a generated audit log of EVENTS events
# (bench/gen_audit.py: leases, controllers, users, service accounts, 403s,
# pods and roles created with their objects, exec sessions, RequestReceived
# stages). Prints events/s and peak RSS (GNU time -v) for the findings run,
# the summary and a gzip-compressed copy. Goal: >= 500k events/s and
# < 200 MB. No peer runs here: Falco needs a daemon and its plugin, and
# audit2rbac is not packaged; never fails on a missed goal.
#
#   bench/audit.sh                # EVENTS=5000000
#   EVENTS=1000000 bench/audit.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK="$ROOT/bench/.work/audit"
EVENTS=${EVENTS:-5000000}
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
mkdir -p "$WORK"
LOG="$WORK/audit-$EVENTS.log"
if [ ! -s "$LOG" ]; then
  echo "== generating $EVENTS events into $LOG"
  python3 bench/gen_audit.py "$EVENTS" > "$LOG"
fi
ls -l "$LOG"

measure() { # label, command...
  local label=$1; shift
  local t0 t1 rss
  t0=$(date +%s.%N)
  if [ -n "$TIME_BIN" ]; then
    "$TIME_BIN" -v "$@" > "$WORK/out.txt" 2> "$WORK/time.txt" || true
    rss=$(awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print int($2/1024)}' "$WORK/time.txt")
  else
    "$@" > "$WORK/out.txt" 2>/dev/null || true
    rss="?"
  fi
  t1=$(date +%s.%N)
  awk -v l="$label" -v a="$t0" -v b="$t1" -v n="$EVENTS" -v r="$rss" \
    'BEGIN { s = b - a; printf "%-28s %7.2f s  %9.0f events/s  peak %s MB\n", l, s, n / s, r }'
}

measure "audit (findings, json)" "$BK" audit --no-config --fail-on none -f json "$LOG"
grep -o '"findings": [0-9]*' "$WORK/out.txt" | head -1 || true
measure "audit summary" "$BK" audit summary "$LOG"
if [ ! -s "$LOG.gz" ]; then gzip -1 -k -c "$LOG" > "$LOG.gz"; fi
measure "audit (gzip input)" "$BK" audit --no-config --fail-on none -f json "$LOG.gz"
echo "goal: >= 500000 events/s, < 200 MB peak"
