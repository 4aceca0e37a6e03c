package server

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/web"
)

// serve starts srv on a loopback port and stops it when the test ends.
func serve(t *testing.T, srv *Server) string {
	t.Helper()
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + srv.Addr().String()
}

// TestMaxConns holds connections taken over by a handler, as a 101
// upgrade does, and shows they count against --max-conns: the one over
// the cap is answered 503 and closed, and a place comes back when a held
// connection closes.
func TestMaxConns(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.MaxConns = 2
	held := make(chan net.Conn, 2)
	srv := New(cfg, slog.New(slog.DiscardHandler), func(mux *web.Mux) {
		mux.HandleFunc("GET /upgrade", func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
			buf.Flush()
			held <- conn
		})
	})
	base := serve(t, srv)
	addr := strings.TrimPrefix(base, "http://")
	upgrade := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, "GET /upgrade HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || resp.StatusCode != 101 {
			t.Fatalf("upgrade: %v %v", resp, err)
		}
		return c
	}
	c1, c2 := upgrade(), upgrade()
	defer c1.Close()
	defer c2.Close()
	s1, s2 := <-held, <-held
	defer s2.Close()

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	resp, err := client.Get(base + "/healthz")
	if err != nil {
		t.Fatalf("a third connection: %v, want a 503 answer", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "--max-conns") {
		t.Errorf("a third connection: %d %q, want 503 with Retry-After naming --max-conns", resp.StatusCode, body)
	}

	// The handler closes one upgraded connection: its place is free.
	s1.Close()
	c1.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := client.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no place came back after an upgraded connection closed: %v %v", resp, err)
		}
		time.Sleep(5 * time.Millisecond) // the server sees the close a moment later
	}
	w := httptest.NewRecorder()
	srv.metrics.ServeHTTP(w, nil)
	if !strings.Contains(w.Body.String(), "teapot_connections_refused_total 1") {
		t.Errorf("metrics do not count the refused connection:\n%s", w.Body)
	}
}

// TestMetricsAddr moves /metrics to a listener of its own, and turns it
// off: the public listener must not serve it either way.
func TestMetricsAddr(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"127.0.0.1:0", "off"} {
		cfg := testConfig()
		cfg.MetricsAddr = addr
		cfg.BasePath = "/teapot"
		srv := New(cfg, slog.New(slog.DiscardHandler))
		base := serve(t, srv)
		for _, path := range []string{"/metrics", "/teapot/metrics"} {
			resp, err := http.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 404 {
				t.Errorf("--metrics-addr %s: %s on the main listener is %d, want 404", addr, path, resp.StatusCode)
			}
		}
		if addr == "off" {
			if srv.MetricsAddr() != nil {
				t.Errorf("--metrics-addr off still listens on %v", srv.MetricsAddr())
			}
			continue
		}
		resp, err := http.Get("http://" + srv.MetricsAddr().String() + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), `code="404"} 2`) {
			t.Errorf("the metrics listener: %d, want 200 with the main listener's 404s counted:\n%s", resp.StatusCode, body)
		}
	}
}
