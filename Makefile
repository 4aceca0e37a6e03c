# teapot: one entry point for running, testing and measuring.
# Two modules: the root (the binary and its unit tests) and e2e/ (the
# binary end to end, the browser and OpenAPI tests, with their own
# dependencies); test and lint cover both. The browser test needs Chromium
# and axe-core (make browser-deps); without them it skips with a message,
# unless TEAPOT_REQUIRE_BROWSER=1 (as in CI).

GO ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: help run build test test-short lint bench fuzz browser-deps exam-clients export clean geodata image image-smoke release release-check

run: ## start the server on :8080
	$(GO) run ./cmd/teapot

build: ## ./teapot, with VCS information
	$(GO) build -buildvcs=auto -o teapot ./cmd/teapot

# go test -json through tools/testreport: the output of plain go test,
# then every skipped test with its reason (GOTESTFLAGS=-v prints every
# line, as go test -v does). bash's pipefail keeps go test's exit status.
REPORT = $(GO) run github.com/teapothq/teapot/tools/testreport $(filter -v,$(GOTESTFLAGS))
test: SHELL := /bin/bash
test: .SHELLFLAGS := -o pipefail -c
# TestExportManifest renders and compresses the whole site twice with
# brotli's best level: four minutes under -race on 2 cores, 20 s without.
# It runs without -race; the export's concurrency is raced by its tests in
# internal/site.
test: ## go vet, every test with -race in both modules, then the skipped ones
	$(GO) vet ./...
	cd e2e && $(GO) vet ./...
	$(GO) test -race -count=1 -json $(GOTESTFLAGS) -skip '^TestExportManifest$$' ./... | $(REPORT)
	$(GO) test -count=1 -json $(GOTESTFLAGS) -run '^TestExportManifest$$' ./cmd/teapot | $(REPORT)
	cd e2e && $(GO) test -race -count=1 -json $(GOTESTFLAGS) ./... | $(REPORT)

test-short: ## the quick tests
	$(GO) test -short ./...
	cd e2e && $(GO) test -short ./...

lint: ## gofmt, go vet, staticcheck
	@test -z "$$(gofmt -l .)" || (gofmt -l . && echo "gofmt: the files above need formatting" && exit 1)
	$(GO) vet ./...
	cd e2e && $(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	cd e2e && $(GO) run $(STATICCHECK) ./...

bench: ## Go benchmarks, then bench/ratio
	$(GO) test -run '^$$' -bench . -benchmem ./internal/app ./internal/urlcheck ./internal/geo
	$(GO) run ./bench/ratio -path all -peers -footprint $(BENCH_FLAGS)

FUZZTIME ?= 30s
fuzz: ## each fuzz target for FUZZTIME
	$(GO) test ./internal/catalog -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)
	$(GO) test ./internal/respond -run '^$$' -fuzz FuzzNegotiate -fuzztime $(FUZZTIME)
	$(GO) test ./internal/site -run '^$$' -fuzz FuzzRequest -fuzztime $(FUZZTIME)
	$(GO) test ./internal/live -run '^$$' -fuzz FuzzOptions -fuzztime $(FUZZTIME)
	$(GO) test ./internal/urlcheck -run '^$$' -fuzz FuzzParseRequest -fuzztime $(FUZZTIME)
	$(GO) test ./internal/urlcheck -run '^$$' -fuzz FuzzParseHost -fuzztime $(FUZZTIME)
	$(GO) test ./internal/clientip -run '^$$' -fuzz FuzzAddr -fuzztime $(FUZZTIME)
	$(GO) test ./internal/clientip -run '^$$' -fuzz FuzzParseNode -fuzztime $(FUZZTIME)
	$(GO) test ./internal/ipinfo -run '^$$' -fuzz FuzzParseAddr -fuzztime $(FUZZTIME)
	$(GO) test ./internal/ipinfo -run '^$$' -fuzz FuzzAppendJSON -fuzztime $(FUZZTIME)

# Chromium from Debian, axe-core from npm, for the browser test.
browser-deps: ## chromium and axe-core, for the browser test
	command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)
	npm ci --prefix tools/browser --no-audit --no-fund

