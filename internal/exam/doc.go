// Package exam is the client exam: it tests how an HTTP client really
// handles status codes, rather than returning the code a client asks for.
// A run (POST /exam) gives a client a set of checks, each a URL under
// /exam/{id}/{check} with scripted answers: a 503 with Retry-After and then
// a 200, a POST redirected with 307, an endless redirect, a response to
// cache. Every request the client makes there is journaled (its time on
// the server's monotonic clock, method, the header fields that matter,
// the body's size and SHA-256, the connection), and the report
// (/exam/{id}, as HTML, JSON or text) grades each check from the journal:
// pass, fail, warn, info, not run or skipped, with one sentence that gives
// the numbers and cites the RFC section.
//
// The checks are one table (checks.go): each with what the client should
// send, its answers by request number, and its grading function, which
// reads the journal only. Runs and journals live in the lab's database
// (lab/store's Exams), so that instances sharing PostgreSQL share runs.
// Everything is bounded: runs a client may start an hour, runs kept, the
// requests one run journals, the body bytes hashed, each refusal a
// problem that names its limit. Request bodies are hashed, never stored,
// and credentials are recorded only as present.
//
// It also publishes how real clients did: clients.json, which the e2e
// suite writes (make exam-clients) and checks, is embedded and served at
// /exam/clients, a cell per client and check, each with the requests
// the server saw when the table was made (clients.go, clients_page.go).
//
// exam owns its pages, its OpenAPI fragment and its sub-package runner
// (the client side of "teapot exam run"). It imports respond, web,
// clientip, ratelimit and lab/store (for the storage types only), and must
// not import the server, the app or another feature.
package exam
