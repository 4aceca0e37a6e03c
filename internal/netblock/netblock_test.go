package netblock

import (
	"net/netip"
	"strings"
	"testing"
)

// TestLookup looks up an address of every block: each must come back
// with its kind and the guard's rule, and every block of the table must
// be the answer for one of them.
func TestLookup(t *testing.T) {
	t.Parallel()
	tests := []struct{ addr, kind, rule string }{
		{"0.1.2.3", "this-network", "this-network"},
		{"0.0.0.0", "unspecified", "this-network"},
		{"10.20.30.40", "private", "private"},
		{"100.64.0.1", "cgnat", "cgnat"},
		{"127.0.0.1", "loopback", "loopback"},
		{"169.254.169.254", "link-local", "link-local"},
		{"172.31.255.255", "private", "private"},
		{"192.0.0.100", "ietf-protocol", "ietf-assignments"},
		{"192.0.0.7", "ipv4-service-continuity", "ietf-assignments"},
		{"192.0.0.8", "dummy", "ietf-assignments"},
		{"192.0.0.9", "anycast", "ietf-assignments"},
		{"192.0.0.10", "anycast", "ietf-assignments"},
		{"192.0.0.171", "nat64-discovery", "ietf-assignments"},
		{"192.0.2.1", "documentation", "documentation"},
		{"192.31.196.1", "as112", ""},
		{"192.52.193.1", "amt", ""},
		{"192.88.99.1", "6to4-relay", "6to4-relay"},
		{"192.168.1.1", "private", "private"},
		{"192.175.48.6", "as112", ""},
		{"198.19.255.255", "benchmarking", "benchmarking"},
		{"198.51.100.1", "documentation", "documentation"},
		{"203.0.113.1", "documentation", "documentation"},
		{"224.0.0.251", "multicast", "multicast"},
		{"240.0.0.1", "reserved", "reserved"},
		{"255.255.255.255", "broadcast", "broadcast"},

		{"::", "unspecified", "unspecified"},
		{"::1", "loopback", "loopback"},
		{"::1.2.3.4", "ipv4-compatible", "ipv4-compatible"},
		{"64:ff9b::192.0.2.1", "nat64", ""},
		{"64:ff9b:1::1", "nat64", "nat64-local"},
		{"100::1", "discard", "discard"},
		{"100:0:0:1::1", "dummy", "not-global"},
		{"2001:1ff::1", "ietf-protocol", "ietf-assignments"},
		{"2001::1", "teredo", "teredo"},
		{"2001:1::1", "anycast", "ietf-assignments"},
		{"2001:1::2", "anycast", "ietf-assignments"},
		{"2001:1::3", "anycast", "ietf-assignments"},
		{"2001:2::1", "benchmarking", "ietf-assignments"},
		{"2001:3::1", "amt", "ietf-assignments"},
		{"2001:4:112::1", "as112", "ietf-assignments"},
		{"2001:10::1", "orchid", "ietf-assignments"},
		{"2001:20::1", "orchid", "ietf-assignments"},
		{"2001:30::1", "drone-remote-id", "ietf-assignments"},
		{"2001:db8::1", "documentation", "documentation"},
		{"2002:c000:201::1", "6to4", ""},
		{"2620:4f:8000::1", "as112", ""},
		{"3fff::1", "documentation", "documentation"},
		{"5f00::1", "srv6", "srv6"},
		{"fd12:3456::1", "private", "private"},
		{"fe80::1", "link-local", "link-local"},
		{"fec0::1", "site-local", "site-local"},
		{"ff02::1", "multicast", "multicast"},

		// IPv6 outside 2000::/3 that no entry names.
		{"4000::1", "reserved", "not-global"},
		{"::ffff:127.0.0.1", "reserved", "not-global"},
	}
	hit := map[netip.Prefix]bool{}
	for _, tt := range tests {
		b, ok := Lookup(netip.MustParseAddr(tt.addr))
		if !ok || b.Kind != tt.kind || b.Rule != tt.rule {
			t.Errorf("Lookup(%s) = %v %q rule %q, want %q rule %q", tt.addr, ok, b.Kind, b.Rule, tt.kind, tt.rule)
		}
		hit[b.Prefix] = true
	}
	for _, b := range table {
		if !hit[b.Prefix] {
			t.Errorf("%s: no test address falls in it", b.Prefix)
		}
	}

	for _, s := range []string{"81.2.69.160", "172.32.0.1", "100.128.0.1", "192.0.1.1", "2a00:1450::1", "2001:200::1", "2001:db9::1"} {
		if b, ok := Lookup(netip.MustParseAddr(s)); ok {
			t.Errorf("Lookup(%s) = %s (%s), want an ordinary address", s, b.Kind, b.Prefix)
		}
	}
	if b, _ := Lookup(netip.MustParseAddr("fe80::1%eth0")); b.Kind != "link-local" {
		t.Errorf("a zone changed the block: %q", b.Kind)
	}
}

