package geo

import (
	"net/netip"
	"reflect"
	"sync"
	"testing"

	"github.com/teapothq/teapot/internal/geo/geotest"
)

// TestRecordCache looks addresses up through caches of several sizes,
// from two goroutines at once, and wants the answers of a database that
// caches nothing: a slot that changes hands, or a record read while
// another is stored, must never give one address another's record.
func TestRecordCache(t *testing.T) {
	addrs := []string{"81.2.69.160", "192.0.2.1", "198.51.100.7", "203.0.113.9", "2001:db8::1",
		"81.2.69.1", "10.1.2.3", "81.2.64.5", "::ffff:192.0.2.200"}
	defer func(n int) { recordCacheSize = n }(recordCacheSize)
	for name, files := range geotest.Layouts(t) {
		open := func(size int) *Set {
			recordCacheSize = size
			s, err := OpenSet(files.Location, []string{files.Network}, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
		plain := open(0)
		want := map[string]Record{}
		for _, a := range addrs {
			want[a] = plain.Lookup(netip.MustParseAddr(a))
		}
		for _, size := range []int{1, 2, 2048} {
			s := open(size)
			var wg sync.WaitGroup
			for g := range 2 {
				wg.Go(func() {
					for pass := range 50 {
						for i := range addrs {
							if (pass+g)%2 == 1 {
								i = len(addrs) - 1 - i
							}
							a := addrs[i]
							if got := s.Lookup(netip.MustParseAddr(a)); !reflect.DeepEqual(got, want[a]) {
								t.Errorf("%s, cache of %d: %s is\n%+v\nwant\n%+v", name, size, a, got, want[a])
								return
							}
						}
					}
				})
			}
			wg.Wait()
			// The cache is used: London's record is in it.
			db := s.location[0].acquire()
			res := db.r.Lookup(netip.MustParseAddr("81.2.69.160"))
			if c := db.cache.slot(res.Offset()).Load(); size == 2048 && (c == nil || c.rec.City != "London") {
				t.Errorf("%s: London's record is not in the cache: %+v", name, c)
			}
			db.release()
		}
	}
}
