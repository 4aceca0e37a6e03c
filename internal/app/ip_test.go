package app_test

import (
	"strings"
	"testing"

	"github.com/teapothq/teapot/internal/app"
	"github.com/teapothq/teapot/internal/app/apptest"
)

// TestClientAddress asks /ip through servers configured each way: forged
// forwarding headers never move the answer unless the peer is a trusted
// proxy, and then only as far as the rightmost untrusted hop.
func TestClientAddress(t *testing.T) {
	t.Parallel()
	plain := apptest.Serve(t, apptest.Config())
	proxied := serve(t, func(c *app.Config) { c.TrustedProxies = "127.0.0.0/8, 10.0.0.0/8" })
	header := serve(t, func(c *app.Config) { c.TrustedProxies, c.ClientIPHeader = "127.0.0.1", "CF-Connecting-IP" })
	notTrusted := serve(t, func(c *app.Config) { c.TrustedProxies = "10.0.0.0/8" })
	tests := []struct {
		name, base string
		header     map[string]string
		want       string
	}{
		{"peer", plain, nil, "127.0.0.1"},
		{"forged xff", plain, map[string]string{"X-Forwarded-For": "192.0.2.66"}, "127.0.0.1"},
		{"forged forwarded", plain, map[string]string{"Forwarded": "for=192.0.2.66"}, "127.0.0.1"},
		{"forged real ip", plain, map[string]string{"X-Real-IP": "192.0.2.66", "CF-Connecting-IP": "192.0.2.66"}, "127.0.0.1"},
		{"proxy xff", proxied, map[string]string{"X-Forwarded-For": "192.0.2.66, 81.2.69.160, 10.1.1.1"}, "81.2.69.160"},
		{"proxy forwarded", proxied, map[string]string{"Forwarded": `for=192.0.2.66, for="[2001:db8::7]:443"`}, "2001:db8::7"},
		{"proxy malformed", proxied, map[string]string{"X-Forwarded-For": "192.0.2.66, <script>"}, "127.0.0.1"},
		{"proxy disagreeing", proxied, map[string]string{"X-Forwarded-For": "192.0.2.66", "Forwarded": "for=192.0.2.67"}, "127.0.0.1"},
		{"header", header, map[string]string{"CF-Connecting-IP": "2001:db8::9", "X-Forwarded-For": "192.0.2.66"}, "2001:db8::9"},
		{"header only", header, map[string]string{"X-Forwarded-For": "192.0.2.66"}, "127.0.0.1"},
		{"untrusted peer", notTrusted, map[string]string{"X-Forwarded-For": "192.0.2.66"}, "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := map[string]string{"User-Agent": "curl/8.5.0"}
			for k, v := range tt.header {
				h[k] = v
			}
			if r := apptest.Fetch(t, "GET", tt.base+"/ip", h); r.Status != 200 || r.Body != tt.want+"\n" {
				t.Errorf("/ip: %d %q, want %q", r.Status, r.Body, tt.want+"\n")
			}
		})
	}
	r := apptest.Fetch(t, "GET", proxied+"/ip.json", map[string]string{"X-Forwarded-For": "81.2.69.160"})
	if !strings.Contains(r.Body, `"hostname": "test.example"`) {
		t.Errorf("/ip.json behind a proxy lacks the client's hostname:\n%s", r.Body)
	}
	if r := apptest.Fetch(t, "GET", proxied+"/ip/hostname", map[string]string{"X-Forwarded-For": "81.2.69.160"}); r.Status != 200 || r.Body != "test.example\n" {
		t.Errorf("/ip/hostname: %d %q, want test.example", r.Status, r.Body)
	}
}

// TestRateLimitBehindProxy: the live endpoints count each client behind
// a trusted proxy on its own, and a forged header from an untrusted peer
// does not buy a fresh budget.
func TestRateLimitBehindProxy(t *testing.T) {
	t.Parallel()
	limits := func(c *app.Config) { c.StatusRate, c.StatusBurst = 0.001, 1 }
	proxied := serve(t, func(c *app.Config) { limits(c); c.TrustedProxies = "127.0.0.1" })
	plain := serve(t, limits)
	get := func(base, client string) int {
		return apptest.Fetch(t, "GET", base+"/status/200", map[string]string{"X-Forwarded-For": client}).Status
	}
	for i, tt := range []struct {
		base, client string
		want         int
	}{
		{proxied, "192.0.2.1", 200}, {proxied, "192.0.2.1", 429}, {proxied, "192.0.2.2", 200},
		{plain, "192.0.2.1", 200}, {plain, "192.0.2.2", 429},
	} {
		if got := get(tt.base, tt.client); got != tt.want {
			t.Errorf("request %d from %s: %d, want %d", i, tt.client, got, tt.want)
		}
	}
}

