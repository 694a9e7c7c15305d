# bulkhead's own image: one statically linked binary on distroless/static
# (no shell, no package manager), running as 65532 ("nonroot"). It runs the
# admission server (`bulkhead admission manifests --image ...`) and the
# fleet scan Jobs (`bulkhead scan manifests --image ...`).
#
#   docker build -t bulkhead .                # or: podman build / buildah bud
#   scripts/build-own-image.sh                # the same without a daemon, into an OCI layout
#
# Both bases are pinned by digest (a tag can move); the tag beside each digest
# says what it is. To move to a newer base, look its digest up with
#   skopeo inspect --format '{{.Digest}}' docker://IMAGE:TAG
# and change the line: the update is a reviewed commit.
FROM rust:1.95-bookworm@sha256:6258907abe69656e41cd992e0b705cdcfabcbbe3db374f92ed2d47121282d4a1 AS build
WORKDIR /src
COPY . .
# Static glibc: the TLS roots are compiled in, nothing is loaded at run time.
RUN host="$(rustc -vV | sed -n 's/^host: //p')" \
 && RUSTFLAGS="-C target-feature=+crt-static" \
    cargo build --release --locked -p bulkhead --target "$host" \
 && cp "target/$host/release/bulkhead" /bulkhead

FROM gcr.io/distroless/static-debian12:nonroot@sha256:d093aa3e30dbadd3efe1310db061a14da60299baff8450a17fe0ccc514a16639
COPY --from=build /bulkhead /usr/local/bin/bulkhead
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/bulkhead"]
CMD ["--help"]
