package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// testIPPage loads /ip and waits for the script to fill in the visitor's
// address and its facts from /ip.json; then looks up another address with
// the form, which lands on /ip/{address}.
func testIPPage(t *testing.T, ctx context.Context, base string, problems *problemLog) {
	if err := chromedp.Do(ctx, view(desktop, false), chromedp.Navigate(base+"/ip")); err != nil {
		t.Fatal(err)
	}
	type state struct {
		Addr    string   `json:"addr"`
		Title   string   `json:"title"`
		Facts   []string `json:"facts"`
		Special string   `json:"special"`
		Path    string   `json:"path"`
	}
	read := chromedp.Evaluate[state](`(() => ({
		addr: document.getElementById("ip-addr").textContent,
		title: document.getElementById("ip-title").textContent,
		facts: [...document.querySelectorAll("#ip-facts dt, #ip-facts dd")].map(e => e.textContent),
		special: document.getElementById("ip-special").hidden ? "" : document.getElementById("ip-special").textContent,
		path: location.pathname,
	}))()`)
	wait := func(addr string) state {
		t.Helper()
		var got state
		for i := 0; i < 100; i++ {
			var err error
			if got, err = chromedp.Run(ctx, read); err != nil {
				t.Fatal(err)
			}
			if got.Addr == addr && len(got.Facts) > 0 {
				return got
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("after waiting: %+v, want the address %s and its facts", got, addr)
		return got
	}
	got := wait("127.0.0.1")
	facts := strings.Join(got.Facts, "|")
	for _, want := range []string{"Version|IPv4", "Decimal|2130706433", "Special-purpose|Loopback (127.0.0.0/8, RFC 1122)"} {
		if !strings.Contains(facts, want) {
			t.Errorf("facts %q lack %q", facts, want)
		}
	}
	if !strings.Contains(got.Special, "loopback") {
		t.Errorf("the page does not explain the loopback address: %q", got.Special)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#ip-address"), "2001:DB8::1"),
		chromedp.Click(chromedp.CSS("#ip-form button")),
	); err != nil {
		t.Fatal(err)
	}
	got = wait("2001:db8::1")
	if got.Path != "/ip/2001:db8::1" || got.Title != "IP address 2001:db8::1" || !strings.Contains(got.Special, "documentation") {
		t.Errorf("after the form: %+v, want /ip/2001:db8::1 explained as documentation", got)
	}
	for _, p := range problems.take() {
		t.Errorf("browser problem on the IP page: %s", p)
	}
}

// testIPBoth serves one server on 127.0.0.1 and [::1] at the same port,
// with 127.0.0.1 as the public URL and the IPv4-only host, and localhost
// (which the browser itself maps to loopback, asking no resolver) as the
// IPv6-only host: the page must fetch both, across origins under its CSP,
// and show an address for each. The IPv6 literal cannot be the host: CSP
// source expressions have no syntax for it.
func testIPBoth(t *testing.T, ctx context.Context, problems *problemLog) {
	ln4, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln4.Addr().(*net.TCPAddr).Port
	ln6, err := net.Listen("tcp", fmt.Sprintf("[::1]:%d", port))
	if err != nil {
		ln4.Close()
		t.Skipf("no IPv6 loopback at port %d: %v", port, err)
	}
	origin := fmt.Sprintf("http://127.0.0.1:%d", port)
	cfg, err := loadConfig([]string{"--addr", "127.0.0.1:0", "--access-log=false", "--public-url", origin,
		"--ipv4-host", fmt.Sprintf("127.0.0.1:%d", port), "--ipv6-host", fmt.Sprintf("localhost:%d", port)}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.checkResolver, cfg.checkDial, cfg.ipResolver = noDNS{}, loopbackOnly(t), noDNS{}
	srv, err := newServer(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(ln4)
	go hs.Serve(ln6)
	t.Cleanup(func() { hs.Close() })

	if err := chromedp.Do(ctx, view(desktop, false), chromedp.Navigate(origin+"/ip")); err != nil {
		t.Fatal(err)
	}
	type both struct {
		V4 string `json:"v4"`
		V6 string `json:"v6"`
	}
	read := chromedp.Evaluate[both](`(() => {
		const dd = v => (document.querySelector('#ip-both dd[data-version="' + v + '"]') || {textContent: ""}).textContent;
		return {v4: dd("IPv4"), v6: dd("IPv6")};
	})()`)
	var got both
	for i := 0; i < 100; i++ {
		if got, err = chromedp.Run(ctx, read); err != nil {
			t.Fatal(err)
		}
		if got.V4 != "checking…" && got.V6 != "checking…" && got.V4 != "" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got.V4 != "127.0.0.1" || (got.V6 != "::1" && got.V6 != "127.0.0.1") {
		t.Errorf("both addresses: %+v, want 127.0.0.1 and a loopback address", got)
	}
	for _, p := range problems.take() {
		t.Errorf("browser problem with both hosts: %s", p)
	}
}
