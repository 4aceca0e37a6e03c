package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/teapothq/teapot/internal/app/apptest"
	"github.com/teapothq/teapot/internal/geo/geotest"
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
	// Null-safe: it may run while the form's navigation swaps documents.
	read := chromedp.Evaluate[state](`(() => {
		const text = id => (document.getElementById(id) || {textContent: ""}).textContent;
		const sp = document.getElementById("ip-special");
		return {
			addr: text("ip-addr"),
			title: text("ip-title"),
			facts: [...document.querySelectorAll("#ip-facts dt, #ip-facts dd")].map(e => e.textContent),
			special: sp && !sp.hidden ? sp.textContent : "",
			path: location.pathname,
		};
	})()`)
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
	testIPGeoPage(t, ctx, problems)
}

// testIPGeoPage serves test databases that know loopback, and checks
// that /ip shows the address with its location, network and the data
// sets' attribution, and that a code page's "your IP" box fills in.
// With TEAPOT_SCREENSHOTS it saves both pages in light and dark, on a
// desktop and a phone.
func testIPGeoPage(t *testing.T, ctx context.Context, problems *problemLog) {
	dir := t.TempDir()
	city, asn := filepath.Join(dir, "GeoLite2-City.mmdb"), filepath.Join(dir, "GeoLite2-ASN.mmdb")
	home := geotest.Place{Network: "127.0.0.0/8", City: "Loopville", Region: "Localshire", Country: "United Kingdom",
		CountryCode: "GB", Postal: "LO0 1PB", TZone: "Europe/London", Lat: 51.5, Lon: -0.12, Radius: 5}
	if err := geotest.WriteCity(city, append([]geotest.Place{home}, geotest.Places...)); err != nil {
		t.Fatal(err)
	}
	if err := geotest.WriteASN(asn, append([]geotest.Net{{Network: "127.0.0.0/8", ASN: 64510, Org: "Loopback Telecom"}}, geotest.Nets...)); err != nil {
		t.Fatal(err)
	}
	cfg := apptest.Config()
	cfg.GeoCity, cfg.GeoASN = city, asn
	base := apptest.Serve(t, cfg)
	if err := chromedp.Do(ctx, view(desktop, false), chromedp.Navigate(base+"/ip")); err != nil {
		t.Fatal(err)
	}
	type state struct {
		Addr    string   `json:"addr"`
		Facts   []string `json:"facts"`
		Sources string   `json:"sources"`
		Links   []string `json:"links"`
	}
	read := chromedp.Evaluate[state](`(() => ({
		addr: (document.getElementById("ip-addr") || {textContent: ""}).textContent,
		facts: [...document.querySelectorAll("#ip-facts dt, #ip-facts dd")].map(e => e.textContent),
		sources: (document.getElementById("ip-sources") || {textContent: ""}).textContent,
		links: [...document.querySelectorAll("#ip-sources a")].map(a => a.href),
	}))()`)
	var got state
	for i := 0; i < 100; i++ {
		var err error
		if got, err = chromedp.Run(ctx, read); err != nil {
			t.Fatal(err)
		}
		if got.Addr == "127.0.0.1" && len(got.Facts) > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	facts := strings.Join(got.Facts, "|")
	for _, want := range []string{"Country|United Kingdom (GB)", "Region|Localshire", "City|Loopville", "Postal code|LO0 1PB",
		"Coordinates|51.5, -0.12 (within 5 km)", "Time zone|Europe/London", "Network|AS64510 Loopback Telecom", "Block|127.0.0.0/8"} {
		if !strings.Contains(facts, want) {
			t.Errorf("/ip with databases: facts %q lack %q", facts, want)
		}
	}
	if !strings.Contains(got.Sources, "GeoLite2 Data created by MaxMind") || !strings.Contains(strings.Join(got.Links, " "), "https://www.maxmind.com") {
		t.Errorf("/ip does not credit the data: %q %v", got.Sources, got.Links)
	}

	// The box of a code page: a link in the HTML, filled in by its script.
	if err := chromedp.Do(ctx, view(desktop, false), chromedp.Navigate(base+"/409")); err != nil {
		t.Fatal(err)
	}
	type box struct {
		Addr string `json:"addr"`
		More string `json:"more"`
		Href string `json:"href"`
	}
	readBox := chromedp.Evaluate[box](`(() => {
		const text = id => (document.getElementById(id) || {textContent: ""}).textContent;
		const a = document.getElementById("ipbox");
		return {addr: text("ipbox-addr"), more: text("ipbox-more"), href: a ? a.getAttribute("href") : ""};
	})()`)
	var b box
	for i := 0; i < 100; i++ {
		var err error
		if b, err = chromedp.Run(ctx, readBox); err != nil {
			t.Fatal(err)
		}
		if b.Addr == "127.0.0.1" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if b.Addr != "127.0.0.1" || b.More != "United Kingdom · Loopback Telecom" || b.Href != "/ip" {
		t.Errorf("the your-IP box: %+v, want 127.0.0.1, United Kingdom · Loopback Telecom, a link to /ip", b)
	}
	for _, p := range problems.take() {
		t.Errorf("browser problem on the IP page with databases: %s", p)
	}
	screenshots(t, ctx, base, map[string]string{"ip-geo": "/ip", "409-ipbox": "/409"}, func() {
		chromedp.Run(ctx, readBox) // let the scripts fill the pages in
		time.Sleep(300 * time.Millisecond)
	})
}

// screenshots saves each page on a desktop and a phone, light and dark,
// into TEAPOT_SCREENSHOTS, if set; settle runs after each load.
func screenshots(t *testing.T, ctx context.Context, base string, pages map[string]string, settle func()) {
	dir := os.Getenv("TEAPOT_SCREENSHOTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, path := range pages {
		for _, s := range []screen{desktop, phone} {
			for _, dark := range []bool{false, true} {
				if err := chromedp.Do(ctx, view(s, dark), chromedp.Navigate(base+path)); err != nil {
					t.Fatal(err)
				}
				settle()
				if s.mobile && !dark {
					checkNoSideways(t, ctx, path)
				}
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%s-%s.png", name, s.name, scheme(dark))), png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
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
	cfg := apptest.Config()
	cfg.PublicURL, cfg.IPv4Host, cfg.IPv6Host = origin, fmt.Sprintf("127.0.0.1:%d", port), fmt.Sprintf("localhost:%d", port)
	hs := &http.Server{Handler: apptest.New(t, cfg).Handler()}
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
