package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/teapothq/teapot/internal/app/apptest"
)

// TestOpenAPILab walks the conflict lab through every documented operation
// and most documented answers, and validates each request and response
// against the served OpenAPI document.
func TestOpenAPILab(t *testing.T) {
	t.Parallel()
	cfg := apptest.Config()
	cfg.LabMaxBody = 1024
	base := apptest.Serve(t, cfg)
	w := newOpenAPIWalk(t, base, http.DefaultClient)

	const sandbox = "openapi-test-sandbox-1"
	loc := ""
	step := func(method, path, contentType, body string, status int, header ...string) http.Header {
		t.Helper()
		path = strings.ReplaceAll(path, "{loc}", loc)
		h, _ := w.do(func() *http.Request {
			req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
			req.Header.Set("Lab-Sandbox", sandbox)
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			for i := 0; i+1 < len(header); i += 2 {
				req.Header.Set(header[i], header[i+1])
			}
			return req
		}, template(path), status)
		return h
	}
	const js, mp = "application/json", "application/merge-patch+json"
	step("GET", "/lab/articles", "", "", 200)
	h := step("POST", "/lab/articles", js, `{"slug":"hello-world","title":"Hello","body":"first line\n"}`, 201)
	loc = h.Get("Location")
	step("POST", "/lab/articles", js, `{"slug":"hello-world","title":"Again","body":""}`, 409)
	step("POST", "/lab/articles", "text/plain", `slug=x`, 415)
	step("POST", "/lab/articles", js, `{"slug":"big","title":"Big","body":"`+strings.Repeat("x", 1025)+`"}`, 413)
	step("POST", "/lab/articles", js, `{"slug":"Not A Slug","title":"","body":1}`, 400)
	step("GET", "{loc}", "", "", 200)
	step("GET", "{loc}", "", "", 304, "If-None-Match", `"v1"`)
	step("PUT", "{loc}", js, `{"slug":"hello-world","title":"Hi","body":"first line\n"}`, 428)
	step("PUT", "{loc}", js, `{"slug":"hello-world","title":"Hi","body":"first line\n"}`, 200, "If-Match", `"v1"`)
	step("PUT", "{loc}", js, `{"slug":"hello-world","title":"Lost","body":""}`, 412, "If-Match", `"v1"`)
	step("PUT", "{loc}", js, `{"slug":"hello-world","title":"Lost","body":"","version":1}`, 409)
	step("PATCH", "{loc}", mp, `{"title":"Patched"}`, 200, "If-Match", `"v2"`)
	step("PATCH", "{loc}", mp, `{"title":null}`, 400, "If-Match", `"v3"`)
	step("PATCH", "{loc}", mp, `{"title":"x"}`, 428)
	step("POST", "{loc}/publish", "", "", 200)
	step("POST", "{loc}/publish", "", "", 409)
	step("POST", "{loc}/archive", "", "", 412, "If-Match", `"v1"`)
	step("DELETE", "{loc}", "", "", 428)
	step("DELETE", "{loc}", "", "", 412, "If-Match", `"v1"`)
	step("DELETE", "{loc}", "", "", 204, "If-Match", `"v4"`)
	step("GET", "{loc}", "", "", 404)

	// Every lab operation in the document was called.
	w.allCalled(func(path string) bool { return strings.HasPrefix(path, "/lab/") })
}

var articlePath = regexp.MustCompile(`^/lab/articles/[0-9]+`)

// template turns a lab path back into the document's path template.
func template(path string) string {
	p := articlePath.ReplaceAllString(path, "/lab/articles/{id}")
	if strings.Count(p, "/") == 4 {
		p = p[:strings.LastIndexByte(p, '/')] + "/{transition}"
	}
	return p
}
