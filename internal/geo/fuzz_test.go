package geo_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/teapothq/teapot/internal/geo"
	"github.com/teapothq/teapot/internal/geo/geotest"
)

// FuzzOpen: whatever bytes a database file holds, opening it and looking
// addresses up either works or fails with an error; it never panics.
// The seeds are the test databases of both layouts.
func FuzzOpen(f *testing.F) {
	mm, err := geotest.WriteMaxMind(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	flat, err := geotest.WriteFlat(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range append(append(mm.Location, mm.Network), append(flat.Location, flat.Network)...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	addrs := []netip.Addr{netip.MustParseAddr("81.2.69.160"), netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("0.0.0.0")}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "fuzz.mmdb")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, kinds := range [][2][]string{{{p}, nil}, {nil, {p}}} {
			s, err := geo.OpenSet(kinds[0], kinds[1], nil)
			if err != nil {
				continue
			}
			for _, a := range addrs {
				s.Lookup(a)
			}
			s.Sources()
			s.Close()
		}
	})
}
