package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/teapothq/teapot/internal/app"
	"github.com/teapothq/teapot/internal/app/apptest"
)

// TestBasePath serves under /teapot: every link and the API point there.
func TestBasePath(t *testing.T) {
	t.Parallel()
	base := serve(t, func(c *app.Config) { c.BasePath = "/teapot/" })
	r := apptest.Fetch(t, "GET", base+"/teapot/409", nil)
	if r.Status != 200 {
		t.Fatalf("status %d", r.Status)
	}
	for _, want := range []string{`href="/teapot/"`, `href="/teapot/412"`, `action="/teapot/search"`, `href="/teapot/assets/style.`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(r.Body, `href="/412"`) {
		t.Errorf("page links to /412 outside the base path")
	}
	var doc struct {
		URL     string `json:"url"`
		Related []struct {
			URL string `json:"url"`
		} `json:"related"`
	}
	if err := json.Unmarshal([]byte(apptest.Fetch(t, "GET", base+"/teapot/409.json", nil).Body), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.URL != "/teapot/409" || !strings.HasPrefix(doc.Related[0].URL, "/teapot/") {
		t.Errorf("JSON urls: %+v", doc)
	}
	if r := apptest.Fetch(t, "GET", base+"/teapot", nil); r.Status != 301 || r.Header.Get("Location") != "/teapot/" {
		t.Errorf("/teapot: %d Location %q, want 301 to /teapot/", r.Status, r.Header.Get("Location"))
	}
	if r := apptest.Fetch(t, "GET", base+"/teapot/000", nil); r.Status != 301 || r.Header.Get("Location") != "/teapot/guides/000" {
		t.Errorf("/teapot/000: %d Location %q, want 301 to /teapot/guides/000", r.Status, r.Header.Get("Location"))
	}
	if r := apptest.Fetch(t, "GET", base+"/teapot/compare/412-vs-409", nil); r.Header.Get("Location") != "/teapot/compare/409-vs-412-vs-428" {
		t.Errorf("/teapot/compare/412-vs-409: Location %q", r.Header.Get("Location"))
	}
	if r := apptest.Fetch(t, "GET", base+"/409", nil); r.Status != 404 {
		t.Errorf("/409 outside the base path: %d, want 404", r.Status)
	}
	if r := apptest.Fetch(t, "GET", base+"/teapot/healthz", nil); r.Status != 200 {
		t.Errorf("/teapot/healthz: %d", r.Status)
	}
	if r := apptest.Fetch(t, "GET", base+"/teapot/sitemap.xml", nil); !strings.Contains(r.Body, "/teapot/409</loc>") {
		t.Errorf("sitemap lacks /teapot/409")
	}
}

// TestMetrics checks that requests are counted by route pattern.
func TestMetrics(t *testing.T) {
	t.Parallel()
	base := apptest.Serve(t, apptest.Config())
	apptest.Fetch(t, "GET", base+"/409", nil)
	apptest.Fetch(t, "GET", base+"/nope/nope", nil)
	m := apptest.Fetch(t, "GET", base+"/metrics", nil).Body
	for _, want := range []string{
		`teapot_http_requests_total{route="/{name}",code="200"} 1`,
		`teapot_http_requests_total{route="/",code="404"} 1`,
		`teapot_http_request_duration_seconds_bucket{route="/{name}",code="200",le="+Inf"} 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s\n%s", want, m)
		}
	}
}

// TestCheckAPI posts to /api/check through the whole handler chain: bad
// input gets a 400 problem naming the limit, and a refused URL is
// reported in its own result.
func TestCheckAPI(t *testing.T) {
	t.Parallel()
	base := apptest.Serve(t, apptest.Config())
	urls := func(n int) string {
		return `{"urls": [` + strings.TrimSuffix(strings.Repeat(`"example.org",`, n), ",") + `]}`
	}
	for _, tt := range []struct{ name, query, body, want string }{
		{"malformed", "", `{"urls": "x"}`, "not a check request in JSON"},
		{"too many", "", urls(101), "at most 100 URLs"},
		{"oversized", "", `{"urls": ["` + strings.Repeat("a", 300<<10) + `"]}`, "at most 262144 bytes"},
		{"bad option", "", `{"urls": ["example.org"], "timeout": "11s"}`, "at most 10s"},
		{"bad url", "", `{"urls": ["javascript:alert(1)"]}`, "only http and https"},
		{"bad format", "?format=yaml", urls(1), "json or csv"},
	} {
		resp, err := http.Post(base+"/api/check"+tt.query, "application/json", strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("Content-Type") != "application/problem+json; charset=utf-8" || !strings.Contains(string(body), tt.want) {
			t.Errorf("%s: %d %s, want a 400 problem with %q:\n%.300s", tt.name, resp.StatusCode, resp.Header.Get("Content-Type"), tt.want, body)
		}
	}
	resp, err := http.Post(base+"/api/check", "application/json", strings.NewReader(`{"urls": ["http://127.0.0.1:1/", "http://[::1]/"]}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" || len(lines) != 4 {
		t.Fatalf("%d %s with %d lines, want 200 NDJSON with 4:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), len(lines), body)
	}
	for _, l := range lines[1:3] {
		var p struct {
			Result struct {
				Refused struct{ Rule string } `json:"refused"`
			} `json:"result"`
		}
		if err := json.Unmarshal([]byte(l), &p); err != nil || p.Result.Refused.Rule != "loopback" {
			t.Errorf("line %s: want a loopback refusal (%v)", l, err)
		}
	}
}
