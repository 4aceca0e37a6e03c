// Command pgo records the CPU profile that profile-guided optimization
// builds teapot with (cmd/teapot/default.pgo): it starts the app in this
// process on a loopback port, access log on and the geo test databases
// loaded, as bench/ratio runs it, and loads each hot path with wrk in turn
// while the profiler runs.
//
//	go run ./bench/pgo -o cmd/teapot/default.pgo
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/teapothq/teapot/internal/app"
	"github.com/teapothq/teapot/internal/geo/geotest"
	"github.com/teapothq/teapot/internal/server"
)

// paths are bench/ratio's hot paths, with the headers it sends; the rest
// of the site is left to the profile's general shape.
var paths = []struct {
	path    string
	headers []string
}{
	{"/409", []string{"Accept: text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Encoding: gzip", "User-Agent: Mozilla/5.0 Chrome/156.0"}},
	{"/status/200", []string{"Accept: application/json"}},
	{"/status/418", []string{"User-Agent: curl/8.5.0"}},
	{"/api/codes/409", []string{"User-Agent: curl/8.5.0"}},
	{"/ip/81.2.69.160.json", []string{"User-Agent: curl/8.5.0"}},
	{"/409.txt", []string{"User-Agent: curl/8.5.0"}},
	{"/ip", []string{"User-Agent: curl/8.5.0"}},
}

func main() {
	out := flag.String("o", "cmd/teapot/default.pgo", "where to write the profile")
	each := flag.Duration("d", 5*time.Second, "load on each path")
	flag.Parse()
	if err := run(*out, *each); err != nil {
		fmt.Fprintln(os.Stderr, "pgo:", err)
		os.Exit(1)
	}
}

func run(out string, each time.Duration) error {
	dir, err := os.MkdirTemp("", "teapot-pgo")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	files, err := geotest.WriteMaxMind(dir)
	if err != nil {
		return err
	}
	cfg := app.Defaults()
	cfg.Addr, cfg.LabMemory, cfg.ReverseDNSTimeout = "127.0.0.1:0", true, 0
	cfg.GeoCity, cfg.GeoASN = strings.Join(files.Location, ","), files.Network
	cfg.StatusRate, cfg.StatusBurst = 1e9, 1e9
	if err := cfg.Validate(); err != nil {
		return err
	}
	logFile, err := os.Create(filepath.Join(dir, "access.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	lw := server.NewLogWriter(logFile, 200*time.Millisecond)
	defer lw.Close()
	a, err := app.New(cfg, cfg.Logger(lw))
	if err != nil {
		return err
	}
	if err := a.Listen(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx) }()
	base := "http://" + a.Addr().String()
	if err := ready(base, served); err != nil {
		return err
	}

	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	for _, p := range paths {
		args := []string{"-t1", "-c32", "-d" + each.String()}
		for _, h := range p.headers {
			args = append(args, "-H", h)
		}
		b, err := exec.Command("wrk", append(args, base+p.path)...).CombinedOutput()
		if err != nil || !strings.Contains(string(b), "Requests/sec") || strings.Contains(string(b), "Socket errors") {
			return fmt.Errorf("wrk %s: %v\n%s", p.path, err, b)
		}
		fmt.Printf("%s: %s\n", p.path, rpsRE.FindString(string(b)))
	}
	return nil
}

var rpsRE = regexp.MustCompile(`Requests/sec:\s+[0-9.]+`)

// ready waits for the app to answer /healthz.
func ready(base string, served <-chan error) error {
	for range 100 {
		select {
		case err := <-served:
			return fmt.Errorf("serve: %v", err)
		default:
		}
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s/healthz did not answer", base)
}
