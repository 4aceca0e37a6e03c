package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/app"
	"github.com/teapothq/teapot/internal/geo"
	"github.com/teapothq/teapot/internal/geo/geotest"
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

// geoFixtures writes both layouts' test databases and gives the flags
// that load each.
func geoFixtures(t *testing.T) map[string][]string {
	t.Helper()
	mm, err := geotest.WriteMaxMind(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	flat, err := geotest.WriteFlat(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	flags := func(f geotest.Files) []string {
		return []string{"--geo-city", strings.Join(f.Location, ","), "--geo-asn", f.Network}
	}
	return map[string][]string{"maxmind": flags(mm), "flat": flags(flat)}
}

// serveTestArgs are the flags of a test server on a free loopback port,
// keeping whatever else the server stores off the disk (where it has a
// flag for that), so that parallel tests share nothing.
func serveTestArgs() []string {
	args := []string{"--addr", "127.0.0.1:0", "--access-log=false"}
	probe := newFlagSet("serve")
	serveFlags(probe, &app.Config{}, func(string) string { return "" })
	if probe.Lookup("lab-memory") != nil {
		args = append(args, "--lab-memory")
	}
	return args
}

// newGeoServer is newTestServer with the databases opened as serve opens
// them, and closed when the test ends.
func newGeoServer(t *testing.T, args ...string) string {
	t.Helper()
	url, _, _ := newGeoServerConfig(t, args...)
	return url
}

// newGeoServerConfig is newGeoServer that also gives the config, with
// its open databases.
func newGeoServerConfig(t *testing.T, args ...string) (string, app.Config, *geo.Set) {
	t.Helper()
	cfg, err := loadConfig(append(serveTestArgs(), args...), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	g, err := cfg.OpenGeo(log)
	if err != nil {
		t.Fatal(err)
	}
	if g != nil {
		t.Cleanup(func() { g.Close() })
	}
	a, err := app.New(cfg, log, app.WithCheckNetwork(noDNS{}, loopbackOnly(t)), app.WithIPResolver(noDNS{}), app.WithGeo(g))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	ts := httptest.NewServer(a.Handler())
	t.Cleanup(ts.Close)
	return ts.URL, cfg, g
}

// TestIPGeo asks the real server, with the databases of each layout, for
// addresses in both, in one only, and in none, in every form.
func TestIPGeo(t *testing.T) {
	t.Parallel()
	for layout, flags := range geoFixtures(t) {
		t.Run(layout, func(t *testing.T) {
			t.Parallel()
			base := newGeoServer(t, append(flags, "--trusted-proxies", "127.0.0.1")...)
			type info struct {
				City    string   `json:"city"`
				Country string   `json:"country"`
				Code    string   `json:"country_code"`
				Lat     *float64 `json:"latitude"`
				ASN     uint32   `json:"asn"`
				Org     string   `json:"org"`
				Network string   `json:"network"`
				Sources []struct {
					Name, URL, Attribution string
				} `json:"sources"`
			}
			for _, tt := range []struct {
				path string
				want info
			}{
				{"/ip/81.2.69.160.json", info{City: "London", Country: "United Kingdom", Code: "GB", ASN: 64496, Org: "Example Transit Ltd", Network: "81.2.69.0/24"}},
				{"/ip/::ffff:81.2.69.160.json", info{City: "London", Country: "United Kingdom", Code: "GB", ASN: 64496, Org: "Example Transit Ltd", Network: "81.2.69.0/24"}},
				{"/ip/2001:db8::1.json", info{City: "Berlin", Country: "Germany", Code: "DE", ASN: 64498, Org: "Example IPv6 Carrier", Network: "2001:db8::/32"}},
				{"/ip/198.51.100.1.json", info{City: "Paris", Country: "France", Code: "FR", Network: "198.51.100.0/24"}},
				{"/ip/203.0.113.1.json", info{ASN: 64499, Org: "Only-a-Network Inc", Network: "203.0.113.0/24"}},
				{"/ip/10.0.0.1.json", info{}},
			} {
				r := fetch(t, "GET", base+tt.path, nil)
				var got info
				if err := json.Unmarshal([]byte(r.body), &got); err != nil || r.status != 200 {
					t.Fatalf("%s: %d %v\n%s", tt.path, r.status, err, r.body)
				}
				if got.City != tt.want.City || got.Country != tt.want.Country || got.Code != tt.want.Code || got.ASN != tt.want.ASN ||
					got.Org != tt.want.Org || got.Network != tt.want.Network || (got.Lat != nil) != (tt.want.City != "") {
					t.Errorf("%s: %+v, want %+v", tt.path, got, tt.want)
				}
				wantSources := 1 // IANA's
				if tt.want.City != "" {
					wantSources++
				}
				if tt.want.ASN != 0 {
					wantSources++
					if layout == "flat" {
						wantSources += 2 // RouteViews, NRO and DB-IP
					}
				}
				if len(got.Sources) != wantSources {
					t.Errorf("%s: sources %+v, want %d", tt.path, got.Sources, wantSources)
				}
			}
			me := map[string]string{"X-Forwarded-For": "81.2.69.160"}
			for field, want := range map[string]string{
				"country": "United Kingdom", "country-code": "GB", "city": "London", "region": "England",
				"coordinates": "51.5142,-0.0931", "timezone": "Europe/London", "asn": "AS64496", "org": "Example Transit Ltd",
				"hostname": "test.example", "decimal": "1359103392", "version": "4",
			} {
				if r := fetch(t, "GET", base+"/ip/"+field, me); r.status != 200 || r.body != want+"\n" {
					t.Errorf("/ip/%s: %d %q, want %q", field, r.status, r.body, want)
				}
			}
			// Found in the location database only: the network fields are 404.
			other := map[string]string{"X-Forwarded-For": "198.51.100.1"}
			if r := fetch(t, "GET", base+"/ip/asn", other); r.status != 404 || !strings.Contains(r.body, "The database has no AS number for") {
				t.Errorf("/ip/asn for an address without network data: %d %q", r.status, r.body)
			}
			if r := fetch(t, "GET", base+"/ip/city", other); r.status != 200 || r.body != "Paris\n" {
				t.Errorf("/ip/city: %d %q", r.status, r.body)
			}
			txt := fetch(t, "GET", base+"/ip/81.2.69.160.txt", nil).body
			for _, want := range []string{"city:        London", "asn:         AS64496", "Sources:"} {
				if !strings.Contains(txt, want) {
					t.Errorf("the text form lacks %q:\n%s", want, txt)
				}
			}
		})
	}
}

// TestIPNoGeo: without databases, the geo fields answer 404 saying so,
// and the JSON has none of them.
func TestIPNoGeo(t *testing.T) {
	t.Parallel()
	base := newTestServer(t)
	for _, f := range []string{"country", "country-code", "city", "region", "coordinates", "timezone", "asn", "org"} {
		r := fetch(t, "GET", base+"/ip/"+f, nil)
		if r.status != 404 || !strings.Contains(r.body, "This server has no") {
			t.Errorf("/ip/%s: %d %q, want a 404 that says there is no database", f, r.status, r.body)
		}
	}
	if r := fetch(t, "GET", base+"/ip/81.2.69.160.json", nil); strings.Contains(r.body, `"country"`) || strings.Contains(r.body, `"network"`) {
		t.Errorf("without databases: %s", r.body)
	}
}

// TestIPGeoStartErrors: a missing or corrupt database stops serve at
// start with an error that names the flag and the file.
func TestIPGeoStartErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.mmdb")
	os.WriteFile(corrupt, []byte(strings.Repeat("not a database ", 100)), 0o644)
	fx := geoFixtures(t)["maxmind"]
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"--geo-city", filepath.Join(dir, "missing.mmdb")}, []string{"--geo-city", "missing.mmdb"}},
		{[]string{"--geo-asn", corrupt}, []string{"--geo-asn", corrupt, "not a readable MaxMind DB"}},
		{[]string{"--geo-city", fx[1] + "," + corrupt}, []string{"--geo-city", corrupt}},
		{[]string{"--geo-asn", fx[1]}, []string{"--geo-asn", "is a city database"}},
		{[]string{"--geo-city", ","}, []string{"--geo-city", "names no file"}},
		{[]string{"--geo-reload", "-1s"}, []string{"--geo-reload"}},
	} {
		_, err := runCLI(t, append([]string{"serve", "--addr", "127.0.0.1:0", "--access-log=false"}, tt.args...)...)
		for _, w := range tt.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %v, want one with %q", tt.args, err, w)
			}
		}
	}
	out, err := runCLI(t, "help", "serve")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--geo-city  (TEAPOT_GEO_CITY", "--geo-asn  (TEAPOT_GEO_ASN", "--geo-reload  (TEAPOT_GEO_RELOAD, default 5s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("help serve lacks %q", want)
		}
	}
	env := map[string]string{"TEAPOT_GEO_CITY": fx[1], "TEAPOT_GEO_ASN": fx[3]}
	if cfg, err := loadConfig(nil, func(k string) string { return env[k] }); err != nil || cfg.GeoCity != fx[1] || cfg.GeoASN != fx[3] {
		t.Errorf("from the environment: %q %q, %v", cfg.GeoCity, cfg.GeoASN, err)
	}
}

