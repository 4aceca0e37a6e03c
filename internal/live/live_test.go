package live

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teapothq/teapot/content"
	"github.com/teapothq/teapot/internal/catalog"
	"github.com/teapothq/teapot/internal/web"
)

var (
	catOnce sync.Once
	cat     *catalog.Catalog
	catErr  error
)

func testCatalog(t testing.TB) *catalog.Catalog {
	catOnce.Do(func() { cat, catErr = catalog.Load(content.FS) })
	if catErr != nil {
		t.Fatal(catErr)
	}
	return cat
}

// newTestServer serves the live endpoints on a real port; with h2 it
// speaks HTTP/2 over TLS with a test certificate.
func newTestServer(t testing.TB, opts Options, h2 bool) (*httptest.Server, *http.Client) {
	t.Helper()
	return serveLive(t, newTestLive(t, opts), h2)
}

// newTestLive is New with the tests' defaults for the delay limits, for a
// test that sets a hook before serving it.
func newTestLive(t testing.TB, opts Options) *Live {
	t.Helper()
	if opts.MaxDelay == 0 {
		opts.MaxDelay = 2 * time.Second
	}
	if opts.MaxDelayed == 0 {
		opts.MaxDelayed, opts.MaxDelayedPerClient = 50, 5
	}
	return New(testCatalog(t), opts)
}

// serveLive serves l on a real port, as newTestServer does.
func serveLive(t testing.TB, l *Live, h2 bool) (*httptest.Server, *http.Client) {
	t.Helper()
	mux := web.NewMux()
	l.Register(mux)
	ts := httptest.NewUnstartedServer(mux.Finish())
	if h2 {
		ts.EnableHTTP2 = true
		ts.StartTLS()
	} else {
		ts.Start()
	}
	t.Cleanup(ts.Close)
	c := ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.Timeout = 10 * time.Second
	return ts, c
}

// TestDelay checks that a delay is waited out, and that a second delayed
// request from the same address while one waits is over the per-client
// cap. The test waits for the server to say that the first request holds
// its slot, not for a while.
func TestDelay(t *testing.T) {
	t.Parallel()
	l := newTestLive(t, Options{MaxDelay: time.Second, MaxDelayed: 10, MaxDelayedPerClient: 1})
	// Each delayed request that gets a slot reports here before it waits;
	// set before the server starts, so that no request can race the set.
	waiting := make(chan struct{}, 3)
	l.waiting = func() { waiting <- struct{}{} }
	ts, c := serveLive(t, l, false)
	start := time.Now()
	resp, err := c.Get(ts.URL + "/status/200?delay=300ms")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("answered after %v, want at least 300ms", d)
	}
	select {
	case <-waiting:
	default:
		t.Fatal("the delayed request was answered without taking a slot")
	}
	// The first request asks for the longest delay allowed, and is given
	// up once the second has its answer.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/status/200?delay=1s", nil)
		if r, err := c.Do(req); err == nil {
			r.Body.Close()
		}
	}()
	select {
	case <-waiting:
	case <-time.After(5 * time.Second):
		t.Fatal("the first delayed request never started to wait")
	}
	resp, err = c.Get(ts.URL + "/status/200?delay=10")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("second delayed request: %d, want 503 with Retry-After", resp.StatusCode)
	}
	checkExposed(t, "GET", resp.StatusCode, resp.Header)
	cancel()
	<-done
}

// TestRateLimit trips the limit and lets the clock refill it.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ts, c := newTestServer(t, Options{Rate: 1, Burst: 3, Now: clock}, false)
	status := func() (int, string) {
		resp, err := c.Get(ts.URL + "/status/200")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		checkExposed(t, "GET", resp.StatusCode, resp.Header)
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	for i := 0; i < 3; i++ {
		if s, _ := status(); s != 200 {
			t.Fatalf("request %d: %d, want 200", i+1, s)
		}
	}
	if s, ra := status(); s != 429 || ra != "1" {
		t.Fatalf("over the burst: %d Retry-After %q, want 429 and 1", s, ra)
	}
	mu.Lock()
	now = now.Add(1100 * time.Millisecond)
	mu.Unlock()
	if s, _ := status(); s != 200 {
		t.Errorf("after a second: %d, want 200", s)
	}
}

// TestRateLimitByClient counts requests under the address ClientAddr
// gives, not the peer's: each client behind one proxy has its own budget.
func TestRateLimitByClient(t *testing.T) {
	t.Parallel()
	byHeader := func(r *http.Request) string { return r.Header.Get("Test-Client") }
	ts, c := newTestServer(t, Options{Rate: 1, Burst: 1, Now: func() time.Time { return time.Unix(0, 0) }, ClientAddr: byHeader}, false)
	status := func(client string) int {
		req, _ := http.NewRequest("GET", ts.URL+"/status/200", nil)
		req.Header.Set("Test-Client", client)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tt := range []struct {
		client string
		want   int
	}{{"192.0.2.1", 200}, {"192.0.2.1", 429}, {"192.0.2.2", 200}, {"192.0.2.2", 429}} {
		if got := status(tt.client); got != tt.want {
			t.Errorf("client %s: %d, want %d", tt.client, got, tt.want)
		}
	}
}

// TestIPv6Prefix: by default every address of one /64 is one client
// for the rate limit and the delay slots; another /64 is another client.
func TestIPv6Prefix(t *testing.T) {
	t.Parallel()
	l := newTestLive(t, Options{Rate: 1, Burst: 2, MaxDelay: time.Second, MaxDelayed: 100, MaxDelayedPerClient: 1,
		Now: func() time.Time { return time.Unix(0, 0) }})
	waiting := make(chan struct{}, 1)
	l.waiting = func() { waiting <- struct{}{} }
	mux := web.NewMux()
	l.Register(mux)
	h := mux.Finish()
	get := func(ctx context.Context, peer, path string) int {
		r := httptest.NewRequestWithContext(ctx, "GET", path, nil)
		r.RemoteAddr = peer
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	// 100 addresses of 2001:db8:1:2::/64: the burst of two passes, the
	// rest are limited.
	passed := 0
	for i := range 100 {
		if get(t.Context(), fmt.Sprintf("[2001:db8:1:2::%x]:1000", i+1), "/status/200") == 200 {
			passed++
		}
	}
	if passed != 2 {
		t.Errorf("%d of 100 requests from one /64 passed, want the burst of 2", passed)
	}
	// Another /64 has its own budget, and its own delay slot: while one
	// address of it waits out a delay, another address of it gets 503.
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int)
	go func() { done <- get(ctx, "[2001:db8:1:3::1]:1000", "/status/200?delay=1s") }()
	<-waiting
	if got := get(t.Context(), "[2001:db8:1:3::2]:1000", "/status/200?delay=1s"); got != 503 {
		t.Errorf("a second delayed request from the same /64: %d, want 503 (one slot per client)", got)
	}
	cancel()
	if got := <-done; got != 200 {
		t.Errorf("the next /64's delayed request: %d, want 200", got)
	}
}

func TestPreflight(t *testing.T) {
	t.Parallel()
	ts, c := newTestServer(t, Options{}, false)
	req, _ := http.NewRequest("OPTIONS", ts.URL+"/status/503", nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", "DELETE")
	req.Header.Set("Access-Control-Request-Headers", "Authorization, X-Trace, bad header")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 || !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "DELETE") ||
		resp.Header.Get("Access-Control-Allow-Headers") != "Authorization, X-Trace" {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
}
