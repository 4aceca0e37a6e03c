package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/web"
)

func getReady(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatalf("%s: %v\n%s", url, err, b)
	}
	return res.StatusCode, body
}

// TestReadyz: /readyz follows its checks (a degraded one still answers
// 200), and during the drain delay answers 503 while other requests are
// still served; then the listener closes.
func TestReadyz(t *testing.T) {
	t.Parallel()
	var state atomic.Int64
	cfg := testConfig()
	cfg.DrainDelay = 400 * time.Millisecond
	cfg.BasePath = "/teapot"
	srv := New(cfg, slog.New(slog.DiscardHandler), func(mux *web.Mux) {
		mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hi") })
	})
	srv.ReadyWhen("store", func(context.Context) (Readiness, string) {
		r := Readiness(state.Load())
		if r == Ready {
			return r, ""
		}
		return r, "as the test says"
	})
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	base := "http://" + srv.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()

	for _, c := range []struct {
		state  Readiness
		code   int
		status string
	}{{Ready, 200, "ready"}, {Degraded, 200, "degraded"}, {NotReady, 503, "not ready"}, {Ready, 200, "ready"}} {
		state.Store(int64(c.state))
		for _, path := range []string{"/readyz", "/teapot/readyz"} {
			code, body := getReady(t, base+path)
			if code != c.code || body["status"] != c.status {
				t.Errorf("%s with the check %s: %d %v; want %d %s", path, readinessText[c.state], code, body, c.code, c.status)
			}
		}
	}

	start := time.Now()
	cancel()
	time.Sleep(100 * time.Millisecond)
	code, body := getReady(t, base+"/readyz")
	if code != 503 || body["status"] != "not ready" {
		t.Errorf("while draining: %d %v; want 503 not ready", code, body)
	}
	if res, err := http.Get(base + "/teapot/hello"); err != nil || res.StatusCode != 200 {
		t.Errorf("while draining, a request was not served: %v", err)
	} else {
		res.Body.Close()
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if el := time.Since(start); el < cfg.DrainDelay {
		t.Errorf("shut down after %v, before the drain delay of %v", el, cfg.DrainDelay)
	}
	if _, err := http.Get(base + "/readyz"); err == nil {
		t.Error("still answering after shutdown")
	}
}
