package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// testCheckPage submits two URLs of a local server and one that does not
// resolve on /check and waits for the results to stream in, with their status links and the progress;
// then runs axe-core on the page with the results shown.
func testCheckPage(t *testing.T, ctx context.Context, base, axeJS string, problems *problemLog) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/here", http.StatusMovedPermanently)
		case "/slow":
			time.Sleep(300 * time.Millisecond)
			w.WriteHeader(http.StatusTeapot)
		}
	}))
	defer ts.Close()
	if err := chromedp.Do(ctx, view(desktop, false), chromedp.Navigate(base+"/check")); err != nil {
		t.Fatal(err)
	}
	problems.take()
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#c-urls"), ts.URL+"/slow\n"+ts.URL+"/moved\nhttp://nowhere.test/"),
		chromedp.Click(chromedp.CSS(`#check button[value="json"]:not(.secondary)`)),
		chromedp.WaitVisible(chromedp.CSS("#c-out")),
	); err != nil {
		t.Fatal(err)
	}
	type state struct {
		Done     int      `json:"done"`
		Pending  int      `json:"pending"`
		Chains   []string `json:"chains"`
		Links    []string `json:"links"`
		Progress string   `json:"progress"`
		Bare     []bool   `json:"bare"`
	}
	read := chromedp.Evaluate[state](`(() => {
		const items = [...document.querySelectorAll("#c-results li")];
		return {
			done: items.filter(li => !li.classList.contains("pending")).length,
			pending: items.filter(li => li.classList.contains("pending")).length,
			chains: items.map(li => li.querySelector(".chain").textContent.replace(/\s+/g, " ").trim()),
			links: [...document.querySelectorAll("#c-results .chain a")].map(a => a.getAttribute("href")),
			progress: document.getElementById("c-progress").textContent,
			bare: items.map(li => !li.querySelector(".meta") && !li.querySelector("details")),
		};
	})()`)
	var got state
	var sawOneDone bool
	for i := 0; i < 100; i++ {
		var err error
		if got, err = chromedp.Run(ctx, read); err != nil {
			t.Fatal(err)
		}
		sawOneDone = sawOneDone || got.Done < 3 && got.Pending > 0 && strings.HasPrefix(got.Chains[1], "301")
		if got.Done == 3 && strings.HasPrefix(got.Progress, "Checked 3 of 3 in") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got.Done != 3 || !strings.HasPrefix(got.Progress, "Checked 3 of 3 in") {
		t.Fatalf("after waiting: %+v, want the three results and the progress", got)
	}
	// A URL that got no answer shows why, and no empty redirects,
	// timings or hops.
	if fmt.Sprint(got.Bare) != "[false false true]" {
		t.Errorf("results without a summary and hops: %v, want only the unresolvable third", got.Bare)
	}
	if !sawOneDone {
		t.Errorf("never saw the quick result before the slow one: not streamed")
	}
	if len(got.Chains) != 3 || !strings.HasPrefix(got.Chains[0], "418 ") || !strings.HasPrefix(got.Chains[1], "301 → 200 ") {
		t.Errorf("results %q, want 418 for /slow and 301 → 200 for /moved, in request order", got.Chains)
	}
	if strings.Join(got.Links, " ") != "/418 /301 /200" {
		t.Errorf("status links %q, want /418 /301 /200", got.Links)
	}
	for _, p := range problems.take() {
		t.Errorf("browser problem on the check page: %s", p)
	}
	// With the results and their details open, for axe to see them too.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("#c-results details").forEach(d => d.open = true)`)); err != nil {
		t.Fatal(err)
	}
	for _, v := range runAxe(t, ctx, axeJS) {
		t.Errorf("/check with results: %s", v)
	}
}
