#!/usr/bin/env bash
# Builds examples/image/layout, the OCI image layout of the shop's API that
# examples/images.yaml maps the manifests' image to, from files in the
# repository: examples/api/server.py and examples/image/rootfs. No daemon, no
# network, no root: umoci only.
#
#   layer 1  the app (/app/server.py), its settings file with a database
#            password, a Python package's metadata, an SSH private key
#   layer 2  deletes the SSH key again: it is still in layer 1
#   config   an API token in Env, no USER (runs as root), port 8080
#
# The problems are deliberate (see examples/README.md). The result is
# byte-for-byte reproducible: fixed timestamps, numeric root ownership, no
# host-dependent history, so the layout committed in the repository is
# what this script writes (examples_scan.rs checks it when umoci is present).
#
# Usage: examples/build-image.sh [OUT]   (default: examples/image/layout)
set -euo pipefail
cd "$(dirname "$0")"
command -v umoci >/dev/null 2>&1 || { echo "build-image.sh: umoci is needed (apt-get install umoci)" >&2; exit 2; }
OUT=${1:-image/layout}
EPOCH=2026-01-01T00:00:00Z
TAG=api
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A copy with fixed modes and times: a checkout's own mtimes and umask must
# not reach the layer.
cp -R image/rootfs "$work/rootfs"
cp api/server.py "$work/rootfs/app/server.py"
find "$work/rootfs" -type d -exec chmod 0755 {} +
find "$work/rootfs" -type f -exec chmod 0644 {} +
chmod 0700 "$work/rootfs/root" "$work/rootfs/root/.ssh"
chmod 0600 "$work/rootfs/root/.ssh/id_ed25519"
find "$work/rootfs" -exec touch -h -d "$EPOCH" {} +
L="$work/layout"
umoci init --layout "$L"
umoci new --image "$L:$TAG"
umoci insert --rootless --image "$L:$TAG" \
  --history.created "$EPOCH" --history.created_by "COPY rootfs/ /" "$work/rootfs" /
umoci insert --rootless --image "$L:$TAG" --whiteout \
  --history.created "$EPOCH" --history.created_by "RUN rm /root/.ssh/id_ed25519" /root/.ssh/id_ed25519
umoci config --image "$L:$TAG" --created "$EPOCH" --author "bulkhead examples" \
  --history.created "$EPOCH" --history.created_by "CMD python3 /app/server.py" \
  --config.env "APP_VERSION=1.4.2" --config.env "SHOP_API_TOKEN=3f9c2e7a81d04b6f95e0c4a7d2b81f63" \
  --config.workingdir /app --config.exposedports 8080/tcp \
  --config.cmd python3 --config.cmd /app/server.py
umoci gc --layout "$L"
rm -rf "$OUT"
mkdir -p "$(dirname "$OUT")"
cp -R "$L" "$OUT"
echo "examples image: oci:$OUT:$TAG ($(du -sk "$OUT" | cut -f1) KiB)"
