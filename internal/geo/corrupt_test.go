package geo_test

import (
	"math/rand"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/geo"
	"github.com/teapothq/teapot/internal/geo/geotest"
)

// TestCorruptFiles opens thousands of damaged copies of the test
// databases of both layouts (bytes changed, dropped and inserted) as
// location and as network databases: each opens with an error or looks
// addresses up, never panicking and never hanging. (A fuzz target did
// the same, but Go's fuzzing engine stalled on these inputs; a seeded
// loop is reproducible.)
func TestCorruptFiles(t *testing.T) {
	t.Parallel()
	fx := geotest.Layouts(t)
	mm, flat := fx["maxmind"], fx["flat"]
	var seeds [][]byte
	for _, p := range append(append(mm.Location, mm.Network), append(flat.Location, flat.Network)...) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	n := 3000
	if testing.Short() {
		n = 300
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(7))
	addrs := []netip.Addr{netip.MustParseAddr("81.2.69.160"), netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("0.0.0.0")}
	for i := range n {
		b := damage(rng, seeds[rng.Intn(len(seeds))])
		p := filepath.Join(dir, "damaged.mmdb")
		if err := os.WriteFile(p+".tmp", b, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Rename(p+".tmp", p) // never rewrite a file in place: it may be mapped
		done := make(chan struct{})
		go func() {
			defer close(done)
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
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			os.WriteFile(filepath.Join(t.TempDir(), "hang.mmdb"), b, 0o644)
			t.Fatalf("damaged copy %d: no answer within 10s", i)
		}
	}
}

// damage changes, drops and inserts a few bytes of a copy of b.
func damage(rng *rand.Rand, b []byte) []byte {
	b = append([]byte(nil), b...)
	for range 1 + rng.Intn(8) {
		if len(b) < 16 {
			break
		}
		k := rng.Intn(len(b))
		switch rng.Intn(4) {
		case 0:
			b[k] = byte(rng.Intn(256))
		case 1:
			b = append(b[:k], b[k+1+rng.Intn(min(16, len(b)-k)):]...)
		case 2:
			b = append(b[:k], append([]byte{byte(rng.Intn(256)), 0xff, 0}, b[k:]...)...)
		case 3:
			b[k] = 0xff
		}
	}
	return b
}
