package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/app/apptest"
)

// secret is what nginx keeps behind internal locations; it must never
// reach a client through teapot.
const secret = "internal-secret-7f3a"

// TestNginx puts teapot behind a real nginx with the default proxy_pass
// (which acts on X-Accel-Redirect and friends from the upstream) and
// internal locations: a file and an internal-only upstream. First a
// control upstream that sends X-Accel-Redirect shows that this nginx
// does serve the secret when asked, so the test can see a leak; then
// every way of asking teapot's /status for such a field is refused.
// Needs Debian's nginx; TEAPOT_REQUIRE_NGINX=1 (as CI sets it) makes a
// missing one fatal.
func TestNginx(t *testing.T) {
	t.Parallel()
	lookNginx(t)
	cfg := apptest.Config()
	cfg.StatusRate = 0 // the test asks many times; the limit is not its subject
	teapot := apptest.Serve(t, cfg)
	control := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Accel-Redirect", r.URL.Query().Get("to"))
	}))
	t.Cleanup(control.Close)
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, secret+" from the internal upstream\n")
	}))
	t.Cleanup(internal.Close)

	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "protected"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "protected", "secret.txt"), []byte(secret+" from a file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	startNginx(t, fmt.Sprintf(`	server {
		listen 127.0.0.1:%[1]d;
		location /protected/ { internal; alias %[2]s/protected/; }
		location /internal-api/ { internal; proxy_pass %[3]s/; }
		location /control/ { proxy_pass %[4]s/; }
		location / { proxy_pass %[5]s; }
	}`, port, dir, internal.URL, control.URL, teapot))
	front := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitUp(t, front+"/healthz")

	get := func(path string, header map[string]string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", front+path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}

	// The control: this nginx serves both secrets to an upstream that
	// asks, and never to a client directly.
	for _, to := range []string{"/protected/secret.txt", "/internal-api/x"} {
		if status, body := get("/control/?to="+url.QueryEscape(to), nil); !strings.Contains(body, secret) {
			t.Fatalf("control: X-Accel-Redirect %s gave %d %q; the test cannot see a leak", to, status, body)
		}
		if status, body := get(to, nil); status != 404 || strings.Contains(body, secret) {
			t.Fatalf("control: %s asked directly gave %d", to, status)
		}
	}

	// teapot: every spelling and channel of the fields nginx acts on.
	var asks []string
	for _, field := range []string{"X-Accel-Redirect", "x-accel-redirect", "X-ACCEL-REDIRECT", "X-Accel-Expires",
		"X-Accel-Buffering", "X-Accel-Limit-Rate", "X-Accel-Charset"} {
		for _, to := range []string{"/protected/secret.txt", "/internal-api/x"} {
			asks = append(asks, field+":"+to, field+"="+to, field+": "+to)
		}
	}
	for _, h := range asks {
		for _, via := range []string{"query", "header"} {
			path, header := "/status/200?header="+url.QueryEscape(h), map[string]string(nil)
			if via == "header" {
				path, header = "/status/200", map[string]string{"Teapot-Header": h}
			}
			status, body := get(path, header)
			if strings.Contains(body, secret) {
				t.Fatalf("%s by %s: nginx served an internal location through teapot (%d)", h, via, status)
			}
			if status != 400 || !strings.Contains(body, "may not be set") {
				t.Errorf("%s by %s: %d, want teapot's 400 problem refusing the field:\n%.200s", h, via, status, body)
			}
		}
	}
	// Nor through a custom body's content type or a location.
	for _, path := range []string{"/status/200?body=x&content_type=" + url.QueryEscape("text/plain\r\nX-Accel-Redirect: /protected/secret.txt"),
		"/status/302?location=" + url.QueryEscape("/protected/secret.txt"),
		"/status/200?header=" + url.QueryEscape("X-Test-A:1\r\nX-Accel-Redirect: /protected/secret.txt")} {
		if status, body := get(path, nil); strings.Contains(body, secret) {
			t.Fatalf("%s: nginx served an internal location through teapot (%d)", path, status)
		}
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitUp polls url until it answers 200: nginx has no readiness signal
// but its port.
func waitUp(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not come up: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
