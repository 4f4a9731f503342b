# Container image of `oots-adapter` (docs/deployment.md, "Container image").
#
#   docker build -t oots-adapter:dev .
#   docker run --rm -p 8090:8090 -v /path/to/deployment:/etc/oots:ro oots-adapter:dev
#
# Build stage: the Rust toolchain on Debian bookworm. Nothing beyond the slim image is
# needed: the C parts (aws-lc-sys, ring, the bundled SQLite, psm) are built by the `cc`
# crate with the image's gcc; aws-lc-sys uses its pregenerated bindings, so neither
# cmake, clang/libclang, perl, Go nor NASM is required on x86_64 or aarch64 Linux.
FROM rust:1.95-slim-bookworm AS builder
WORKDIR /src

# 1. Dependencies only, from the manifests and Cargo.lock, with empty stand-ins for the
#    workspace's own targets (deploy/docker/stub-workspace.sh writes one for every target
#    the manifests declare): this layer is rebuilt only when a manifest or the lock file
#    changes, not on every source edit. The stand-ins and what was compiled from them
#    (the workspace crates are all named oots-*) are removed at the end, so the real
#    sources below are always compiled. A new workspace member needs its Cargo.toml
#    copied here too.
COPY Cargo.toml Cargo.lock ./
COPY framework/Cargo.toml framework/
COPY framework/crates/edm/Cargo.toml framework/crates/edm/
COPY framework/crates/matching/Cargo.toml framework/crates/matching/
COPY connectors/core/Cargo.toml connectors/core/
COPY connectors/sql/Cargo.toml connectors/sql/
COPY connectors/rest/Cargo.toml connectors/rest/
COPY connectors/filedrop/Cargo.toml connectors/filedrop/
COPY connectors/mssql/Cargo.toml connectors/mssql/
COPY tests/Cargo.toml tests/
COPY deploy/docker/stub-workspace.sh /usr/local/bin/stub-workspace
RUN set -eu; \
    sh /usr/local/bin/stub-workspace > /tmp/stubs; \
    cargo build --release --locked --bin oots-adapter; \
    xargs rm -f < /tmp/stubs; \
    rm -rf /tmp/stubs target/release/.fingerprint/oots-* target/release/deps/oots_* \
        target/release/deps/liboots_* target/release/oots-adapter*

# 2. The workspace itself. The preview templates, stylesheet and translations in
#    preview-ui/ are compiled into the binary (include_str!), so the runtime image needs
#    no copy of them; `preview.ui_dir` can still point at an override folder.
COPY framework framework
COPY connectors connectors
COPY tests tests
COPY preview-ui preview-ui
RUN cargo build --release --locked --bin oots-adapter \
 && install -D -m 0755 target/release/oots-adapter /out/usr/local/bin/oots-adapter \
 && mkdir -p /out/var/lib/oots

# Runtime: glibc, libgcc, CA certificates and tzdata, no shell, user 65532 (nonroot).
FROM gcr.io/distroless/cc-debian12:nonroot
LABEL org.opencontainers.image.title="oots-adapter" \
      org.opencontainers.image.description="OOTS evidence-provider adapter (sidecar behind the authority's access point)" \
      org.opencontainers.image.licenses="EUPL-1.2"
COPY --from=builder /out/usr/local/bin/oots-adapter /usr/local/bin/oots-adapter
# A writable folder for `state_dir: /var/lib/oots` (mount a volume over it: the SQLite
# store lives there; with the PostgreSQL store only local scratch does). adapter.yaml
# and the mapping files are mounted under /etc/oots.
COPY --from=builder --chown=65532:65532 /out/var/lib/oots /var/lib/oots
USER 65532:65532
EXPOSE 8090
# No HEALTHCHECK: the distroless image has no shell or curl to run one. Orchestrators
# probe GET /healthz (liveness) and GET /readyz (readiness) on http.listen instead
# (deploy/kubernetes/deployment.yaml).
ENTRYPOINT ["/usr/local/bin/oots-adapter"]
CMD ["serve", "--config", "/etc/oots/adapter.yaml"]
