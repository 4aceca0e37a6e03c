package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/app"
	"github.com/teapothq/teapot/internal/app/apptest"
	"github.com/teapothq/teapot/internal/urlcheck"
)

func testCheckOptions(t testing.TB) urlcheck.Options {
	return urlcheck.Options{Resolver: apptest.NoDNS{}, Dial: apptest.LoopbackOnly(t)}
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