// TestTable checks the table itself: complete entries, masked prefixes,
// no prefix twice, the guard's wording given with its rule, and each
// block found for its own first and last address.
func TestTable(t *testing.T) {
	t.Parallel()
	seen := map[netip.Prefix]bool{}
	for _, b := range append(All(), reserved6) {
		p := b.Prefix
		if b.Kind == "" || b.Name == "" || !strings.HasPrefix(b.RFC, "RFC ") || !strings.HasSuffix(b.Description, ".") {
			t.Errorf("incomplete entry %+v", b)
		}
		if (b.Rule == "") != (b.Refusal == "") {
			t.Errorf("%s: rule %q with wording %q", p, b.Rule, b.Refusal)
		}
		if b.Embeds != 0 && (!p.Addr().Is6() || p.Bits() > 8*b.Embeds || b.Embeds+4 > 16) {
			t.Errorf("%s: an IPv4 address at byte %d is not in its host bits", p, b.Embeds)
		}
		if !p.IsValid() {
			continue // the IPv6 space outside 2000::/3
		}
		if p != p.Masked() {
			t.Errorf("%s is not masked (%s)", p, p.Masked())
		}
		if seen[p] {
			t.Errorf("%s is in the table twice", p)
		}
		seen[p] = true
		for _, a := range []netip.Addr{p.Addr(), last(p)} {
			if got, _ := Lookup(a); got.Prefix.Bits() < p.Bits() {
				t.Errorf("%s: %s is found in %s, a broader block", p, a, got.Prefix)
			}
		}
	}
	if len(seen) != len(table) {
		t.Errorf("All gave %d prefixes, the table has %d", len(seen), len(table))
	}
	for i := 1; i < len(table); i++ {
		if table[i-1].Prefix.Bits() < table[i].Prefix.Bits() {
			t.Errorf("%s comes before the more specific %s", table[i-1].Prefix, table[i].Prefix)
		}
	}
}

func TestEmbedded(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"::ffff:127.0.0.1":   "127.0.0.1",
		"64:ff9b::7f00:1":    "127.0.0.1",
		"64:ff9b::192.0.2.1": "192.0.2.1",
		"2002:c000:201::1":   "192.0.2.1",
		"2002:a00:1:5::9":    "10.0.0.1",
		"64:ff9b:1::7f00:1":  "", // local-use NAT64 is judged as itself
		"::127.0.0.1":        "", // so are IPv4-compatible addresses
		"2001::1":            "",
		"127.0.0.1":          "",
		"2001:db8::1":        "",
	} {
		got, ok := Embedded(netip.MustParseAddr(in))
		if ok != (want != "") || ok && got.String() != want {
			t.Errorf("Embedded(%s) = %v, %v; want %q", in, got, ok, want)
		}
	}
}

func last(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// TestLookupByFamily checks the per-family tables against a scan of the
// whole table, at the edges of every block and just outside them.
func TestLookupByFamily(t *testing.T) {
	t.Parallel()
	scan := func(a netip.Addr) (Block, bool) {
		for _, b := range table {
			if b.Prefix.Contains(a) {
				return b, true
			}
		}
		if a.Is6() && !global6.Contains(a) {
			return reserved6, true
		}
		return Block{}, false
	}
	if len(v4.blocks)+len(v6.blocks) != len(table) || len(v4.blocks) == 0 || len(v6.blocks) == 0 {
		t.Fatalf("v4 %d + v6 %d blocks, table %d", len(v4.blocks), len(v6.blocks), len(table))
	}
	for _, b := range table {
		first := b.Prefix.Masked().Addr()
		last := first
		for i := b.Prefix.Bits(); i < first.BitLen(); i++ {
			last = setBit(last, i)
		}
		for _, a := range []netip.Addr{first, last, first.Prev(), last.Next()} {
			if !a.IsValid() {
				continue
			}
			got, gotOK := Lookup(a)
			want, wantOK := scan(a)
			if gotOK != wantOK || got.Prefix != want.Prefix || got.Kind != want.Kind {
				t.Errorf("Lookup(%s) = %s %q %v, the whole table says %s %q %v", a, got.Prefix, got.Kind, gotOK, want.Prefix, want.Kind, wantOK)
			}
		}
	}
}

// setBit sets bit i of a, counting from the most significant.
func setBit(a netip.Addr, i int) netip.Addr {
	if a.Is4() {
		b := a.As4()
		b[i/8] |= 0x80 >> (i % 8)
		return netip.AddrFrom4(b)
	}
	b := a.As16()
	b[i/8] |= 0x80 >> (i % 8)
	return netip.AddrFrom16(b)
}

// BenchmarkLookup looks up an ordinary address of each family, which
// passes over every block of it: /ip and the URL checker's guard do this
// on every request.
func BenchmarkLookup(b *testing.B) {
	for _, s := range []string{"81.2.69.160", "2a00:1450:4009:81f::200e"} {
		a := netip.MustParseAddr(s)
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Lookup(a)
			}
		})
	}
}
