package urlcheck

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// BenchmarkBulk100 checks 100 URLs of a local server in one bulk run with
// the default pool: as one API client (DefaultPerClient checks at once)
// and with the whole pool (DefaultWorkers). It reports checks per second
// and the heap in use after the runs.
func BenchmarkBulk100(b *testing.B) {
	b.Run("client", func(b *testing.B) { benchBulk(b, DefaultPerClient) })
	b.Run("pool", func(b *testing.B) { benchBulk(b, DefaultWorkers) })
}

func benchBulk(b *testing.B, workers int) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	}))
	defer ts.Close()
	c := newChecker(b, Options{Guard: Guard{AllowPrivate: true, AnyPort: true}}, nil)
	urls := make([]*url.URL, 100)
	for i := range urls {
		urls[i], _ = url.Parse(ts.URL + "/" + strconv.Itoa(i))
	}
	s := Spec{Method: "GET", Follow: true, MaxRedirects: DefaultMaxHops, Agent: "teapot", Timeout: 5 * time.Second}
	cl := &client{sem: make(chan struct{}, workers)}
	b.ReportAllocs()
	start := time.Now()
	var ok int
	for b.Loop() {
		c.Run(b.Context(), cl, urls, s, func(r Result) {
			if r.Status == 200 {
				ok++
			}
		})
	}
	elapsed := time.Since(start)
	if ok != 100*b.N {
		b.Fatalf("%d of %d checks succeeded", ok, 100*b.N)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(100*b.N)/elapsed.Seconds(), "checks/s")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
}
