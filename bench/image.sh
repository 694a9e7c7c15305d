#!/usr/bin/env bash
# Benchmark on the real test image (scripts/build-test-image.sh):
#   bulkhead image (packages + secrets) and bulkhead sbom (CycloneDX)
#   vs trivy image --format cyclonedx, trivy image --scanners secret,
#   vs a plain gunzip of every layer blob (the decompression floor).
# One run each after a warm-up, printed as ratios plus peak RSS.
# Goals (issue 4): <= 1.3x the gunzip time, >= 2.5x faster than Trivy,
# memory independent of layer size. Never fails on a missed goal.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK="$ROOT/bench/.work/image"
mkdir -p "$WORK"
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
bash scripts/build-test-image.sh >/dev/null
IMG="$ROOT/target/test-images"
TRIVY="$IMG/tools/trivy"
REF="oci:$IMG/layout:planted"

best() { # label, command... -> prints "label secs MB" (best of 3)
  local label=$1; shift
  local b="" m=0
  for _ in 1 2 3; do
    "$TIME_BIN" -f "%e %M" -o "$WORK/t" "$@" >/dev/null 2>"$WORK/err" || true
    read -r s kb < "$WORK/t"
    if [ -z "$b" ] || awk "BEGIN{exit !($s < $b)}"; then b=$s; m=$((kb / 1024)); fi
  done
  echo "$label $b $m"
}

gunzip_all() {
  python3 - "$IMG/layout" <<'PY'
import json, sys, zlib, os
root = sys.argv[1]
idx = json.load(open(os.path.join(root, "index.json")))
for m in idx["manifests"]:
    if m.get("annotations", {}).get("org.opencontainers.image.ref.name") != "planted":
        continue
    man = json.load(open(os.path.join(root, "blobs", *m["digest"].split(":"))))
    for l in man["layers"]:
        d = zlib.decompressobj(31)
        with open(os.path.join(root, "blobs", *l["digest"].split(":")), "rb") as f:
            while chunk := f.read(1 << 20):
                d.decompress(chunk)
PY
}
export -f gunzip_all 2>/dev/null || true

"$BK" image "$REF" --no-config -f json --fail-on none >/dev/null 2>&1 || true # warm cache
results=()
results+=("$(best gunzip bash -c "$(declare -f gunzip_all); IMG=$IMG gunzip_all")")
results+=("$(best bulkhead-image "$BK" image "$REF" --no-config -f json --fail-on none)")
results+=("$(best bulkhead-sbom "$BK" sbom "$REF")")
results+=("$(best bulkhead-docker-archive "$BK" sbom "docker-archive:$IMG/app.docker.tar")")
if [ -x "$TRIVY" ]; then
  # Cold runs: Trivy caches layer analyses, so its cache is emptied before each run.
  # Trivy reads the docker-archive (uncompressed layers) here; it does not read our oci-archive.
  C="$WORK/trivy-cache"
  results+=("$(best trivy-cyclonedx bash -c "rm -rf $C; TRIVY_CACHE_DIR=$C $TRIVY image --input $IMG/app.docker.tar --format cyclonedx --skip-db-update --skip-files '**/*.jar' --offline-scan --scanners license")")
  results+=("$(best trivy-secret bash -c "rm -rf $C; TRIVY_CACHE_DIR=$C $TRIVY image --input $IMG/app.docker.tar --scanners secret --skip-db-update --skip-files '**/*.jar' --offline-scan --format json")")
  # The issue's anchor: a CycloneDX SBOM from an OCI layout (gzip layers). Trivy
  # reads only the first image of a layout, so the image gets a layout of its own.
  if command -v skopeo >/dev/null 2>&1; then
    rm -rf "$WORK/single" && skopeo copy -q "oci:$IMG/layout:planted" "oci:$WORK/single:planted"
    results+=("$(best trivy-cyclonedx-oci bash -c "rm -rf $C; TRIVY_CACHE_DIR=$C $TRIVY image --input $WORK/single --format cyclonedx --skip-db-update --skip-files '**/*.jar' --offline-scan --scanners license")")
    results+=("$(best bulkhead-sbom-oci "$BK" sbom "oci:$WORK/single")")
  fi
fi
printf '%s\n' "${results[@]}" | python3 -c '
import sys
rows = [l.split() for l in sys.stdin if l.strip()]
t = {r[0]: (float(r[1]), int(r[2])) for r in rows}
for name, (s, mb) in t.items():
    print(f"{name:18s} {s:6.2f} s  {mb:5d} MB")
g, b, sb = t["gunzip"][0], t["bulkhead-image"][0], t["bulkhead-sbom"][0]
print(f"bulkhead image / gunzip      = {b / g:.2f}x  (goal <= 1.3x)")
if "trivy-cyclonedx" in t:
    tc, ts = t["trivy-cyclonedx"][0], t["trivy-secret"][0]
    bd = t["bulkhead-docker-archive"][0]
    print(f"same docker-archive: trivy cyclonedx / bulkhead sbom = {tc / bd:.2f}x (goal >= 2.5x)")
    print(f"same docker-archive: trivy secret / bulkhead sbom    = {ts / bd:.2f}x")
if "trivy-cyclonedx-oci" in t:
    to, bo = t["trivy-cyclonedx-oci"][0], t["bulkhead-sbom-oci"][0]
    print(f"same OCI layout:     trivy cyclonedx / bulkhead sbom = {to / bo:.2f}x (goal >= 2.5x; "
          f"floor: Trivy / gunzip = {to / g:.2f}x)")
'
