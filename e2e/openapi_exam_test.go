package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/teapothq/teapot/internal/app/apptest"
)

// TestOpenAPIExam walks the client exam through every documented
// operation and most documented answers, and validates each request and
// response against the served OpenAPI document.
func TestOpenAPIExam(t *testing.T) {
	t.Parallel()
	cfg := apptest.Config()
	cfg.ReverseDNSTimeout = 0
	cfg.ExamRunsPerHour, cfg.ExamMaxRequests, cfg.ExamMaxBody = 2, 40, 1024
	base := apptest.Serve(t, cfg)
	w := newOpenAPIWalk(t, base, &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }})
	step := func(method, path, tmpl, body string, status int, header ...string) []byte {
		t.Helper()
		_, data := w.do(func() *http.Request {
			req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
			for i := 0; i+1 < len(header); i += 2 {
				req.Header.Set(header[i], header[i+1])
			}
			return req
		}, tmpl, status)
		return data
	}
	const js = "application/json"
	var run struct {
		ID     string
		Report string
	}
	if err := json.Unmarshal(step("POST", "/exam", "/exam", "", 201, "Accept", js), &run); err != nil {
		t.Fatal(err)
	}
	step("POST", "/exam", "/exam", "", 303, "Accept", "text/html", "Sec-Fetch-Site", "same-origin")
	step("POST", "/exam", "/exam", "", 429, "Accept", js)
	step("POST", "/exam", "/exam", "", 403, "Sec-Fetch-Site", "cross-site")

	const check, stepT = "/exam/{id}/{check}", "/exam/{id}/{check}/{step}"
	self := run.Report
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
		step(m, self+"/fresh-cache", check, "", 200)
		step(m, self+"/redirect-307/target", stepT, "", 200)
	}
	step("GET", self+"/retry-after-seconds", check, "", 503)
	step("POST", self+"/redirect-307", check, "exam=redirect-307", 307, "Content-Type", "application/x-www-form-urlencoded")
	step("GET", self+"/revalidate", check, "", 200)
	step("GET", self+"/revalidate", check, "", 304, "If-None-Match", `"exam-v1"`)
	step("POST", self+"/post-not-replayed", check, strings.Repeat("x", 1025), 413)
	step("GET", self+"/nope", check, "", 404)
	step("GET", "/exam/"+strings.Repeat("0", 32)+"/backoff", check, "", 404)
	step("GET", self+".json", "/exam/{id}", "", 200)
	step("GET", self, "/exam/{id}", "", 200, "Accept", js)
	step("GET", "/exam/"+strings.Repeat("0", 32)+".json", "/exam/{id}", "", 404)
	// The published client table and one of its cells.
	const cell = "/exam/clients/{client}/{check}"
	step("GET", "/exam/clients", "/exam/clients", "", 200, "Accept", js)
	step("GET", "/exam/clients/curl-retry/retry-after-seconds.json", cell, "", 200)
	step("GET", "/exam/clients/node-fetch/redirect-303", cell, "", 200, "Accept", js)
	step("GET", "/exam/clients/nobody/backoff", cell, "", 404, "Accept", js)
	for range 40 - 16 {
		step("GET", self+"/redirect-loop", check, "", 302)
	}
	step("GET", self+"/redirect-loop", check, "", 429)

	// Every exam operation in the document was called.
	w.allCalled(func(path string) bool { return path == "/exam" || strings.HasPrefix(path, "/exam/") })
}
