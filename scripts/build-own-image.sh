#!/usr/bin/env bash
# Builds bulkhead's own container image without a daemon, into an OCI layout:
# what the Dockerfile at the repository root describes, done with the host's
# tools (cargo, umoci; skopeo for --base).
#
#   1. cargo build --release -p bulkhead, statically linked (glibc with
#      -C target-feature=+crt-static; TLS roots are compiled in), checked
#      with ldd: no dynamic loader, no shared library.
#   2. umoci: a new layout, one layer with the binary at
#      /usr/local/bin/bulkhead, and the config: USER 65532:65532, ENTRYPOINT
#      ["/usr/local/bin/bulkhead"], CMD ["--help"], timestamps from the last
#      commit (SOURCE_DATE_EPOCH) so a rebuild of one commit is the same image.
#      Base: by default an empty image plus the three things distroless/static
#      gives a static binary (/etc/passwd and /etc/group naming 65532
#      "nonroot", /tmp with the sticky bit); with --base, the Dockerfile's own
#      pinned distroless base, copied with skopeo (needs its registry).
#
# Usage: scripts/build-own-image.sh [--base] [OUT]
#        (default OUT: target/own-image/layout, tags "latest" and the version)
# Then:  bulkhead image oci:target/own-image/layout:latest
#        skopeo copy oci:target/own-image/layout:latest docker://HOST/bulkhead:TAG
set -euo pipefail
cd "$(dirname "$0")/.."
use_base=0
if [ "${1:-}" = "--base" ]; then use_base=1; shift; fi
OUT=${1:-target/own-image/layout}
for t in cargo umoci; do
  command -v "$t" >/dev/null 2>&1 || { echo "build-own-image.sh: $t is needed" >&2; exit 2; }
done
host=$(rustc -vV | sed -n 's/^host: //p')
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)

echo "== static binary ($host)"
var="CARGO_TARGET_$(echo "$host" | tr 'a-z-' 'A-Z_')_RUSTFLAGS"
env "$var=-C target-feature=+crt-static" \
  cargo build --release --locked -p bulkhead --target "$host"
bin="target/$host/release/bulkhead"
linkage=$(ldd "$bin" 2>&1 || true)
case "$linkage" in
  *"statically linked"*|*"not a dynamic executable"*) ;;
  *) echo "build-own-image.sh: $bin is dynamically linked:" >&2; echo "$linkage" >&2; exit 1 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
L="$work/layout"
umoci init --layout "$L"
if [ "$use_base" = 1 ]; then
  command -v skopeo >/dev/null 2>&1 || { echo "build-own-image.sh: --base needs skopeo" >&2; exit 2; }
  base=$(sed -n 's/^FROM \([^ ]*distroless[^ ]*\).*/\1/p' Dockerfile | tail -1)
  echo "== base $base"
  skopeo copy --quiet "docker://$base" "oci:$L:latest"
else
  echo "== base: empty image + passwd, group, /tmp"
  umoci new --image "$L:latest"
  mkdir -p "$work/base/etc" "$work/base/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$work/base/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' > "$work/base/etc/group"
  chmod 0644 "$work/base/etc/passwd" "$work/base/etc/group"
  chmod 1777 "$work/base/tmp"
  find "$work/base" -exec touch -h -d "@$epoch" {} +
  umoci insert --image "$L:latest" --history.created "$created" \
    --history.created_by "passwd, group and /tmp (what distroless/static provides)" "$work/base" /
fi
echo "== binary layer and config"
mkdir -p "$work/app/usr/local/bin"
install -m 0755 "$bin" "$work/app/usr/local/bin/bulkhead"
# Symbols are for debugging the build, not for the image (deterministic).
if command -v strip >/dev/null 2>&1; then strip --strip-unneeded "$work/app/usr/local/bin/bulkhead"; fi
find "$work/app" -exec touch -h -d "@$epoch" {} +
umoci insert --image "$L:latest" --history.created "$created" \
  --history.created_by "COPY --from=build /bulkhead /usr/local/bin/bulkhead" "$work/app" /
umoci config --image "$L:latest" --created "$created" --author "bulkhead" \
  --history.created "$created" --history.created_by "USER 65532:65532; ENTRYPOINT; CMD" \
  --config.user 65532:65532 --config.entrypoint /usr/local/bin/bulkhead --config.cmd --help \
  --config.workingdir / \
  --config.label "org.opencontainers.image.title=bulkhead" \
  --config.label "org.opencontainers.image.version=$version"
umoci tag --image "$L:latest" "$version"
umoci gc --layout "$L"
rm -rf "$OUT"
mkdir -p "$(dirname "$OUT")"
cp -R "$L" "$OUT"
echo "bulkhead image: oci:$OUT:latest (also :$version), $(du -sh "$OUT" | cut -f1)"