// TestIPPageCaching: the /ip page for browsers is the same for everyone
// and holds no address; what does hold one is never stored by caches.
func TestIPPageCaching(t *testing.T) {
	t.Parallel()
	base := apptest.Serve(t, apptest.Config())
	page := apptest.Fetch(t, "GET", base+"/ip", nil)
	if strings.Contains(page.Body, "127.0.0.1") {
		t.Errorf("the /ip page holds the visitor's address")
	}
	if page.Header.Get("ETag") == "" {
		t.Errorf("the /ip page has no ETag")
	}
	for _, tt := range []struct {
		path   string
		header map[string]string
	}{
		{"/ip", map[string]string{"User-Agent": "curl/8"}},
		{"/ip", map[string]string{"Accept": "application/json"}},
		{"/ip.json", nil}, {"/ip.txt", nil}, {"/ip/decimal", nil},
	} {
		if r := apptest.Fetch(t, "GET", base+tt.path, tt.header); r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %v: Cache-Control %q, want no-store", tt.path, tt.header, r.Header.Get("Cache-Control"))
		}
	}
	if r := apptest.Fetch(t, "GET", base+"/ip?address=2001:DB8::1", nil); r.Status != 303 || r.Header.Get("Location") != "/ip/2001:db8::1" {
		t.Errorf("the form: %d to %q, want 303 to /ip/2001:db8::1", r.Status, r.Header.Get("Location"))
	}
	based := serve(t, func(c *app.Config) { c.BasePath = "/teapot" })
	if r := apptest.Fetch(t, "GET", based+"/teapot/ip", nil); r.Status != 200 || !strings.Contains(r.Body, `data-base="/teapot"`) {
		t.Errorf("/teapot/ip: %d, want the page with its base path", r.Status)
	}
	if r := apptest.Fetch(t, "GET", based+"/teapot/ip.json", nil); !strings.Contains(r.Body, `"ip": "127.0.0.1"`) {
		t.Errorf("/teapot/ip.json: %s", r.Body)
	}
}

// TestIPBothHosts: with an IPv4-only and an IPv6-only host, the page
// names their /ip.json, the CSP lets it fetch them, and /ip.json lets
// exactly the site's origins read it.
func TestIPBothHosts(t *testing.T) {
	t.Parallel()
	base := serve(t, func(c *app.Config) {
		c.PublicURL, c.IPv4Host, c.IPv6Host = "https://teapot.example", "ipv4.teapot.example", "ipv6.teapot.example:8443"
	})
	page := apptest.Fetch(t, "GET", base+"/ip", nil)
	for _, want := range []string{`data-v4="https://ipv4.teapot.example/ip.json"`, `data-v6="https://ipv6.teapot.example:8443/ip.json"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "connect-src 'self' https://ipv4.teapot.example https://ipv6.teapot.example:8443;") {
		t.Errorf("CSP %q does not let the page reach both hosts", csp)
	}
	for _, tt := range []struct{ origin, want string }{
		{"https://teapot.example", "https://teapot.example"},
		{"https://ipv4.teapot.example", "https://ipv4.teapot.example"},
		{"https://evil.example", ""},
		{"null", ""},
		{"", ""},
	} {
		r := apptest.Fetch(t, "GET", base+"/ip.json", map[string]string{"Origin": tt.origin})
		if got := r.Header.Get("Access-Control-Allow-Origin"); got != tt.want || !strings.Contains(r.Header.Get("Vary"), "Origin") {
			t.Errorf("Origin %q: Access-Control-Allow-Origin %q (Vary %q), want %q and Vary: Origin", tt.origin, got, r.Header.Get("Vary"), tt.want)
		}
	}
	plain := apptest.Serve(t, apptest.Config())
	if r := apptest.Fetch(t, "GET", plain+"/ip.json", map[string]string{"Origin": "https://evil.example"}); r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("without the hosts, /ip.json allows another origin")
	}
	if page := apptest.Fetch(t, "GET", plain+"/ip", nil); strings.Contains(page.Body, "data-v4") {
		t.Errorf("without the hosts, the page names one")
	}
}

// TestIPNoGeo: without databases, the geo fields answer 404 saying so,
// and the JSON has none of them.
func TestIPNoGeo(t *testing.T) {
	t.Parallel()
	base := apptest.Serve(t, apptest.Config())
	for _, f := range []string{"country", "country-code", "city", "region", "coordinates", "timezone", "asn", "org"} {
		r := apptest.Fetch(t, "GET", base+"/ip/"+f, nil)
		if r.Status != 404 || !strings.Contains(r.Body, "This server has no") {
			t.Errorf("/ip/%s: %d %q, want a 404 that says there is no database", f, r.Status, r.Body)
		}
	}
	if r := apptest.Fetch(t, "GET", base+"/ip/81.2.69.160.json", nil); strings.Contains(r.Body, `"country"`) || strings.Contains(r.Body, `"network"`) {
		t.Errorf("without databases: %s", r.Body)
	}
}

// TestIPBox: every code page carries the "your IP" box as a plain link
// to /ip with its script, and never the visitor's address: the page is
// cached and shared.
func TestIPBox(t *testing.T) {
	t.Parallel()
	base := serve(t, func(c *app.Config) { c.BasePath = "/teapot" })
	for _, path := range []string{"/teapot/409", "/teapot/200", "/teapot/499"} {
		r := apptest.Fetch(t, "GET", base+path, map[string]string{"X-Forwarded-For": "81.2.69.160"})
		for _, want := range []string{`<a id="ipbox" href="/teapot/ip" data-json="/teapot/ip.json">`, `/teapot/assets/ipbox.`} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("%s lacks %s", path, want)
			}
		}
		if strings.Contains(r.Body, "127.0.0.1") || strings.Contains(r.Body, "81.2.69.160") {
			t.Errorf("%s holds a visitor's address", path)
		}
		if !strings.Contains(r.Header.Get("Cache-Control"), "max-age") {
			t.Errorf("%s: Cache-Control %q, want a cached page", path, r.Header.Get("Cache-Control"))
		}
	}
}
