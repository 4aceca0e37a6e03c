package urlcheck

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/web"
)

// loopbackOnly is the real dialer, wrapped so that a test fails (and no
// packet is sent) if the checker ever asks to connect anywhere but
// 127.0.0.0/8 or ::1. A bug in the guard shows up here.
func loopbackOnly(t testing.TB) DialFunc {
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

// fakeResolver answers from a map; a name with several answer lists gets
// the next list at each lookup (for DNS rebinding). It never asks the
// system's resolver.
type fakeResolver struct {
	mu      sync.Mutex
	answers map[string][][]string
	calls   map[string]int
}

func newFakeResolver(m map[string][][]string) *fakeResolver {
	return &fakeResolver{answers: m, calls: map[string]int{}}
}

func (f *fakeResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	lists, ok := f.answers[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host (test resolver)", Name: host, IsNotFound: true}
	}
	n := f.calls[host]
	f.calls[host]++
	var out []netip.Addr
	for _, s := range lists[min(n, len(lists)-1)] {
		out = append(out, netip.MustParseAddr(s))
	}
	return out, nil
}

func (f *fakeResolver) lookups(host string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[host]
}

// newChecker is a checker that can only reach loopback, resolving with r
// (an empty fake resolver when nil).
func newChecker(t testing.TB, opts Options, r Resolver) *Checker {
	t.Helper()
	if r == nil {
		r = newFakeResolver(nil)
	}
	opts.Resolver = r
	opts.Dial = loopbackOnly(t)
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	return New(opts)
}

// serveAPI serves the checker's API on a real loopback port.
func serveAPI(t testing.TB, c *Checker) string {
	t.Helper()
	mux := web.NewMux()
	c.Register(mux)
	ts := httptest.NewServer(mux.Finish())
	t.Cleanup(ts.Close)
	return ts.URL
}

// portOf is the port of a test server's URL.
func portOf(t testing.TB, raw string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(strings.TrimPrefix(strings.TrimPrefix(raw, "http://"), "https://"))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return n
}

// post sends body to the check API and returns the response and its
// body.
func post(t testing.TB, api, query, ctype, body string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Post(api+"/api/check"+query, ctype, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
	}
	return resp, b.String()
}

// stream posts a JSON check request and decodes the NDJSON lines.
func stream(t testing.TB, api string, req Request) []Progress {
	t.Helper()
	body, _ := json.Marshal(req)
	resp, text := post(t, api, "", "application/json", string(body))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != TypeNDJSON {
		t.Fatalf("status %d, Content-Type %q, want 200 %s:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), TypeNDJSON, text)
	}
	var lines []Progress
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		var p Progress
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		lines = append(lines, p)
	}
	return lines
}

// results are the results of a stream, by index.
func results(t testing.TB, lines []Progress) []Result {
	t.Helper()
	if len(lines) < 2 || !lines[len(lines)-1].Finished {
		t.Fatalf("the stream has no finished line: %+v", lines)
	}
	out := make([]Result, lines[0].Total)
	for _, l := range lines[1 : len(lines)-1] {
		out[l.Result.Index] = *l.Result
	}
	return out
}