// TestIPGeoReload: serve picks up a database file replaced under it.
func TestIPGeoReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f, err := geotest.WriteMaxMind(dir)
	if err != nil {
		t.Fatal(err)
	}
	url, cfg, g := newGeoServerConfig(t, "--geo-city", f.Location[0], "--geo-reload", "10ms")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app.WatchGeo(ctx, g, cfg.GeoReload, slog.New(slog.DiscardHandler))

	city := func() string {
		return fetch(t, "GET", url+"/ip/city", map[string]string{"User-Agent": "curl/8"}).body
	}
	if c := city(); !strings.Contains(c, "The database has no city for") {
		t.Fatalf("loopback's city: %q", c)
	}
	places := append([]geotest.Place(nil), geotest.Places...)
	places = append(places, geotest.Place{Network: "127.0.0.0/8", City: "Localhost", Country: "Nowhere", CountryCode: "XX"})
	if err := geotest.WriteCity(f.Location[0], places); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 500 && city() != "Localhost\n"; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if c := city(); c != "Localhost\n" {
		t.Errorf("after the file was replaced: %q, want the new data", c)
	}
}

// TestIPBox: every code page carries the "your IP" box as a plain link
// to /ip with its script, and never the visitor's address: the page is
// cached and shared.
func TestIPBox(t *testing.T) {
	t.Parallel()
	base := newTestServer(t, "--base-path", "/teapot")
	for _, path := range []string{"/teapot/409", "/teapot/200", "/teapot/499"} {
		r := fetch(t, "GET", base+path, map[string]string{"X-Forwarded-For": "81.2.69.160"})
		for _, want := range []string{`<a id="ipbox" href="/teapot/ip" data-json="/teapot/ip.json">`, `/teapot/assets/ipbox.`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("%s lacks %s", path, want)
			}
		}
		if strings.Contains(r.body, "127.0.0.1") || strings.Contains(r.body, "81.2.69.160") {
			t.Errorf("%s holds a visitor's address", path)
		}
		if !strings.Contains(r.header.Get("Cache-Control"), "max-age") {
			t.Errorf("%s: Cache-Control %q, want a cached page", path, r.header.Get("Cache-Control"))
		}
	}
}
