package app_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/teapothq/teapot/internal/app"
	"github.com/teapothq/teapot/internal/geo/geotest"
)

// hotPaths are the requests bench/ratio measures under load, as their
// clients send them: a browser for the page, curl-like clients for the
// rest.
var hotPaths = []struct {
	name, path string
	header     map[string]string
	maxAllocs  float64 // pinned: a change that allocates more fails TestHotPathAllocs
}{
	{"page", "/409", map[string]string{"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
		"Accept-Encoding": "gzip, deflate, br", "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0"}, 2},
	{"status200", "/status/200", map[string]string{"User-Agent": "curl/8.5.0", "Accept": "*/*"}, 2},
	{"status418", "/status/418", map[string]string{"User-Agent": "curl/8.5.0", "Accept": "*/*"}, 2},
	{"apicode", "/api/codes/409", map[string]string{"User-Agent": "curl/8.5.0", "Accept": "*/*"}, 2},
	{"ipjson", "/ip/81.2.69.160.json", map[string]string{"User-Agent": "curl/8.5.0", "Accept": "*/*"}, 8},
}

// hotHandler is the whole app as "teapot serve" runs it, access log on
// (formatted, then discarded), with the geo fixtures loaded and reverse
// DNS off.
func hotHandler(tb testing.TB) http.Handler {
	tb.Helper()
	files, err := geotest.WriteMaxMind(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	cfg := app.Defaults()
	cfg.Addr, cfg.LabMemory, cfg.ReverseDNSTimeout = "127.0.0.1:0", true, 0
	cfg.GeoCity, cfg.GeoASN = strings.Join(files.Location, ","), files.Network
	cfg.StatusRate = 1e9 // the limiter runs, but never says no
	if err := cfg.Validate(); err != nil {
		tb.Fatal(err)
	}
	a, err := app.New(cfg, cfg.Logger(io.Discard))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { a.Close() })
	return a.Handler()
}

func hotRequest(path string, header map[string]string) *http.Request {
	r := httptest.NewRequest("GET", path, nil)
	r.RemoteAddr = "192.0.2.10:40000"
	for k, v := range header {
		r.Header.Set(k, v)
	}
	return r
}

// BenchmarkHotPaths serves each hot path through the whole handler
// chain without the network: the per-request work bench/ratio's ratio
// measures, with its allocations.
func BenchmarkHotPaths(b *testing.B) {
	h := hotHandler(b)
	for _, p := range hotPaths {
		b.Run(p.name, func(b *testing.B) {
			r := hotRequest(p.path, p.header)
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(&discardWriter{h: http.Header{}}, r)
			}
		})
	}
}

// BenchmarkHotPathsBare is BenchmarkHotPaths's yardstick in process, as
// bench/bare is bench/ratio's: a handler that copies the status, header
// and body teapot sent for the path, and does nothing else. The
// difference between the two is teapot's own work per request.
func BenchmarkHotPathsBare(b *testing.B) {
	h := hotHandler(b)
	for _, p := range hotPaths {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, hotRequest(p.path, p.header))
		header, body, code := w.Header(), w.Body.Bytes(), w.Code
		bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			for k, v := range header {
				h[k] = v
			}
			w.WriteHeader(code)
			w.Write(body)
		})
		b.Run(p.name, func(b *testing.B) {
			r := hotRequest(p.path, p.header)
			b.ReportAllocs()
			for b.Loop() {
				bare.ServeHTTP(&discardWriter{h: http.Header{}}, r)
			}
		})
	}
}

// TestHotPathAllocs pins the allocations per request of each hot path,
// so that they cannot creep back unnoticed; lower the pins when they
// drop.
func TestHotPathAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("measures allocations")
	}
	h := hotHandler(t)
	for _, p := range hotPaths {
		r := hotRequest(p.path, p.header)
		w := &discardWriter{h: http.Header{}}
		h.ServeHTTP(w, r) // warm caches built on first use
		got := testing.AllocsPerRun(200, func() {
			clear(w.h)
			h.ServeHTTP(w, r)
		})
		t.Logf("%s: %.0f allocations a request", p.path, got)
		if pin := p.maxAllocs + raceAllocs; got > pin {
			t.Errorf("%s: %.0f allocations a request, pinned at %.0f", p.path, got, pin)
		}
	}
}
