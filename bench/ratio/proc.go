package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is a server this program started; every one is stopped on exit.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string        // the file its stdout and stderr go to
	done chan struct{} // closed when it has exited
	err  error         // its exit status, once done is closed
}

var (
	procsMu sync.Mutex
	procs   []*proc
)

// childEnv is this environment less what would change a server's
// defaults: teapot's TEAPOT_* variables and those go-httpbin reads.
func childEnv() []string {
	drop := []string{"PORT", "HOST", "LOG_LEVEL", "LOG_FORMAT", "PREFIX", "MAX_BODY_SIZE", "MAX_DURATION",
		"EXCLUDE_HEADERS", "SRV_MAX_HEADER_BYTES", "SRV_READ_HEADER_TIMEOUT", "SRV_READ_TIMEOUT",
		"HTTPS_CERT_FILE", "HTTPS_KEY_FILE"}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, "TEAPOT_") && !slices.Contains(drop, k) {
			env = append(env, kv)
		}
	}
	return env
}

// start runs bin in dir with its output to dir/name.log, without waiting.
func start(dir, name, bin string, args ...string) (*proc, error) {
	logName := filepath.Join(dir, name+".log")
	f, err := os.Create(logName)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, childEnv(), f, f
	// Stopped with us even if we are killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: logName, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	procsMu.Lock()
	procs = append(procs, p)
	procsMu.Unlock()
	return p, nil
}

// stop sends SIGTERM, waits up to 5 s, then kills.
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// stopAll stops every server still running.
func stopAll() {
	procsMu.Lock()
	defer procsMu.Unlock()
	for _, p := range procs {
		p.stop()
	}
	procs = nil
}

// logTail is the end of a server's log, for an error message.
func (p *proc) logTail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 1500 {
		b = b[len(b)-1500:]
	}
	return strings.TrimSpace(string(b))
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// client talks to the servers under test: loopback only, no proxy, no
// transparent decompression (bodies are compared as sent).
var client = &http.Client{
	Timeout:   5 * time.Second,
	Transport: &http.Transport{Proxy: nil, DisableCompression: true, DisableKeepAlives: true},
}

// response is one answer, as sent.
type response struct {
	status int
	proto  string
	reason string // the status line after the code
	header http.Header
	body   []byte
}

// fetch sends GET url with exactly the headers given ("Name: value"),
// as wrk -H does: no User-Agent or Accept-Encoding unless given.
func fetch(ctx context.Context, url string, headers []string) (*response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "") // none unless given
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	_, reason, _ := strings.Cut(resp.Status, " ")
	return &response{status: resp.StatusCode, proto: resp.Proto, reason: reason, header: resp.Header, body: body}, nil
}

// headerBlock is r's status line and headers as curl -D writes them,
// which is what bench/bare reads.
func (r *response) headerBlock() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %d %s\r\n", r.proto, r.status, r.reason)
	r.header.Write(&b)
	b.WriteString("\r\n")
	return b.Bytes()
}

// diff says how b differs from a, in status, headers (Date aside) or
// body; "" when they are the same.
func diff(a, b *response) string {
	if a.status != b.status {
		return fmt.Sprintf("status %d, not %d", b.status, a.status)
	}
	for _, h := range []http.Header{a.header, b.header} {
		for k := range h {
			if k != "Date" && !slices.Equal(a.header[k], b.header[k]) {
				return fmt.Sprintf("header %s: %q, not %q", k, b.header[k], a.header[k])
			}
		}
	}
	if !bytes.Equal(a.body, b.body) {
		return fmt.Sprintf("a body of %d bytes that differs from the %d expected", len(b.body), len(a.body))
	}
	return ""
}

// waitHTTP polls url until it answers status (any status when 0).
func waitHTTP(ctx context.Context, p *proc, url string, status int) error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		r, err := fetch(ctx, url, nil)
		if err == nil && (status == 0 || r.status == status) {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited before answering %s (%v):\n%s", p.name, url, p.err, p.logTail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer %s within 15 s (last: %v)", p.name, url, err)
		}
	}
}

// procStatus reads fields of /proc/PID/status in kB (VmRSS, RssAnon, RssFile).
func procStatus(pid int, fields ...string) []int {
	out := make([]int, len(fields))
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return out
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, _ := strings.Cut(s.Text(), ":")
		if i := slices.Index(fields, k); i >= 0 {
			out[i], _ = strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		}
	}
	return out
}

func rssKB(p *proc) int { return procStatus(p.cmd.Process.Pid, "VmRSS")[0] }

// loadavg is the 1, 5 and 15 minute load averages of /proc/loadavg.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// run runs a short command in dir and returns its combined output.
func run(ctx context.Context, dir string, env []string, bin string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return out, nil
}

// firstLine is the first line of an error, for a one-line message.
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// lastLine is the last line of an error: a failed command's own message.
func lastLine(err error) string {
	s := strings.TrimSpace(err.Error())
	return s[strings.LastIndex(s, "\n")+1:]
}

var errTarget = errors.New("a target was missed")
