// Package e2e tests teapot from the outside, in a module of its own so
// that its heavy dependencies (a browser driver, an OpenAPI validator)
// stay out of the go.mod of the binary: the real binary built, served,
// stopped with SIGTERM and killed with SIGKILL in the middle of lab
// writes; every page in headless Chromium with axe-core; every
// operation of /openapi.json validated against the document; and real
// HTTP clients (curl, Go's net/http and go-retryablehttp, Python's
// requests and httpx, Node's fetch) taken through the client exam, which
// writes and checks the table /exam/clients serves.
//
// It has only tests. "make test" runs them after the root module's; by
// hand:
//
//	cd e2e && go test ./...
//
// The browser tests need Chromium and axe-core ("make browser-deps" in
// the repository's root) and skip without them, unless
// TEAPOT_REQUIRE_BROWSER=1, as CI sets it. The client table's test needs
// curl, node and Debian's python3-requests and python3-httpx, and skips
// without them unless TEAPOT_REQUIRE_CLIENTS=1.
package e2e
