package urlcheck

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// ssrfSetup is a checker with the default guard, except that one
// loopback address, 127.0.0.2, stands in for the public internet: a
// server there is "allowed", and may redirect to internal ones.
type ssrfSetup struct {
	api     string
	allowed string // http://127.0.0.2:port
	inner   string // http://127.0.0.1:port, which must never be reached
	res     *fakeResolver
}

func newSSRFSetup(t *testing.T) ssrfSetup {
	t.Helper()
	var reached atomic.Int32
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		t.Errorf("the internal server was reached: %s", r.URL)
	}))
	t.Cleanup(inner.Close)
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	allowed := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to":
			http.Redirect(w, r, r.URL.Query().Get("u"), http.StatusFound)
		case "/hop":
			http.Redirect(w, r, "/done", http.StatusFound)
		default:
			w.Write([]byte("ok"))
		}
	}))
	allowed.Listener.Close()
	allowed.Listener = ln
	allowed.Start()
	t.Cleanup(allowed.Close)
	res := newFakeResolver(map[string][][]string{
		"intranet.test": {{"10.1.2.3"}},
		"mixed.test":    {{"8.8.8.8", "192.168.1.1"}},
		"v6only.test":   {{"::1"}},
		"mapped.test":   {{"::ffff:10.0.0.1"}},
		"metadata.test": {{"169.254.169.254"}},
		"rebind.test":   {{"127.0.0.2"}, {"127.0.0.1"}},
		"nat64.test":    {{"64:ff9b::a00:1"}},
	})
	c := newChecker(t, Options{Guard: Guard{
		Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")},
		Ports: []int{80, 443, portOf(t, allowed.URL), portOf(t, inner.URL)},
	}}, res)
	return ssrfSetup{api: serveAPI(t, c), allowed: allowed.URL, inner: inner.URL, res: res}
}

// TestSSRF sends every way we know of spelling an internal address to the
// real HTTP API with the default guard, and checks that each is refused by
// the rule it breaks, at the hop where it appears.
func TestSSRF(t *testing.T) {
	t.Parallel()
	s := newSSRFSetup(t)
	innerPort := fmt.Sprint(portOf(t, s.inner))
	via := func(target string) string { return s.allowed + "/to?u=" + url.QueryEscape(target) }
	tests := []struct {
		name, url, rule string
		hop             int // the hop refused
	}{
		{"dotted", "http://127.0.0.1/", "loopback", 0},
		{"the live internal server", s.inner + "/", "loopback", 0},
		{"decimal", "http://2130706433/", "loopback", 0},
		{"hex parts", "http://0x7f.1/", "loopback", 0},
		{"octal", "http://0177.0.0.1/", "loopback", 0},
		{"short", "http://127.1/", "loopback", 0},
		{"hex whole", "http://0x7f000001/", "loopback", 0},
		{"octal whole", "http://017700000001/", "loopback", 0},
		{"trailing dot", "http://127.0.0.1./", "loopback", 0},
		{"zero", "http://0/", "this-network", 0},
		{"all zeros", "http://0.0.0.0:" + innerPort + "/", "this-network", 0},
		{"v4-mapped v6", "http://[::ffff:127.0.0.1]/", "loopback", 0},
		{"v4-mapped v6 hex", "http://[::ffff:7f00:1]/", "loopback", 0},
		{"v6 unspecified", "http://[::]/", "unspecified", 0},
		{"v6 loopback", "http://[::1]:" + innerPort + "/", "loopback", 0},
		{"v6 loopback long", "http://[0:0:0:0:0:0:0:1]/", "loopback", 0},
		{"v4-compatible v6", "http://[::127.0.0.1]/", "ipv4-compatible", 0},
		{"nat64 of loopback", "http://[64:ff9b::7f00:1]/", "loopback", 0},
		{"6to4 of private", "http://[2002:a00:1::1]/", "private", 0},
		{"teredo", "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "teredo", 0},
		{"v6 unique local", "http://[fd00::1]/", "private", 0},
		{"v6 link-local with zone", "http://[fe80::1%25eth0]/", "link-local", 0},
		{"v6 multicast", "http://[ff02::1]/", "multicast", 0},
		{"rfc1918 10", "http://10.0.0.1/", "private", 0},
		{"rfc1918 172", "http://172.16.5.4/", "private", 0},
		{"rfc1918 192", "http://192.168.1.1/", "private", 0},
		{"cloud metadata", "http://169.254.169.254/latest/meta-data/", "link-local", 0},
		{"cgnat", "http://100.64.0.1/", "cgnat", 0},
		{"documentation", "http://192.0.2.1/", "documentation", 0},
		{"benchmarking", "http://198.18.0.1/", "benchmarking", 0},
		{"multicast", "http://224.0.0.1/", "multicast", 0},
		{"reserved", "http://240.0.0.1/", "reserved", 0},
		{"broadcast", "http://255.255.255.255/", "broadcast", 0},
		{"userinfo disguise", "http://example.com@127.0.0.1/", "loopback", 0},
		{"https", "https://127.0.0.1/", "loopback", 0},
		{"localhost", "http://localhost/", "loopback", 0},
		{"localhost upper with dot", "http://LOCALHOST./", "loopback", 0},
		{"localhost subdomain", "http://api.localhost/", "loopback", 0},
		{"name to private", "http://intranet.test/", "private", 0},
		{"name with one private answer", "http://mixed.test/", "private", 0},
		{"name to v6 loopback", "http://v6only.test/", "loopback", 0},
		{"name to mapped private", "http://mapped.test/", "private", 0},
		{"name to metadata", "http://metadata.test/", "link-local", 0},
		{"allowed address, other port", "http://127.0.0.2:22/", "port", 0},
		{"redirect to loopback", via(s.inner + "/"), "loopback", 1},
		{"redirect to v6 loopback", via("http://[::1]:" + innerPort + "/"), "loopback", 1},
		{"redirect to decimal", via("http://2130706433:" + innerPort + "/"), "loopback", 1},
		{"redirect to private name", via("http://intranet.test/"), "private", 1},
		{"redirect to localhost", via("http://localhost:" + innerPort + "/"), "loopback", 1},
	}
	req := Request{}
	for _, tt := range tests {
		req.URLs = append(req.URLs, tt.url)
	}
	got := results(t, stream(t, s.api, req))
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := got[i]
			if r.Refused == nil || r.Refused.Rule != tt.rule {
				t.Fatalf("%s: refused = %+v (error %q), want rule %q", tt.url, r.Refused, r.Error, tt.rule)
			}
			if len(r.Hops) != tt.hop+1 || r.Hops[tt.hop].Refused == nil {
				t.Errorf("%s: %d hops, want the refusal at hop %d", tt.url, len(r.Hops), tt.hop)
			}
			if tt.hop > 0 && r.Hops[0].Status != http.StatusFound {
				t.Errorf("%s: the first hop is %d, want the allowed server's 302", tt.url, r.Hops[0].Status)
			}
			if !strings.Contains(r.Error, "disabled") && tt.rule != "port" {
				t.Errorf("%s: error %q does not say private targets are disabled", tt.url, r.Error)
			}
		})
	}
	if len(tests) < 25 {
		t.Errorf("only %d forms; the issue asks for at least 25", len(tests))
	}
}

