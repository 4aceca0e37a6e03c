package apptest

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/teapothq/teapot/internal/app"
	"github.com/teapothq/teapot/internal/catalog"
	"github.com/teapothq/teapot/internal/urlcheck"
)

// NoDNS is the tests' resolver, for the URL checker and for reverse DNS:
// it knows no names, and never asks the system's resolver.
type NoDNS struct{}

// LookupNetIP finds no name.
func (NoDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	return nil, &net.DNSError{Err: "no such host (test resolver)", Name: host, IsNotFound: true}
}

// LookupAddr knows one name, test.example. for 81.2.69.160 (an address
// MaxMind's test databases use), so that reverse DNS can be tested
// without a network.
func (NoDNS) LookupAddr(_ context.Context, addr string) ([]string, error) {
	if addr == "81.2.69.160" {
		return []string{"test.example."}, nil
	}
	return nil, &net.DNSError{Err: "no such host (test resolver)", Name: addr, IsNotFound: true}
}

// LoopbackOnly is the real dialer, wrapped so that the test fails (and
// nothing is sent) if the URL checker asks to connect anywhere but
// loopback: a hole in its guard shows up here, not on the network.
func LoopbackOnly(t testing.TB) urlcheck.DialFunc {
	real := (&net.Dialer{Timeout: 5 * time.Second}).DialContext
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		ap, err := netip.ParseAddrPort(addr)
		if err != nil || !ap.Addr().Unmap().IsLoopback() {
			t.Errorf("the checker tried to connect to %s: only loopback is allowed in tests", addr)
			return nil, fmt.Errorf("test: refusing to dial %s", addr)
		}
		return real(ctx, network, addr)
	}
}

// Config is "teapot serve" with its defaults, set for a test: a free
// loopback port, no access log, and the lab in memory, so that parallel
// tests share nothing. Reverse DNS stays on: New gives it NoDNS.
func Config() app.Config {
	cfg := app.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.AccessLog = false
	cfg.LabMemory = true
	return cfg
}

// New builds the app on cfg, which it validates, with NoDNS and
// LoopbackOnly for the URL checker and NoDNS for reverse DNS (opts are
// applied after these, so they may replace them), and closes it when the
// test ends.
func New(t testing.TB, cfg app.Config, opts ...app.Option) *app.App {
	t.Helper()
	offline := []app.Option{app.WithCheckNetwork(NoDNS{}, LoopbackOnly(t)), app.WithIPResolver(NoDNS{})}
	a, err := app.New(cfg, slog.New(slog.DiscardHandler), append(offline, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// Serve serves the whole handler chain of New(t, cfg, opts...) on a
// loopback port until the test ends, and returns its URL.
func Serve(t testing.TB, cfg app.Config, opts ...app.Option) string {
	t.Helper()
	ts := httptest.NewServer(New(t, cfg, opts...).Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

// ServeExam serves the app for the client exam: on a loopback port, and
// on a second one as the other origin of its cross-origin-auth check
// (127.0.0.2 where the system routes it to loopback, as Linux does, else
// another port of 127.0.0.1), with runs enough for a test of many
// clients. It returns the main URL.
func ServeExam(t testing.TB) string {
	t.Helper()
	main, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	alt, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		if alt, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
	}
	cfg := Config()
	cfg.ReverseDNSTimeout = 0
	cfg.ExamRunsPerHour = 1000
	cfg.ExamAltOrigin = "http://" + alt.Addr().String()
	h := New(t, cfg).Handler()
	for _, ln := range []net.Listener{main, alt} {
		ts := httptest.NewUnstartedServer(h)
		ts.Listener.Close()
		ts.Listener = ln
		ts.Start()
		t.Cleanup(ts.Close)
	}
	return "http://" + main.Addr().String()
}

// Response is what Fetch got, the body decoded.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// client does not follow redirects or decompress, so tests see exactly
// what the server sent.
var client = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Transport:     &http.Transport{DisableCompression: true},
}

// Fetch sends one request with the given header fields (a browser's
// User-Agent unless one is given) and reads the whole answer, decoding a
// gzip or brotli body.
func Fetch(t testing.TB, method, url string, header map[string]string) Response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "Mozilla/5.0 (test)")
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rd io.Reader = resp.Body
	switch resp.Header.Get("Content-Encoding") {
	case "gzip":
		if rd, err = gzip.NewReader(resp.Body); err != nil {
			t.Fatalf("bad gzip: %v", err)
		}
	case "br":
		rd = brotli.NewReader(resp.Body)
	}
	body, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	return Response{resp.StatusCode, resp.Header, string(body)}
}

// Catalog is the embedded reference, loaded as the server loads it.
func Catalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	cat, err := app.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}
