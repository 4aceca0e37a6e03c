package lab

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/lab/store/pgtest"
	"github.com/teapothq/teapot/internal/web"
)

// opener makes a fresh store for one test.
type opener func(t testing.TB) store.Store

func openSQLite(t testing.TB) store.Store {
	return openSQLitePath(t, ":memory:")
}

func openSQLitePath(t testing.TB, path string) store.Store {
	s, err := store.OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openPostgres opens a fresh schema of the test database, or skips.
func openPostgres(t testing.TB) store.Store {
	return openPostgresURL(t, pgtest.URL(t))
}

func openPostgresURL(t testing.TB, url string) store.Store {
	s, err := store.OpenPostgres(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// serve starts the lab on a real port.
func serve(t testing.TB, opts Options) string {
	mux := web.NewMux()
	New(opts).Register(mux)
	ts := httptest.NewServer(mux.Finish())
	t.Cleanup(ts.Close)
	return ts.URL
}

// client talks to one sandbox.
type client struct {
	t       *testing.T
	base    string
	sandbox string
}

func newClient(t *testing.T, base string) *client {
	return &client{t: t, base: base, sandbox: newToken()}
}

type resp struct {
	status int
	header http.Header
	body   string
}

// json decodes the body into a map.
func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// do sends a request; headers come in name, value pairs. A body is sent
// as application/json unless a Content-Type header says otherwise.
func (c *client) do(method, path, body string, headers ...string) resp {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Lab-Sandbox", c.sandbox)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp{res.StatusCode, res.Header, string(b)}
}

// create makes an article and returns its path.
func (c *client) create(slug, title, body string) string {
	c.t.Helper()
	b, _ := json.Marshal(map[string]string{"slug": slug, "title": title, "body": body})
	r := c.do("POST", "/lab/articles", string(b))
	if r.status != http.StatusCreated {
		c.t.Fatalf("create %s: %d %s", slug, r.status, r.body)
	}
	return strings.TrimPrefix(r.header.Get("Location"), "")
}

// expect checks a response's status and, for problems, its type suffix.
func expect(t *testing.T, what string, r resp, status int, problemType string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.status, status, r.body)
	}
	if problemType != "" {
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Fatalf("%s: Content-Type %q, want a problem", what, ct)
		}
		if got := r.json(t)["type"]; got != problemType {
			t.Fatalf("%s: problem type %v, want %s\n%s", what, got, problemType, r.body)
		}
	}
}
