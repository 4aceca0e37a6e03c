package app_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/teapothq/teapot/internal/app"
	"github.com/teapothq/teapot/internal/app/apptest"
)

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures teapot's handler chain and not the recorder.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// BenchmarkPage serves /409 as a browser asks for it through the whole
// handler chain (routing, negotiation, ETag, compression choice, security
// headers, metrics and an access log line), without the network.
func BenchmarkPage(b *testing.B) {
	cfg := apptest.Config()
	cfg.AccessLog = true // as "teapot serve" logs, formatting included
	a, err := app.New(cfg, cfg.Logger(io.Discard))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	h := a.Handler()
	r := httptest.NewRequest("GET", "/409", nil)
	r.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	r.Header.Set("Accept-Encoding", "gzip")
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0")
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(&discardWriter{h: http.Header{}}, r)
	}
}

// BenchmarkBare is the reference for BenchmarkPage: a handler that sends
// the same headers and bytes with no routing, negotiation, log or metrics.
func BenchmarkBare(b *testing.B) {
	a := apptest.New(b, apptest.Config())
	r := httptest.NewRequest("GET", "/409", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	w := httptest.NewRecorder()
	a.Handler().ServeHTTP(w, r)
	header, body := w.Header(), w.Body.Bytes()
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range header {
			h[k] = v
		}
		w.WriteHeader(http.StatusOK)
		w.Write(body)
	})
	b.ReportAllocs()
	for b.Loop() {
		bare.ServeHTTP(&discardWriter{h: http.Header{}}, r)
	}
}
