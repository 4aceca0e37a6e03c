package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowser loads the real server's pages in headless Chromium and checks
// what a person gets: the content of a code page, the search filter, no
// console errors or CSP violations, no axe-core accessibility violations in
// light and dark mode, and no sideways scrolling on a phone.
//
// It needs Chromium and axe-core (npm install --prefix tools/browser), and
// is skipped without them unless TEAPOT_REQUIRE_BROWSER=1, as CI sets it.
// TEAPOT_SCREENSHOTS=DIR saves screenshots of the pages into DIR.
func TestBrowser(t *testing.T) {
	chrome, axeJS := browserDeps(t)
	// The URL checker may reach the local test server of the Check
	// subtest; its dialer still fails the test for anything but loopback.
	base := newTestServer(t, "--check-allow-private", "--check-ports", "any")
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
			const faq = [...document.querySelectorAll("section")].find(s => s.querySelector("h2") && text(s.querySelector("h2")) === "FAQ");
			return {
				h1: text(document.querySelector("h1")),
				h2: [...document.querySelectorAll("h2")].map(text),
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

		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#q"), "conflict")); err != nil {
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
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#q"), strings.Repeat(kb.Backspace, len("conflict")))); err != nil {
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

	t.Run("NoConsoleErrors", func(t *testing.T) {
		ctx := within(t, browser, time.Minute)
		for _, path := range []string{"/", "/409", "/418/try", "/compare/409-vs-412-vs-428", "/check", "/ip", "/ip/192.0.2.1"} {
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
				for _, path := range []string{"/", "/409", "/418/try", "/compare/409-vs-412-vs-428", "/check", "/ip", "/ip/2001:db8::1"} {
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
		pages := []struct{ name, path string }{{"home", "/"}, {"409", "/409"}, {"4xx", "/4xx"}, {"try", "/418/try"}, {"compare", "/compare/409-vs-412-vs-428"}, {"check", "/check"}, {"ip", "/ip"}}
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

// browserDeps finds Chromium and reads axe-core, or skips the test saying
// how to install them. TEAPOT_REQUIRE_BROWSER=1 makes a missing one fatal,
// so that CI can never skip the test silently.
func browserDeps(t *testing.T) (chrome, axeJS string) {
	t.Helper()
	required := os.Getenv("TEAPOT_REQUIRE_BROWSER") == "1"
	if testing.Short() && !required {
		t.Skip("the browser test is skipped in -short mode")
	}
	missing := func(format string, args ...any) {
		t.Helper()
		if required {
			t.Fatalf(format+"; TEAPOT_REQUIRE_BROWSER=1 forbids skipping", args...)
		}
		t.Skipf(format, args...)
	}

	chrome = os.Getenv("CHROMIUM")
	if chrome == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				chrome = p
				break
			}
		}
	} else if _, err := exec.LookPath(chrome); err != nil {
		missing("CHROMIUM=%s: %v; install Chromium (apt-get install chromium) or correct CHROMIUM", chrome, err)
	}
	if chrome == "" {
		missing("no Chromium: install it (apt-get install chromium) or set CHROMIUM to its path")
	}

	path := os.Getenv("AXE_CORE_JS")
	if path == "" {
		path = filepath.Join("..", "..", "tools", "browser", "node_modules", "axe-core", "axe.min.js")
	}
	src, err := os.ReadFile(path)
	if err != nil {
		missing("no axe-core: run npm install --prefix tools/browser in the repository, or set AXE_CORE_JS to axe.min.js (%v)", err)
	}
	return chrome, string(src)
}

// startBrowser starts Chromium with a fresh profile and collects, from then
// on, the problems that its pages report.
func startBrowser(t *testing.T, chrome string) (context.Context, *problemLog) {
	t.Helper()
	// Made before the browser's cleanup is registered, so removed after
	// it stops. Chromium also keeps its singleton socket in TMPDIR.
	profile, tmp := t.TempDir(), t.TempDir()
	// The whole browser lives at most this long: a hung browser fails the
	// test instead of hanging it. Each subtest has a shorter timeout too.
	ctx, cancelAll := context.WithTimeout(context.Background(), 5*time.Minute)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.Env("TMPDIR="+tmp),
	)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelAll()
	})

	problems := &problemLog{}
	// Listen starts the browser. Its func runs on the goroutine that reads
	// from the browser, so it only records.
	err := chromedp.Listen(bctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				problems.add("console.error: " + argsText(ev.Args))
			}
		case *runtime.EventExceptionThrown:
			problems.add("uncaught exception: " + exceptionText(ev.ExceptionDetails))
		case *cdplog.EventEntryAdded:
			// CSP violations come here, with the source "security".
			e := ev.Entry
			if e.Level == cdplog.EntryLevelError || e.Source == cdplog.EntrySourceSecurity ||
				strings.Contains(e.Text, "Content Security Policy") {
				problems.add(fmt.Sprintf("log (%s, %s): %s %s", e.Source, e.Level, e.Text, e.URL))
			}
		}
	})
	if err != nil {
		t.Fatalf("starting %s: %v", chrome, err)
	}
	// chromedp enables the Log domain itself; enabling it here too keeps
	// this test from depending on that.
	if _, err := chromedp.Call(within(t, bctx, 30*time.Second), cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	return bctx, problems
}

// within bounds the browser calls of a (sub)test. The browser context itself
// must not get the timeout: it would stop the browser.
func within(t *testing.T, ctx context.Context, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(ctx, d)
	t.Cleanup(cancel)
	return ctx
}

type screen struct {
	name          string
	width, height int64
	mobile        bool
}

var (
	desktop = screen{"desktop", 1280, 800, false}
	phone   = screen{"phone", 390, 844, true}
)

func scheme(dark bool) string {
	if dark {
		return "dark"
	}
	return "light"
}

// view sets the viewport and prefers-color-scheme; both stay for the next
// pages.
func view(s screen, dark bool) chromedp.Action[chromedp.Void] {
	var opts []chromedp.EmulateViewportOption
	if s.mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	return chromedp.Steps(
		chromedp.EmulateViewport(s.width, s.height, opts...),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme(dark)}},
			})
			return err
		}),
	)
}

// runAxe runs axe-core on the page and describes each violation. The
// server's CSP forbids inline scripts, but Runtime.evaluate from DevTools
// is not subject to the page's CSP.
func runAxe(t *testing.T, ctx context.Context, axeJS string) []string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axeJS)); err != nil {
		t.Fatalf("injecting axe-core: %v", err)
	}
	type violation struct {
		ID      string `json:"id"`
		Impact  string `json:"impact"`
		Help    string `json:"help"`
		HelpURL string `json:"helpUrl"`
		Nodes   []struct {
			Target  string `json:"target"`
			HTML    string `json:"html"`
			Summary string `json:"summary"`
		} `json:"nodes"`
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]violation](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({target: n.target.flat(Infinity).join(" "), html: n.html, summary: n.failureSummary}))})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("running axe-core: %v", err)
	}
	var out []string
	for _, v := range vs {
		var b strings.Builder
		fmt.Fprintf(&b, "axe %s (%s): %s, on %d elements (%s)", v.ID, v.Impact, v.Help, len(v.Nodes), v.HelpURL)
		for i, n := range v.Nodes {
			if i == 3 {
				fmt.Fprintf(&b, "\n\t… and %d more", len(v.Nodes)-3)
				break
			}
			html, _, _ := strings.Cut(n.HTML, "\n")
			if len(html) > 100 {
				html = html[:100] + "…"
			}
			fmt.Fprintf(&b, "\n\t%s  %s", n.Target, html)
			if i == 0 {
				fmt.Fprintf(&b, "\n\t\t%s", strings.ReplaceAll(n.Summary, "\n", "\n\t\t"))
			}
		}
		out = append(out, b.String())
	}
	return out
}

// checkNoSideways fails when the page is wider than the phone's screen.
// Chrome zooms a mobile page out to fit content that overflows, which
// widens innerWidth, so the width is compared with the screen's too.
func checkNoSideways(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	type widths struct {
		Scroll int      `json:"scroll"`
		Inner  int      `json:"inner"`
		Wide   []string `json:"wide"` // the first elements that stick out
	}
	w, err := chromedp.Run(ctx, chromedp.Evaluate[widths](fmt.Sprintf(`(() => {
		const limit = Math.min(window.innerWidth, %d);
		const wide = [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > limit + 0.5).slice(0, 5)
			.map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.classList.length ? "." + [...e.classList].join(".") : ""));
		return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, wide};
	})()`, phone.width)))
	if err != nil {
		t.Fatal(err)
	}
	if w.Scroll > w.Inner || w.Inner > int(phone.width) {
		t.Errorf("%s scrolls sideways on a %dpx phone: scrollWidth %d, innerWidth %d; elements sticking out: %v",
			path, phone.width, w.Scroll, w.Inner, w.Wide)
	}
}

// problemLog collects what the browser reports; Listen's func adds to it
// from another goroutine.
type problemLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *problemLog) add(msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, msg)
}

// take returns the problems so far and forgets them.
func (l *problemLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	msgs := l.msgs
	l.msgs = nil
	return msgs
}

func argsText(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		if len(a.Value) > 0 {
			parts = append(parts, string(a.Value))
		} else {
			parts = append(parts, a.Description)
		}
	}
	return strings.Join(parts, " ")
}

func exceptionText(d *runtime.ExceptionDetails) string {
	s := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		s += " " + d.Exception.Description
	}
	return fmt.Sprintf("%s (%s:%d:%d)", s, d.URL, d.LineNumber+1, d.ColumnNumber+1)
}
