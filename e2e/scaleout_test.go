package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/teapothq/teapot/internal/lab/labtest"
	"github.com/teapothq/teapot/internal/lab/store/pgtest"
)

// TestScaleOut runs two teapot processes on the machine's PostgreSQL and
// a Redis of the test's own, behind nginx round-robin, and shows what an
// operator running several relies on: one client's /status budget holds
// across both; lab writes through either are linearizable; with Redis
// killed both keep serving, on limits of their own, and /readyz says
// degraded until it is back; an instance SIGKILLed under load loses no
// acknowledged write while nginx answers through the other; a SIGTERMed
// one drains, its /readyz 503 first.
func TestScaleOut(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two servers, Redis and nginx")
	}
	bin := buildTeapot(t)
	pg := pgtest.URL(t)
	rd := startRedis(t)
	const burst = 60
	args := []string{"--database-url", pg, "--redis-url", rd.url(), "--reverse-dns-timeout", "0",
		"--trusted-proxies", "127.0.0.1/32", "--status-rate", "0.01", "--status-burst", fmt.Sprint(burst),
		"--drain-delay", "1s"}
	var insts []*instance
	for range 2 {
		cmd, lines, base := startTeapot(t, bin, args...)
		insts = append(insts, &instance{cmd, lines, base})
	}
	port := freePort(t)
	startNginx(t, proxyConf(port, insts[0].base, insts[1].base))
	front := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitUp(t, front+"/healthz")
	for _, in := range insts {
		if _, ok := eventually(5*time.Second, func() bool { _, s := readyStatus(t, in.base); return s == "ready" }); !ok {
			t.Fatalf("%s never became ready", in.base)
		}
	}
	client := &http.Client{Timeout: 10 * time.Second}

	// One budget: a burst of 60 at 0.01/s, spent through both instances.
	spend := func(n int) (ok, limited, other int) {
		for range n {
			switch code, _ := fetchT(t, client, front+"/status/200"); code {
			case 200:
				ok++
			case 429:
				limited++
			default:
				other++
			}
		}
		return
	}
	t.Run("budget", func(t *testing.T) {
		ok, limited, other := spend(200)
		perInstance := []int{served(t, insts[0].base, "/status/{codes}", 200), served(t, insts[1].base, "/status/{codes}", 200)}
		t.Logf("200 requests through nginx: %d allowed (budget %d), %d refused, %d other; allowed per instance %v", ok, burst, limited, other, perInstance)
		if ok < burst*9/10 || ok > burst*11/10 || other != 0 {
			t.Errorf("%d allowed, %d other: want the one budget, %d within 10%%", ok, other, burst)
		}
		if perInstance[0] == 0 || perInstance[1] == 0 {
			t.Errorf("allowed requests per instance %v: nginx should spread them over both", perInstance)
		}
	})

	t.Run("linearizable", func(t *testing.T) {
		testLabThroughProxy(t, front, nil)
	})

	t.Run("redis-down", func(t *testing.T) {
		rd.stop()
		ok, limited, other := spend(200)
		t.Logf("Redis killed: 200 requests, %d allowed, %d refused, %d other (each instance's own burst of %d)", ok, limited, other, burst)
		if other != 0 || ok == 0 {
			t.Errorf("with Redis down: %d allowed, %d other; want answers from the fallback limits", ok, other)
		}
		for _, in := range insts {
			if code, s := readyStatus(t, in.base); code != 200 || s != "degraded" {
				t.Errorf("%s /readyz with Redis down: %d %s; want 200 degraded", in.base, code, s)
			}
		}
		rd.start()
		for _, in := range insts {
			took, ok := eventually(5*time.Second, func() bool { _, s := readyStatus(t, in.base); return s == "ready" })
			t.Logf("%s ready again %v after Redis restarted", in.base, took.Round(time.Millisecond))
			if !ok {
				t.Errorf("%s not ready after Redis came back", in.base)
			}
		}
		time.Sleep(1100 * time.Millisecond) // past the fallback's second
		ok, _, _ = spend(200)
		t.Logf("Redis back (empty): 200 requests, %d allowed", ok)
		if ok < burst*9/10 || ok > burst*11/10 {
			t.Errorf("after Redis came back: %d allowed, want one shared budget of %d", ok, burst)
		}
		for _, in := range insts {
			if n := countLines(in.lines, "redis unreachable"); n != 1 {
				t.Errorf("%s logged %d warnings about Redis, want 1", in.base, n)
			}
		}
	})

	t.Run("sigkill", func(t *testing.T) {
		victim := insts[0]
		testLabThroughProxy(t, front, func() {
			victim.cmd.Process.Signal(syscall.SIGKILL)
			t.Logf("SIGKILLed %s under load", victim.base)
		})
		if code, _ := fetchT(t, client, front+"/409"); code != 200 {
			t.Errorf("after the kill, nginx answered %d", code)
		}
	})

	t.Run("sigterm", func(t *testing.T) {
		in := insts[1]
		exited := make(chan error, 1)
		go func() { exited <- in.cmd.Wait() }()
		start := time.Now()
		in.cmd.Process.Signal(syscall.SIGTERM)
		took, ok := eventually(time.Second, func() bool { code, _ := readyStatus(t, in.base); return code == 503 })
		if !ok {
			t.Fatal("/readyz did not answer 503 after SIGTERM")
		}
		if code, _ := fetchT(t, client, in.base+"/409"); code != 200 {
			t.Errorf("while draining, /409 answered %d; requests are served until the drain delay ends", code)
		}
		select {
		case err := <-exited:
			t.Logf("SIGTERM: /readyz 503 after %v, exit after %v (%v)", took.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), err)
			if time.Since(start) < time.Second {
				t.Errorf("exited after %v, before the drain delay of 1s", time.Since(start))
			}
		case <-time.After(15 * time.Second):
			t.Error("did not exit within 15 s of SIGTERM")
		}
	})
}

