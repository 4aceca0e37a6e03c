package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// redisServer is a Redis of the test's own on a loopback port, so that
// the test can stop and start it without touching the machine's.
type redisServer struct {
	t    *testing.T
	port int
	mu   sync.Mutex
	cmd  *exec.Cmd
}

// startRedis runs Debian's redis-server on a free port, keeping nothing on
// disk. Without redis-server the test skips, unless TEAPOT_REQUIRE_REDIS=1.
func startRedis(t *testing.T) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("TEAPOT_REQUIRE_REDIS") == "1" {
			t.Fatal("redis-server is not installed; TEAPOT_REQUIRE_REDIS=1 forbids skipping")
		}
		t.Skip("redis-server is not installed (apt-get install redis-server)")
	}
	r := &redisServer{t: t, port: freePort(t)}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *redisServer) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *redisServer) start() {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", r.t.TempDir(), "--loglevel", "warning")
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", r.port))
		if err == nil {
			fmt.Fprint(c, "PING\r\n")
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if strings.HasPrefix(line, "+PONG") {
				return
			}
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("redis-server on port %d did not answer: %v", r.port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop kills the server: what clients see of a crash.
func (r *redisServer) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
		r.cmd = nil
	}
}

// instance is one teapot of the test.
type instance struct {
	cmd   *exec.Cmd
	lines chan string
	base  string
}

// proxyConf is nginx round-robin over the instances, as the README's
// Deploy section sets it up: the client's address in X-Forwarded-For, and
// a request that could not reach one instance tried on the next.
func proxyConf(port int, backends ...string) string {
	var servers strings.Builder
	for _, b := range backends {
		fmt.Fprintf(&servers, "\t\tserver %s max_fails=1 fail_timeout=30s;\n", strings.TrimPrefix(b, "http://"))
	}
	return fmt.Sprintf(`	upstream teapots {
%s		keepalive 16;
	}
	server {
		listen 127.0.0.1:%d;
		location / {
			proxy_pass http://teapots;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host $host;
			proxy_set_header X-Forwarded-For $remote_addr;
			proxy_next_upstream error timeout;
			proxy_next_upstream_tries 2;
		}
	}
`, servers.String(), port)
}

// fetchT asks url and returns the status and body; an error fails t.
func fetchT(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	code, body, err := get(c, url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return code, string(body)
}

var requestsRE = regexp.MustCompile(`(?m)^teapot_http_requests_total\{route="([^"]*)",code="(\d+)"\} (\d+)$`)

// served is how many requests an instance answered on route with code,
// from its /metrics.
func served(t *testing.T, base, route string, code int) int {
	t.Helper()
	_, body := fetchT(t, http.DefaultClient, base+"/metrics")
	n := 0
	for _, m := range requestsRE.FindAllStringSubmatch(body, -1) {
		if m[1] == route && m[2] == strconv.Itoa(code) {
			v, _ := strconv.Atoi(m[3])
			n += v
		}
	}
	return n
}

// readyStatus is an instance's /readyz: its HTTP status and "status".
func readyStatus(t *testing.T, base string) (int, string) {
	t.Helper()
	code, body := fetchT(t, &http.Client{Timeout: 5 * time.Second}, base+"/readyz")
	var ready struct{ Status string }
	if err := json.Unmarshal([]byte(body), &ready); err != nil || ready.Status == "" {
		t.Fatalf("/readyz: %d %s", code, body)
	}
	return code, ready.Status
}

// eventually polls cond every 50 ms until it is true or d has passed,
// and reports how long it took.
func eventually(d time.Duration, cond func() bool) (time.Duration, bool) {
	start := time.Now()
	for time.Since(start) < d {
		if cond() {
			return time.Since(start), true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(start), cond()
}
