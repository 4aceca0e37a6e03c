package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

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
		path = filepath.Join("..", "tools", "browser", "node_modules", "axe-core", "axe.min.js")
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
