package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/respond"
)

func testConfig() Config {
	return Config{Addr: "127.0.0.1:0", ReadHeaderTimeout: time.Second, ReadTimeout: time.Second,
		WriteTimeout: 5 * time.Second, IdleTimeout: time.Second, ShutdownTimeout: 5 * time.Second,
		MaxHeaderBytes: 4096, AccessLog: true}
}

func TestMiddleware(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	srv := New(testConfig(), log, func(mux *http.ServeMux) {
		mux.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
		mux.HandleFunc("GET /ok/{x}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "fine") })
		mux.HandleFunc("GET /gone", func(w http.ResponseWriter, r *http.Request) {
			respond.NoteStatus(w, 444)
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
		})
	})
	h := srv.Handler()
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/panic", 500, `"title": "Internal Server Error"`},
		{"/ok/1", 200, "fine"},
		{"/healthz", 200, `"status":"ok"`},
		{"/ok/" + strings.Repeat("x", 2000), 414, "URI Too Long"},
		{"/nothing", 404, ""},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", tt.path, nil))
		if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.body) {
			t.Errorf("%.20s: %d %q, want %d with %q", tt.path, w.Code, w.Body, tt.status, tt.body)
		}
		if w.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("%.20s: no CSP", tt.path)
		}
	}
	if !strings.Contains(logs.String(), `msg=panic`) || !strings.Contains(logs.String(), "boom") {
		t.Errorf("the panic is not logged:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), `route=/ok/{x} status=200`) {
		t.Errorf("no access log line with the route:\n%s", logs.String())
	}
	// A hijacked connection is logged with the status the handler noted.
	ts := httptest.NewServer(h)
	defer ts.Close()
	if _, err := http.Get(ts.URL + "/gone"); err == nil {
		t.Errorf("/gone answered; want the connection closed")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(w.Body.String(), `teapot_http_requests_total{route="/gone",code="444"} 1`) {
		t.Errorf("metrics lack the hijacked 444:\n%s", w.Body)
	}
	if !strings.Contains(w.Body.String(), `teapot_http_requests_total{route="/panic",code="500"} 1`) {
		t.Errorf("metrics lack the panic:\n%s", w.Body)
	}
}

// TestGracefulShutdown cancels the server while a request is in flight:
// the request completes and Serve returns without error.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	srv := New(testConfig(), slog.New(slog.DiscardHandler), func(mux *http.ServeMux) {
		mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
			close(started)
			time.Sleep(300 * time.Millisecond)
			io.WriteString(w, "done")
		})
	})
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + srv.Addr().String() + "/slow")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-started
	cancel()
	if body := <-got; body != "done" {
		t.Errorf("in-flight request got %q, want done", body)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	if got := quote("a\"b\\c\nd"); got != `"a\"b\\c\nd"` {
		t.Errorf("quote = %s", got)
	}
}
