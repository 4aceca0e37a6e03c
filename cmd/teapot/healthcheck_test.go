package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/teapothq/teapot/internal/app/apptest"
)

// TestHealthcheck: 0 for a teapot that answers, 1 for one that is down
// or unhealthy, 2 for a malformed address; TEAPOT_ADDR is read as serve
// reads it.
func TestHealthcheck(t *testing.T) {
	t.Parallel()
	up := strings.TrimPrefix(apptest.Serve(t, apptest.Config()), "http://")
	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(sick.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(up)

	hc := func(env string, args ...string) (string, error) {
		var out strings.Builder
		getenv := func(k string) string {
			if k == "TEAPOT_ADDR" {
				return env
			}
			return ""
		}
		err := run(context.Background(), append([]string{"healthcheck"}, args...), getenv, &out, io.Discard)
		return out.String(), err
	}
	if out, err := hc("", "--addr", up); err != nil || !strings.HasPrefix(out, "ok ") {
		t.Errorf("a teapot that answers: %q, %v; want ok and no error", out, err)
	}
	if _, err := hc(":" + port); err != nil {
		t.Errorf("TEAPOT_ADDR=:%s (this machine): %v", port, err)
	}
	for _, addr := range []string{down, strings.TrimPrefix(sick.URL, "http://")} {
		var usage usageError
		if _, err := hc("", "--addr", addr); err == nil || errors.As(err, &usage) {
			t.Errorf("--addr %s (down or unhealthy): %v, want a failure (exit 1)", addr, err)
		}
	}
	var usage usageError
	if _, err := hc("", "--addr", "no-port"); !errors.As(err, &usage) {
		t.Errorf("--addr no-port: %v, want a usage error (exit 2)", err)
	}
}
