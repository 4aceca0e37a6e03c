package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// testCSP injects into a teapot page a script and a stylesheet whose
// addresses are custom /status bodies (same origin, JavaScript and CSS
// content types), also by way of /assets/ with dot segments and encoded
// slashes: none may run, since a page takes scripts and styles only from
// its assets folder. A real asset still loads, so the policy is not
// simply blocking everything.
func testCSP(t *testing.T, ctx context.Context, base string, problems *problemLog) {
	if err := chromedp.Do(ctx, view(desktop, false), chromedp.Navigate(base+"/409")); err != nil {
		t.Fatal(err)
	}
	problems.take()
	type result struct {
		Ran        []string `json:"ran"`
		Background string   `json:"background"`
		Blocked    []string `json:"blocked"`
		AssetOK    bool     `json:"assetOK"`
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[result](`(async () => {
		const blocked = [];
		document.addEventListener("securitypolicyviolation", e => blocked.push(e.effectiveDirective + " " + e.blockedURI));
		window.ran = [];
		const status = (type, body) => "/status/200?content_type=" + encodeURIComponent(type) + "&body=" + encodeURIComponent(body);
		const load = el => new Promise(done => { el.onload = () => done(true); el.onerror = () => done(false); document.head.append(el); });
		const prefix = location.pathname.slice(0, location.pathname.lastIndexOf("/409"));
		const ways = [p => prefix + p, p => prefix + "/assets/.." + p, p => prefix + "/assets/%2e%2e" + p,
			p => prefix + "/assets/..%2f" + p.slice(1), p => prefix + "/assets//.." + p];
		for (const [i, way] of ways.entries()) {
			const s = document.createElement("script");
			s.src = way(status("text/javascript", "window.ran.push('script " + i + "');"));
			await load(s);
			const m = document.createElement("script");
			m.type = "module";
			m.src = way(status("text/javascript", "window.ran.push('module " + i + "');"));
			await load(m);
			const l = document.createElement("link");
			l.rel = "stylesheet";
			l.href = way(status("text/css", "body { background: rgb(255, 0, 0) !important; }"));
			await load(l);
		}
		const asset = [...document.querySelectorAll("link[rel=stylesheet]")].find(l => l.href.includes("/assets/"));
		const again = document.createElement("link");
		again.rel = "stylesheet";
		again.href = asset ? asset.href : "";
		const assetOK = asset ? await load(again) : false;
		await new Promise(r => setTimeout(r, 50)); // violation events are queued as tasks
		return {ran: window.ran, background: getComputedStyle(document.body).backgroundColor, blocked, assetOK};
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Ran) > 0 {
		t.Errorf("injected scripts ran: %q", got.Ran)
	}
	if got.Background == "rgb(255, 0, 0)" {
		t.Errorf("an injected stylesheet applied: body background %s", got.Background)
	}
	if !got.AssetOK {
		t.Errorf("the page's own stylesheet from /assets/ did not load again: the policy blocks too much")
	}
	var scripts, styles int
	for _, b := range got.Blocked {
		switch {
		case strings.HasPrefix(b, "script-src") && strings.Contains(b, "/status/200"):
			scripts++
		case strings.HasPrefix(b, "style-src") && strings.Contains(b, "/status/200"):
			styles++
		}
	}
	if scripts == 0 || styles == 0 {
		t.Errorf("want CSP violations for the injected scripts and stylesheets; the browser reported %q", got.Blocked)
	}
	problems.take() // the violations above are this test's point
}
