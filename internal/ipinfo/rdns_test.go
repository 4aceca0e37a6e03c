package ipinfo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/web"
)

// deadDNS is a resolver nobody can reach: every lookup waits for its
// context's deadline. It counts the lookups.
type deadDNS struct{ asked atomic.Int32 }

func (d *deadDNS) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	d.asked.Add(1)
	<-ctx.Done()
	return nil, ctx.Err()
}

// getFrom asks mux for path as client and decodes the JSON answer,
// returning it and how long it took.
func getFrom(t *testing.T, mux http.Handler, client, path string) (Info, time.Duration) {
	t.Helper()
	w := httptest.NewRecorder()
	start := time.Now()
	mux.ServeHTTP(w, clientReq(path, client))
	took := time.Since(start)
	var in Info
	if err := json.Unmarshal(w.Body.Bytes(), &in); err != nil || w.Code != 200 {
		t.Fatalf("%s: %d %v:\n%s", path, w.Code, err, w.Body)
	}
	return in, took
}

// TestReverseDNSDeadResolver: with no resolver reachable, repeated
// requests for one address wait out the timeout once, then come from the
// negative cache; and many addresses asked by one client cost at most its
// rate of lookups, the rest answered at once without a name.
func TestReverseDNSDeadResolver(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	dns := &deadDNS{}
	mux := web.NewMux()
	New(Options{Resolver: dns, LookupTimeout: timeout, LookupRate: 5}).Register(mux)
	h := mux.Finish()

	in, took := getFrom(t, h, "198.51.100.7", "/ip/81.2.69.160.json")
	if in.ReverseDNS != "timeout" || in.Hostname != "" || took < timeout {
		t.Errorf("first request: reverse_dns %q after %v, want timeout after %v", in.ReverseDNS, took, timeout)
	}
	var again time.Duration
	for range 9 {
		in, took := getFrom(t, h, "198.51.100.7", "/ip/81.2.69.160.json")
		again += took
		if in.ReverseDNS != "timeout" {
			t.Errorf("a repeated request: reverse_dns %q, want the cached timeout", in.ReverseDNS)
		}
	}
	if n := dns.asked.Load(); n != 1 || again >= timeout {
		t.Errorf("10 requests for one address: the resolver was asked %d times, and the 9 repeats took %v; want once, and less than one timeout (%v) for all 9", n, again, timeout)
	}

	// One client, twenty addresses, each request from another address of
	// the client's /64: five lookups, then answers at once.
	dns.asked.Store(0)
	start := time.Now()
	skipped := 0
	for i := range 20 {
		in, _ := getFrom(t, h, fmt.Sprintf("2001:db8:1:2::%x", i+1), fmt.Sprintf("/ip/81.2.69.%d.json", i+1))
		if in.ReverseDNS == "skipped" {
			skipped++
		}
	}
	if n, took := dns.asked.Load(), time.Since(start); n != 5 || skipped != 15 || took > 10*timeout {
		t.Errorf("20 addresses from one /64: %d lookups, %d skipped, in %v; want 5 lookups and 15 skipped, in well under 20 timeouts", n, skipped, took)
	}
	// Another /64 has its own budget.
	if in, _ := getFrom(t, h, "2001:db8:1:3::1", "/ip/81.2.69.99.json"); in.ReverseDNS != "timeout" || dns.asked.Load() != 6 {
		t.Errorf("another client: reverse_dns %q, %d lookups; want its own lookup", in.ReverseDNS, dns.asked.Load())
	}
}

// gatedDNS answers "name.example" once the test closes release,
// reporting each lookup on started.
type gatedDNS struct {
	asked   atomic.Int32
	started chan string
	release chan struct{}
}

