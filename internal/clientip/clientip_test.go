package clientip

import (
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func mustPolicy(t *testing.T, trusted, header string) *Policy {
	t.Helper()
	tr, err := ParseTrusted(trusted)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(tr, header)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAddr(t *testing.T) {
	t.Parallel()
	const proxies = "10.0.0.0/8, 2001:db8:ffff::/48, 192.0.2.7"
	tests := []struct {
		name    string
		trusted string // "" is the default policy
		header  string // the client header, if any
		peer    string
		headers map[string][]string
		want    string
	}{
		// The default believes no header.
		{"peer", "", "", "198.51.100.1:4242", nil, "198.51.100.1"},
		{"peer ignores xff", "", "", "198.51.100.1:4242", map[string][]string{"X-Forwarded-For": {"1.2.3.4"}}, "198.51.100.1"},
		{"peer ignores forwarded", "", "", "198.51.100.1:4242", map[string][]string{"Forwarded": {"for=1.2.3.4"}}, "198.51.100.1"},
		{"peer ignores x-real-ip", "", "", "198.51.100.1:4242", map[string][]string{"X-Real-Ip": {"1.2.3.4"}}, "198.51.100.1"},
		{"peer ipv6", "", "", "[2001:db8::1]:4242", nil, "2001:db8::1"},
		{"peer ipv6 zone", "", "", "[fe80::1%eth0]:4242", nil, "fe80::1"},
		{"peer mapped", "", "", "[::ffff:198.51.100.1]:4242", nil, "198.51.100.1"},
		{"peer without port", "", "", "198.51.100.1", nil, "198.51.100.1"},
		{"peer not ip", "", "", "@", nil, "invalid IP"},

		// An untrusted peer's headers are ignored even when proxies are configured.
		{"untrusted peer", proxies, "", "198.51.100.1:1", map[string][]string{"X-Forwarded-For": {"1.2.3.4"}}, "198.51.100.1"},
		{"untrusted peer forwarded", proxies, "", "198.51.100.1:1", map[string][]string{"Forwarded": {"for=1.2.3.4"}}, "198.51.100.1"},

		// A trusted peer: the rightmost address that is not a trusted proxy.
		{"one hop", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, "203.0.113.9"},
		{"no header", proxies, "", "10.0.0.1:1", nil, "10.0.0.1"},
		{"empty header", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {" "}}, "10.0.0.1"},
		{"spoofed left", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"1.2.3.4, 203.0.113.9"}}, "203.0.113.9"},
		{"many hops", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"1.2.3.4, 203.0.113.9, 10.1.1.1, 192.0.2.7, 10.2.2.2"}}, "203.0.113.9"},
		{"several lines", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"1.2.3.4, 203.0.113.9", "10.1.1.1"}}, "203.0.113.9"},
		{"all trusted", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"10.3.3.3, 10.1.1.1"}}, "10.3.3.3"},
		{"ipv6 hop", proxies, "", "[2001:db8:ffff::1]:1", map[string][]string{"X-Forwarded-For": {"2001:db8:1::5"}}, "2001:db8:1::5"},
		{"ipv6 bracket port", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"[2001:db8:1::5]:443"}}, "2001:db8:1::5"},
		{"ipv6 zone", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"fe80::1%eth0"}}, "fe80::1"},
		{"ipv4 port", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"203.0.113.9:5555"}}, "203.0.113.9"},
		{"mapped hop", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"::ffff:203.0.113.9"}}, "203.0.113.9"},
		{"mapped trusted hop", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"203.0.113.9, ::ffff:10.9.9.9"}}, "203.0.113.9"},
		{"trusted peer mapped", proxies, "", "[::ffff:10.0.0.1]:1", map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, "203.0.113.9"},

		// Malformed hops stop the walk at the proxy that wrote them.
		{"malformed rightmost", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"203.0.113.9, garbage"}}, "10.0.0.1"},
		{"malformed after trusted", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"1.2.3.4, 999.1.1.1, 10.1.1.1"}}, "10.1.1.1"},
		{"malformed left of client", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"<script>, 203.0.113.9"}}, "203.0.113.9"},
		{"leading zeros", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"010.0.0.1"}}, "10.0.0.1"},
		{"empty hop", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"203.0.113.9,,"}}, "10.0.0.1"},
		{"hostname hop", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"example.org"}}, "10.0.0.1"},
		{"bad port", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"203.0.113.9:http"}}, "10.0.0.1"},
		{"ipv4 in brackets", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"[203.0.113.9]"}}, "10.0.0.1"},
		{"oversized", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {strings.Repeat("1.2.3.4, ", 600) + "203.0.113.9"}}, "10.0.0.1"},
		{"too many trusted hops", proxies, "", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"203.0.113.9, " + strings.Repeat("10.0.0.2, ", MaxHops) + "10.0.0.3"}}, "10.0.0.2"},

		// RFC 7239 Forwarded.
		{"forwarded", proxies, "", "10.0.0.1:1", map[string][]string{"Forwarded": {"for=203.0.113.9;proto=https;by=10.0.0.1"}}, "203.0.113.9"},
		{"forwarded case", proxies, "", "10.0.0.1:1", map[string][]string{"Forwarded": {"For=203.0.113.9"}}, "203.0.113.9"},
		{"forwarded ipv6", proxies, "", "10.0.0.1:1", map[string][]string{"Forwarded": {`for="[2001:db8:cafe::17]:4711"`}}, "2001:db8:cafe::17"},
		{"forwarded ipv4 port", proxies, "", "10.0.0.1:1", map[string][]string{"Forwarded": {`for="203.0.113.9:80"`}}, "203.0.113.9"},
		{"forwarded spoofed left", proxies, "", "10.0.0.1:1", map[string][]string{"Forwarded": {"for=1.2.3.4, for=203.0.113.9;proto=http, for=10.1.1.1"}}, "203.0.113.9"},
		{"forwarded quoted comma", proxies, "", "10.0.0.1:1", map[string][]string{"Forwarded": {`for=203.0.113.9;x="a,b", for=10.1.1.1`}}, "203.0.113.9"},
		{"forwarded unknown", proxies, "", "10.0.0.1:1", map[string][]string{"Forwarded": {"for=1.2.3.4, for=unknown, for=10.1.1.1"}}, "10.1.1.1"},
		{"forwarded obfuscated", proxies, "", "10.0.0.1:1", map[string][]string{"Forwarded": {"for=_hidden"}}, "10.0.0.1"},
		{"forwarded no for", proxies, "", "10.0.0.1:1", map[string][]string{"Forwarded": {"proto=https"}}, "10.0.0.1"},
		{"forwarded unquoted ipv6", proxies, "", "10.0.0.1:1", map[string][]string{"Forwarded": {"for=[2001:db8::1]"}}, "10.0.0.1"},
		{"forwarded unterminated", proxies, "", "10.0.0.1:1", map[string][]string{"Forwarded": {`for="203.0.113.9`}}, "10.0.0.1"},
		{"forwarded two for", proxies, "", "10.0.0.1:1", map[string][]string{"Forwarded": {"for=203.0.113.9;for=1.2.3.4"}}, "10.0.0.1"},
		{"forwarded garbage", proxies, "", "10.0.0.1:1", map[string][]string{"Forwarded": {"<script>alert(1)</script>"}}, "10.0.0.1"},
		{"both agree", proxies, "", "10.0.0.1:1", map[string][]string{"Forwarded": {"for=203.0.113.9"}, "X-Forwarded-For": {"203.0.113.9"}}, "203.0.113.9"},
		{"both disagree", proxies, "", "10.0.0.1:1", map[string][]string{"Forwarded": {"for=1.2.3.4"}, "X-Forwarded-For": {"203.0.113.9"}}, "10.0.0.1"},

		// A client header from a trusted peer, and only that header.
		{"header", proxies, "CF-Connecting-IP", "10.0.0.1:1", map[string][]string{"Cf-Connecting-Ip": {"203.0.113.9"}}, "203.0.113.9"},
		{"header ipv6", proxies, "X-Real-IP", "10.0.0.1:1", map[string][]string{"X-Real-Ip": {"2001:db8:1::5"}}, "2001:db8:1::5"},
		{"header ignores xff", proxies, "X-Real-IP", "10.0.0.1:1", map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, "10.0.0.1"},
		{"header untrusted peer", proxies, "X-Real-IP", "198.51.100.1:1", map[string][]string{"X-Real-Ip": {"203.0.113.9"}}, "198.51.100.1"},
		{"header twice", proxies, "X-Real-IP", "10.0.0.1:1", map[string][]string{"X-Real-Ip": {"203.0.113.9", "1.2.3.4"}}, "10.0.0.1"},
		{"header list", proxies, "X-Real-IP", "10.0.0.1:1", map[string][]string{"X-Real-Ip": {"1.2.3.4, 203.0.113.9"}}, "10.0.0.1"},
		{"header malformed", proxies, "X-Real-IP", "10.0.0.1:1", map[string][]string{"X-Real-Ip": {"not an address"}}, "10.0.0.1"},
		{"header too long", proxies, "X-Real-IP", "10.0.0.1:1", map[string][]string{"X-Real-Ip": {strings.Repeat(" ", 200) + "203.0.113.9"}}, "10.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &Policy{}
			if tt.trusted != "" {
				p = mustPolicy(t, tt.trusted, tt.header)
			}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.peer
			for k, vs := range tt.headers {
				r.Header[k] = vs
			}
			if got := p.Addr(r).String(); got != tt.want {
				t.Errorf("Addr = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestKey(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "@"
	var p *Policy
	if got := p.Key(r); got != "@" {
		t.Errorf("Key with a non-IP peer = %q, want the RemoteAddr", got)
	}
	// An IPv6 client is counted by its prefix (64 bits unless the policy
	// says otherwise): every address of one /64 shares one key.
	for _, tc := range []struct {
		prefix int
		peer   string
		want   string
	}{
		{0, "[2001:db8:1:2::1%lo]:80", "2001:db8:1:2::/64"},
		{0, "[2001:db8:1:2:ffff:ffff:ffff:ffff]:80", "2001:db8:1:2::/64"},
		{48, "[2001:db8:1:2::1]:80", "2001:db8:1::/48"},
		{128, "[2001:db8:1:2::1]:80", "2001:db8:1:2::1"},
		{0, "192.0.2.7:80", "192.0.2.7"},
		{0, "[::ffff:192.0.2.7]:80", "192.0.2.7"},
	} {
		r.RemoteAddr = tc.peer
		p := &Policy{IPv6Prefix: tc.prefix}
		if got := p.Key(r); got != tc.want {
			t.Errorf("Key(%s) with prefix %d = %q, want %q", tc.peer, tc.prefix, got, tc.want)
		}
	}
	// A peer without a port, and a trusted proxy's client: the key is the
	// client's address, never the proxy's.
	r.RemoteAddr = "192.0.2.8"
	if got := PeerKey(r); got != "192.0.2.8" {
		t.Errorf("PeerKey of a peer without a port = %q", got)
	}
	r.RemoteAddr = "127.0.0.1:5000"
	r.Header.Set("X-Forwarded-For", "198.51.100.9")
	if got := (&Policy{Trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}).Key(r); got != "198.51.100.9" {
		t.Errorf("Key behind a trusted proxy = %q, want the client's", got)
	}
	r.Header.Del("X-Forwarded-For")
	r.RemoteAddr = "[2001:db8::1]:80"
	if got := PeerKey(r); got != "2001:db8::/64" {
		t.Errorf("PeerKey = %q, want the /64", got)
	}
}

func TestParseTrusted(t *testing.T) {
	t.Parallel()
	got, err := ParseTrusted(" 10.1.2.3/8,2001:db8::1/32  192.0.2.7 ::ffff:172.16.0.0/108 ")
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32"),
		netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("172.16.0.0/12"),
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("prefix %d = %v, want %v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "example.org", "fe80::1%eth0", "1.2.3", "10.0.0.0/8/8"} {
		if _, err := ParseTrusted(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("ParseTrusted(%q) = %v, want an error naming it", bad, err)
		}
	}
	if p, err := ParseTrusted(""); err != nil || len(p) != 0 {
		t.Errorf("ParseTrusted(\"\") = %v, %v; want nothing", p, err)
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	if _, err := New(nil, "X-Real-IP"); err == nil {
		t.Error("a client header without trusted proxies is accepted")
	}
	tr := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	if _, err := New(tr, "X Real IP"); err == nil {
		t.Error("a header name with spaces is accepted")
	}
	p, err := New(tr, "cf-connecting-ip")
	if err != nil || p.Header != "Cf-Connecting-Ip" {
		t.Errorf("New = %+v, %v; want the canonical header name", p, err)
	}
}

func TestValidToken(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"X-Real-IP": true, "CF-Connecting-IP": true, "x_client~1": true, "!#$%&'*+-.^_`|~": true,
		strings.Repeat("a", 64): true, strings.Repeat("a", 65): false,
		"": false, "X Real IP": false, "X-Real-IP:": false, "a\"b": false, "(x)": false, "a/b": false,
		"a\x00b": false, "a\x7fb": false, "Ünicode": false, "a\tb": false,
	} {
		if got := validToken(s); got != want {
			t.Errorf("validToken(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestKeyOfPeerAllocatesNothing: an IPv4 peer's key is the host part of
// RemoteAddr, taken without formatting; a mapped or proxied address is
// still formatted as KeyOf does.
func TestKeyOfPeerAllocatesNothing(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "192.0.2.10:40000"
	var p *Policy
	if n := testing.AllocsPerRun(100, func() { p.Key(r) }); n != 0 {
		t.Errorf("Key of an IPv4 peer: %.0f allocations, want 0", n)
	}
	for remote, want := range map[string]string{
		"192.0.2.10:40000":          "192.0.2.10",
		"[::ffff:192.0.2.10]:40000": "192.0.2.10",
		"[2001:db8:1:2::5]:80":      "2001:db8:1:2::/64",
	} {
		r.RemoteAddr = remote
		if got := p.Key(r); got != want {
			t.Errorf("Key(%s) = %q, want %q", remote, got, want)
		}
	}
}
