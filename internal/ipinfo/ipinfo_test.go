package ipinfo

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/web"
)

// fakeDNS answers reverse DNS from a map, records what it was asked and
// never leaves the process; an entry "hang" waits for the context, one
// "fail" answers with a server failure.
type fakeDNS struct {
	mu    sync.Mutex
	names map[string]string
	asked []string
}

func (f *fakeDNS) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	f.mu.Lock()
	f.asked = append(f.asked, addr)
	name, ok := f.names[addr]
	f.mu.Unlock()
	if name == "hang" {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if !ok {
		return nil, &net.DNSError{Err: "no such host (test resolver)", Name: addr, IsNotFound: true}
	}
	if name == "fail" {
		return nil, &net.DNSError{Err: "server misbehaving (test resolver)", Name: addr, IsTemporary: true}
	}
	return []string{name}, nil
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct{ addr, kind, rfc string }{
		{"0.0.0.0", "unspecified", "RFC 1122"},
		{"0.1.2.3", "this-network", "RFC 791"},
		{"10.20.30.40", "private", "RFC 1918"},
		{"172.31.255.255", "private", "RFC 1918"},
		{"172.32.0.1", "", ""},
		{"192.168.1.1", "private", "RFC 1918"},
		{"100.64.0.1", "cgnat", "RFC 6598"},
		{"100.128.0.1", "", ""},
		{"127.0.0.1", "loopback", "RFC 1122"},
		{"169.254.169.254", "link-local", "RFC 3927"},
		{"192.0.0.9", "anycast", "RFC 7723"},
		{"192.0.0.100", "ietf-protocol", "RFC 6890"},
		{"192.0.0.171", "nat64-discovery", "RFC 8880"},
		{"192.0.2.1", "documentation", "RFC 5737"},
		{"198.51.100.1", "documentation", "RFC 5737"},
		{"203.0.113.1", "documentation", "RFC 5737"},
		{"198.18.0.1", "benchmarking", "RFC 2544"},
		{"224.0.0.251", "multicast", "RFC 5771"},
		{"240.0.0.1", "reserved", "RFC 1112"},
		{"255.255.255.255", "broadcast", "RFC 919"},
		{"81.2.69.160", "", ""},
		{"::", "unspecified", "RFC 4291"},
		{"::1", "loopback", "RFC 4291"},
		{"::1.2.3.4", "ipv4-compatible", "RFC 4291"},
		{"64:ff9b::192.0.2.1", "nat64", "RFC 6052"},
		{"64:ff9b:1::1", "nat64", "RFC 8215"},
		{"100::1", "discard", "RFC 6666"},
		{"2001::1", "teredo", "RFC 4380"},
		{"2001:2::1", "benchmarking", "RFC 5180"},
		{"2001:1ff::1", "ietf-protocol", "RFC 2928"},
		{"2001:db8::1", "documentation", "RFC 3849"},
		{"3fff::1", "documentation", "RFC 9637"},
		{"2002:c000:201::1", "6to4", "RFC 3056"},
		{"fd12:3456::1", "private", "RFC 4193"},
		{"fe80::1", "link-local", "RFC 4291"},
		{"fec0::1", "site-local", "RFC 3879"},
		{"ff02::1", "multicast", "RFC 4291"},
		{"4000::1", "reserved", "RFC 4291"},
		{"2a00:1450::1", "", ""},
	}
	for _, tt := range tests {
		sp := Classify(netip.MustParseAddr(tt.addr))
		switch {
		case tt.kind == "" && sp != nil:
			t.Errorf("%s: classified %s, want an ordinary address", tt.addr, sp.Kind)
		case tt.kind != "" && (sp == nil || sp.Kind != tt.kind || sp.RFC != tt.rfc):
			t.Errorf("%s: %+v, want %s (%s)", tt.addr, sp, tt.kind, tt.rfc)
		}
	}
}

