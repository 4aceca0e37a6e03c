package ipinfo

import (
	"bytes"
	"encoding/json"
	"math"
	"net/netip"
	"testing"
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
