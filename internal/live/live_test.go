package live

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teapothq/teapot/content"
	"github.com/teapothq/teapot/internal/catalog"
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
	if opts.MaxDelay == 0 {
		opts.MaxDelay = 2 * time.Second
	}
	if opts.MaxDelayed == 0 {
		opts.MaxDelayed, opts.MaxDelayedPerClient = 50, 5
	}
	mux := http.NewServeMux()
	New(testCatalog(t), opts).Register(mux)
	ts := httptest.NewUnstartedServer(mux)
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

// required are the header fields each code's response must carry.
var required = map[int][]string{
	201: {"Location"}, 301: {"Location"}, 302: {"Location"}, 303: {"Location"}, 307: {"Location"}, 308: {"Location"},
	300: {"Location"}, 304: {"ETag"}, 401: {"WWW-Authenticate"}, 405: {"Allow"}, 407: {"Proxy-Authenticate"},
	206: {"Content-Range"}, 416: {"Content-Range"}, 415: {"Accept"}, 426: {"Upgrade"}, 429: {"Retry-After", "RateLimit"},
	451: {"Link"}, 503: {"Retry-After"},
}

// TestConformance asks for every code from 100 to 599 over HTTP/1.1 and
// HTTP/2, with GET and HEAD, and checks the status, the required header
// fields and the body rules.
func TestConformance(t *testing.T) {
	t.Parallel()
	for _, h2 := range []bool{false, true} {
		name := "HTTP/1.1"
		if h2 {
			name = "HTTP/2"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts, c := newTestServer(t, Options{}, h2)
			for code := 100; code <= 599; code++ {
				for _, method := range []string{"GET", "HEAD"} {
					checkCode(t, c, ts.URL, method, code, h2)
				}
			}
		})
	}
}

func checkCode(t *testing.T, c *http.Client, base, method string, code int, h2 bool) {
	t.Helper()
	req, _ := http.NewRequest(method, base+"/status/"+strconv.Itoa(code), nil)
	resp, err := c.Do(req)
	if code == 444 {
		if err == nil {
			resp.Body.Close()
			t.Errorf("%s %d: got a %d response, want the connection closed", method, code, resp.StatusCode)
		}
		return
	}
	if err != nil {
		t.Errorf("%s %d: %v", method, code, err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := wantStatus(code, h2); resp.StatusCode != want {
		t.Errorf("%s %d: status %d, want %d", method, code, resp.StatusCode, want)
	}
	for _, f := range required[code] {
		if resp.Header.Get(f) == "" {
			t.Errorf("%s %d: no %s", method, code, f)
		}
	}
	noBody := method == "HEAD" || code == 204 || code == 205 || code == 304
	if noBody && len(body) > 0 {
		t.Errorf("%s %d: %d bytes of body, want none", method, code, len(body))
	}
	if !noBody && len(body) == 0 {
		t.Errorf("%s %d: no body", method, code)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("%s %d: CORS or Cache-Control missing", method, code)
	}
	checkExposed(t, method, code, resp.Header)
}

// readable are the response fields a script on another origin may need
// and can read only when Access-Control-Expose-Headers lists them.
var readable = []string{"Retry-After", "Location", "ETag", "Content-Range", "WWW-Authenticate", "Proxy-Authenticate",
	"Allow", "Accept", "Accept-Encoding", "Accept-Ranges", "Link", "Upgrade", "RateLimit", "RateLimit-Policy", "Content-Location"}

// checkExposed checks that a response exposes each of those fields it
// carries, and lists no field it does not carry.
func checkExposed(t *testing.T, method string, code int, h http.Header) {
	t.Helper()
	listed := map[string]bool{}
	for _, f := range strings.Split(h.Get("Access-Control-Expose-Headers"), ",") {
		if f = strings.TrimSpace(f); f != "" {
			listed[strings.ToLower(f)] = true
			if h.Get(f) == "" {
				t.Errorf("%s %d: Access-Control-Expose-Headers lists %s, which the response lacks", method, code, f)
			}
		}
	}
	for _, f := range readable {
		if h.Get(f) != "" && !listed[strings.ToLower(f)] {
			t.Errorf("%s %d: %s is sent but not in Access-Control-Expose-Headers %q", method, code, f, h.Get("Access-Control-Expose-Headers"))
		}
	}
}

// wantStatus is the final status /status/code answers: 1xx are interim
// and followed by 200; 101 needs an upgrade request.
func wantStatus(code int, h2 bool) int {
	switch {
	case code == 101:
		return 400
	case code < 200:
		return 200
	}
	return code
}

// TestInterim observes real 1xx responses with httptrace.
func TestInterim(t *testing.T) {
	t.Parallel()
	ts, c := newTestServer(t, Options{}, false)
	tests := []struct {
		path   string
		expect bool
		want   int
		header string
	}{
		{"/status/103", false, 103, "Link"},
		{"/status/102", false, 102, ""},
		{"/status/100", true, 100, ""},
		{"/status/100", false, 100, ""},
	}
	for _, tt := range tests {
		var got []int
		var hdr textproto.MIMEHeader
		trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			got = append(got, code)
			hdr = h
			return nil
		}}
		var body io.Reader
		if tt.expect {
			body = strings.NewReader(strings.Repeat("x", 2000))
		}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "POST", ts.URL+tt.path, body)
		if tt.expect {
			req.Header.Set("Expect", "100-continue")
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if len(got) != 1 || got[0] != tt.want || resp.StatusCode != 200 {
			t.Errorf("%s (Expect %v): interim %v then %d, want [%d] then 200", tt.path, tt.expect, got, resp.StatusCode, tt.want)
		}
		if tt.header != "" && hdr.Get(tt.header) == "" {
			t.Errorf("%s: the interim response has no %s", tt.path, tt.header)
		}
		if tt.expect && !strings.Contains(string(b), "read 2000 bytes") {
			t.Errorf("%s: the final response does not count the content: %s", tt.path, b)
		}
	}
}