// TestSSRFRebinding: a name that answers an allowed address first and a
// loopback one next. The first hop connects to the allowed server, which
// redirects to itself; the second hop resolves again and is refused.
func TestSSRFRebinding(t *testing.T) {
	t.Parallel()
	s := newSSRFSetup(t)
	target := "http://rebind.test:" + fmt.Sprint(portOf(t, s.allowed)) + "/hop"
	r := results(t, stream(t, s.api, Request{URLs: []string{target}}))[0]
	if len(r.Hops) != 2 || r.Hops[0].Status != http.StatusFound || r.Hops[0].RemoteAddr == "" {
		t.Fatalf("hops %+v, want a 302 from the allowed address, then a refusal", r.Hops)
	}
	if r.Refused == nil || r.Refused.Rule != "loopback" || r.Refused.Target != "rebind.test" || strings.Contains(r.Error, "127.0.0.1") {
		t.Errorf("refused = %+v, want loopback, naming rebind.test and not the address it resolved to", r.Refused)
	}
	if n := s.res.lookups("rebind.test"); n != 2 {
		t.Errorf("rebind.test was looked up %d times, want 2 (once per connection)", n)
	}
}

// TestSSRFControl checks that the setup can succeed at all: the allowed
// address answers, so the refusals above are the guard's doing.
func TestSSRFControl(t *testing.T) {
	t.Parallel()
	s := newSSRFSetup(t)
	r := results(t, stream(t, s.api, Request{URLs: []string{s.allowed + "/ok"}}))[0]
	if r.Status != 200 || r.Error != "" {
		t.Errorf("the allowed server: status %d, error %q; want 200", r.Status, r.Error)
	}
}

// TestDefaultGuardRefusesTestServers: the servers the other tests check
// with private targets allowed are refused by a default checker.
func TestDefaultGuardRefusesTestServers(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("a default checker reached a loopback server")
	}))
	defer ts.Close()
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("a default checker reached a loopback server")
	}))
	defer tls.Close()
	c := newChecker(t, Options{}, nil)
	for _, u := range []string{ts.URL, tls.URL} {
		pu, _ := url.Parse(u)
		r := c.Check(t.Context(), pu, Spec{Method: "GET", Follow: true, MaxRedirects: 10, Agent: "teapot", Timeout: c.opts.Timeout})
		if r.Refused == nil || r.Refused.Rule != "loopback" {
			t.Errorf("%s: refused = %+v, want loopback", u, r.Refused)
		}
	}
}
