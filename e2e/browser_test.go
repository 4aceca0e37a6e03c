package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/teapothq/teapot/internal/app/apptest"
)

// TestBrowser loads the real server's pages in headless Chromium and checks
// what a person gets: the content of a code page, the search filter, no
// console errors or CSP violations, no axe-core accessibility violations in
// light and dark mode, and no sideways scrolling on a phone.
//
// It needs Chromium and axe-core (npm ci --prefix tools/browser), and
// is skipped without them unless TEAPOT_REQUIRE_BROWSER=1, as CI sets it.
// TEAPOT_SCREENSHOTS=DIR saves screenshots of the pages into DIR.
func TestBrowser(t *testing.T) {
	chrome, axeJS := browserDeps(t)
	// The URL checker may reach the local test server of the Check
	// subtest; its dialer still fails the test for anything but loopback.
	cfg := apptest.Config()
	cfg.CheckAllowPrivate, cfg.CheckPorts = true, "any"
	base := apptest.Serve(t, cfg)
	browser, problems := startBrowser(t, chrome)

	t.Run("CodePage", func(t *testing.T) {
		ctx := within(t, browser, time.Minute)
		if err := chromedp.Do(ctx, view(desktop, false), chromedp.Navigate(base+"/409")); err != nil {
			t.Fatal(err)
		}
		type page struct {
			H1  string   `json:"h1"`
			H2  []string `json:"h2"`
			FAQ int      `json:"faq"`
			LD  []string `json:"ld"`
		}
		p, err := chromedp.Run(ctx, chromedp.Evaluate[page](`(() => {
			const text = e => e.textContent.replace(/\s+/g, " ").trim();
			const faq = document.querySelector("section#faq");
			return {
				h1: text(document.querySelector("h1")),
				h2: [...document.querySelectorAll("h2")].map(h => text(h).replace(/ #$/, "")),
				faq: faq ? faq.querySelectorAll("h3").length : 0,
				ld: [...document.querySelectorAll('script[type="application/ld+json"]')].map(s => s.textContent),
			};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(p.H1, "409") || !strings.Contains(p.H1, "Conflict") {
			t.Errorf("h1 = %q, want 409 and Conflict", p.H1)
		}
		for _, want := range []string{"Meaning", "Commonly used for", "Common causes", "How to fix", "Example",
			"Headers", "Caching and retries", "Related", "FAQ"} {
			if !slices.Contains(p.H2, want) {
				t.Errorf("no h2 %q; the h2s are %q", want, p.H2)
			}
		}
		if p.FAQ < 3 {
			t.Errorf("the FAQ section has %d h3 questions, want at least 3", p.FAQ)
		}
		faqPage := false
		for _, ld := range p.LD {
			var v struct {
				Type string `json:"@type"`
			}
			if err := json.Unmarshal([]byte(ld), &v); err != nil {
				t.Errorf("ld+json does not parse: %v\n%s", err, ld)
			}
			faqPage = faqPage || v.Type == "FAQPage"
		}
		if !faqPage {
			t.Errorf("no ld+json script with @type FAQPage among %d", len(p.LD))
		}
	})

	t.Run("TryPage", func(t *testing.T) {
		ctx := within(t, browser, time.Minute)
		if err := chromedp.Do(ctx, view(desktop, false), chromedp.Navigate(base+"/418/try")); err != nil {
			t.Fatal(err)
		}
		problems.take()
		if err := chromedp.Do(ctx,
			chromedp.SetValue(chromedp.CSS("#t-retry"), "7"),
			chromedp.Click(chromedp.CSS("#try button")),
			chromedp.WaitVisible(chromedp.CSS("#result")),
		); err != nil {
			t.Fatal(err)
		}
		type result struct {
			Raw  string `json:"raw"`
			Curl string `json:"curl"`
		}
		var got result
		for i := 0; i < 50; i++ {
			got, _ = chromedp.Run(ctx, chromedp.Evaluate[result](`({raw: document.getElementById("t-raw").textContent, curl: document.getElementById("t-curl").textContent})`))
			if strings.HasPrefix(got.Raw, "HTTP 418") {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if !strings.HasPrefix(got.Raw, "HTTP 418") || !strings.Contains(got.Raw, "content-type: application/problem+json") {
			t.Errorf("the try page shows %q, want the raw 418 response", got.Raw)
		}
		if !strings.Contains(got.Curl, "/status/418") {
			t.Errorf("curl snippet %q does not name /status/418", got.Curl)
		}
		for _, p := range problems.take() {
			// The browser logs every 4xx and 5xx it fetches; that is
			// the point of this page.
			if !strings.Contains(p, "the server responded with a status of") || !strings.Contains(p, "/status/418") {
				t.Errorf("browser problem on the try page: %s", p)
			}
		}
	})

	t.Run("SearchFilter", func(t *testing.T) {
		ctx := within(t, browser, time.Minute)
		if err := chromedp.Do(ctx, view(desktop, false), chromedp.Navigate(base+"/")); err != nil {
			t.Fatal(err)
		}
		problems.take()
		type state struct {
			Total   int      `json:"total"`
			Visible []string `json:"visible"` // data-search of the items shown
			Codes   []string `json:"codes"`   // their codes
			Status  string   `json:"status"`
		}
		// checkVisibility is false for an item in a hidden section too.
		read := chromedp.Evaluate[state](`(() => {
			const items = [...document.querySelectorAll("li[data-search]")];
			const shown = items.filter(li => !li.hidden && li.checkVisibility());
			return {
				total: items.length,
				visible: shown.map(li => li.dataset.search),
				codes: shown.map(li => (li.querySelector(".code") || {textContent: ""}).textContent.trim()),
				status: document.getElementById("filter-status").textContent,
			};
		})()`)
		before, err := chromedp.Run(ctx, read)
		if err != nil {
			t.Fatal(err)
		}
		if before.Total < 50 || len(before.Visible) != before.Total {
			t.Fatalf("before typing, %d of %d items are visible", len(before.Visible), before.Total)
		}

		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#filter"), "conflict")); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, read)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range got.Visible {
			if !strings.Contains(s, "conflict") {
				t.Errorf("an item not matching conflict is visible: %q", s)
			}
		}
		if !slices.Contains(got.Codes, "409") || slices.Contains(got.Codes, "200") {
			t.Errorf("after typing conflict the visible codes are %v, want 409 and not 200", got.Codes)
		}
		if len(got.Visible) >= got.Total || !strings.Contains(got.Status, "match") {
			t.Errorf("after typing conflict, %d of %d items are visible and the status is %q", len(got.Visible), got.Total, got.Status)
		}

		// Delete the word as a person would: the input event restores the list.
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#filter"), strings.Repeat(kb.Backspace, len("conflict")))); err != nil {
			t.Fatal(err)
		}
		after, err := chromedp.Run(ctx, read)
		if err != nil {
			t.Fatal(err)
		}
		if len(after.Visible) != after.Total || after.Status != "" {
			t.Errorf("after clearing, %d of %d items are visible and the status is %q", len(after.Visible), after.Total, after.Status)
		}
		for _, p := range problems.take() {
			t.Errorf("while filtering: %s", p)
		}

		// A code and Enter opens its page.
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#filter"), "418"+kb.Enter), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
			t.Fatal(err)
		}
		var loc string
		for i := 0; i < 50 && !strings.HasSuffix(loc, "/418"); i++ {
			loc, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
			time.Sleep(20 * time.Millisecond)
		}
		if !strings.HasSuffix(loc, "/418") {
			t.Errorf("418 and Enter in the filter left the browser at %q, want /418", loc)
		}
	})

	t.Run("Check", func(t *testing.T) {
		testCheckPage(t, within(t, browser, time.Minute), base, axeJS, problems)
	})

	t.Run("IP", func(t *testing.T) {
		testIPPage(t, within(t, browser, time.Minute), base, problems)
	})

	t.Run("IPBoth", func(t *testing.T) {
		testIPBoth(t, within(t, browser, time.Minute), problems)
	})

	t.Run("AnswerFirst", func(t *testing.T) {
		var codes []int
		for _, e := range apptest.Catalog(t).Entries() {
			codes = append(codes, e.Code)
		}
		testAnswerFirst(t, within(t, browser, 3*time.Minute), base, codes)
	})

	t.Run("LiveExamples", func(t *testing.T) {
		// Without --public-url, examples that call the server name the
		// address the page was loaded from, not localhost:8080.
		ctx := within(t, browser, time.Minute)
		for _, path := range []string{"/status", "/ip", "/lab", "/418/try"} {
			if err := chromedp.Do(ctx, view(desktop, false), chromedp.Navigate(base+path)); err != nil {
				t.Fatal(err)
			}
			var text string
			for i := 0; i < 50 && !strings.Contains(text, base); i++ {
				text, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("[data-live]")].map(e => e.textContent).join("\n")`))
				time.Sleep(20 * time.Millisecond)
			}
			if !strings.Contains(text, base) || strings.Contains(text, "localhost:8080") {
				t.Errorf("%s: the examples do not name %s:\n%.300s", path, base, text)
			}
		}
	})

	t.Run("CSP", func(t *testing.T) {
		testCSP(t, within(t, browser, time.Minute), base, problems)
	})

	t.Run("NoConsoleErrors", func(t *testing.T) {
		ctx := within(t, browser, time.Minute)
		for _, path := range []string{"/", "/409", "/418/try", "/compare/409-vs-412-vs-428", "/check", "/ip", "/ip/192.0.2.1", "/exam",
			"/exam/clients", "/exam/clients/curl-location/redirect-303"} {
			problems.take() // forget earlier pages
			if err := chromedp.Do(ctx, view(desktop, false), chromedp.Navigate(base+path)); err != nil {
				t.Fatal(err)
			}
			// One more round trip: Listen sees every event that came
			// before its answer.
			if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`0`)); err != nil {
				t.Fatal(err)
			}
			for _, p := range problems.take() {
				t.Errorf("%s: %s", path, p)
			}
		}
	})

	t.Run("Axe", func(t *testing.T) {
		ctx := within(t, browser, 2*time.Minute)
		// At phone width too: code blocks and tables that fit a desktop
		// can become scrollable regions there.
		for _, s := range []screen{desktop, phone} {
			for _, dark := range []bool{false, true} {
				for _, path := range []string{"/", "/409", "/418/try", "/compare/409-vs-412-vs-428", "/check", "/ip", "/ip/2001:db8::1",
					"/exam", "/exam/clients", "/exam/clients/go-retryablehttp/backoff"} {
					if err := chromedp.Do(ctx, view(s, dark), chromedp.Navigate(base+path)); err != nil {
						t.Fatal(err)
					}
					for _, v := range runAxe(t, ctx, axeJS) {
						t.Errorf("%s (%s, %s): %s", path, s.name, scheme(dark), v)
					}
				}
			}
		}
	})

	t.Run("Layout", func(t *testing.T) {
		ctx := within(t, browser, 2*time.Minute)
		dir := os.Getenv("TEAPOT_SCREENSHOTS")
		if dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		pages := []struct{ name, path string }{{"home", "/"}, {"409", "/409"}, {"4xx", "/4xx"}, {"try", "/418/try"}, {"compare", "/compare/409-vs-412-vs-428"}, {"check", "/check"}, {"ip", "/ip"},
			{"exam", "/exam"}, {"exam-clients", "/exam/clients"}, {"exam-cell", "/exam/clients/python-requests-retry/backoff"}}
		for _, p := range pages {
			for _, s := range []screen{desktop, phone} {
				for _, dark := range []bool{false, true} {
					if err := chromedp.Do(ctx, view(s, dark), chromedp.Navigate(base+p.path)); err != nil {
						t.Fatal(err)
					}
					if s.mobile && !dark {
						checkNoSideways(t, ctx, p.path)
					}
					if dir == "" {
						continue
					}
					png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
					if err != nil {
						t.Fatal(err)
					}
					name := filepath.Join(dir, fmt.Sprintf("%s-%s-%s.png", p.name, s.name, scheme(dark)))
					if err := os.WriteFile(name, png, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		if dir != "" {
			t.Logf("screenshots in %s", dir)
		}
	})
}
