package clientip

import (
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// FuzzAddr sends arbitrary forwarding headers from a trusted peer: the
// answer must always be a valid address that is either the peer or
// appears in the headers, and never one that only the part of a header
// left of the client could have named.
func FuzzAddr(f *testing.F) {
	for _, s := range []string{
		"203.0.113.9", "1.2.3.4, 203.0.113.9, 10.1.1.1", "[2001:db8::1]:443", "fe80::1%eth0",
		`for="[2001:db8:cafe::17]:4711";proto=http, for=10.1.1.1`, `for=unknown;x="a,b\"c"`, "::ffff:10.0.0.1",
	} {
		f.Add(s, s, false)
		f.Add(s, s, true)
	}
	trusted, _ := ParseTrusted("10.0.0.0/8, 2001:db8:ffff::/48")
	plain, _ := New(trusted, "")
	withHeader, _ := New(trusted, "X-Real-IP")
	f.Fuzz(func(t *testing.T, xff, fwd string, header bool) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "10.0.0.1:1"
		r.Header["X-Forwarded-For"] = []string{xff}
		r.Header["Forwarded"] = []string{fwd}
		r.Header["X-Real-Ip"] = []string{xff}
		p := plain
		if header {
			p = withHeader
		}
		a := p.Addr(r)
		if !a.IsValid() || a.Zone() != "" || a.Is4In6() {
			t.Fatalf("Addr = %v: not a clean address", a)
		}
		if a != netip.MustParseAddr("10.0.0.1") && !named(a, xff+","+fwd) {
			t.Fatalf("Addr = %v, found in neither the peer nor the headers", a)
		}
	})
}

// named reports whether some piece of the headers reads as a.
func named(a netip.Addr, headers string) bool {
	headers = strings.ReplaceAll(headers, `\`, "")
	for _, piece := range strings.FieldsFunc(headers, func(r rune) bool { return strings.ContainsRune(",;=\"", r) }) {
		if b, ok := ParseNode(piece); ok && b == a {
			return true
		}
	}
	return false
}

// FuzzParseNode: whatever ParseNode accepts is a clean address that
// parses back to itself.
func FuzzParseNode(f *testing.F) {
	for _, s := range []string{"192.0.2.1", "192.0.2.1:80", "[2001:db8::1]:443", "[fe80::1%eth0]", "::ffff:1.2.3.4", "unknown", "999.1.1.1", "[1.2.3.4]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := ParseNode(s)
		if !ok {
			return
		}
		if a.Zone() != "" || a.Is4In6() {
			t.Fatalf("ParseNode(%q) = %v: not clean", s, a)
		}
		if b, err := netip.ParseAddr(a.String()); err != nil || b != a {
			t.Fatalf("ParseNode(%q) = %v does not round-trip", s, a)
		}
	})
}
