package main

import (
	"strings"
	"testing"
)

// TestClientAddress asks /ip through servers configured each way: forged
// forwarding headers never move the answer unless the peer is a trusted
// proxy, and then only as far as the rightmost untrusted hop.
func TestClientAddress(t *testing.T) {
	t.Parallel()
	plain := newTestServer(t)
	proxied := newTestServer(t, "--trusted-proxies", "127.0.0.0/8, 10.0.0.0/8")
	header := newTestServer(t, "--trusted-proxies", "127.0.0.1", "--client-ip-header", "CF-Connecting-IP")
	notTrusted := newTestServer(t, "--trusted-proxies", "10.0.0.0/8")
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
			if r := fetch(t, "GET", tt.base+"/ip", h); r.status != 200 || r.body != tt.want+"\n" {
				t.Errorf("/ip: %d %q, want %q", r.status, r.body, tt.want+"\n")
			}
		})
	}
	r := fetch(t, "GET", proxied+"/ip.json", map[string]string{"X-Forwarded-For": "81.2.69.160"})
	if !strings.Contains(r.body, `"hostname": "test.example"`) {
		t.Errorf("/ip.json behind a proxy lacks the client's hostname:\n%s", r.body)
	}
	if r := fetch(t, "GET", proxied+"/ip/hostname", map[string]string{"X-Forwarded-For": "81.2.69.160"}); r.status != 200 || r.body != "test.example\n" {
		t.Errorf("/ip/hostname: %d %q, want test.example", r.status, r.body)
	}
}

// TestRateLimitBehindProxy: the live endpoints count each client behind
// a trusted proxy on its own, and a forged header from an untrusted peer
// does not buy a fresh budget.
func TestRateLimitBehindProxy(t *testing.T) {
	t.Parallel()
	limits := []string{"--status-rate", "0.001", "--status-burst", "1"}
	proxied := newTestServer(t, append(limits, "--trusted-proxies", "127.0.0.1")...)
	plain := newTestServer(t, limits...)
	get := func(base, client string) int {
		return fetch(t, "GET", base+"/status/200", map[string]string{"X-Forwarded-For": client}).status
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
	base := newTestServer(t)
	page := fetch(t, "GET", base+"/ip", nil)
	if strings.Contains(page.body, "127.0.0.1") {
		t.Errorf("the /ip page holds the visitor's address")
	}
	if page.header.Get("ETag") == "" {
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
		if r := fetch(t, "GET", base+tt.path, tt.header); r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %v: Cache-Control %q, want no-store", tt.path, tt.header, r.header.Get("Cache-Control"))
		}
	}
	if r := fetch(t, "GET", base+"/ip?address=2001:DB8::1", nil); r.status != 303 || r.header.Get("Location") != "/ip/2001:db8::1" {
		t.Errorf("the form: %d to %q, want 303 to /ip/2001:db8::1", r.status, r.header.Get("Location"))
	}
	based := newTestServer(t, "--base-path", "/teapot")
	if r := fetch(t, "GET", based+"/teapot/ip", nil); r.status != 200 || !strings.Contains(r.body, `data-base="/teapot"`) {
		t.Errorf("/teapot/ip: %d, want the page with its base path", r.status)
	}
	if r := fetch(t, "GET", based+"/teapot/ip.json", nil); !strings.Contains(r.body, `"ip": "127.0.0.1"`) {
		t.Errorf("/teapot/ip.json: %s", r.body)
	}
}

func TestIPFlags(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--trusted-proxies", "10.0.0.0/33"}, "--trusted-proxies"},
		{[]string{"--trusted-proxies", "proxy.example"}, "--trusted-proxies"},
		{[]string{"--client-ip-header", "X-Real-IP"}, "--client-ip-header"},
		{[]string{"--trusted-proxies", "10.0.0.1", "--client-ip-header", "X Real IP"}, "--client-ip-header"},
		{[]string{"--reverse-dns-timeout", "1m"}, "--reverse-dns-timeout"},
	} {
		if _, err := loadConfig(tt.args, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want one naming %s", tt.args, err, tt.want)
		}
	}
	env := map[string]string{"TEAPOT_TRUSTED_PROXIES": "10.0.0.0/8", "TEAPOT_CLIENT_IP_HEADER": "X-Real-IP"}
	cfg, err := loadConfig(nil, func(k string) string { return env[k] })
	if err != nil || cfg.TrustedProxies != "10.0.0.0/8" || cfg.ClientIPHeader != "X-Real-IP" {
		t.Errorf("from the environment: %+v, %v", cfg, err)
	}
	out, err := runCLI(t, "help", "serve")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--trusted-proxies  (TEAPOT_TRUSTED_PROXIES", "--client-ip-header  (TEAPOT_CLIENT_IP_HEADER", "--reverse-dns-timeout  (TEAPOT_REVERSE_DNS_TIMEOUT, default 1s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("help serve lacks %q", want)
		}
	}
}

// TestIPBothHosts: with an IPv4-only and an IPv6-only host, the page
// names their /ip.json, the CSP lets it fetch them, and /ip.json lets
// exactly the site's origins read it.
func TestIPBothHosts(t *testing.T) {
	t.Parallel()
	base := newTestServer(t, "--public-url", "https://teapot.example", "--ipv4-host", "ipv4.teapot.example", "--ipv6-host", "ipv6.teapot.example:8443")
	page := fetch(t, "GET", base+"/ip", nil)
	for _, want := range []string{`data-v4="https://ipv4.teapot.example/ip.json"`, `data-v6="https://ipv6.teapot.example:8443/ip.json"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "connect-src 'self' https://ipv4.teapot.example https://ipv6.teapot.example:8443;") {
		t.Errorf("CSP %q does not let the page reach both hosts", csp)
	}
	for _, tt := range []struct{ origin, want string }{
		{"https://teapot.example", "https://teapot.example"},
		{"https://ipv4.teapot.example", "https://ipv4.teapot.example"},
		{"https://evil.example", ""},
		{"null", ""},
		{"", ""},
	} {
		r := fetch(t, "GET", base+"/ip.json", map[string]string{"Origin": tt.origin})
		if got := r.header.Get("Access-Control-Allow-Origin"); got != tt.want || !strings.Contains(r.header.Get("Vary"), "Origin") {
			t.Errorf("Origin %q: Access-Control-Allow-Origin %q (Vary %q), want %q and Vary: Origin", tt.origin, got, r.header.Get("Vary"), tt.want)
		}
	}
	plain := newTestServer(t)
	if r := fetch(t, "GET", plain+"/ip.json", map[string]string{"Origin": "https://evil.example"}); r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("without the hosts, /ip.json allows another origin")
	}
	if page := fetch(t, "GET", plain+"/ip", nil); strings.Contains(page.body, "data-v4") {
		t.Errorf("without the hosts, the page names one")
	}
	for _, args := range [][]string{
		{"--ipv4-host", "ipv4.teapot.example"},
		{"--public-url", "https://teapot.example", "--ipv6-host", "https://ipv6.teapot.example"},
		{"--public-url", "https://teapot.example", "--ipv4-host", "a b"},
	} {
		if _, err := loadConfig(args, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "-host") {
			t.Errorf("%v: error %v, want one naming the host flag", args, err)
		}
	}
}