// TestSwitchProtocols upgrades to the line echo and talks to it.
func TestSwitchProtocols(t *testing.T) {
	t.Parallel()
	ts, _ := newTestServer(t, Options{}, false)
	req, _ := http.NewRequest("GET", ts.URL+"/status/101", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "echo")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 || resp.Header.Get("Upgrade") != "echo" {
		t.Fatalf("status %d Upgrade %q, want 101 echo", resp.StatusCode, resp.Header.Get("Upgrade"))
	}
	rwc := resp.Body.(io.ReadWriteCloser)
	defer rwc.Close()
	io.WriteString(rwc, "hello teapot\n")
	buf := make([]byte, 13)
	if _, err := io.ReadFull(rwc, buf); err != nil || string(buf) != "hello teapot\n" {
		t.Errorf("echo = %q, %v", buf, err)
	}
}

func TestRangeAndConditional(t *testing.T) {
	t.Parallel()
	ts, c := newTestServer(t, Options{}, false)
	get := func(path string, h map[string]string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	resp, body := get("/status/206", map[string]string{"Range": "bytes=41-80"})
	if resp.StatusCode != 206 || resp.Header.Get("Content-Range") != "bytes 41-80/1066" || body != string(demo[41:81]) {
		t.Errorf("Range 41-80: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Range"), body)
	}
	resp, body = get("/status/206", map[string]string{"Range": "bytes=-10"})
	if resp.StatusCode != 206 || body != string(demo[len(demo)-10:]) {
		t.Errorf("suffix range: %q", body)
	}
	for _, rg := range []string{"bytes=5000-", "bytes=9-3", "items=0-1", "bytes=0-1,5-6"} {
		if resp, _ := get("/status/206", map[string]string{"Range": rg}); resp.StatusCode != 416 || resp.Header.Get("Content-Range") != "bytes */1066" {
			t.Errorf("Range %q: %d %q, want 416 bytes */1066", rg, resp.StatusCode, resp.Header.Get("Content-Range"))
		}
	}
	if resp, _ := get("/status/304", map[string]string{"If-None-Match": demoETag}); resp.StatusCode != 304 {
		t.Errorf("matching If-None-Match: %d", resp.StatusCode)
	}
	if resp, body := get("/status/304", map[string]string{"If-None-Match": `"old"`}); resp.StatusCode != 200 || body != string(demo) {
		t.Errorf("stale If-None-Match: %d, want 200 with the representation", resp.StatusCode)
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	ts, c := newTestServer(t, Options{MaxDelay: time.Second}, false)
	tests := []struct {
		name   string
		path   string
		header map[string]string
		status int
		check  func(*http.Response, string) string // "" when fine
	}{
		{"location", "/status/302?location=/teapot/404", nil, 302, hasHeader("Location", "/teapot/404")},
		{"location header option", "/status/307", map[string]string{"Teapot-Location": "/x?y=1"}, 307, hasHeader("Location", "/x?y=1")},
		{"retry_after", "/status/503?retry_after=30", nil, 503, hasHeader("Retry-After", "30")},
		{"custom header", "/status/200?header=X-Request-Id:42", nil, 200, hasHeader("X-Request-Id", "42")},
		{"custom header exposed", "/status/200?header=X-Request-Id:42", nil, 200, func(r *http.Response, _ string) string {
			if !strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "X-Request-Id") {
				return "X-Request-Id not exposed"
			}
			return ""
		}},
		{"custom body", "/status/200?body=%3Cscript%3Ealert(1)%3C%2Fscript%3E&content_type=text/html", nil, 200, func(r *http.Response, b string) string {
			if r.Header.Get("Content-Security-Policy") != "sandbox; default-src 'none'" || b != "<script>alert(1)</script>" {
				return "custom HTML body not sandboxed: " + r.Header.Get("Content-Security-Policy")
			}
			return ""
		}},
		{"text body", "/status/418", map[string]string{"Accept": "text/plain"}, 418, contains("418 I'm a teapot")},
		{"html body escapes", "/status/418", map[string]string{"Accept": "text/html"}, 418, contains("I&#39;m a teapot")},
		{"problem body", "/status/409", nil, 409, contains(`"type": "/409"`)},
		{"unassigned code", "/status/432", nil, 432, contains("Unassigned")},
		{"composed", "/status/503?delay=10ms&retry_after=7&header=X-A:b", nil, 503, hasHeader("Retry-After", "7")},
		{"composed exposed", "/status/503?retry_after=7&header=X-A:b&header=X-B:c", nil, 503,
			hasHeader("Access-Control-Expose-Headers", "Retry-After, X-A, X-B")},
		{"nothing to expose", "/status/200", nil, 200, hasHeader("Access-Control-Expose-Headers", "")},
		// Refusals, each naming the rule.
		{"code too big", "/status/600", nil, 400, contains("from 100 to 599")},
		{"code malformed", "/status/4O9", nil, 400, contains("not a status code")},
		{"code negative", "/status/-1", nil, 400, contains("not a status code")},
		{"too many codes", "/status/" + strings.Repeat("200,", 10) + "200", nil, 400, contains("at most 10 codes")},
		{"bad weight", "/status/200,500:0", nil, 400, contains("from 1 to 100")},
		{"delay over cap", "/status/200?delay=5s", nil, 400, contains("from 0 to 1s")},
		{"delay malformed", "/status/200?sleep=soon", nil, 400, contains("milliseconds")},
		{"negative delay", "/status/200?delay=-5", nil, 400, contains("from 0 to")},
		{"retry_after malformed", "/status/503?retry_after=x", nil, 400, contains("retry_after")},
		{"forbidden header", "/status/200?header=Set-Cookie:a=b", nil, 400, contains("may not be set")},
		{"forbidden CSP", "/status/200?header=Content-Security-Policy:none", nil, 400, contains("may not be set")},
		{"forbidden CORS", "/status/200?header=Access-Control-Allow-Origin:x", nil, 400, contains("may not be set")},
		{"bad header name", "/status/200?header=X%20Y:1", nil, 400, contains("not a valid field name")},
		{"header control char", "/status/200?header=X-A:%01", nil, 400, contains("control character")},
		{"too many headers", "/status/200?" + strings.Repeat("header=X-A:1&", 11), nil, 400, contains("at most 10 header")},
		{"content_type without body", "/status/200?content_type=text/plain", nil, 400, contains("needs a body")},
		{"bad content_type", "/status/200?body=x&content_type=%3B%3B", nil, 400, contains("not a media type")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest("GET", ts.URL+tt.path, nil)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.status, b)
			}
			if msg := tt.check(resp, string(b)); msg != "" {
				t.Error(msg)
			}
		})
	}
}

