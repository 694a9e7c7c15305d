#!/usr/bin/env bash
# Prints the path of an nginx binary for loopback HTTP tests (`db update
# --mirror`): the one on PATH, else Debian's nginx package unpacked (not
# installed: no service is started) into target/test-tools/nginx/.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v nginx >/dev/null 2>&1; then command -v nginx; exit 0; fi
OUT=$(pwd)/target/test-tools/nginx
mkdir -p "$(dirname "$OUT")"
exec 9>"$OUT.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if [ ! -x "$OUT/usr/sbin/nginx" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && { apt-get download nginx >/dev/null 2>&1 \
     || { apt-get update -qq >/dev/null 2>&1 && apt-get download nginx >/dev/null 2>&1; }; }) \
    || { echo "apt-get download nginx failed" >&2; exit 1; }
  rm -rf "$OUT" && mkdir -p "$OUT"
  dpkg-deb -x "$tmp"/nginx_*.deb "$OUT"
  rm -rf "$tmp"
fi
echo "$OUT/usr/sbin/nginx"
