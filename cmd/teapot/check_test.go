package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/app"
	"github.com/teapothq/teapot/internal/urlcheck"
)

// loopbackOnly is the real dialer, wrapped so that the test fails (and
// nothing is sent) if the checker asks to connect anywhere but loopback.
func loopbackOnly(t testing.TB) urlcheck.DialFunc {
	real := (&net.Dialer{Timeout: 5 * time.Second}).DialContext
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		ap, err := netip.ParseAddrPort(addr)
		if err != nil || !ap.Addr().Unmap().IsLoopback() {
			t.Errorf("the checker tried to connect to %s: only loopback is allowed in tests", addr)
			return nil, fmt.Errorf("test: refusing to dial %s", addr)
		}
		return real(ctx, network, addr)
	}
}

// noDNS is the tests' resolver: it knows no names, and never asks the
// system's resolver.
type noDNS struct{}

func (noDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	return nil, &net.DNSError{Err: "no such host (test resolver)", Name: host, IsNotFound: true}
}

// LookupAddr knows one name, for 81.2.69.160 (an address MaxMind's test
// databases use), so that reverse DNS can be tested without a network.
func (noDNS) LookupAddr(_ context.Context, addr string) ([]string, error) {
	if addr == "81.2.69.160" {
		return []string{"test.example."}, nil
	}
	return nil, &net.DNSError{Err: "no such host (test resolver)", Name: addr, IsNotFound: true}
}

func testCheckOptions(t testing.TB) urlcheck.Options {
	return urlcheck.Options{Resolver: noDNS{}, Dial: loopbackOnly(t)}
}

func TestCheckCommand(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/old":
			http.Redirect(w, r, "/new", http.StatusMovedPermanently)
		case "/gone":
			w.WriteHeader(http.StatusGone)
		}
	}))
	defer ts.Close()
	run := func(args ...string) (string, error) {
		var out strings.Builder
		err := check(t.Context(), args, &out, testCheckOptions(t))
		return out.String(), err
	}
	out, err := run("--allow-private", ts.URL+"/old", "--expect", "200", ts.URL+"/new")
	if err != nil || !strings.Contains(out, "301 -> 200") || !strings.HasPrefix(out, "URL ") {
		t.Errorf("passing run: %v\n%s", err, out)
	}
	out, err = run("--allow-private", "--expect", "200", ts.URL+"/gone", ts.URL+"/new")
	if err == nil || !strings.Contains(err.Error(), "1 of 2 URLs failed") || !strings.Contains(out, "unexpected status") {
		t.Errorf("a 410 with --expect 200: %v\n%s", err, out)
	}
	out, err = run(ts.URL + "/new")
	if err == nil || !strings.Contains(out, "loopback") {
		t.Errorf("without --allow-private a loopback URL must be refused: %v\n%s", err, out)
	}
	many := []string{"--allow-private", "--format", "csv"}
	for i := 0; i < 120; i++ {
		many = append(many, fmt.Sprintf("%s/n%d", ts.URL, i))
	}
	out, err = run(many...)
	if err != nil || strings.Count(out, "\n") != 121 {
		t.Errorf("120 URLs on the command line: %v, %d lines", err, strings.Count(out, "\n"))
	}
	for _, bad := range [][]string{{}, {"--expect", "abc", ts.URL}, {"--method", "POST", ts.URL}, {"ftp://x"}, {"--ports", "0", ts.URL}} {
		if _, err := run(bad...); err == nil {
			t.Errorf("teapot check %q: no error", bad)
		} else if _, ok := err.(usageError); !ok {
			t.Errorf("teapot check %q: %v is not a usage error", bad, err)
		}
	}
	if out, err := run("--help"); err != nil || !strings.Contains(out, "--expect") && !strings.Contains(out, "-expect") {
		t.Errorf("help: %v\n%s", err, out)
	}
}

// TestCheckConfig: the checker's flags come from the environment, are
// validated by name, and reach the checker's options.
func TestCheckConfig(t *testing.T) {
	t.Parallel()
	env := map[string]string{"TEAPOT_CHECK_ALLOW_PRIVATE": "true", "TEAPOT_CHECK_PORTS": "80,8080", "TEAPOT_CHECK_WORKERS": "8"}
	cfg, err := loadConfig([]string{"--check-per-client", "2"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.CheckOptions()
	if !o.Guard.AllowPrivate || fmt.Sprint(o.Guard.Ports) != "[80 8080]" || o.Workers != 8 || o.PerClient != 2 || o.MaxURLs != 100 || o.Timeout != 10*time.Second {
		t.Errorf("options %+v", o)
	}
	if o := (&app.Config{CheckPorts: "any"}).CheckOptions(); !o.Guard.AnyPort {
		t.Errorf("--check-ports any: %+v", o.Guard)
	}
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--check-ports", "80,http"}, nil, "--check-ports"},
		{[]string{"--check-timeout", "0s"}, nil, "--check-timeout"},
		{[]string{"--check-max-urls", "0"}, nil, "--check-max-urls"},
		{[]string{"--check-per-client", "40"}, nil, "--check-per-client"},
		{nil, map[string]string{"TEAPOT_CHECK_ALLOW_PRIVATE": "maybe"}, "TEAPOT_CHECK_ALLOW_PRIVATE"},
	} {
		_, err := loadConfig(tt.args, func(k string) string { return tt.env[k] })
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v %v: error %v, want one naming %s", tt.args, tt.env, err, tt.want)
		}
	}
}