func hasHeader(name, want string) func(*http.Response, string) string {
	return func(r *http.Response, _ string) string {
		if got := r.Header.Get(name); got != want {
			return name + " = " + got + ", want " + want
		}
		return ""
	}
}

func contains(want string) func(*http.Response, string) string {
	return func(_ *http.Response, b string) string {
		if !strings.Contains(b, want) {
			return "body lacks " + want + ": " + b
		}
		return ""
	}
}

// TestOpenRedirect tries the forms browsers read as another host.
func TestOpenRedirect(t *testing.T) {
	t.Parallel()
	ts, c := newTestServer(t, Options{}, false)
	for _, loc := range []string{
		"https://example.com", "//example.com", "/\\example.com", "\\\\example.com", "http:example.com",
		"%2F%2Fexample.com", "/%2F/example.com", "/%5Cexample.com", "javascript:alert(1)", "example.com",
		"/a\r\nSet-Cookie: x=1", " //example.com", "https:/example.com",
	} {
		resp, err := c.Get(ts.URL + "/status/302?location=" + url.QueryEscape(loc))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("Location") != "" {
			t.Errorf("location %q: status %d, Location %q; want 400 and no Location", loc, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

func TestDelay(t *testing.T) {
	t.Parallel()
	ts, c := newTestServer(t, Options{MaxDelay: time.Second, MaxDelayed: 10, MaxDelayedPerClient: 1}, false)
	start := time.Now()
	resp, err := c.Get(ts.URL + "/status/200?delay=300ms")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("answered after %v, want at least 300ms", d)
	}
	// A second delayed request from the same address while one waits is
	// over the per-client cap.
	done := make(chan struct{})
	go func() {
		r, err := c.Get(ts.URL + "/status/200?delay=500ms")
		if err == nil {
			r.Body.Close()
		}
		close(done)
	}()
	time.Sleep(100 * time.Millisecond)
	resp, err = c.Get(ts.URL + "/status/200?delay=10")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("second delayed request: %d, want 503 with Retry-After", resp.StatusCode)
	}
	checkExposed(t, "GET", resp.StatusCode, resp.Header)
	<-done
}

func TestWeightedRandom(t *testing.T) {
	t.Parallel()
	choices, err := parseCodes("200,500:3")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	n, fives := 4000, 0
	for i := 0; i < n; i++ {
		if pick(choices, rng) == 500 {
			fives++
		}
	}
	// Expect 3/4; the bound is about five standard deviations.
	if frac := float64(fives) / float64(n); frac < 0.715 || frac > 0.785 {
		t.Errorf("500 drawn %.3f of the time, want 0.75", frac)
	}
	// Over HTTP, with a fixed seed, both codes come up.
	ts, c := newTestServer(t, Options{Seed: 7}, false)
	seen := map[int]bool{}
	for i := 0; i < 40; i++ {
		resp, err := c.Get(ts.URL + "/status/200,503")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		seen[resp.StatusCode] = true
	}
	if !seen[200] || !seen[503] || len(seen) != 2 {
		t.Errorf("codes seen: %v", seen)
	}
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

func TestLimiterMemoryBounded(t *testing.T) {
	t.Parallel()
	l := newLimiter(1, 1, time.Now)
	for i := 0; i < 200000; i++ {
		l.allow(strconv.Itoa(i))
	}
	total := 0
	for i := range l.shards {
		total += len(l.shards[i].buckets)
	}
	if total > len(l.shards)*maxBuckets {
		t.Errorf("%d buckets kept, want at most %d", total, len(l.shards)*maxBuckets)
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

// TestHTTP2Abort checks that 444 resets the stream on HTTP/2 too.
func TestHTTP2Abort(t *testing.T) {
	t.Parallel()
	ts, c := newTestServer(t, Options{}, true)
	_, err := c.Get(ts.URL + "/status/444")
	var ue *url.Error
	if err == nil || !errors.As(err, &ue) {
		t.Errorf("444 over HTTP/2: err %v, want a failed request", err)
	}
	_ = tls.VersionTLS13
}

func FuzzOptions(f *testing.F) {
	for _, s := range []string{"200", "200,500:3", "4O9", "200:", ",", "/\\x", "//a", "/%2F%2Fa", "1s", "X-A:b", "Set-Cookie:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if choices, err := parseCodes(s); err == nil {
			for _, c := range choices {
				if c.code < 100 || c.code > 599 || c.weight < 1 || c.weight > maxWeight {
					t.Fatalf("parseCodes(%q) accepted %+v", s, c)
				}
			}
		}
		if err := checkLocation(s); err == nil {
			u, _ := url.Parse(s)
			if u.Host != "" || u.Scheme != "" || strings.HasPrefix(s, "//") || strings.Contains(s, "\\") {
				t.Fatalf("checkLocation(%q) accepted another host", s)
			}
		}
		if name, value, err := checkHeader(s); err == nil && (forbidden[name] || strings.ContainsAny(value, "\r\n")) {
			t.Fatalf("checkHeader(%q) accepted %s", s, name)
		}
		if d, err := parseDelay(s, time.Second); err == nil && (d < 0 || d > time.Second) {
			t.Fatalf("parseDelay(%q) = %v", s, d)
		}
	})
}
