package app_test

import (
	"strings"
	"testing"

	"github.com/teapothq/teapot/internal/app"
	"github.com/teapothq/teapot/internal/app/apptest"
)

// serve is apptest.Serve on apptest.Config with set's changes, as the
// flags of "teapot serve" would make them.
func serve(t *testing.T, set func(*app.Config)) string {
	t.Helper()
	cfg := apptest.Config()
	set(&cfg)
	return apptest.Serve(t, cfg)
}

// TestRoutes requests every route in every form and checks the status, the
// content type and a piece of the body.
func TestRoutes(t *testing.T) {
	t.Parallel()
	base := apptest.Serve(t, apptest.Config())
	const (
		html    = "text/html; charset=utf-8"
		jsonT   = "application/json; charset=utf-8"
		text    = "text/plain; charset=utf-8"
		problem = "application/problem+json; charset=utf-8"
	)
	tests := []struct {
		name, method, path string
		header             map[string]string
		status             int
		ctype              string
		body               string // substring of the body
		vary               string // substring of Vary, if set
	}{
		{"home html", "GET", "/", nil, 200, html, "<h1>HTTP status codes</h1>", "Accept"},
		{"home curl", "GET", "/", map[string]string{"User-Agent": "curl/8.5.0", "Accept": "*/*"}, 200, text, "409  Conflict", "User-Agent"},
		{"home json", "GET", "/", map[string]string{"Accept": "application/json"}, 200, jsonT, `"code": 409`, "Accept"},
		{"code html", "GET", "/409", nil, 200, html, "<h1><span class=\"code c4xx\">409</span> Conflict</h1>", "Accept"},
		{"code browser accept", "GET", "/409", map[string]string{"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, 200, html, "ptimistic locking", ""},
		{"code json accept", "GET", "/409", map[string]string{"Accept": "application/json"}, 200, jsonT, `"name": "Conflict"`, "Accept"},
		{"code json suffix", "GET", "/409.json", nil, 200, jsonT, `"spec_url": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.10"`, ""},
		{"code text accept", "GET", "/409", map[string]string{"Accept": "text/plain"}, 200, text, "409 Conflict\n====", ""},
		{"code text suffix", "GET", "/409.txt", nil, 200, text, "MEANING", ""},
		{"code curl", "GET", "/409", map[string]string{"User-Agent": "curl/8.5.0", "Accept": "*/*"}, 200, text, "409 Conflict", "User-Agent"},
		{"code wget", "GET", "/409", map[string]string{"User-Agent": "Wget/1.21.4"}, 200, text, "409 Conflict", ""},
		{"code httpie", "GET", "/409", map[string]string{"User-Agent": "HTTPie/3.2.2", "Accept": "*/*"}, 200, text, "409 Conflict", ""},
		{"code curl asks json", "GET", "/409", map[string]string{"User-Agent": "curl/8.5.0", "Accept": "application/json"}, 200, jsonT, `"code": 409`, ""},
		{"draft page", "GET", "/499", nil, 200, html, "Not a standard status code", ""},
		{"reserved page title", "GET", "/418", nil, 200, html, "I&#39;m a teapot", ""},
		{"class html", "GET", "/4xx", nil, 200, html, "4xx Client Error", ""},
		{"class json", "GET", "/5xx.json", nil, 200, jsonT, `"id": "5xx"`, ""},
		{"class text", "GET", "/2xx.txt", nil, 200, text, "200  OK", ""},
		{"api codes", "GET", "/api/codes", nil, 200, jsonT, `"count": 95`, ""},
		{"openapi", "GET", "/openapi.json", nil, 200, "application/vnd.oai.openapi+json; charset=utf-8", `"openapi": "3.1.0"`, ""},
		{"search html", "GET", "/search?q=conflict", nil, 200, html, "/409", "Accept"},
		{"search json", "GET", "/search?q=nginx", map[string]string{"Accept": "application/json"}, 200, jsonT, `"code": 499`, ""},
		{"search text", "GET", "/search?q=teapot", map[string]string{"Accept": "text/plain"}, 200, text, "418  I'm a teapot", ""},
		{"search empty", "GET", "/search", nil, 200, html, "Type a code", ""},
		{"search no match", "GET", "/search?q=zzzzqqq", nil, 200, html, "0 codes match", ""},
		{"search too long", "GET", "/search?q=" + strings.Repeat("a", 201), map[string]string{"Accept": "application/json"}, 400, problem, "at most 200", ""},
		{"search too long html", "GET", "/search?q=" + strings.Repeat("a", 201), nil, 400, html, "at most 200", ""},
		{"sitemap", "GET", "/sitemap.xml", nil, 200, "application/xml; charset=utf-8", "/409</loc>", ""},
		{"sitemap guides", "GET", "/sitemap.xml", nil, 200, "application/xml; charset=utf-8", "/compare/409-vs-412-vs-428</loc>", ""},
		{"guide", "GET", "/guides/000", nil, 200, html, "Status 000", ""},
		{"guide json", "GET", "/guides/000.json", nil, 200, jsonT, `"slug": "000"`, ""},
		{"guide text", "GET", "/guides/000", map[string]string{"User-Agent": "curl/8"}, 200, text, "IN SHORT", ""},
		{"guide alias", "GET", "/000", nil, 301, "text/html; charset=utf-8", "", ""},
		{"comparison", "GET", "/compare/409-vs-412-vs-428", nil, 200, html, "Decision table", ""},
		{"comparison pair", "GET", "/compare/412-vs-409", nil, 301, "text/html; charset=utf-8", "", ""},
		{"code links comparison", "GET", "/412", nil, 200, html, `href="/compare/409-vs-412-vs-428"`, ""},
		{"code links guide", "GET", "/499.json", nil, 200, jsonT, `"url": "/guides/000"`, ""},
		{"unknown comparison", "GET", "/compare/1-vs-2", nil, 404, html, "no page", ""},
		{"home lists guides", "GET", "/", nil, 200, html, "Comparisons and guides", ""},
		{"robots", "GET", "/robots.txt", nil, 200, text, "Disallow: /search", ""}, // no Sitemap line without --public-url
		{"healthz", "GET", "/healthz", nil, 200, jsonT, `"status":"ok"`, ""},
		{"live", "GET", "/status/418", nil, 418, problem, `"title": "I'm a teapot"`, ""},
		{"live text", "GET", "/status/503?retry_after=5", map[string]string{"Accept": "text/plain"}, 503, text, "503 Service Unavailable", ""},
		{"live bad option", "GET", "/status/200?delay=1h", nil, 400, problem, "delay must be from 0 to 10s", ""},
		{"live post", "POST", "/status/201", nil, 201, jsonT, `"code": 201`, ""},
		{"check page", "GET", "/check", nil, 200, html, `action="/api/check"`, ""},
		{"check footer link", "GET", "/409", nil, 200, html, `href="/check"`, ""},
		{"check get", "GET", "/api/check", nil, 405, problem, "POST a JSON body", ""},
		{"check no body", "POST", "/api/check", nil, 400, problem, "not a check request in JSON", ""},
		{"metrics", "GET", "/metrics", nil, 200, "text/plain; version=0.0.4; charset=utf-8", "teapot_uptime_seconds", ""},
		{"head", "HEAD", "/409", nil, 200, html, "", ""},
		{"unknown code", "GET", "/432", nil, 404, html, "/431", ""},
		{"lookalike code", "GET", "/4O9", nil, 404, html, "/409", ""},
		{"unknown code json", "GET", "/432", map[string]string{"Accept": "application/json"}, 404, problem, `"suggestions"`, ""},
		{"unknown code json suffix", "GET", "/432.json", nil, 404, html, "/431", ""},
		{"unknown code text", "GET", "/432", map[string]string{"User-Agent": "curl/8"}, 404, text, "Did you mean", ""},
		{"negative", "GET", "/-1", nil, 404, html, "no page", ""},
		{"huge number", "GET", "/99999", nil, 404, html, "no page", ""},
		{"deep path", "GET", "/a/b/c", nil, 404, html, "no page", ""},
		{"home suffix", "GET", "/.json", nil, 404, html, "no page", ""},
		{"unknown asset", "GET", "/assets/nope.css", nil, 404, html, "no page", ""},
		{"not acceptable", "GET", "/409", map[string]string{"Accept": "image/png"}, 406, text, "text/html, application/json and text/plain", ""},
		{"bad accept ignored", "GET", "/409", map[string]string{"Accept": "%%%garbage"}, 200, html, "409", ""},
		{"post", "POST", "/409", nil, 405, problem, "answers GET, HEAD, not POST", ""},
		{"api post", "POST", "/api/codes", nil, 405, problem, "answers GET, HEAD, not POST", ""},
		{"api delete code", "DELETE", "/api/codes/409", nil, 405, problem, "answers GET, HEAD, not DELETE", ""},
		{"put check", "PUT", "/api/check", nil, 405, problem, "answers POST, not PUT", ""},
		{"api unknown", "GET", "/api/nope", nil, 404, problem, "openapi.json", ""},
		{"api unknown code", "GET", "/api/codes/999", nil, 404, problem, `"suggestions"`, ""},
		{"ip html", "GET", "/ip", nil, 200, html, `id="ip-addr"`, "User-Agent"},
		{"ip browser accept", "GET", "/ip", map[string]string{"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, 200, html, "What is my IP address?", ""},
		{"ip curl", "GET", "/ip", map[string]string{"User-Agent": "curl/8.5.0", "Accept": "*/*"}, 200, text, "127.0.0.1\n", "User-Agent"},
		{"ip wget", "GET", "/ip", map[string]string{"User-Agent": "Wget/1.21.4"}, 200, text, "127.0.0.1\n", ""},
		{"ip httpie", "GET", "/ip", map[string]string{"User-Agent": "HTTPie/3.2.2", "Accept": "*/*"}, 200, text, "127.0.0.1\n", ""},
		{"ip curl asks json", "GET", "/ip", map[string]string{"User-Agent": "curl/8.5.0", "Accept": "application/json"}, 200, jsonT, `"ip": "127.0.0.1"`, "Accept"},
		{"ip json accept", "GET", "/ip", map[string]string{"Accept": "application/json"}, 200, jsonT, `"kind": "loopback"`, "Accept"},
		{"ip json suffix", "GET", "/ip.json", nil, 200, jsonT, `"decimal": "2130706433"`, ""},
		{"ip json user agent", "GET", "/ip.json", nil, 200, jsonT, `"user_agent": "Mozilla/5.0 (test)"`, ""},
		{"ip json sources", "GET", "/ip.json", nil, 200, jsonT, `"sources": [`, ""},
		{"ip text suffix", "GET", "/ip.txt", nil, 200, text, "127.0.0.1\n", ""},
		{"ip not acceptable", "GET", "/ip", map[string]string{"Accept": "image/png"}, 406, text, "406 Not Acceptable", ""},
		{"ip head", "HEAD", "/ip", map[string]string{"User-Agent": "curl/8"}, 200, text, "", ""},
		{"ip version", "GET", "/ip/version", map[string]string{"User-Agent": "curl/8"}, 200, text, "4\n", ""},
		{"ip decimal", "GET", "/ip/decimal", nil, 200, text, "2130706433\n", ""},
		{"ip hostname special", "GET", "/ip/hostname", nil, 404, text, "no reverse DNS name", ""},
		{"ip form", "GET", "/ip?address=+2001:DB8::1+", nil, 303, html, "", ""},
		{"ip form bad", "GET", "/ip?address=999.1.1.1", nil, 400, html, `id="ip-addr"`, ""},
		{"ip address html", "GET", "/ip/192.0.2.1", nil, 200, html, `id="ip-form"`, "User-Agent"},
		{"ip address json", "GET", "/ip/192.0.2.1.json", nil, 200, jsonT, `"kind": "documentation"`, ""},
		{"ip address accept json", "GET", "/ip/2001:db8::1", map[string]string{"Accept": "application/json"}, 200, jsonT, `"version": 6`, "Accept"},
		{"ip address curl", "GET", "/ip/2001:db8::1", map[string]string{"User-Agent": "curl/8.5.0", "Accept": "*/*"}, 200, text, "special:     documentation, 2001:db8::/32, RFC 3849", ""},
		{"ip address txt", "GET", "/ip/203.0.113.5.txt", nil, 200, text, "reserved for documentation", ""},
		{"ip address canonical", "GET", "/ip/2001:DB8:0:0::1.json", nil, 200, jsonT, `"ip": "2001:db8::1"`, ""},
		{"ip address brackets", "GET", "/ip/[2001:db8::1].json", nil, 200, jsonT, `"ip": "2001:db8::1"`, ""},
		{"ip address v6 decimal", "GET", "/ip/2001:db8::1.json", nil, 200, jsonT, `"decimal": "42540766411282592856903984951653826561"`, ""},
		{"ip address mapped", "GET", "/ip/::ffff:192.0.2.1.json", nil, 200, jsonT, `"ipv4_mapped": "::ffff:192.0.2.1"`, ""},
		{"ip address mapped v4", "GET", "/ip/::ffff:192.0.2.1.json", nil, 200, jsonT, `"ip": "192.0.2.1"`, ""},
		{"ip address private", "GET", "/ip/10.1.2.3.json", nil, 200, jsonT, `"kind": "private"`, ""},
		{"ip address cgnat", "GET", "/ip/100.64.0.1.json", nil, 200, jsonT, `"kind": "cgnat"`, ""},
		{"ip address ula", "GET", "/ip/fd00::1.json", nil, 200, jsonT, `"rfc": "RFC 4193"`, ""},
		{"ip address zone", "GET", "/ip/fe80::1%25eth0.json", nil, 200, jsonT, `"ip": "fe80::1"`, ""},
		{"ip address hostname", "GET", "/ip/81.2.69.160.json", nil, 200, jsonT, `"hostname": "test.example"`, ""},
		{"ip address public", "GET", "/ip/81.2.69.160", map[string]string{"User-Agent": "curl/8"}, 200, text, "hostname:    test.example", ""},
		{"ip bad 999", "GET", "/ip/999.1.1.1.json", nil, 400, problem, `999.1.1.1\" is not an IPv4 or IPv6 address`, ""},
		{"ip bad short", "GET", "/ip/1.2.3", map[string]string{"Accept": "application/json"}, 400, problem, `1.2.3\" is not`, ""},
		{"ip bad hex", "GET", "/ip/::g", map[string]string{"User-Agent": "curl/8"}, 400, text, `400 Bad Request: "::g" is not`, ""},
		{"ip bad html", "GET", "/ip/999.1.1.1", nil, 400, html, `id="ip-addr"`, ""},
		{"ip bad txt", "GET", "/ip/1.2.3.4.5.txt", nil, 400, text, `"1.2.3.4.5" is not`, ""},
		{"ip bad name", "GET", "/ip/example.org.json", nil, 400, problem, "example.org", ""},
		{"ip bad legacy", "GET", "/ip/127.1.json", nil, 400, problem, "127.1", ""},
		{"ip bad long", "GET", "/ip/" + strings.Repeat("1", 900) + ".json", nil, 400, problem, "…", ""},
		{"ip bad script", "GET", "/ip/%3Cscript%3Ealert(1)%3C%2Fscript%3E.json", nil, 400, problem, `\u003cscript\u003e`, ""},
		{"ip bad script text", "GET", "/ip/%3Cscript%3Ealert(1)%3C%2Fscript%3E", map[string]string{"User-Agent": "curl/8"}, 400, text, `\u003cscript\u003e`, ""},
		{"ip footer link", "GET", "/409", nil, 200, html, `href="/ip"`, ""},
		{"long path", "GET", "/" + strings.Repeat("4", 2000), nil, 414, problem, "at most 1024", ""},
		{"long query", "GET", "/search?q=" + strings.Repeat("a", 3000), nil, 414, problem, "URI Too Long", ""},
	}
	for _, f := range []string{"country", "country-code", "city", "region", "coordinates", "timezone", "asn", "org"} {
		tests = append(tests, struct {
			name, method, path string
			header             map[string]string
			status             int
			ctype              string
			body               string
			vary               string
		}{"ip " + f + " without database", "GET", "/ip/" + f, map[string]string{"User-Agent": "curl/8"}, 404, text, "This server has no", ""})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := apptest.Fetch(t, tt.method, base+tt.path, tt.header)
			if r.Status != tt.status {
				t.Errorf("status %d, want %d\n%.300s", r.Status, tt.status, r.Body)
			}
			if got := r.Header.Get("Content-Type"); got != tt.ctype {
				t.Errorf("Content-Type %q, want %q", got, tt.ctype)
			}
			if !strings.Contains(r.Body, tt.body) {
				t.Errorf("body lacks %q:\n%.500s", tt.body, r.Body)
			}
			if tt.vary != "" && !strings.Contains(r.Header.Get("Vary"), tt.vary) {
				t.Errorf("Vary %q lacks %q", r.Header.Get("Vary"), tt.vary)
			}
			if tt.method == "HEAD" && r.Body != "" {
				t.Errorf("HEAD response has a body")
			}
		})
	}
}

// TestSecurityHeaders checks that every kind of response, errors
// included, carries the security headers: the full set on pages, a short
// sandboxing policy on what does not render as a page (JSON, text).
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	base := apptest.Serve(t, apptest.Config())
	for _, tt := range []struct {
		path, accept string
		page         bool
	}{
		{"/", "text/html", true}, {"/409", "text/html", true}, {"/nope", "text/html", true},
		{"/search?q=x", "text/html", true}, {"/409/try", "text/html", true}, {"/status/418", "text/html", true},
		{"/409.json", "text/html", false}, {"/healthz", "text/html", false}, {"/" + strings.Repeat("x", 2000), "text/html", false},
		{"/status/418", "application/json", false}, {"/status/503", "text/plain", false}, {"/nope", "application/json", false},
	} {
		r := apptest.Fetch(t, "GET", base+tt.path, map[string]string{"Accept": tt.accept})
		if page := strings.HasPrefix(r.Header.Get("Content-Type"), "text/html"); page != tt.page {
			t.Fatalf("%.20s: Content-Type %q; the test expects a page: %v", tt.path, r.Header.Get("Content-Type"), tt.page)
		}
		csp := r.Header.Get("Content-Security-Policy")
		want := []string{"default-src 'none'", "frame-ancestors 'none'", "sandbox"}
		if tt.page {
			// Scripts come only from the assets folder of the host asked.
			assets := strings.TrimPrefix(base, "http://") + "/assets/;"
			want = []string{"default-src 'none'", "script-src " + assets, "frame-ancestors 'none'", "base-uri 'none'"}
			if r.Header.Get("Referrer-Policy") == "" || r.Header.Get("X-Frame-Options") != "DENY" ||
				r.Header.Get("Cross-Origin-Opener-Policy") != "same-origin" {
				t.Errorf("%.20s: a page without Referrer-Policy, X-Frame-Options or COOP: %v", tt.path, r.Header)
			}
		}
		for _, w := range want {
			if !strings.Contains(csp, w) {
				t.Errorf("%.20s: CSP %q lacks %q", tt.path, csp, w)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%.20s: CSP allows unsafe-inline", tt.path)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%.20s: missing nosniff: %v", tt.path, r.Header)
		}
	}
}

// TestEscaping sends hostile input where the server echoes it back.
func TestEscaping(t *testing.T) {
	t.Parallel()
	base := apptest.Serve(t, apptest.Config())
	for _, tt := range []struct{ path, accept string }{
		{"/search?q=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E", ""},
		{"/search?q=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E", "application/json"},
		{"/%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E", ""},
		{"/%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E", "application/json"},
	} {
		r := apptest.Fetch(t, "GET", base+tt.path, map[string]string{"Accept": tt.accept})
		if strings.Contains(r.Body, "<script>alert") {
			t.Errorf("%s (%s) echoes the script unescaped:\n%.400s", tt.path, tt.accept, r.Body)
		}
		if tt.accept == "" && tt.path[1] == 's' && !strings.Contains(r.Body, "&lt;script&gt;") {
			t.Errorf("%s: the query is not shown escaped", tt.path)
		}
	}
}

// TestConditionalAndCompression checks ETags, 304 and the precompressed
// variants, which must decode to the identity body.
func TestConditionalAndCompression(t *testing.T) {
	t.Parallel()
	base := apptest.Serve(t, apptest.Config())
	plain := apptest.Fetch(t, "GET", base+"/409", nil)
	for _, enc := range []string{"gzip", "br"} {
		r := apptest.Fetch(t, "GET", base+"/409", map[string]string{"Accept-Encoding": enc})
		if r.Header.Get("Content-Encoding") != enc {
			t.Fatalf("%s: Content-Encoding %q", enc, r.Header.Get("Content-Encoding"))
		}
		if r.Body != plain.Body {
			t.Errorf("%s: decoded body differs from the identity body", enc)
		}
		etag := r.Header.Get("ETag")
		if etag == "" || etag == plain.Header.Get("ETag") || strings.HasPrefix(etag, "W/") {
			t.Errorf("%s: ETag %q, want a strong tag of its own", enc, etag)
		}
		nm := apptest.Fetch(t, "GET", base+"/409", map[string]string{"Accept-Encoding": enc, "If-None-Match": etag})
		if nm.Status != 304 || nm.Body != "" || nm.Header.Get("ETag") != etag {
			t.Errorf("%s: If-None-Match gave %d with ETag %q", enc, nm.Status, nm.Header.Get("ETag"))
		}
	}
	for _, inm := range []string{`"stale"`, `garbage`, `W/`, strings.Repeat(`"a",`, 500)} {
		if r := apptest.Fetch(t, "GET", base+"/409", map[string]string{"If-None-Match": inm}); r.Status != 200 {
			t.Errorf("If-None-Match %.20q: status %d, want 200", inm, r.Status)
		}
	}
}