# The client table that /exam/clients serves: curl, Go's net/http and
# go-retryablehttp, Python's requests and httpx (Debian's, at
# /usr/bin/python3: apt-get install python3-requests python3-httpx) and
# Node's fetch taken through the client exam; written only when each
# earns the verdicts its documentation predicts (e2e/exam_clients_test.go).
exam-clients: ## rerun the real clients through the exam, rewrite internal/exam/clients.json
	cd e2e && TEAPOT_REQUIRE_CLIENTS=1 $(GO) test -count=1 -run '^TestExamClients$$' . -update-exam-clients

export: ## the site as static files in dist/
	$(GO) run ./cmd/teapot export dist

# Free location and network databases for /ip into ./data, with npm;
# prints the --geo-city and --geo-asn flags to use.
geodata: ## free .mmdb databases for /ip into ./data
	./scripts/geodata

# The container image: a static binary built here, then FROM scratch
# (Containerfile) with CA certificates, time/tzdata compiled in, user
# 65532, /data as the volume. build/image/ is the build context; nothing
# is pulled. IMAGE_TOOL=docker works the same (podman needs
# --format docker to keep the HEALTHCHECK: OCI image configs have none).
# The image it replaces is removed, so that rebuilds do not pile up.
IMAGE ?= localhost/teapot:dev
IMAGE_TOOL ?= podman
CA_BUNDLE ?= /etc/ssl/certs/ca-certificates.crt
image: ## the container image (IMAGE=localhost/teapot:dev), with podman
	rm -rf build/image
	mkdir -p build/image/data build/image/rootfs/tmp build/image/rootfs/etc/ssl/certs
	chmod 0755 build/image/data build/image/rootfs/etc build/image/rootfs/etc/ssl build/image/rootfs/etc/ssl/certs
	chmod 1777 build/image/rootfs/tmp
	install -m 0644 $(CA_BUNDLE) build/image/rootfs/etc/ssl/certs/ca-certificates.crt
	CGO_ENABLED=0 $(GO) build -trimpath -buildvcs=auto -tags timetzdata -ldflags='-s -w' -o build/image/teapot ./cmd/teapot
	old=$$($(IMAGE_TOOL) image inspect --format '{{.Id}}' $(IMAGE) 2>/dev/null); \
	$(IMAGE_TOOL) build $(if $(filter podman,$(notdir $(IMAGE_TOOL))),--format docker --layers=false) -f Containerfile -t $(IMAGE) build/image && \
	if [ -n "$$old" ] && [ "$$old" != "$$($(IMAGE_TOOL) image inspect --format '{{.Id}}' $(IMAGE))" ]; then $(IMAGE_TOOL) rmi "$$old" >/dev/null 2>&1 || true; fi

# Builds the image, runs it (or, where containers may not start, its
# exported root filesystem under chroot as user 65532) and checks health,
# /409, a lab write that survives a restart; prints size, start-up, RSS.
image-smoke: ## make image, then smoke-test it
	IMAGE=$(IMAGE) ./scripts/image-smoke

# Archives for linux, darwin and windows on amd64 and arm64, with
# SHA256SUMS, into dist/release: the same commit gives the same bytes
# (tools/release; VERSION and SOURCE_DATE_EPOCH default to git's).
release: ## cross-built archives and SHA256SUMS in dist/release
	rm -rf dist/release
	$(GO) run ./tools/release -out dist/release $(if $(VERSION),-version $(VERSION)) $(if $(RELEASE_TARGETS),-targets $(RELEASE_TARGETS))

# Two builds from one snapshot of the tree, the second at another path
# with an empty build cache, must give identical SHA256SUMS
# (RELEASE_CHECK_TARGETS: all six take minutes on two cores).
RELEASE_CHECK_TARGETS ?= linux/amd64
release-check: ## build a release twice and compare the bytes
	./scripts/release-check $(RELEASE_CHECK_TARGETS)

clean: ## remove what builds left
	rm -rf teapot dist build

# Every target with its "##" comment.
help: ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /\1\t/' | expand -t 16
