package lab

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/web"
)

// handler is the lab's routes on opts, called without a network, so that
// each request can come from any address.
func handler(opts Options) http.Handler {
	mux := web.NewMux()
	New(opts).Register(mux)
	return mux.Finish()
}

// call sends one request to h from addr (host:port); headers come in name,
// value pairs. A body is sent as application/json.
func call(h http.Handler, method, path, body, addr string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.RemoteAddr = addr
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// createIn creates an article in a sandbox from addr.
func createIn(h http.Handler, sandbox, addr, body string) *httptest.ResponseRecorder {
	b, _ := json.Marshal(map[string]string{"slug": "a", "title": "T", "body": body})
	return call(h, "POST", "/lab/articles", string(b), addr, "Lab-Sandbox", sandbox)
}

// expectProblem checks a recorded answer's status, problem type and
// "limit", and that it says when to try again.
func expectProblem(t *testing.T, what string, w *httptest.ResponseRecorder, status int, limit int64) {
	t.Helper()
	var p struct {
		Type   string
		Detail string
		Limit  *int64
	}
	json.Unmarshal(w.Body.Bytes(), &p)
	if w.Code != status || p.Type != "/lab#limits" || p.Limit == nil || *p.Limit != limit {
		t.Fatalf("%s: %d, type %q, limit %v; want %d, /lab#limits, %d\n%s", what, w.Code, p.Type, p.Limit, status, limit, w.Body)
	}
	secs, err := strconv.Atoi(w.Header().Get("Retry-After"))
	if err != nil || secs < 1 || !strings.Contains(p.Detail, strconv.FormatInt(limit, 10)) {
		t.Fatalf("%s: Retry-After %q, detail %q; want seconds, and the detail to name the limit %d", what, w.Header().Get("Retry-After"), p.Detail, limit)
	}
}

// writeCounter is a store that counts the calls that may write.
type writeCounter struct {
	store.Store
	writes atomic.Int64
}

func (c *writeCounter) Create(ctx context.Context, sb string, f store.Fields, lim store.Limits) (store.Article, error) {
	c.writes.Add(1)
	return c.Store.Create(ctx, sb, f, lim)
}

func (c *writeCounter) Update(ctx context.Context, sb string, id, v int64, f store.Fields, max int64) (store.Article, error) {
	c.writes.Add(1)
	return c.Store.Update(ctx, sb, id, v, f, max)
}

func (c *writeCounter) Delete(ctx context.Context, sb string, id, v int64) error {
	c.writes.Add(1)
	return c.Store.Delete(ctx, sb, id, v)
}

func (c *writeCounter) Touch(ctx context.Context, sb string, now time.Time) error {
	c.writes.Add(1)
	return c.Store.Touch(ctx, sb, now)
}

// TestReadsMakeNoSandbox: reading, or failing to change, a sandbox that
// does not exist writes nothing; the first article makes it.
func TestReadsMakeNoSandbox(t *testing.T) {
	t.Parallel()
	st := &writeCounter{Store: openSQLite(t)}
	h := handler(Options{Store: st})
	for i := range 300 {
		addr := "192.0.2.1:1234"
		switch i % 5 {
		case 0: // no cookie, no header: the server names a sandbox
			if w := call(h, "GET", "/lab/articles", "", addr); w.Code != 200 || w.Header().Get("Set-Cookie") == "" {
				t.Fatalf("GET without a sandbox: %d, Set-Cookie %q", w.Code, w.Header().Get("Set-Cookie"))
			}
		case 1:
			if w := call(h, "GET", "/lab/articles", "", addr, "Lab-Sandbox", newToken()); w.Code != 200 || !strings.Contains(w.Body.String(), `"articles": []`) {
				t.Fatalf("GET of a new sandbox: %d %s", w.Code, w.Body)
			}
		case 2:
			call(h, "GET", "/lab/articles/1", "", addr, "Cookie", "teapot_lab="+newToken())
		case 3:
			call(h, "PUT", "/lab/articles/1", `{"slug":"a","title":"T","body":""}`, addr, "Lab-Sandbox", newToken(), "If-Match", "*")
		case 4:
			call(h, "DELETE", "/lab/articles/1", "", addr, "Lab-Sandbox", newToken(), "If-Match", `"v1"`)
		}
	}
	u, err := st.Usage(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if n := st.writes.Load(); n != 0 || u.Sandboxes != 0 {
		t.Fatalf("after 300 reads and failed changes of unknown sandboxes: %d store writes, %d sandboxes; want none", n, u.Sandboxes)
	}
	sb := newToken()
	if w := createIn(h, sb, "192.0.2.1:1234", ""); w.Code != 201 {
		t.Fatalf("first article: %d %s", w.Code, w.Body)
	}
	if u, _ := st.Usage(t.Context()); u.Sandboxes != 1 {
		t.Fatalf("after the first article, %d sandboxes, want 1", u.Sandboxes)
	}
}

// TestNewSandboxRate: a client may make NewSandboxesPerHour sandboxes,
// then gets 429 with Retry-After until the hour gives it another; other
// clients, and its sandboxes that exist, are not held back. IPv6 clients
// count by /64.
func TestNewSandboxRate(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	h := handler(Options{Store: openSQLite(t), NewSandboxesPerHour: 3, Now: clock})

	var first string
	for i := range 3 {
		sb := newToken()
		if w := createIn(h, sb, "198.51.100.7:1000", ""); w.Code != 201 {
			t.Fatalf("new sandbox %d of 3: %d %s", i+1, w.Code, w.Body)
		}
		first = cmpOr(first, sb)
	}
	w := createIn(h, newToken(), "198.51.100.7:2000", "")
	expectProblem(t, "a fourth new sandbox from one address", w, 429, 3)
	if ra, _ := strconv.Atoi(w.Header().Get("Retry-After")); ra < 19*60 || ra > 20*60 {
		t.Errorf("Retry-After %d s, want about 20 minutes (an hour for 3)", ra)
	}
	if w := call(h, "POST", "/lab/articles", `{"slug":"b","title":"T","body":""}`, "198.51.100.7:1", "Lab-Sandbox", first); w.Code != 201 {
		t.Errorf("an article in a sandbox the client has: %d, want 201\n%s", w.Code, w.Body)
	}
	if w := createIn(h, newToken(), "198.51.100.8:1000", ""); w.Code != 201 {
		t.Errorf("a new sandbox from another address: %d, want 201", w.Code)
	}
	for i := range 3 {
		if w := createIn(h, newToken(), "[2001:db8:1:2::"+strconv.Itoa(i+1)+"]:1000", ""); w.Code != 201 {
			t.Fatalf("IPv6 new sandbox %d of 3: %d", i+1, w.Code)
		}
	}
	expectProblem(t, "a new sandbox from another address in the same /64", createIn(h, newToken(), "[2001:db8:1:2:ffff::9]:1000", ""), 429, 3)
	if w := createIn(h, newToken(), "[2001:db8:1:3::1]:1000", ""); w.Code != 201 {
		t.Errorf("a new sandbox from another /64: %d, want 201", w.Code)
	}
	mu.Lock()
	now = now.Add(21 * time.Minute)
	mu.Unlock()
	if w := createIn(h, newToken(), "198.51.100.7:3000", ""); w.Code != 201 {
		t.Errorf("a new sandbox 21 minutes later: %d, want 201\n%s", w.Code, w.Body)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestLabLimitsSQLite(t *testing.T)   { testLabLimits(t, openSQLite) }
func TestPostgresLabLimits(t *testing.T) { testLabLimits(t, openPostgres) }

// testLabLimits: past MaxSandboxes a new sandbox gets 503, past MaxBytes a
// write that grows gets 507, each naming its limit with Retry-After, while
// what exists goes on and shrinking is allowed.
func testLabLimits(t *testing.T, open opener) {
	t.Run("sandboxes", func(t *testing.T) {
		h := handler(Options{Store: open(t), MaxSandboxes: 2})
		a := newToken()
		for i, sb := range []string{a, newToken()} {
			if w := createIn(h, sb, "192.0.2."+strconv.Itoa(i+1)+":1", ""); w.Code != 201 {
				t.Fatalf("sandbox %d of 2: %d %s", i+1, w.Code, w.Body)
			}
		}
		expectProblem(t, "a third sandbox", createIn(h, newToken(), "192.0.2.3:1", ""), 503, 2)
		if w := call(h, "POST", "/lab/articles", `{"slug":"b","title":"T","body":""}`, "192.0.2.3:1", "Lab-Sandbox", a); w.Code != 201 {
			t.Errorf("an article in a sandbox that exists, at the limit: %d %s", w.Code, w.Body)
		}
	})
	t.Run("bytes", func(t *testing.T) {
		const limit = 10_000
		h := handler(Options{Store: open(t), MaxBytes: limit})
		sb := newToken()
		body := strings.Repeat("x", 4000)
		for i := range 2 {
			b := `{"slug":"s` + strconv.Itoa(i) + `","title":"T","body":"` + body + `"}`
			if w := call(h, "POST", "/lab/articles", b, "192.0.2.1:1", "Lab-Sandbox", sb); w.Code != 201 {
				t.Fatalf("article %d: %d %s", i, w.Code, w.Body)
			}
		}
		expectProblem(t, "a third article", createIn(h, newToken(), "192.0.2.2:1", body), 507, limit)
		put := func(body string) *httptest.ResponseRecorder {
			return call(h, "PUT", "/lab/articles/1", `{"slug":"s0","title":"T","body":"`+body+`"}`, "192.0.2.1:1",
				"Lab-Sandbox", sb, "If-Match", "*")
		}
		expectProblem(t, "an edit that grows past the limit", put(body+body), 507, limit)
		if w := put("short"); w.Code != 200 {
			t.Errorf("an edit that shrinks: %d %s", w.Code, w.Body)
		}
	})
}

// TestDatabaseFull: a write the SQLite file has no room for is the same
// 507 as the byte limit, never a 500.
func TestDatabaseFull(t *testing.T) {
	t.Parallel()
	st, err := store.OpenSQLiteMax(filepath.Join(t.TempDir(), "lab.db"), 256<<10)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := handler(Options{Store: st, MaxArticles: 1000, MaxBytes: 1 << 30})
	sb := newToken()
	body := strings.Repeat("x", 30_000)
	for i := range 100 {
		w := call(h, "POST", "/lab/articles", `{"slug":"s`+strconv.Itoa(i)+`","title":"T","body":"`+body+`"}`, "192.0.2.1:1", "Lab-Sandbox", sb)
		if w.Code == 201 {
			continue
		}
		expectProblem(t, "an article the database has no room for", w, 507, 1<<30)
		return
	}
	t.Fatal("3 MB of articles fit in a database capped at 256 KiB")
}

// TestSecureCookie: the sandbox cookie is Secure when the request came
// over TLS, or when the public URL is https (a TLS proxy in front).
func TestSecureCookie(t *testing.T) {
	t.Parallel()
	st := openSQLite(t)
	for _, tc := range []struct {
		publicURL string
		tls       bool
		want      bool
	}{
		{"", false, false},
		{"http://teapot.example", false, false},
		{"https://teapot.example", false, true},
		{"", true, true},
	} {
		req := httptest.NewRequest("GET", "/lab/articles", nil)
		if tc.tls {
			req.TLS = &tls.ConnectionState{}
		}
		w := httptest.NewRecorder()
		handler(Options{Store: st, PublicURL: tc.publicURL}).ServeHTTP(w, req)
		c := w.Result().Cookies()
		if len(c) != 1 || c[0].Secure != tc.want {
			t.Errorf("public URL %q, TLS %v: cookies %v, want one, Secure %v", tc.publicURL, tc.tls, c, tc.want)
		}
	}
}
