package ipinfo

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/teapothq/teapot/internal/geo"
	"github.com/teapothq/teapot/internal/geo/geotest"
	"github.com/teapothq/teapot/internal/web"
)

// fakeGeo answers from a map of address to record; location and network
// say which databases it pretends to have.
type fakeGeo struct {
	records           map[string]geo.Record
	location, network bool
}

func (f fakeGeo) Lookup(a netip.Addr) geo.Record { return f.records[a.String()] }
func (f fakeGeo) HasLocation() bool              { return f.location }
func (f fakeGeo) HasNetwork() bool               { return f.network }

var (
	cityData = []Source{{Name: "IP Geolocation by DB-IP", URL: "https://db-ip.com", Attribution: "CC BY 4.0"}}
	asnData  = []Source{{Name: "RouteViews", URL: "https://www.routeviews.org/", Attribution: "CC BY 4.0"}}
	london   = geo.Record{Country: "United Kingdom", CountryCode: "GB", Region: "England", City: "London", PostalCode: "EC1A",
		Latitude: 51.5142, Longitude: -0.0931, HasCoordinates: true, AccuracyRadius: 10, TimeZone: "Europe/London",
		ASN: 64496, Org: "Example Transit Ltd", Network: netip.MustParsePrefix("81.2.69.0/24"),
		LocationSources: cityData, NetworkSources: asnData}
	equator = geo.Record{CountryCode: "XX", Latitude: 0, Longitude: 0, HasCoordinates: true,
		Network: netip.MustParsePrefix("192.0.2.0/24"), LocationSources: cityData}
)

func geoMux(g Geo, client string) *http.ServeMux {
	mux := web.NewMux()
	New(Options{Geo: g, ClientAddr: func(*http.Request) netip.Addr { return netip.MustParseAddr(client) }}).Register(mux)
	return mux.Finish()
}

func get(mux *http.ServeMux, path string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	return w
}

func TestGeoJSON(t *testing.T) {
	t.Parallel()
	g := fakeGeo{records: map[string]geo.Record{"81.2.69.160": london, "192.0.2.1": equator}, location: true, network: true}
	mux := geoMux(g, "81.2.69.160")
	for _, path := range []string{"/ip.json", "/ip/81.2.69.160.json", "/ip/::ffff:81.2.69.160.json"} {
		w := get(mux, path)
		var m map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		want := map[string]any{"country": "United Kingdom", "country_code": "GB", "region": "England", "city": "London",
			"postal_code": "EC1A", "latitude": 51.5142, "longitude": -0.0931, "accuracy_radius": 10.0, "timezone": "Europe/London",
			"asn": 64496.0, "org": "Example Transit Ltd", "network": "81.2.69.0/24"}
		for k, v := range want {
			if m[k] != v {
				t.Errorf("%s: %s = %v, want %v", path, k, m[k], v)
			}
		}
		srcs, _ := json.Marshal(m["sources"])
		for _, s := range []string{"IANA", "db-ip.com", "routeviews", "CC BY 4.0"} {
			if !strings.Contains(string(srcs), s) {
				t.Errorf("%s: sources %s lack %q", path, srcs, s)
			}
		}
	}
	// 0, 0 is a place; absent fields are left out.
	w := get(mux, "/ip/192.0.2.1.json")
	if !strings.Contains(w.Body.String(), `"latitude": 0,`) || strings.Contains(w.Body.String(), `"asn"`) || strings.Contains(w.Body.String(), `"city"`) {
		t.Errorf("/ip/192.0.2.1.json:\n%s", w.Body)
	}
	// Unknown everywhere: no geo fields, IANA the only source.
	w = get(mux, "/ip/2001:db8::1.json")
	var in Info
	json.Unmarshal(w.Body.Bytes(), &in)
	if in.Country != "" || in.Latitude != nil || in.Network != "" || len(in.Sources) != 1 {
		t.Errorf("an unknown address: %+v", in)
	}
	txt := get(mux, "/ip/81.2.69.160.txt").Body.String()
	for _, s := range []string{"country:     United Kingdom (GB)", "coordinates: 51.5142,-0.0931 (within 10 km)", "asn:         AS64496", "network:     81.2.69.0/24", "- IP Geolocation by DB-IP <https://db-ip.com>: CC BY 4.0"} {
		if !strings.Contains(txt, s) {
			t.Errorf("the text form lacks %q:\n%s", s, txt)
		}
	}
}

// TestGeoFields: each one-value endpoint gives its value, or a 404 that
// says whether the database is missing or has no record.
func TestGeoFields(t *testing.T) {
	t.Parallel()
	both := fakeGeo{records: map[string]geo.Record{"81.2.69.160": london, "192.0.2.1": equator}, location: true, network: true}
	cityOnly := fakeGeo{records: both.records, location: true}
	tests := []struct {
		g      Geo
		client string
		field  string
		status int
		body   string
	}{
		{both, "81.2.69.160", "country", 200, "United Kingdom\n"},
		{both, "81.2.69.160", "country-code", 200, "GB\n"},
		{both, "81.2.69.160", "city", 200, "London\n"},
		{both, "81.2.69.160", "region", 200, "England\n"},
		{both, "81.2.69.160", "coordinates", 200, "51.5142,-0.0931\n"},
		{both, "81.2.69.160", "timezone", 200, "Europe/London\n"},
		{both, "81.2.69.160", "asn", 200, "AS64496\n"},
		{both, "81.2.69.160", "org", 200, "Example Transit Ltd\n"},
		{both, "192.0.2.1", "coordinates", 200, "0,0\n"},
		{both, "192.0.2.1", "city", 404, "The database has no city for 192.0.2.1."},
		{both, "192.0.2.1", "asn", 404, "no AS number for"},
		{cityOnly, "81.2.69.160", "city", 200, "London\n"},
		{cityOnly, "81.2.69.160", "asn", 404, "no network database"},
		{nil, "81.2.69.160", "country", 404, "no location database"},
		{nil, "81.2.69.160", "org", 404, "no network database"},
	}
	for _, tt := range tests {
		w := get(geoMux(tt.g, tt.client), "/ip/"+tt.field)
		if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.body) || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
			t.Errorf("%s from %s (geo %v): %d %q, want %d %q", tt.field, tt.client, tt.g != nil, w.Code, w.Body, tt.status, tt.body)
		}
	}
}

// BenchmarkAddressJSON is /ip/81.2.69.160.json with the test databases
// of both kinds loaded and no reverse DNS: what bench/ratio's part ip
// loads, without the network and the middleware.
func BenchmarkAddressJSON(b *testing.B) {
	f, err := geotest.WriteMaxMind(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	g, err := geo.OpenSet(f.Location, []string{f.Network}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer g.Close()
	mux := web.NewMux()
	New(Options{Geo: g}).Register(mux)
	h := mux.Finish()
	r := httptest.NewRequest("GET", "/ip/81.2.69.160.json", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
