package app_test

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/app"
	"github.com/teapothq/teapot/internal/app/apptest"
	"github.com/teapothq/teapot/internal/geo/geotest"
)

// TestIPGeo asks the real server, with the databases of each layout, for
// addresses in both, in one only, and in none, in every form.
func TestIPGeo(t *testing.T) {
	t.Parallel()
	for layout, f := range geotest.Layouts(t) {
		t.Run(layout, func(t *testing.T) {
			t.Parallel()
			base := serve(t, func(c *app.Config) {
				c.GeoCity, c.GeoASN, c.TrustedProxies = strings.Join(f.Location, ","), f.Network, "127.0.0.1"
			})
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
				r := apptest.Fetch(t, "GET", base+tt.path, nil)
				var got info
				if err := json.Unmarshal([]byte(r.Body), &got); err != nil || r.Status != 200 {
					t.Fatalf("%s: %d %v\n%s", tt.path, r.Status, err, r.Body)
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
				if r := apptest.Fetch(t, "GET", base+"/ip/"+field, me); r.Status != 200 || r.Body != want+"\n" {
					t.Errorf("/ip/%s: %d %q, want %q", field, r.Status, r.Body, want)
				}
			}
			// Found in the location database only: the network fields are 404.
			other := map[string]string{"X-Forwarded-For": "198.51.100.1"}
			if r := apptest.Fetch(t, "GET", base+"/ip/asn", other); r.Status != 404 || !strings.Contains(r.Body, "The database has no AS number for") {
				t.Errorf("/ip/asn for an address without network data: %d %q", r.Status, r.Body)
			}
			if r := apptest.Fetch(t, "GET", base+"/ip/city", other); r.Status != 200 || r.Body != "Paris\n" {
				t.Errorf("/ip/city: %d %q", r.Status, r.Body)
			}
			txt := apptest.Fetch(t, "GET", base+"/ip/81.2.69.160.txt", nil).Body
			for _, want := range []string{"city:        London", "asn:         AS64496", "Sources:"} {
				if !strings.Contains(txt, want) {
					t.Errorf("the text form lacks %q:\n%s", want, txt)
				}
			}
		})
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
	cfg := apptest.Config()
	cfg.GeoCity, cfg.GeoReload = f.Location[0], 10*time.Millisecond
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	// Opened here, as serve opens them, to be watched: the app does not
	// run its own watcher without Serve.
	log := slog.New(slog.DiscardHandler)
	g, err := cfg.OpenGeo(log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	url := apptest.Serve(t, cfg, app.WithGeo(g))
	app.WatchGeo(t.Context(), g, cfg.GeoReload, log)

	city := func() string {
		return apptest.Fetch(t, "GET", url+"/ip/city", map[string]string{"User-Agent": "curl/8"}).Body
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
