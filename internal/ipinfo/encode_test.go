package ipinfo

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"testing"

	"github.com/teapothq/teapot/internal/geo"
)

// TestAppendJSON: the hand-written JSON is byte for byte encoding/json's.
func TestAppendJSON(t *testing.T) {
	t.Parallel()
	f := func(v float64) *float64 { return &v }
	tests := map[string]Info{
		"empty":   {},
		"minimal": {IP: "192.0.2.1", Version: 4, Decimal: "3221225985", Sources: []Source{ianaSource}},
		"full": {IP: "81.2.69.160", Version: 4, Decimal: "1359103392", IPv4Mapped: "::ffff:81.2.69.160", Hostname: "a.example", ReverseDNS: "found",
			Country: "Côte d'Ivoire", CountryCode: "CI", Region: "Île-de-France", City: "São Paulo", PostalCode: "75001",
			Latitude: f(51.5142), Longitude: f(-0.0931), AccuracyRadius: 1000, TimeZone: "Europe/London", ASN: 4294967295,
			Org: `Quotes " and \ backslash`, Network: "81.2.69.0/24", Special: Classify(netip.MustParseAddr("10.0.0.1")),
			UserAgent: "<script>alert('&')</script>\u2028\u2029\x00\x1f\t\n\r\b\f\x7f é 😀 \xff\xfe bad",
			Sources:   []Source{ianaSource, {Name: "n", URL: "https://db-ip.com"}, {Name: "m", URL: "", Attribution: "CC BY 4.0"}}},
		"zero coordinates":   {Latitude: f(0), Longitude: f(math.Copysign(0, -1)), Sources: []Source{}},
		"tiny and huge":      {Latitude: f(1e-7), Longitude: f(-2.5e-9), Sources: []Source{{}}},
		"huge":               {Latitude: f(1e21), Longitude: f(123456789012345678901234.0)},
		"special no network": {Special: &Special{Kind: "k", Name: "n", RFC: "RFC 1", Global: true, Description: "d"}},
	}
	for name, in := range tests {
		want, err := json.MarshalIndent(in, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, '\n')
		if got := in.appendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("%s:\ngot  %s\nwant %s", name, got, want)
		}
	}
}

// FuzzAppendJSON: for any strings and numbers, the hand-written JSON is
// encoding/json's.
func FuzzAppendJSON(f *testing.F) {
	f.Add("Mozilla/5.0", "Example <Org> & co", "London", 51.5, -0.12, uint32(64496))
	f.Add("\xff\u2028\"\\", "", "", 1e-7, 1e21, uint32(0))
	f.Fuzz(func(t *testing.T, ua, org, city string, lat, lon float64, asn uint32) {
		in := Info{IP: "192.0.2.1", UserAgent: ua, Org: org, City: city, Latitude: &lat, Longitude: &lon, ASN: asn,
			Sources: []Source{{Name: city, URL: org, Attribution: ua}}}
		want, err := json.MarshalIndent(in, "", "  ")
		if err != nil {
			// NaN and infinities: encoding/json refuses them; teapot
			// never has them (the geo package drops them).
			return
		}
		if got := in.appendJSON(nil); !bytes.Equal(got, append(want, '\n')) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}

// TestLookupJSON: an answer whose sources come from the cache, with their
// JSON made once, is still byte for byte encoding/json's, for every pair
// of the databases' lists; answers with the same pair share one list.
func TestLookupJSON(t *testing.T) {
	bare := london
	bare.LocationSources, bare.NetworkSources = nil, nil
	same := london
	same.NetworkSources = cityData // a source both databases name is listed once
	g := fakeGeo{records: map[string]geo.Record{"81.2.69.160": london, "192.0.2.1": equator, "192.0.2.2": bare,
		"192.0.2.3": same}, location: true, network: true}
	s := New(Options{Geo: g})
	r := httptest.NewRequest("GET", "/ip/192.0.2.1.json", nil)
	for _, addr := range []string{"81.2.69.160", "192.0.2.1", "192.0.2.2", "192.0.2.3", "198.51.100.7", "81.2.69.160"} {
		in := s.lookup(r, netip.MustParseAddr(addr))
		want, err := json.MarshalIndent(in, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if got := in.appendJSON(nil); !bytes.Equal(got, append(want, '\n')) {
			t.Errorf("%s:\ngot  %s\nwant %s", addr, got, want)
		}
		if in.sourcesJSON == nil {
			t.Errorf("%s: the sources' JSON was not taken from the cache", addr)
		}
	}
	if n := len(s.lookup(r, netip.MustParseAddr("192.0.2.3")).Sources); n != 2 {
		t.Errorf("a source named by both databases: %d sources, want 2 (IANA's and it)", n)
	}
	a, b := s.lookup(r, netip.MustParseAddr("81.2.69.160")), s.lookup(r, netip.MustParseAddr("81.2.69.160"))
	if &a.Sources[0] != &b.Sources[0] {
		t.Error("two answers with the same databases' sources built two lists")
	}
	if testing.AllocsPerRun(50, func() { s.sources.of(london.LocationSources, london.NetworkSources) }) != 0 {
		t.Error("a cached source list allocates")
	}
}

// TestSourceCacheBounded: reloads make new lists; the cache starts over
// rather than grow without end.
func TestSourceCacheBounded(t *testing.T) {
	t.Parallel()
	var c sourceCache
	for i := range 3 * maxSourceSets {
		loc := []Source{{Name: "db " + strconv.Itoa(i), URL: "https://example.org/"}}
		if got := c.of(loc, nil).list; len(got) != 2 || got[1] != loc[0] {
			t.Fatalf("reload %d: sources %v", i, got)
		}
	}
	if n := len(*c.sets.Load()); n > maxSourceSets {
		t.Errorf("%d source lists kept, at most %d wanted", n, maxSourceSets)
	}
}
