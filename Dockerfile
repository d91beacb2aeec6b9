# syntax=docker/dockerfile:1
#
# meetboard dashboard: one static Go binary (pages, CSS, JS and migrations are
# embedded with go:embed) on a distroless base with no shell.
#
#   docker build -t meetboard .
#
# docker-compose.yml runs it behind nginx with PostgreSQL. The image has no
# HEALTHCHECK: distroless has no shell or curl, and the binary has no
# health-check subcommand. The compose file's proxy checks /readyz through
# nginx instead.

# The Go toolchain must be at least go.mod's `go` line (1.26.8). The 1.26 tag
# follows the newest 1.26.x release.
ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
# Modules first, in their own layer: source edits don't download them again.
COPY go.mod go.sum ./
RUN go mod download && go mod verify
COPY . .
# Static (no cgo: SQLite is the pure-Go driver), no local paths, no symbols.
# The build cache mount makes rebuilds incremental (BuildKit).
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOFLAGS=-buildvcs=false \
    go build -trimpath -ldflags="-s -w" -o /dashboard ./cmd/dashboard \
 && mkdir -p /data

FROM gcr.io/distroless/static-debian12:nonroot
# /data, owned by the nonroot user (65532), is the working directory, so the
# SQLite default (./dashboard.db) is writable when no DATABASE_URL is given:
#   docker run -v meetboard-data:/data -e DASHBOARD_ADMIN_USER=... ... meetboard
# Under compose the dashboard uses PostgreSQL and writes nothing here.
COPY --from=build --chown=65532:65532 /data /data
COPY --from=build /dashboard /dashboard
WORKDIR /data
USER nonroot:nonroot
# Listen on every interface: in a container, loopback is unreachable. The
# dashboard still refuses to start there without an operator account or an
# API token (DASHBOARD_ADMIN_USER/DASHBOARD_ADMIN_PASSWORD, DASHBOARD_API_TOKEN).
ENV DASHBOARD_ADDR=0.0.0.0:8080
EXPOSE 8080
# docker stop sends SIGTERM: the dashboard drains in-flight webhooks (up to
# 10 s) and closes live sockets with 1012. Give it more than that before
# SIGKILL (compose: stop_grace_period 20s; docker stop -t 20).
ENTRYPOINT ["/dashboard"]
