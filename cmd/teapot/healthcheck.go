package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthcheck asks a running teapot for /healthz and exits 0 on a 200,
// 1 otherwise: a container image built FROM scratch has no curl for its
// HEALTHCHECK. The address is --addr, else TEAPOT_ADDR, else :8080, as
// serve reads it; a host left empty (":8080") means this machine.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("healthcheck")
	addr := fs.String("addr", "", "address teapot serve listens on (default $TEAPOT_ADDR, else :8080)")
	timeout := fs.Duration("timeout", 2*time.Second, "longest wait for the answer")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("healthcheck takes flags only, not %q", fs.Arg(0))
	}
	a := *addr
	if a == "" {
		a = getenv("TEAPOT_ADDR")
	}
	if a == "" {
		a = ":8080"
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return usagef("healthcheck: --addr %q: %v", a, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	url := "http://" + net.JoinHostPort(host, port) + "/healthz"
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %s: %w", url, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", url, resp.Status)
	}
	fmt.Fprintln(stdout, "ok", url)
	return nil
}
