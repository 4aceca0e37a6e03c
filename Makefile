# teapot: one entry point for running, testing and measuring.
# Two modules: the root (the binary and its unit tests) and e2e/ (the
# binary end to end, the browser and OpenAPI tests, with their own
# dependencies); test and lint cover both. The browser test needs Chromium
# and axe-core (make browser-deps); without them it skips with a message,
# unless TEAPOT_REQUIRE_BROWSER=1 (as in CI).

GO ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: run build test test-short lint bench fuzz browser-deps export clean geodata

run:
	$(GO) run ./cmd/teapot

build:
	$(GO) build -buildvcs=auto -o teapot ./cmd/teapot

# go test -json through tools/testreport: the output of plain go test,
# then every skipped test with its reason (GOTESTFLAGS=-v prints every
# line, as go test -v does). bash's pipefail keeps go test's exit status.
REPORT = $(GO) run github.com/teapothq/teapot/tools/testreport $(filter -v,$(GOTESTFLAGS))
test: SHELL := /bin/bash
test: .SHELLFLAGS := -o pipefail -c
test:
	$(GO) vet ./...
	cd e2e && $(GO) vet ./...
	$(GO) test -race -count=1 -json $(GOTESTFLAGS) ./... | $(REPORT)
	cd e2e && $(GO) test -race -count=1 -json $(GOTESTFLAGS) ./... | $(REPORT)

test-short:
	$(GO) test -short ./...
	cd e2e && $(GO) test -short ./...

lint:
	@test -z "$$(gofmt -l .)" || (gofmt -l . && echo "gofmt: the files above need formatting" && exit 1)
	$(GO) vet ./...
	cd e2e && $(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	cd e2e && $(GO) run $(STATICCHECK) ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/app ./internal/urlcheck ./internal/geo
	$(GO) run ./bench/ratio -path all -peers -footprint $(BENCH_FLAGS)

FUZZTIME ?= 30s
fuzz:
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
browser-deps:
	command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)
	npm ci --prefix tools/browser --no-audit --no-fund

export:
	$(GO) run ./cmd/teapot export dist

# Free location and network databases for /ip into ./data, with npm;
# prints the --geo-city and --geo-asn flags to use.
geodata:
	./scripts/geodata

clean:
	rm -rf teapot dist