// TestSpecialTable: every entry is complete, and each is found for its
// own first or last address (nested entries sit at one end of their
// parent), and no broader entry shadows one.
func TestSpecialTable(t *testing.T) {
	t.Parallel()
	for _, s := range specials {
		if s.Kind == "" || s.Name == "" || !strings.HasPrefix(s.RFC, "RFC ") || !strings.HasSuffix(s.Description, ".") || s.prefix.String() != s.Network {
			t.Errorf("incomplete or not canonical entry %+v", s)
		}
		found := false
		for _, a := range []netip.Addr{s.prefix.Addr(), lastAddr(s.prefix)} {
			got := Classify(a)
			if got == nil || got.prefix.Bits() < s.prefix.Bits() {
				t.Errorf("%s: %s is classified %+v, a broader block", s.Network, a, got)
				continue
			}
			found = found || got.Network == s.Network
		}
		if !found {
			t.Errorf("%s: neither its first nor its last address is classified as it", s.Network)
		}
	}
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func TestParseAddr(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"192.0.2.1": "192.0.2.1", "2001:DB8::1": "2001:db8::1", "[2001:db8::1]": "2001:db8::1",
		"fe80::1%eth0": "fe80::1", "::ffff:192.0.2.1": "::ffff:192.0.2.1", "2001:db8:0:0:0:0:0:1": "2001:db8::1",
	} {
		if a, ok := ParseAddr(in); !ok || a.String() != want {
			t.Errorf("ParseAddr(%q) = %v, %v; want %s", in, a, ok, want)
		}
	}
	for _, in := range []string{"", "999.1.1.1", "1.2.3", "::g", "127.1", "0x7f.0.0.1", "01.2.3.4", "example.org",
		"<script>", "1.2.3.4/24", "[1.2.3.4", " 1.2.3.4", strings.Repeat("1", 200), "2001:db8::1::1"} {
		if a, ok := ParseAddr(in); ok {
			t.Errorf("ParseAddr(%q) = %v, want it refused", in, a)
		}
	}
}

// req is a request from client, for lookup.
func req(client string) *http.Request { return clientReq("/ip", client) }

// clientReq is a GET of path from client's address.
func clientReq(path, client string) *http.Request {
	r := httptest.NewRequest("GET", path, nil)
	r.RemoteAddr = netip.AddrPortFrom(netip.MustParseAddr(client), 40000).String()
	return r
}

func TestLookup(t *testing.T) {
	t.Parallel()
	dns := &fakeDNS{names: map[string]string{
		"81.2.69.160": "host.example.", "81.2.69.161": "hang", "81.2.69.162": "bad name!.example", "2a02:ff::1": "v6.example",
		"81.2.69.164": "fail",
	}}
	s := New(Options{Resolver: dns, LookupTimeout: 50 * time.Millisecond})
	r := req("198.51.100.7")
	for _, tt := range []struct{ addr, host, status string }{
		{"81.2.69.160", "host.example", "found"}, {"81.2.69.161", "", "timeout"}, {"81.2.69.162", "", "none"},
		{"2a02:ff::1", "v6.example", "found"}, {"81.2.69.163", "", "none"}, {"81.2.69.164", "", "failed"},
	} {
		start := time.Now()
		in := s.lookup(r, netip.MustParseAddr(tt.addr))
		if in.Hostname != tt.host || in.ReverseDNS != tt.status {
			t.Errorf("%s: hostname %q (%s), want %q (%s)", tt.addr, in.Hostname, in.ReverseDNS, tt.host, tt.status)
		}
		if time.Since(start) > time.Second {
			t.Errorf("%s: the lookup outlived its timeout", tt.addr)
		}
	}
	dns.asked = nil
	for _, a := range []string{"10.0.0.1", "127.0.0.1", "192.0.2.1", "2001:db8::1", "fe80::1", "::ffff:10.0.0.1"} {
		if in := s.lookup(r, netip.MustParseAddr(a)); in.ReverseDNS != "special-purpose" {
			t.Errorf("%s: reverse_dns %q, want special-purpose", a, in.ReverseDNS)
		}
	}
	if len(dns.asked) > 0 {
		t.Errorf("special-purpose addresses were looked up: %v", dns.asked)
	}
	in := s.lookup(r, netip.MustParseAddr("::ffff:81.2.69.160"))
	if in.IP != "81.2.69.160" || in.Version != 4 || in.IPv4Mapped != "::ffff:81.2.69.160" || in.Decimal != "1359103392" {
		t.Errorf("mapped: %+v", in)
	}
	if in := s.lookup(r, netip.MustParseAddr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")); in.Decimal != "340282366920938463463374607431768211455" {
		t.Errorf("decimal of the last IPv6 address: %s", in.Decimal)
	}
	if in := New(Options{}).lookup(r, netip.MustParseAddr("81.2.69.160")); in.ReverseDNS != "" || in.Hostname != "" {
		t.Errorf("without a resolver: hostname %q, reverse_dns %q; want both left out", in.Hostname, in.ReverseDNS)
	}
}

