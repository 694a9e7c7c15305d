#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for FUZZ_SECONDS (default 60) each,
# seeded from the test fixtures, at a 2 GB RSS limit; prints per target the
# executions, coverage and whether it crashed. Any crash, timeout or OOM makes
# the exit code 1 (the reproducer is in fuzz/artifacts/<target>/).
#   scripts/fuzz.sh                 # all targets, 60 s each
#   FUZZ_SECONDS=3600 scripts/fuzz.sh yaml dockerfile
#   FUZZ_RUNS=20000 scripts/fuzz.sh  # a fixed number of runs from seed 1 (what
#                                    # .ci/run does: the same inputs on every
#                                    # machine, so CI is not a lottery)
# Needs the nightly toolchain; installs cargo-fuzz from crates.io when missing.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECS=${FUZZ_SECONDS:-60}
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "*** SKIPPED: fuzzing needs the nightly toolchain (rustup toolchain install nightly) ***"
  [ -n "${BULKHEAD_REQUIRE_FUZZ:-}" ] && exit 1
  exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install -q --locked cargo-fuzz || { echo "*** cargo-fuzz could not be installed ***"; exit 1; }
fi
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  mapfile -t TARGETS < <(cd fuzz && cargo +nightly fuzz list)
fi
seed() { # target dir
  local t=$1 d=$2
  mkdir -p "$d"
  local src=()
  case $t in
    yaml|k8s|netpol|rbac) src=(crates/bulkhead-kube/fixtures crates/bulkhead-rbac/fixtures crates/bulkhead-netpol/fixtures examples) ;;
    dockerfile) src=(crates/bulkhead-dockerfile/fixtures) ;;
    runtime) src=(crates/bulkhead-runtime/fixtures) ;;
    audit) src=(crates/bulkhead-audit/fixtures) ;;
    admission_review) src=(crates/bulkhead-admission/fixtures) ;;
    scan_merge) src=(crates/bulkhead-scan/fixtures) ;;
    sbom|catalogers|vuln_import) src=(crates/bulkhead-image/fixtures crates/bulkhead-vuln/tests) ;;
  esac
  for s in "${src[@]}"; do
    [ -d "$s" ] && find "$s" -type f -size -64k -exec cp -t "$d" {} + 2>/dev/null
  done
  true
}
status=0
printf '%-18s %12s %8s %s\n' target execs cov result
for t in "${TARGETS[@]}"; do
  corpus="fuzz/corpus/$t"
  seed "$t" "$corpus"
  log="fuzz/logs/$t.log"
  mkdir -p fuzz/logs
  if [ -n "${FUZZ_RUNS:-}" ]; then
    budget=(-runs="$FUZZ_RUNS" -seed=1 -max_total_time=120)
  else
    budget=(-max_total_time="$SECS")
  fi
  (cd fuzz && cargo +nightly fuzz run -s none "$t" "corpus/$t" -- \
      "${budget[@]}" -rss_limit_mb=2048 -timeout=20 -max_len=262144 -print_final_stats=1) > "$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  if [ $rc -eq 0 ]; then res=ok; else res="FAILED (rc $rc, see $log)"; status=1; fi
  printf '%-18s %12s %8s %s\n' "$t" "${execs:-?}" "${cov:-?}" "$res"
done
exit $status
