package live

import (
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
)

func TestOptions(t *testing.T) {
	t.Parallel()
	ts, c := newTestServer(t, Options{MaxDelay: time.Second}, false)
	tests := []struct {
		name   string
		path   string
		header map[string]string
		status int
		check  func(*http.Response, string) string // "" when fine
	}{
		{"location", "/status/302?location=/teapot/404", nil, 302, hasHeader("Location", "/teapot/404")},
		{"location header option", "/status/307", map[string]string{"Teapot-Location": "/x?y=1"}, 307, hasHeader("Location", "/x?y=1")},
		{"retry_after", "/status/503?retry_after=30", nil, 503, hasHeader("Retry-After", "30")},
		{"custom header", "/status/200?header=X-Request-Id:42", nil, 200, hasHeader("X-Request-Id", "42")},
		{"custom header exposed", "/status/200?header=X-Request-Id:42", nil, 200, func(r *http.Response, _ string) string {
			if !strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "X-Request-Id") {
				return "X-Request-Id not exposed"
			}
			return ""
		}},
		{"custom body", "/status/200?body=%3Cscript%3Ealert(1)%3C%2Fscript%3E&content_type=text/html", nil, 200, func(r *http.Response, b string) string {
			if r.Header.Get("Content-Security-Policy") != "sandbox; default-src 'none'" || b != "<script>alert(1)</script>" {
				return "custom HTML body not sandboxed: " + r.Header.Get("Content-Security-Policy")
			}
			return ""
		}},
		{"text body", "/status/418", map[string]string{"Accept": "text/plain"}, 418, contains("418 I'm a teapot")},
		{"html body escapes", "/status/418", map[string]string{"Accept": "text/html"}, 418, contains("I&#39;m a teapot")},
		{"problem body", "/status/409", nil, 409, contains(`"type": "/409"`)},
		{"unassigned code", "/status/432", nil, 432, contains("Unassigned")},
		{"composed", "/status/503?delay=10ms&retry_after=7&header=X-Test-A:b", nil, 503, hasHeader("Retry-After", "7")},
		{"composed exposed", "/status/503?retry_after=7&header=X-Test-A:b&header=X-Test-B:c", nil, 503,
			hasHeader("Access-Control-Expose-Headers", "Retry-After, X-Test-A, X-Test-B")},
		{"nothing to expose", "/status/200", nil, 200, hasHeader("Access-Control-Expose-Headers", "")},
		// Refusals, each naming the rule.
		{"code too big", "/status/600", nil, 400, contains("from 100 to 599")},
		{"code malformed", "/status/4O9", nil, 400, contains("not a status code")},
		{"code negative", "/status/-1", nil, 400, contains("not a status code")},
		{"too many codes", "/status/" + strings.Repeat("200,", 10) + "200", nil, 400, contains("at most 10 codes")},
		{"bad weight", "/status/200,500:0", nil, 400, contains("from 1 to 100")},
		{"delay over cap", "/status/200?delay=5s", nil, 400, contains("from 0 to 1s")},
		{"delay malformed", "/status/200?sleep=soon", nil, 400, contains("milliseconds")},
		{"negative delay", "/status/200?delay=-5", nil, 400, contains("from 0 to")},
		{"retry_after malformed", "/status/503?retry_after=x", nil, 400, contains("retry_after")},
		{"forbidden header", "/status/200?header=Set-Cookie:a=b", nil, 400, contains("may not be set")},
		{"forbidden CSP", "/status/200?header=Content-Security-Policy:none", nil, 400, contains("may not be set")},
		{"forbidden CORS", "/status/200?header=Access-Control-Allow-Origin:x", nil, 400, contains("may not be set")},
		{"Teapot-Header refused too", "/status/200", map[string]string{"Teapot-Header": "X-Accel-Redirect: /internal/secret"}, 400, contains("may not be set")},
		{"bad header name", "/status/200?header=X%20Y:1", nil, 400, contains("not a valid field name")},
		{"header control char", "/status/200?header=X-Test-A:%01", nil, 400, contains("control character")},
		{"too many headers", "/status/200?" + strings.Repeat("header=X-Test-A:1&", 11), nil, 400, contains("at most 10 header")},
		{"content_type without body", "/status/200?content_type=text/plain", nil, 400, contains("needs a body")},
		{"bad content_type", "/status/200?body=x&content_type=%3B%3B", nil, 400, contains("not a media type")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest("GET", ts.URL+tt.path, nil)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.status, b)
			}
			if msg := tt.check(resp, string(b)); msg != "" {
				t.Error(msg)
			}
		})
	}
}

