# rectify: two commands on a fresh machine.
#   make dev    builds bin/rectify and runs the local stack (Temporal + UI, fake
#               cloud, worker, starter)
#   make test   builds the three tools the tests run (bin/temporal, bin/opa,
#               bin/helm; first run only), then go vet, go test ./..., opa test,
#               a bounded fuzz run and the process-level chaos suite (which builds
#               its own binary in a temporary directory). It does not build bin/rectify: the tests
#               run the CLI in-process. See README "Tests" for the measured times.
# Tools are built from the Go module proxy into ./bin, once.

GO               ?= go
export GOTOOLCHAIN := local
TEMPORAL_VERSION := v1.5.1
OPA_VERSION      := v1.22.2
HELM_VERSION     := v3.22.0
CONFTEST_VERSION := v0.71.1
FUZZTIME         ?= 15s
BENCH_N          ?= 200

# The build stamp `rectify version` prints. A plain `go build` in a git
# checkout gets the commit and its time from Go's VCS stamp instead.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)

.PHONY: all build dev demo test unit opa-test fuzz bench vet clean deploy-check chaos

all: build

build: bin/rectify

bin/rectify: FORCE
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/rectify ./cmd/rectify

# The Temporal CLI dev server (with its Web UI). v1.5.1 is the newest that
# builds from the Go module proxy; the first build takes about 5-10 minutes.
bin/temporal:
	GOBIN=$(CURDIR)/bin $(GO) install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_VERSION)

# Stock OPA, to prove the policies need nothing rectify-specific.
bin/opa:
	GOBIN=$(CURDIR)/bin $(GO) install github.com/open-policy-agent/opa@$(OPA_VERSION)

# Helm, for the chart tests in deploy/ (helm lint, helm template). Built
# once; about 7 minutes on a busy 2-core machine.
bin/helm:
	GOBIN=$(CURDIR)/bin $(GO) install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)

# conftest, only for make bench: rectify check is timed against it.
bin/conftest:
	GOBIN=$(CURDIR)/bin $(GO) install github.com/open-policy-agent/conftest@$(CONFTEST_VERSION)

dev: bin/temporal bin/rectify
	./bin/rectify dev

demo: bin/temporal bin/rectify
	./bin/rectify dev --demo --exit-when-done

vet:
	$(GO) vet ./...

# go test ./...; a failed integration test of internal/devstack gets one
# rerun, reported as FLAKY (see .ci/gotest). bin/helm is for the chart tests
# of deploy/; bin/temporal for every integration test.
test: bin/temporal bin/opa bin/helm vet
	GO=$(GO) .ci/gotest
	./bin/opa test policies/
	$(MAKE) fuzz
	$(MAKE) chaos

# The process-level fault suite (internal/chaos): Temporal, the fake cloud,
# workers and the starter as separate processes, killed and starved while
# violations are made through the AWS SDK. About 4 minutes; each scenario
# prints its figures as "chaos TestChaos/...: ...".
chaos: bin/temporal
	$(GO) test -tags chaos -count=1 -timeout 20m -v ./internal/chaos/

# deploy/ on its own: the Terraform least-privilege and wiring tests, the Helm
# render-and-decode tests, compose, Dockerfile and dashboard checks, and
# terraform fmt when terraform is installed (providers are never needed).
deploy-check: bin/helm
	$(GO) test -count=1 ./deploy/
	@if command -v terraform >/dev/null 2>&1; then \
		terraform fmt -check -recursive -diff deploy/terraform && echo "terraform fmt: ok"; \
	else \
		echo "terraform not installed: skipping terraform fmt -check"; \
	fi

# Every parser fuzz target, bounded, so CI proves no input panics.
fuzz:
	for f in FuzzParse FuzzParseConfig FuzzParseSecurityHub FuzzParseSNS; do \
		$(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) ./internal/events/ || exit 1; \
	done

bench: bin/temporal bin/rectify bin/conftest
	$(GO) test -run='^$$' -bench='RemediationLoop|Storm|Exposure' -benchtime=1x -timeout 30m ./internal/devstack/ -args -n=$(BENCH_N)
	$(GO) test -run='^$$' -bench=. -benchmem ./policies/ ./internal/resource/plan/
	$(GO) test -run='^$$' -bench=Report -benchtime=3x ./internal/report/

clean:
	rm -rf bin/rectify .rectify

FORCE:
