// Command flood attacks a teapot binary on loopback the way the hardening
// issue's attacker did, within bounds, and reports what it cost: the
// process's RSS (VmRSS) and its data folder's size before and after each
// flood, with the answers counted by status.
//
//   - lab: POST /lab/articles with a fresh Lab-Sandbox token each time,
//     from one address (127.0.0.1) and from 250 (127.0.0.2 to
//     127.0.0.251, real source addresses on loopback);
//   - status: /status/200 from 1000 addresses of one IPv6 /64
//     (2001:db8:1:2::/64), as a trusted proxy on 127.0.0.1 says;
//   - ip: /ip/{address}.json for as many different addresses.
//
// The server runs with reverse DNS off, so nothing leaves the machine.
//
//	go run ./bench/flood -n 5000 /path/to/teapot [extra serve flags]
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	n := flag.Int("n", 5000, "requests per flood")
	workers := flag.Int("c", 16, "requests in flight")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: flood [-n 5000] [-c 16] /path/to/teapot [extra serve flags]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() < 1 || *n < 1 || *workers < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), flag.Args()[1:], *n, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "flood:", err)
		os.Exit(1)
	}
}

func run(bin string, extra []string, n, workers int) error {
	dir, err := os.MkdirTemp("", "teapot-flood")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	ln.Close()
	args := append([]string{"serve", "--addr", addr, "--data-dir", dir, "--access-log=false",
		"--reverse-dns-timeout", "0", "--trusted-proxies", "127.0.0.1"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	base := "http://" + addr
	if err := waitUp(base + "/healthz"); err != nil {
		return err
	}
	fmt.Printf("teapot %s\n", strings.Join(args, " "))
	report := func(what string, codes map[int]int, took time.Duration) {
		fmt.Printf("%-26s RSS %6d kB  data %9d B", what, rss(cmd.Process.Pid), size(dir))
		if codes != nil {
			fmt.Printf("  %6.0f req/s  answers %v", float64(n)/took.Seconds(), sorted(codes))
		}
		fmt.Println()
	}
	report("before", nil, 0)

	token := func() string {
		b := make([]byte, 16)
		rand.Read(b)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	article := func(i int) []byte {
		return fmt.Appendf(nil, `{"slug":"flood-%d","title":"Flood %d","body":%q}`, i, i, strings.Repeat("x", 4000))
	}
	lab := func(local func(i int) string) func(i int) *http.Request {
		return func(i int) *http.Request {
			req, _ := http.NewRequest("POST", base+"/lab/articles", bytes.NewReader(article(i)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Lab-Sandbox", token())
			req = req.WithContext(context.WithValue(req.Context(), localKey{}, local(i)))
			return req
		}
	}
	for _, f := range []struct {
		what string
		req  func(i int) *http.Request
	}{
		{"lab, one address", lab(func(int) string { return "127.0.0.1" })},
		{"lab, 250 addresses", lab(func(i int) string { return "127.0.0." + strconv.Itoa(2+i%250) })},
		{"status, one IPv6 /64", func(i int) *http.Request {
			req, _ := http.NewRequest("GET", base+"/status/200", nil)
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("2001:db8:1:2::%x", i+1))
			return req
		}},
		{"ip, different addresses", func(i int) *http.Request {
			req, _ := http.NewRequest("GET", fmt.Sprintf("%s/ip/198.51.%d.%d.json", base, i/256%256, i%256), nil)
			return req
		}},
	} {
		start := time.Now()
		codes := flood(f.req, n, workers)
		report(f.what, codes, time.Since(start))
	}
	return nil
}

type localKey struct{}

// flood sends n requests, workers at a time, each from the loopback
// address its context names (127.0.0.1 when none), and counts the
// answers by status (0 for a failed request).
func flood(req func(i int) *http.Request, n, workers int) map[int]int {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	// No keep-alive: a connection is bound to the address it was dialled
	// from, and each request names its own.
	tr := &http.Transport{DisableKeepAlives: true, DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := *dialer
		if local, _ := ctx.Value(localKey{}).(string); local != "" {
			d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(local)}
		}
		return d.DialContext(ctx, network, addr)
	}}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var mu sync.Mutex
	codes := map[int]int{}
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				code := 0
				if resp, err := client.Do(req(i)); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					code = resp.StatusCode
				}
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return codes
}

func sorted(codes map[int]int) string {
	var keys []int
	for k := range codes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d×%d", k, codes[k]))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// rss is the process's VmRSS in kB.
func rss(pid int) int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return kb
		}
	}
	return 0
}

// size is the bytes of the files under dir.
func size(dir string) int64 {
	var total int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				total += info.Size()
			}
		}
		return nil
	})
	return total
}

func waitUp(url string) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer 200 within 10s", url)
}