func hasHeader(name, want string) func(*http.Response, string) string {
	return func(r *http.Response, _ string) string {
		if got := r.Header.Get(name); got != want {
			return name + " = " + got + ", want " + want
		}
		return ""
	}
}

func contains(want string) func(*http.Response, string) string {
	return func(_ *http.Response, b string) string {
		if !strings.Contains(b, want) {
			return "body lacks " + want + ": " + b
		}
		return ""
	}
}

// TestOpenRedirect tries the forms browsers read as another host.
func TestOpenRedirect(t *testing.T) {
	t.Parallel()
	ts, c := newTestServer(t, Options{}, false)
	for _, loc := range []string{
		"https://example.com", "//example.com", "/\\example.com", "\\\\example.com", "http:example.com",
		"%2F%2Fexample.com", "/%2F/example.com", "/%5Cexample.com", "javascript:alert(1)", "example.com",
		"/a\r\nSet-Cookie: x=1", " //example.com", "https:/example.com",
	} {
		resp, err := c.Get(ts.URL + "/status/302?location=" + url.QueryEscape(loc))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("Location") != "" {
			t.Errorf("location %q: status %d, Location %q; want 400 and no Location", loc, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

func TestWeightedRandom(t *testing.T) {
	t.Parallel()
	choices, err := parseCodes("200,500:3")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	n, fives := 4000, 0
	for i := 0; i < n; i++ {
		if pick(choices, rng) == 500 {
			fives++
		}
	}
	// Expect 3/4; the bound is about five standard deviations.
	if frac := float64(fives) / float64(n); frac < 0.715 || frac > 0.785 {
		t.Errorf("500 drawn %.3f of the time, want 0.75", frac)
	}
	// Over HTTP, with a fixed seed, both codes come up.
	ts, c := newTestServer(t, Options{Seed: 7}, false)
	seen := map[int]bool{}
	for i := 0; i < 40; i++ {
		resp, err := c.Get(ts.URL + "/status/200,503")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		seen[resp.StatusCode] = true
	}
	if !seen[200] || !seen[503] || len(seen) != 2 {
		t.Errorf("codes seen: %v", seen)
	}
}

func FuzzOptions(f *testing.F) {
	for _, s := range []string{"200", "200,500:3", "4O9", "200:", ",", "/\\x", "//a", "/%2F%2Fa", "1s", "X-A:b", "Set-Cookie:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if choices, err := parseCodes(s); err == nil {
			for _, c := range choices {
				if c.code < 100 || c.code > 599 || c.weight < 1 || c.weight > maxWeight {
					t.Fatalf("parseCodes(%q) accepted %+v", s, c)
				}
			}
		}
		if err := checkLocation(s, ""); err == nil {
			u, _ := url.Parse(s)
			if u.Host != "" || u.Scheme != "" || strings.HasPrefix(s, "//") || strings.Contains(s, "\\") {
				t.Fatalf("checkLocation(%q) accepted another host", s)
			}
		}
		if name, value, err := checkHeader(s); err == nil && (allowedName(name) != name || strings.ContainsAny(value, "\r\n")) {
			t.Fatalf("checkHeader(%q) accepted %s", s, name)
		}
		if d, err := parseDelay(s, time.Second); err == nil && (d < 0 || d > time.Second) {
			t.Fatalf("parseDelay(%q) = %v", s, d)
		}
	})
}

// TestHeaderAllowList: the header option sets only the fields a client
// reads for itself. Every field that a proxy, a cache or the browser
// acts on is refused, in any spelling; the allowed ones pass.
func TestHeaderAllowList(t *testing.T) {
	t.Parallel()
	refused := []string{
		// What a reverse proxy in front acts on.
		"X-Accel-Redirect", "x-accel-buffering", "X-Accel-Expires", "X-Accel-Limit-Rate", "X-Accel-Charset",
		"X-Sendfile", "X-Sendfile-Type", "X-Lighttpd-Send-File", "X-LiteSpeed-Location", "X-Litespeed-Cache-Control",
		// Reporting, client hints, login, attribution.
		"NEL", "Report-To", "Reporting-Endpoints", "Accept-CH", "Critical-CH", "Set-Login",
		"Attribution-Reporting-Register-Source", "Attribution-Reporting-Register-Trigger",
		// Caches.
		"Cache-Control", "Expires", "Vary", "Age", "CDN-Cache-Control", "Cloudflare-CDN-Cache-Control",
		"Surrogate-Control", "Edge-Control", "Pragma",
		// The browser on teapot's origin, and what teapot sets itself.
		"Content-Disposition", "Set-Cookie", "Set-Cookie2", "Content-Security-Policy", "Strict-Transport-Security",
		"X-Frame-Options", "Refresh", "Link", "Location", "Content-Type", "Content-Length", "Content-Encoding",
		"Transfer-Encoding", "Connection", "Upgrade", "Access-Control-Allow-Origin", "Sec-Anything", "Alt-Svc",
		"Clear-Site-Data", "Service-Worker-Allowed", "Retry-After", "Date", "X-Test-",
	}
	for _, name := range refused {
		if _, _, err := checkHeader(name + ": 1"); err == nil || !strings.Contains(err.Error(), "may not be set") {
			t.Errorf("header %s accepted (err %v), want it refused", name, err)
		}
	}
	for _, name := range append(slices.Clone(allowedHeaders), "X-Test-Anything", "x-request-id", "ratelimit") {
		if _, _, err := checkHeader(name + ": 1"); err != nil {
			t.Errorf("header %s refused: %v", name, err)
		}
	}
}

// TestOptionHeadersVary: a response shaped by Teapot-* request headers
// varies on them and is never stored, whatever the options ask; a
// response without them carries no such Vary.
func TestOptionHeadersVary(t *testing.T) {
	t.Parallel()
	ts, c := serveLive(t, newTestLive(t, Options{}), false)
	for _, tc := range []struct {
		path   string
		header map[string]string
		vary   string
	}{
		{"/status/200", map[string]string{"Teapot-Body": "<b>hi</b>", "Teapot-Content-Type": "text/html"}, "Teapot-Body, Teapot-Content-Type"},
		{"/status/302", map[string]string{"Teapot-Location": "/x"}, "Teapot-Location, Accept"},
		{"/status/503", map[string]string{"Teapot-Retry-After": "9", "Teapot-Header": "X-Test-A: 1"}, "Teapot-Retry-After, Teapot-Header, Accept"},
		{"/status/200", map[string]string{"Teapot-Header": "Cache-Control: public, max-age=9999"}, "Teapot-Header"},
		{"/status/200?body=x", nil, ""},
		{"/status/200", nil, "Accept"},
	} {
		req, _ := http.NewRequest("GET", ts.URL+tc.path, nil)
		for k, v := range tc.header {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := strings.Join(resp.Header.Values("Vary"), ", "); got != tc.vary {
			t.Errorf("%s %v: Vary %q, want %q", tc.path, tc.header, got, tc.vary)
		}
		if got := resp.Header.Values("Cache-Control"); len(got) != 1 || got[0] != "no-store" {
			t.Errorf("%s %v: Cache-Control %q, want no-store only", tc.path, tc.header, got)
		}
	}
}

// TestLocationUnderBase: served under a base path, the location option
// stays under it, dot segments and encodings included.
func TestLocationUnderBase(t *testing.T) {
	t.Parallel()
	l := newTestLive(t, Options{})
	mux := web.NewMux()
	l.Register(mux)
	h := mux.Finish()
	for _, tc := range []struct {
		loc    string
		status int
	}{
		{"/teapot/404", 302},
		{"/teapot", 302},
		{"/teapot/a?b=/c", 302},
		{"/admin", 400},
		{"/teapotx/404", 400},
		{"/teapot/../admin", 400},
		{"/teapot/%2e%2e/admin", 400},
		{"/teapot/./x", 400},
		{"//evil.example/teapot/", 400},
	} {
		r := httptest.NewRequest("GET", "/status/302?location="+url.QueryEscape(tc.loc), nil)
		r = respond.WithBase(r, "/teapot")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tc.status {
			t.Errorf("location %q under /teapot: %d, want %d", tc.loc, w.Code, tc.status)
		}
		if got := w.Header().Get("Location"); tc.status == 400 && got != "" || tc.status == 302 && got != tc.loc {
			t.Errorf("location %q under /teapot: Location %q", tc.loc, got)
		}
	}
}
