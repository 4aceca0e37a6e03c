package e2e

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestEndToEnd builds the real binary, starts it on a free port, waits for
// /healthz, fetches pages, and stops it with SIGTERM: it must exit 0 and
// say it shut down.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildTeapot(t)
	cmd, lines, base := startTeapot(t, bin, "--data-dir", t.TempDir())
	c := &http.Client{Timeout: 5 * time.Second}
	for _, path := range []string{"/", "/409", "/409.json", "/4xx"} {
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d", path, resp.StatusCode)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Read the log to its end before Wait, which closes the pipe; a
	// timer kills a teapot that does not stop.
	stuck := time.AfterFunc(15*time.Second, func() { cmd.Process.Kill() })
	var logged []string
	for line := range lines {
		logged = append(logged, line)
	}
	err := cmd.Wait()
	if !stuck.Stop() {
		t.Fatal("teapot did not exit within 15s of SIGTERM")
	}
	if err != nil {
		t.Fatalf("teapot exited with %v after SIGTERM\n%s", err, strings.Join(logged, "\n"))
	}
	all := strings.Join(logged, "\n")
	if !strings.Contains(all, `"msg":"shutting down"`) {
		t.Errorf("no shutdown record in the log:\n%s", all)
	}
	if !strings.Contains(all, `"path":"/409"`) {
		t.Errorf("no access log record of /409:\n%s", all)
	}
}

// buildTeapot builds the binary into a temporary folder. It is built in
// the root module, as "make build" builds it, with the root's go.mod and
// not this module's.
func buildTeapot(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "teapot")
	build := exec.Command("go", "build", "-o", bin, "github.com/teapothq/teapot/cmd/teapot")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startTeapot starts "teapot serve" on a free port with JSON logs and
// waits until /healthz answers. lines carries the log lines after the
// first; base is the server's URL. The process is killed at cleanup.
func startTeapot(t *testing.T, bin string, args ...string) (cmd *exec.Cmd, lines chan string, base string) {
	t.Helper()
	cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, args...)...)
	// Only the flags count: no TEAPOT_ variable of the test's own
	// environment (such as TEAPOT_DATABASE_URL) reaches the server.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TEAPOT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })

	// The first log line says where it listens; the rest are collected.
	lines = make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default: // nobody reads: drop
			}
		}
		close(lines)
	}()
	select {
	case line := <-lines:
		var rec struct{ Msg, Addr string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Msg != "listening" {
			t.Fatalf("first log line %q, want a JSON listening record", line)
		}
		base = "http://" + rec.Addr
	case <-time.After(20 * time.Second):
		t.Fatal("teapot did not start within 20s")
	}
	c := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := c.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd, lines, base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz not ready: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
