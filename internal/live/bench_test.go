package live

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/teapothq/teapot/internal/web"
)

type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkStatus serves /status/200 and /status/418 through the live
// handler with the rate limiter on, without the network.
func BenchmarkStatus(b *testing.B) {
	m := web.NewMux()
	New(testCatalog(b), Options{Rate: 1e9, Burst: 1e9, MaxDelayed: 10, MaxDelayedPerClient: 10}).Register(m)
	mux := m.Finish()
	for _, path := range []string{"/status/200", "/status/418", "/status/503?retry_after=5"} {
		b.Run(path, func(b *testing.B) {
			r := httptest.NewRequest("GET", path, nil)
			r.Header.Set("Accept", "application/json")
			b.ReportAllocs()
			for b.Loop() {
				mux.ServeHTTP(&discard{h: http.Header{}}, r)
			}
		})
	}
}