// TestHandlerWithoutPage: with no page, browsers get JSON; the client
// address comes from the function given.
func TestHandlerWithoutPage(t *testing.T) {
	t.Parallel()
	mux := web.NewMux()
	New(Options{ClientAddr: func(*http.Request) netip.Addr { return netip.MustParseAddr("2001:db8::5") }}).Register(mux)
	w := httptest.NewRecorder()
	h := mux.Finish()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/ip", nil))
	var in Info
	if err := json.Unmarshal(w.Body.Bytes(), &in); err != nil || in.IP != "2001:db8::5" || in.Special == nil || in.Special.Kind != "documentation" {
		t.Errorf("%d %s: %v", w.Code, w.Body, err)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/ip/version", nil))
	if w.Body.String() != "6\n" {
		t.Errorf("/ip/version: %q", w.Body)
	}
}

// FuzzParseAddr: whatever /ip/{address} accepts is an address whose
// canonical form it accepts again, unchanged, and no input makes a
// handler fail or echo markup.
func FuzzParseAddr(f *testing.F) {
	for _, s := range []string{"192.0.2.1", "2001:db8::1", "[::1]", "fe80::1%eth0", "::ffff:1.2.3.4", "999.1.1.1", "<b>", "1.2.3.4.json"} {
		f.Add(s)
	}
	mux := web.NewMux()
	New(Options{}).Register(mux)
	f.Fuzz(func(t *testing.T, s string) {
		if a, ok := ParseAddr(s); ok {
			b, ok := ParseAddr(a.String())
			if !ok || b != a || a.Zone() != "" {
				t.Fatalf("ParseAddr(%q) = %v, which does not parse back (%v)", s, a, b)
			}
		}
		r := httptest.NewRequest("GET", "/ip/x", nil)
		r.SetPathValue("address", s)
		w := httptest.NewRecorder()
		New(Options{}).serveAddress(w, r)
		if w.Code != 200 && w.Code != 400 {
			t.Fatalf("%q: status %d", s, w.Code)
		}
		if strings.ContainsAny(w.Body.String(), "<>") {
			t.Fatalf("%q: the answer holds markup: %s", s, w.Body)
		}
	})
}

// TestLookupCap: with every lookup slot taken, answers come at once
// without a hostname, saying the server is busy, rather than queueing
// for the resolver.
func TestLookupCap(t *testing.T) {
	t.Parallel()
	dns := &fakeDNS{names: map[string]string{"81.2.69.160": "host.example"}}
	s := New(Options{Resolver: dns, LookupTimeout: time.Second})
	for range MaxLookups {
		s.dns.slots <- struct{}{}
	}
	if in := s.lookup(req("198.51.100.7"), netip.MustParseAddr("81.2.69.160")); in.Hostname != "" || in.ReverseDNS != "busy" || len(dns.asked) != 0 {
		t.Errorf("with no free slot: hostname %q (%s), resolver asked %v", in.Hostname, in.ReverseDNS, dns.asked)
	}
	<-s.dns.slots
	if in := s.lookup(req("198.51.100.7"), netip.MustParseAddr("81.2.69.160")); in.Hostname != "host.example" {
		t.Errorf("with a free slot: hostname %q", in.Hostname)
	}
}
