package app

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestMethods asks every route with every common method and checks the
// status and Allow: a method a route takes is never refused, and one it
// does not take gets 405 with an Allow that lists exactly what it takes
// (the site's catch-all used to answer PUT /api/check with "Allow: GET,
// HEAD" and "the API is read-only", though the route takes POST).
func TestMethods(t *testing.T) {
	t.Parallel()
	cfg := Defaults()
	cfg.LabMemory, cfg.AccessLog, cfg.ReverseDNSTimeout = true, false, 0
	for _, base := range []string{"", "/teapot"} {
		cfg.BasePath = base
		a, err := New(cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		h := a.Handler()
		for _, tc := range []struct {
			path  string
			allow string // "" for a route that takes every method
		}{
			{"/", "GET, HEAD"},
			{"/409", "GET, HEAD"},
			{"/409.json", "GET, HEAD"},
			{"/4xx", "GET, HEAD"},
			{"/409/try", "GET, HEAD"},
			{"/compare/409-vs-412-vs-428", "GET, HEAD"},
			{"/guides/000", "GET, HEAD"},
			{"/guides", "GET, HEAD"},
			{"/compare", "GET, HEAD"},
			{"/status", "GET, HEAD"},
			{"/search?q=x", "GET, HEAD"},
			{"/sitemap.xml", "GET, HEAD"},
			{"/robots.txt", "GET, HEAD"},
			{"/openapi.json", "GET, HEAD"},
			{"/healthz", "GET, HEAD"},
			{"/metrics", "GET, HEAD"},
			{"/api/codes", "GET, HEAD"},
			{"/api/codes/409", "GET, HEAD"},
			{"/api/classes/4xx", "GET, HEAD"},
			{"/api/nothing", "GET, HEAD"},
			{"/api/check", "POST"},
			{"/check", "GET, HEAD"},
			{"/ip", "GET, HEAD"},
			{"/ip.json", "GET, HEAD"},
			{"/ip/192.0.2.1", "GET, HEAD"},
			{"/ip/version", "GET, HEAD"},
			{"/lab", "GET, HEAD"},
			{"/lab/articles", "GET, HEAD, POST"},
			{"/lab/articles/1", "GET, HEAD, PUT, PATCH, DELETE"},
			{"/lab/articles/1/publish", "POST"},
			{"/status/200", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"},
			{"/exam", "GET, HEAD, POST"},
			{"/exam/" + strings.Repeat("0", 32), "GET, HEAD"},
			{"/exam/" + strings.Repeat("0", 32) + "/backoff", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"},
			{"/exam/" + strings.Repeat("0", 32) + "/redirect-307/target", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"},
		} {
			for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"} {
				r := httptest.NewRequest(m, base+tc.path, strings.NewReader("{}"))
				r.RemoteAddr = "192.0.2.1:1234"
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				takes := strings.Contains(", "+tc.allow+",", ", "+m+",")
				switch {
				case takes && w.Code == http.StatusMethodNotAllowed:
					t.Errorf("%s %s%s: 405, but the route takes it", m, base, tc.path)
				case !takes && w.Code != http.StatusMethodNotAllowed:
					t.Errorf("%s %s%s: %d, want 405", m, base, tc.path, w.Code)
				case !takes && w.Header().Get("Allow") != tc.allow:
					t.Errorf("%s %s%s: Allow %q, want %q", m, base, tc.path, w.Header().Get("Allow"), tc.allow)
				case !takes && m != "HEAD" && !strings.Contains(w.Header().Get("Content-Type"), "problem+json"):
					t.Errorf("%s %s%s: a 405 as %q, not a problem", m, base, tc.path, w.Header().Get("Content-Type"))
				}
			}
		}
	}
}
