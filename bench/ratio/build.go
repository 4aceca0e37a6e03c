package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
)

// binaries are the programs of a run, built once into tmp.
type binaries struct {
	root    string   // the module's folder
	teapot  string   // teapot's binary
	bare    string   // bench/bare
	startup string   // bench/startup, with -footprint
	geo     []string // serve flags loading the geofixture databases
	geoNote []string // the same, for the output

	httpbin        string // go-httpbin's binary, if given (-httpbin)
	httpbinVersion string // go-httpbin's, once installed
	httpbinErr     error  // why it could not be
}

// setup finds the tools, builds teapot and the bench helpers, and prints
// what the run is made of.
func setup(ctx context.Context, o *options, specs []spec) (*binaries, error) {
	if err := tools(ctx, o); err != nil {
		return nil, err
	}
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil || len(bytes.TrimSpace(gomod)) == 0 || string(bytes.TrimSpace(gomod)) == os.DevNull {
		return nil, fmt.Errorf("run this from teapot's module: go env GOMOD: %v", err)
	}
	b := &binaries{root: filepath.Dir(string(bytes.TrimSpace(gomod))), httpbin: o.httpbin}
	build := func(pkg string) (string, error) {
		out := filepath.Join(tmp, filepath.Base(pkg))
		_, err := run(ctx, b.root, os.Environ(), "go", "build", "-trimpath", "-o", out, pkg)
		return out, err
	}
	if b.teapot = o.teapot; b.teapot == "" {
		if b.teapot, err = build("./cmd/teapot"); err != nil {
			return nil, fmt.Errorf("%v\n(cmd/teapot does not build now: retry later, or pass -teapot with a binary built elsewhere)", err)
		}
	} else if b.teapot, err = filepath.Abs(b.teapot); err != nil {
		return nil, err
	}
	if b.bare, err = build("./bench/bare"); err != nil {
		return nil, err
	}
	if o.footprint {
		if b.startup, err = build("./bench/startup"); err != nil {
			return nil, err
		}
	}
	for _, s := range specs {
		if strings.HasPrefix(s.path, "/ip") && b.geo == nil {
			fixture, err := build("./bench/geofixture")
			if err != nil {
				return nil, err
			}
			dir := filepath.Join(tmp, "geo")
			if err := os.Mkdir(dir, 0o755); err != nil {
				return nil, err
			}
			out, err := run(ctx, tmp, os.Environ(), fixture, "-dir", dir)
			if err != nil {
				return nil, err
			}
			b.geo = strings.Fields(string(out))
			for _, f := range b.geo {
				if strings.HasPrefix(f, "--") {
					b.geoNote = append(b.geoNote, f)
				} else {
					b.geoNote = append(b.geoNote, filepath.Base(f)+"(fixture)")
				}
			}
		}
	}
	version, _ := exec.CommandContext(ctx, b.teapot, "version").Output()
	wrkVersion, _ := exec.CommandContext(ctx, o.wrk, "-v").CombinedOutput()
	wv, _, _ := strings.Cut(string(wrkVersion), " Copyright")
	fmt.Printf("teapot load benchmark: teapot against bare net/http sending the same bytes\n")
	fmt.Printf("machine: %d cores, %s, %s, %s\n", runtime.NumCPU(), runtime.Version(), strings.TrimSpace(wv), strings.TrimSpace(string(version)))
	return b, nil
}

// tools finds wrk, installing it with -install.
func tools(ctx context.Context, o *options) error {
	var missing []string
	if _, err := exec.LookPath("wrk"); err != nil {
		missing = append(missing, "wrk")
	}
	if o.peers && nginxPath() == "" {
		missing = append(missing, "nginx")
	}
	if len(missing) > 0 && o.install {
		fmt.Printf("installing %s with apt-get\n", strings.Join(missing, " "))
		name, pre := "apt-get", []string{}
		if os.Geteuid() != 0 {
			name, pre = "sudo", []string{"env", "DEBIAN_FRONTEND=noninteractive", "apt-get"}
		}
		env := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if _, err := run(ctx, "/", env, name, append(pre, "update", "-qq")...); err != nil {
			return err
		}
		if _, err := run(ctx, "/", env, name, append(append(pre, "install", "-y", "-qq"), missing...)...); err != nil {
			return err
		}
	}
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		return fmt.Errorf("wrk is missing: apt-get install wrk, or rerun with -install")
	}
	o.wrk = wrk
	return nil
}

func nginxPath() string {
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	return ""
}

// startTeapot starts teapot serve on a free loopback port, its access
// log (stderr) to tmp/name.log, and waits for /healthz.
func (b *binaries) startTeapot(ctx context.Context, name string, flags ...string) (*proc, string, error) {
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	p, err := start(tmp, name, b.teapot, append([]string{"serve", "--addr", addr}, flags...)...)
	if err != nil {
		return nil, "", err
	}
	if err := waitHTTP(ctx, p, "http://"+addr+"/healthz", 200); err != nil {
		p.stop()
		return nil, "", err
	}
	return p, "http://" + addr, nil
}

var metricRE = regexp.MustCompile(`(?m)^teapot_http_requests_total\{route="([^"]*)",code="([0-9]+)"\} ([0-9]+)$`)

// servedOnly checks, from teapot's /metrics, that it answered nothing
// but status outside /healthz and /metrics (no 429 from the limiter, no
// 5xx): wrk alone cannot tell a 418 from a 429.
func servedOnly(ctx context.Context, url string, status int) error {
	r, err := fetch(ctx, url+"/metrics", nil)
	if err != nil {
		return err
	}
	ms := metricRE.FindAllStringSubmatch(string(r.body), -1)
	if len(ms) == 0 {
		fmt.Println("  (no teapot_http_requests_total in /metrics: the codes served were not checked)")
		return nil
	}
	for _, m := range ms {
		if m[1] != "/healthz" && m[1] != "/metrics" && m[2] != strconv.Itoa(status) && m[3] != "0" {
			return fmt.Errorf("teapot answered %s requests with %s on %s, not %d", m[3], m[2], m[1], status)
		}
	}
	return nil
}

// logNote says how much teapot's access log wrote.
func logNote(p *proc) string {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return "access log unreadable"
	}
	return fmt.Sprintf("access log on: %d request lines, %d KiB written", bytes.Count(b, []byte("msg=request")), len(b)/1024)
}
