package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
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
	srv := New(testConfig(), log, func(mux *web.Mux) {
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
	// The client sees the connection close before the server's handler
	// has returned and been counted: wait for the count.
	var w *httptest.ResponseRecorder
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		w = httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
		if strings.Contains(w.Body.String(), `teapot_http_requests_total{route="/gone",code="444"} 1`) || time.Now().After(deadline) {
			break
		}
	}
	if !strings.Contains(w.Body.String(), `teapot_http_requests_total{route="/gone",code="444"} 1`) {
		t.Errorf("metrics lack the hijacked 444:\n%s", w.Body)
	}
	if !strings.Contains(w.Body.String(), `teapot_http_requests_total{route="/panic",code="500"} 1`) {
		t.Errorf("metrics lack the panic:\n%s", w.Body)
	}
}

// TestSecurityHeadersByType checks that documents get the full policy
// and everything else the short one, that a field the handler set is
// kept, and that interim responses are covered.
func TestSecurityHeadersByType(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.ConnectSources = []string{"https://ipv4.example"}
	srv := New(cfg, slog.New(slog.DiscardHandler), func(mux *web.Mux) {
		typed := func(ctype string) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				respond.Bytes(w, http.StatusOK, ctype, []byte("x"))
			}
		}
		mux.HandleFunc("GET /html", typed(respond.TypeHTML))
		mux.HandleFunc("GET /svg", typed("image/svg+xml"))
		mux.HandleFunc("GET /xml", typed("application/xml"))
		mux.HandleFunc("GET /json", typed(respond.TypeJSON))
		mux.HandleFunc("GET /text", typed(respond.TypeText))
		mux.HandleFunc("GET /sniffed", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<b>x</b>") })
		mux.HandleFunc("GET /empty", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
		mux.HandleFunc("GET /nothing", func(w http.ResponseWriter, r *http.Request) {})
		mux.HandleFunc("GET /own", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", "sandbox")
			respond.Bytes(w, http.StatusOK, respond.TypeHTML, []byte("<p>theirs</p>"))
		})
		mux.HandleFunc("GET /hints", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", "</a.css>; rel=preload; as=style")
			w.WriteHeader(http.StatusEarlyHints)
			respond.Bytes(w, http.StatusOK, respond.TypeJSON, []byte("{}"))
		})
		mux.HandleFunc("GET /panic-json", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", respond.TypeJSON)
			panic("boom")
		})
	})
	// Scripts and styles come only from /assets/ of the host asked for.
	csp := func(host string) string {
		return "default-src 'none'; script-src " + host + "/assets/; style-src " + host + "/assets/; img-src 'self' data:; " +
			"connect-src 'self' https://ipv4.example; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
	}
	full := csp("example.com")
	short := "default-src 'none'; frame-ancestors 'none'; sandbox"
	tests := []struct {
		path, csp string
		document  bool
	}{
		{"/html", full, true},
		{"/svg", full, true},
		{"/xml", full, true},
		{"/sniffed", full, true},
		{"/nothing", short, false},
		{"/json", short, false},
		{"/text", short, false},
		{"/empty", short, false},
		{"/healthz", short, false},
		{"/metrics", short, false},
		{"/panic-json", short, false},
		{"/own", "sandbox", true},
		{"/" + strings.Repeat("x", 2000), short, false}, // the 414 problem
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, httptest.NewRequest("GET", tt.path, nil))
		h := w.Header()
		if got := h.Get("Content-Security-Policy"); got != tt.csp {
			t.Errorf("%.20s: CSP %q, want %q", tt.path, got, tt.csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cross-Origin-Resource-Policy") != "same-origin" {
			t.Errorf("%.20s: nosniff or CORP missing: %v", tt.path, h)
		}
		for _, f := range []string{"X-Frame-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy"} {
			if got := h.Get(f) != ""; got != tt.document {
				t.Errorf("%.20s: %s present %v, want %v", tt.path, f, got, tt.document)
			}
		}
	}

	// Over a real connection: the 103 carries the document policy, the
	// final JSON response only the short one.
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	var interim textproto.MIMEHeader
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
		interim = h
		return nil
	}}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", ts.URL+"/hints", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if interim == nil || interim.Get("Content-Security-Policy") != csp(strings.TrimPrefix(ts.URL, "http://")) || interim.Get("X-Frame-Options") == "" {
		t.Errorf("103: %v, want the document policy", interim)
	}
	if got := resp.Header.Get("Content-Security-Policy"); got != short || resp.Header.Get("X-Frame-Options") != "" {
		t.Errorf("final response after 103: CSP %q, X-Frame-Options %q; want the short policy alone", got, resp.Header.Get("X-Frame-Options"))
	}
}

