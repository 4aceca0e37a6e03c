package site

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/teapothq/teapot/content"
	"github.com/teapothq/teapot/internal/catalog"
	"github.com/teapothq/teapot/internal/web"
)

// TestSEOHost: robots.txt and sitemap.xml never name a host a client made
// up. With a public URL both use it whatever Host says; without one,
// robots.txt names no sitemap, and the sitemap uses a plain Host only and
// varies on it.
func TestSEOHost(t *testing.T) {
	t.Parallel()
	get := func(s *Site, path, host string) (string, string) {
		r := httptest.NewRequest("GET", path, nil)
		r.Host = host
		w := httptest.NewRecorder()
		s.handler().ServeHTTP(w, r)
		if w.Code != 200 {
			t.Fatalf("%s: %d", path, w.Code)
		}
		return w.Body.String(), w.Header().Get("Vary")
	}
	bare := newTestSite(t, "")
	if body, _ := get(bare, "/robots.txt", "evil.example"); strings.Contains(body, "evil") || strings.Contains(body, "Sitemap:") {
		t.Errorf("robots.txt without a public URL:\n%s\nwant no Sitemap line and no Host", body)
	}
	if body, vary := get(bare, "/sitemap.xml", "teapot.test:8080"); !strings.Contains(body, "<loc>http://teapot.test:8080/409</loc>") || vary != "Host" {
		t.Errorf("sitemap on a plain Host: Vary %q, want Host, and its URLs:\n%.300s", vary, body)
	}
	if body, _ := get(bare, "/sitemap.xml", `evil.example"><x`); strings.Contains(body, "evil") {
		t.Errorf("the sitemap reflects a Host that is not plain:\n%.300s", body)
	}

	cat, err := catalog.Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	shell, err := web.New(web.Options{BasePath: "/teapot", PublicURL: "https://teapot.example", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := New(cat, shell)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/teapot/robots.txt", "/teapot/sitemap.xml"} {
		body, vary := get(pub, path, "evil.example")
		if strings.Contains(body, "evil") || !strings.Contains(body, "https://teapot.example/teapot/") || vary != "" {
			t.Errorf("%s with a public URL: Vary %q and\n%.300s\nwant the public URL only, no Vary", path, vary, body)
		}
	}
}
