# syntax=docker/dockerfile:1

# Build stage: the patched toolchain that go.mod asks for (toolchain go1.26.10).
FROM golang:1.26.10-bookworm AS build
# Build with the toolchain in this image; never download another one.
ENV GOTOOLCHAIN=local
WORKDIR /src

# Modules get their own layer, reused until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download

COPY . .

# Declared after the download so a new version does not refetch the modules.
ARG VERSION=dev
# CGO off: a static binary is required by distroless/static (no libc).
# -trimpath and -s -w keep local paths and debug tables out of the image.
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/portal ./cmd/portal

# Empty data directory, copied below with nonroot ownership: the runtime image
# has no shell to mkdir/chown, and a new named volume mounted there takes over
# this ownership.
RUN mkdir -p /out/data

# Runtime stage: no shell, no package manager, runs as uid 65532.
FROM gcr.io/distroless/static-debian12:nonroot

ARG VERSION=dev
LABEL org.opencontainers.image.title="portal" \
      org.opencontainers.image.description="UNODC Member State submissions portal" \
      org.opencontainers.image.version="${VERSION}"

COPY --from=build /out/portal /portal
COPY --from=build --chown=nonroot:nonroot /out/data /var/lib/portal

USER nonroot:nonroot

# The binary defaults to 127.0.0.1, which is unreachable from outside a
# container. The image has no initdb/postgres, so PORTAL_DATABASE_URL (or
# PORTAL_DATABASE_URL_FILE) must always be set.
ENV PORTAL_ADDR=0.0.0.0:8080 \
    PORTAL_DATA_DIR=/var/lib/portal
EXPOSE 8080

# No curl or wget in the image: the binary GETs /healthz on PORTAL_ADDR itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/portal", "healthcheck"]

ENTRYPOINT ["/portal"]
CMD ["serve"]