// TestGracefulShutdown cancels the server while a request is in flight:
// the request completes and Serve returns without error.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	srv := New(testConfig(), slog.New(slog.DiscardHandler), func(mux *web.Mux) {
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

// TestDocumentCSPSources: a page's scripts and styles may come only from
// the assets folder, under the base path, on the public URL and on the
// host asked for; a Host that could break out of the policy is left out.
func TestDocumentCSPSources(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.BasePath, cfg.PublicURL = "/teapot", "https://teapot.example"
	srv := New(cfg, slog.New(slog.DiscardHandler), func(mux *web.Mux) {
		mux.HandleFunc("GET /page", func(w http.ResponseWriter, r *http.Request) {
			respond.Bytes(w, http.StatusOK, respond.TypeHTML, []byte("<p>x"))
		})
	})
	for _, tc := range []struct{ host, sources string }{
		{"teapot.example", "https://teapot.example/teapot/assets/ teapot.example/teapot/assets/"},
		{"127.0.0.1:8080", "https://teapot.example/teapot/assets/ 127.0.0.1:8080/teapot/assets/"},
		{"[::1]:8080", "https://teapot.example/teapot/assets/ [::1]:8080/teapot/assets/"},
		{"evil.example;script-src", "https://teapot.example/teapot/assets/"},
		{"a,b", "https://teapot.example/teapot/assets/"},
		{"127.0.0.1:8080", "https://teapot.example/teapot/assets/ 127.0.0.1:8080/teapot/assets/"},
	} {
		r := httptest.NewRequest("GET", "/teapot/page", nil)
		r.Host = tc.host
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, r)
		want := "script-src " + tc.sources + "; style-src " + tc.sources + ";"
		if got := w.Header().Get("Content-Security-Policy"); !strings.Contains(got, want) || strings.Contains(got, "'self'; style") {
			t.Errorf("Host %q: CSP %q, want %q", tc.host, got, want)
		}
	}
}

// TestListenTwice: a second Listen (App.Serve after App.Listen) keeps the
// port the first one bound, rather than binding another that no one knows.
func TestListenTwice(t *testing.T) {
	t.Parallel()
	srv := New(testConfig(), slog.New(slog.DiscardHandler), func(*web.Mux) {})
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	first := srv.Addr().String()
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	if got := srv.Addr().String(); got != first {
		t.Errorf("second Listen moved to %s from %s", got, first)
	}
	srv.Close()
}

// TestIsDocument: what a browser may render as a page gets the document
// policy; JSON, on its fast path or not, never does.
func TestIsDocument(t *testing.T) {
	t.Parallel()
	for ctype, want := range map[string]bool{
		"application/json":                false,
		"application/json; charset=utf-8": false,
		"application/problem+json":        false,
		"application/json+xml":            true,
		"application/jsonx; q=xml":        false,
		"Application/XHTML+XML":           true,
		"text/html;charset=utf-8":         true,
		" TEXT/HTML ":                     true,
		"text/plain; charset=utf-8":       false,
		"image/svg+xml":                   true,
		"":                                true, // sniffable
	} {
		if got := isDocument(ctype, http.StatusOK, http.Header{}); got != want {
			t.Errorf("isDocument(%q) = %v, want %v", ctype, got, want)
		}
	}
	if isDocument("", http.StatusNoContent, http.Header{}) {
		t.Error("an empty 204 is a document")
	}
}