// countLines counts the log lines read so far that contain s.
func countLines(lines chan string, s string) int {
	n := 0
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				return n
			}
			if strings.Contains(l, s) {
				n++
			}
		default:
			return n
		}
	}
}

// testLabThroughProxy has clients append lines to one article through the
// proxy by read-modify-write with If-Match, retrying on 412 with the
// article the problem carries. Every acknowledged line must be in the
// final article. Without kill, the history must also be linearizable;
// with it, kill runs once a third of the writes are acknowledged, and a
// write whose answer was lost is found by its line in the current article.
func testLabThroughProxy(t *testing.T, front string, kill func()) {
	const clients, updates = 6, 15
	var tok [16]byte
	rand.Read(tok[:])
	sandbox := base64.RawURLEncoding.EncodeToString(tok[:])
	hc := &http.Client{Timeout: 10 * time.Second}
	do := func(method, path, body string, hdr ...string) (int, string, http.Header) {
		req, _ := http.NewRequest(method, front+path, strings.NewReader(body))
		req.Header.Set("Lab-Sandbox", sandbox)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := hc.Do(req)
		if err != nil {
			return 0, err.Error(), nil
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), res.Header
	}
	code, body, hdr := do("POST", "/lab/articles", `{"slug":"shared","title":"Shared","body":""}`)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, body)
	}
	loc := hdr.Get("Location")

	start := time.Now()
	var (
		mu       sync.Mutex
		history  []porcupine.Operation
		acked    []string
		failures []string
		killOnce sync.Once
	)
	record := func(id int, call time.Duration, op labtest.Op, res labtest.Result) {
		mu.Lock()
		defer mu.Unlock()
		history = append(history, porcupine.Operation{ClientId: id, Input: op, Call: int64(call), Output: res, Return: int64(time.Since(start))})
	}
	fail := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Sprintf(format, a...))
	}
	decode := func(s string) (labtest.Register, bool) {
		var r labtest.Register
		return r, json.Unmarshal([]byte(s), &r) == nil && r.Version > 0
	}
	var wg sync.WaitGroup
	for id := range clients {
		wg.Go(func() {
			call := time.Since(start)
			code, body, _ := do("GET", loc, "")
			cur, ok := decode(body)
			if code != 200 || !ok {
				fail("client %d: GET %d %s", id, code, body)
				return
			}
			record(id, call, labtest.Op{}, labtest.Result{OK: true, State: cur})
			for k := range updates {
				line := fmt.Sprintf("client %d update %d\n", id, k)
				for attempt := 0; ; attempt++ {
					if attempt == 500 {
						fail("client %d: no success in 500 attempts", id)
						return
					}
					op := labtest.Op{Write: true, Expect: cur.Version, Body: cur.Body + line}
					b, _ := json.Marshal(map[string]string{"slug": "shared", "title": "Shared", "body": op.Body})
					call := time.Since(start)
					code, body, _ := do("PUT", loc, string(b), "If-Match", fmt.Sprintf(`"v%d"`, cur.Version))
					if code == http.StatusOK {
						cur, _ = decode(body)
						record(id, call, op, labtest.Result{OK: true, State: cur})
						mu.Lock()
						acked = append(acked, line)
						n := len(acked)
						mu.Unlock()
						if kill != nil && n >= clients*updates/3 {
							killOnce.Do(kill)
						}
						break
					}
					if code != http.StatusPreconditionFailed {
						fail("client %d: PUT answered %d %s", id, code, body)
						return
					}
					var p struct{ Current json.RawMessage }
					json.Unmarshal([]byte(body), &p)
					cur, _ = decode(string(p.Current))
					record(id, call, op, labtest.Result{OK: false, State: cur})
					if strings.Contains(cur.Body, line) {
						break // a write whose answer was lost with the instance
					}
				}
			}
		})
	}
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	_, body, _ = do("GET", loc, "")
	final, _ := decode(body)
	lines := strings.SplitAfter(final.Body, "\n")
	lines = lines[:len(lines)-1]
	for _, a := range acked {
		if !slices.Contains(lines, a) {
			t.Errorf("acknowledged %q is not in the final article", strings.TrimSpace(a))
		}
	}
	if kill == nil {
		if res := porcupine.CheckOperationsTimeout(labtest.Model, history, time.Minute); res != porcupine.Ok {
			t.Errorf("the history of %d operations through nginx is %s, not linearizable", len(history), res)
		}
		if len(lines) != len(acked) {
			t.Errorf("the final article has %d lines, %d writes were acknowledged", len(lines), len(acked))
		}
	}
	t.Logf("%d clients through nginx: %d acknowledged writes, %d lines in the final article (version %d), %d operations, %d failures",
		clients, len(acked), len(lines), final.Version, len(history), len(failures))
}
