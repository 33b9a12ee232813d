# Spoor's container images. Two targets share one build of the binary:
#
#   docker build -t spoor-collector .                  # default: the collector, with libchdb
#   docker build --target sensor -t spoor-sensor .     # the sensor, without the engine
#
# The base images are build arguments so that a build can pin them by digest
# (deploy/README.md says how) or substitute local images (deploy/image-test.sh
# does, to build without a registry). With buildah or podman, build with
# --format docker: the OCI image format has no HEALTHCHECK.
ARG GO_IMAGE=golang:1.26.8-bookworm
ARG DEBIAN_IMAGE=debian:bookworm-slim

# --- build: the spoor binary (cgo: libpcap compiles capture filters) ---------
FROM ${GO_IMAGE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev libpcap-dev \
 && rm -rf /var/lib/apt/lists/*
# GOTOOLCHAIN=local: build with the image's Go, never download another one.
# The module and build caches are cache mounts (BuildKit, buildah), kept
# between builds but out of the layers: a rebuild compiles only what changed.
ENV PATH=/usr/local/go/bin:$PATH CGO_ENABLED=1 GOTOOLCHAIN=local GOFLAGS=-mod=readonly \
    GOMODCACHE=/go/pkg/mod GOCACHE=/root/.cache/go-build
# A module proxy other than the default one, if the build host needs it.
ARG GOPROXY
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -buildvcs=false -ldflags "-s -w -X main.version=${VERSION}" -o /out/spoor ./cmd/spoor \
 && /out/spoor version

# --- chdb: the embedded ClickHouse engine, fetched as scripts/chdb.sh does --
FROM ${DEBIAN_IMAGE} AS chdb
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates npm \
 && rm -rf /var/lib/apt/lists/*
# Keep CHDB_VERSION equal to store/chdb.Version (deploy/image-test.sh checks).
# CHDB_SHA512 is libchdb.so's own digest: npm checks the package against the
# registry's record, this checks the registry's record against ours.
ARG CHDB_VERSION=26.5.3
ARG CHDB_SHA512=8beee42fa445c752373f7d8224effc54ee1acba5c639340d72564abfa90ab971fa7aadbeb6793766319d4c00c981f638f56373210de78bef5ba38f387a89c2f4
WORKDIR /src
COPY scripts/chdb.sh scripts/
RUN lib="$(CHDB_NPM_VERSION="$CHDB_VERSION" bash scripts/chdb.sh)" \
 && echo "$CHDB_SHA512  $lib" | sha512sum --check --strict - \
 && install -D -m 0644 "$lib" /out/libchdb.so \
 && rm -rf /src/.cache /root/.npm

# --- runtime: what both images share ---------------------------------------
FROM ${DEBIAN_IMAGE} AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates libpcap0.8 tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 spoor \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/spoor --no-create-home \
      --shell /usr/sbin/nologin spoor \
 && install -d -o spoor -g spoor -m 0750 /var/lib/spoor /var/log/spoor \
 && install -d -m 0755 /etc/spoor
ARG VERSION=dev
LABEL org.opencontainers.image.title="Spoor" \
      org.opencontainers.image.description="Malicious traffic detection for MSSPs" \
      org.opencontainers.image.source="https://github.com/spoorsec/spoor" \
      org.opencontainers.image.version="${VERSION}"
WORKDIR /var/lib/spoor

# --- sensor: live capture, spool, Maltrail-format logs; no engine ------------
FROM runtime AS sensor
COPY --from=build /out/spoor /usr/local/bin/spoor
COPY deploy/container/sensor.yaml /etc/spoor/sensor.yaml
# The entrypoint is a copy of spoor with file capabilities, so that the
# non-root user can open AF_PACKET sockets (CAP_NET_RAW) and set promiscuous
# mode (CAP_NET_ADMIN). The kernel grants them only within the container's
# bounding set: run with --cap-add NET_RAW --cap-add NET_ADMIN (without them
# exec fails with "operation not permitted"); no-new-privileges disables
# them (deploy/README.md has the alternatives). /usr/local/bin/spoor, without
# capabilities, serves everything else (trails update, version, -r files).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libcap2-bin \
 && install -D -m 0755 /usr/local/bin/spoor /usr/local/libexec/spoor/spoor \
 && setcap cap_net_raw,cap_net_admin=ep /usr/local/libexec/spoor/spoor \
 && DEBIAN_FRONTEND=noninteractive apt-get purge -y --auto-remove libcap2-bin \
 && rm -rf /var/lib/apt/lists/*
# A non-root sensor spools under $XDG_STATE_HOME/spoor/spool, one directory
# per collector and token: here /var/lib/spoor/spool/, on the volume.
ENV XDG_STATE_HOME=/var/lib
USER 10001:10001
VOLUME ["/var/lib/spoor", "/var/log/spoor"]
ENTRYPOINT ["/usr/local/libexec/spoor/spoor", "sensor", "--config", "/etc/spoor/sensor.yaml"]

# --- collector (default target): ingest, store, API --------------------------
FROM runtime AS collector
# curl only for the health check: /healthz is HTTPS with a self-signed
# certificate by default, hence -k.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
# The engine first: it changes far less often than the binary. spoor finds
# it at ../lib/libchdb.so from its own directory; the variable says so too.
COPY --from=chdb /out/libchdb.so /usr/local/lib/libchdb.so
ENV CHDB_LIB_PATH=/usr/local/lib/libchdb.so \
    SPOOR_HEALTHCHECK_URL=https://127.0.0.1:8443/healthz
COPY --from=build /out/spoor /usr/local/bin/spoor
COPY deploy/container/collector.yaml /etc/spoor/spoor.yaml
USER 10001:10001
VOLUME ["/var/lib/spoor"]
EXPOSE 8443/tcp 8443/udp
# Start-up applies migrations before listening; give it time.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD curl --fail --silent --show-error --insecure --max-time 4 --output /dev/null "$SPOOR_HEALTHCHECK_URL" || exit 1
# A later --config on the command line replaces this one.
ENTRYPOINT ["spoor", "collector", "--config", "/etc/spoor/spoor.yaml"]