func (g *gatedDNS) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	g.asked.Add(1)
	g.started <- addr
	select {
	case <-g.release:
		return []string{"name.example."}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// TestReverseDNSCoalesce: requests for an address that is being looked
// up wait for that lookup instead of making their own, and cost their
// clients nothing.
func TestReverseDNSCoalesce(t *testing.T) {
	t.Parallel()
	const n = 8
	dns := &gatedDNS{started: make(chan string, n), release: make(chan struct{})}
	s := New(Options{Resolver: dns, LookupTimeout: 10 * time.Second, LookupRate: 1})
	joined := make(chan netip.Addr, n)
	s.dns.joined = func(a netip.Addr) { joined <- a }
	a := netip.MustParseAddr("81.2.69.160")
	var wg sync.WaitGroup
	names := make([]string, n)
	ask := func(i int) {
		defer wg.Done()
		names[i] = s.lookup(req(fmt.Sprintf("198.51.100.%d", i+1)), a).Hostname
	}
	wg.Add(n)
	go ask(0)
	<-dns.started
	for i := 1; i < n; i++ {
		go ask(i)
	}
	for range n - 1 {
		<-joined
	}
	close(dns.release)
	wg.Wait()
	if got := dns.asked.Load(); got != 1 {
		t.Errorf("%d concurrent requests for one address made %d lookups, want 1", n, got)
	}
	for i, name := range names {
		if name != "name.example" {
			t.Errorf("request %d got %q, want the shared answer", i, name)
		}
	}
	// The requests that joined were not charged: each client still has
	// its one lookup a minute.
	if in := s.lookup(req("198.51.100.2"), netip.MustParseAddr("81.2.69.161")); in.ReverseDNS == "skipped" {
		t.Error("a client that only joined a lookup in flight was charged for it")
	}
}

// TestReverseDNSCache: names are kept for FoundTTL, answers without one
// for NegativeTTL, and then asked again.
func TestReverseDNSCache(t *testing.T) {
	t.Parallel()
	dns := &fakeDNS{names: map[string]string{"81.2.69.160": "host.example"}}
	s := New(Options{Resolver: dns, LookupTimeout: time.Second})
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	s.dns.now = func() time.Time { return now }
	asked := func(addr string) int {
		dns.mu.Lock()
		defer dns.mu.Unlock()
		n := 0
		for _, a := range dns.asked {
			if a == addr {
				n++
			}
		}
		return n
	}
	r := req("198.51.100.7")
	for _, tt := range []struct {
		after      time.Duration // since the start
		addr       string
		wantLookup int // lookups of addr so far
	}{
		{0, "81.2.69.160", 1}, {FoundTTL - time.Minute, "81.2.69.160", 1}, {FoundTTL + time.Minute, "81.2.69.160", 2},
		{0, "81.2.69.161", 1}, {NegativeTTL - time.Minute, "81.2.69.161", 1}, {NegativeTTL + time.Minute, "81.2.69.161", 2},
	} {
		now = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).Add(tt.after)
		s.lookup(r, netip.MustParseAddr(tt.addr))
		if got := asked(tt.addr); got != tt.wantLookup {
			t.Errorf("%s after %v: %d lookups, want %d", tt.addr, tt.after, got, tt.wantLookup)
		}
	}
}

// TestReverseDNSRate: a client's budget refills at its rate; the /ip page
// and /ip/hostname say the lookup was skipped, and why.
func TestReverseDNSRate(t *testing.T) {
	t.Parallel()
	dns := &fakeDNS{names: map[string]string{}}
	for i := range 10 {
		dns.names[fmt.Sprintf("81.2.69.%d", i)] = fmt.Sprintf("h%d.example", i)
	}
	s := New(Options{Resolver: dns, LookupTimeout: time.Second, LookupRate: 6})
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	s.dns.now = func() time.Time { return now }
	r := req("198.51.100.7")
	status := func(i int) string { return s.lookup(r, netip.MustParseAddr(fmt.Sprintf("81.2.69.%d", i))).ReverseDNS }
	for i := range 6 {
		if got := status(i); got != "found" {
			t.Fatalf("lookup %d of 6 allowed: %q", i+1, got)
		}
	}
	if got := status(6); got != "skipped" {
		t.Errorf("a 7th lookup in the same instant: %q, want skipped", got)
	}
	if got := status(0); got != "found" {
		t.Errorf("a cached name over the budget: %q, want found (the cache is free)", got)
	}
	now = now.Add(10 * time.Second) // 6 a minute: one more
	if got, next := status(6), status(7); got != "found" || next != "skipped" {
		t.Errorf("10s later: %q then %q, want one more lookup, then skipped", got, next)
	}

	mux := web.NewMux()
	s.Register(mux)
	h := mux.Finish()
	for _, path := range []string{"/ip/81.2.69.8.txt", "/ip/81.2.69.8.json"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, clientReq(path, "198.51.100.7"))
		if !strings.Contains(w.Body.String(), "skipped") {
			t.Errorf("%s does not say the lookup was skipped:\n%s", path, w.Body)
		}
	}
	w := httptest.NewRecorder()
	c := New(Options{Resolver: dns, LookupTimeout: time.Second, LookupRate: 1, ClientAddr: func(*http.Request) netip.Addr { return netip.MustParseAddr("81.2.69.9") }})
	c.dns.budget.Allow("81.2.69.9") // spends the client's one lookup
	mux = web.NewMux()
	c.Register(mux)
	mux.Finish().ServeHTTP(w, httptest.NewRequest("GET", "/ip/hostname", nil))
	if w.Code != 404 || !strings.Contains(w.Body.String(), "at most 1 reverse DNS lookups a minute") {
		t.Errorf("/ip/hostname over the budget: %d %q, want 404 naming the limit", w.Code, w.Body)
	}
}

// TestLRU: the cache holds at most its size, forgetting the least
// recently used entry, and nothing past its expiry.
func TestLRU(t *testing.T) {
	t.Parallel()
	now := time.Now()
	c := newLRU[int, string](2)
	c.put(1, "a", now.Add(time.Minute))
	c.put(2, "b", now.Add(time.Minute))
	c.get(1, now) // 2 is now the least recently used
	c.put(3, "c", now.Add(time.Minute))
	if _, ok := c.get(2, now); ok || c.len() != 2 {
		t.Errorf("a full cache kept the least recently used entry (len %d)", c.len())
	}
	if v, ok := c.get(1, now); !ok || v != "a" {
		t.Errorf("the recently used entry: %q, %v", v, ok)
	}
	if _, ok := c.get(3, now.Add(time.Minute)); ok || c.len() != 1 {
		t.Errorf("an entry was returned at its expiry (len %d)", c.len())
	}
}
