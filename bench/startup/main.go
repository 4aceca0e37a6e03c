// Command startup measures how fast teapot serves: it starts the binary
// several times, each on a free loopback port, polls /healthz with
// net/http until the first 200, and reports the time from the start of the
// process to that answer and the process's VmRSS at that moment and once
// it has settled (-settle later: teapot renders the codes' pages in the
// background once it answers), then the medians.
//
//	go run ./bench/startup -n 5 /path/to/teapot
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	n := flag.Int("n", 5, "number of starts")
	timeout := flag.Duration("timeout", 10*time.Second, "give up on a start after this long")
	settle := flag.Duration("settle", 2*time.Second, "read VmRSS again this long after the first 200")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: startup [-n 5] [-timeout 10s] /path/to/teapot [extra serve flags]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() < 1 || *n < 1 {
		flag.Usage()
		os.Exit(2)
	}
	var times []time.Duration
	var rss, settled []int
	for i := range *n {
		d, kb, later, err := once(flag.Arg(0), flag.Args()[1:], *timeout, *settle)
		if err != nil {
			fmt.Fprintf(os.Stderr, "startup: run %d: %v\n", i+1, err)
			os.Exit(1)
		}
		fmt.Printf("run %d: first 200 on /healthz after %s, VmRSS %d kB, %d kB %s later\n", i+1, ms(d), kb, later, *settle)
		times = append(times, d)
		rss = append(rss, kb)
		settled = append(settled, later)
	}
	slices.Sort(times)
	slices.Sort(rss)
	slices.Sort(settled)
	// Machine-readable lines for bench/ratio -footprint.
	fmt.Printf("startup_median_ms=%s\n", strings.TrimSuffix(ms(times[len(times)/2]), " ms"))
	fmt.Printf("startup_rss_median_kb=%d\n", rss[len(rss)/2])
	fmt.Printf("startup_rss_settled_median_kb=%d\n", settled[len(settled)/2])
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
}

// once starts teapot, waits for the first 200 on /healthz, reads its
// VmRSS then and settle later, and stops it.
func once(bin string, extra []string, timeout, settle time.Duration) (d time.Duration, kb, later int, err error) {
	port, err := freePort()
	if err != nil {
		return 0, 0, 0, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	args := append([]string{"serve", "--addr", addr}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = nil, nil // discarded
	client := &http.Client{
		Timeout:   time.Second,
		Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
	}
	url := "http://" + addr + "/healthz"

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}()
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				d := time.Since(start)
				if kb, err = vmRSS(cmd.Process.Pid); err != nil {
					return 0, 0, 0, err
				}
				time.Sleep(settle)
				later, err = vmRSS(cmd.Process.Pid)
				return d, kb, later, err
			}
		}
		select {
		case err := <-exited:
			exited <- err // for the deferred stop
			return 0, 0, 0, fmt.Errorf("%s exited before answering: %v", bin, err)
		default:
		}
		if time.Since(start) > timeout {
			return 0, 0, 0, fmt.Errorf("no 200 on %s within %s", url, timeout)
		}
		time.Sleep(200 * time.Microsecond)
	}
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

// vmRSS reads the resident set size of a process, in kB, from /proc.
func vmRSS(pid int) (int, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}
