# syntax=docker/dockerfile:1
# rectify: one static binary in a distroless, non-root image.
#   docker build --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg COMMIT=$(git rev-parse HEAD) --build-arg DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ) -t rectify .
#   docker run rectify            # rectify worker
#   docker run rectify starter    # the SQS consumer and Slack endpoint
# Not built in rectify's CI (no Docker engine there); see deploy/README.md.

# Must be at least the go line of go.mod (GOTOOLCHAIN=local: no download).
ARG GO_VERSION=1.26

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
# For `rectify version`: the build context has no .git, so no VCS stamp.
ARG COMMIT=
ARG DATE=
ENV GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.date=${DATE}" -o /out/rectify ./cmd/rectify

# static: CA certificates and tzdata, no shell, no package manager.
FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/rectify /rectify
# nonroot (65532), numeric so Kubernetes' runAsNonRoot can verify it.
USER 65532:65532
# starter: /healthz, /readyz, /metrics, /slack/interactions; worker: /metrics.
EXPOSE 8080 9090
ENTRYPOINT ["/rectify"]
CMD ["worker"]
