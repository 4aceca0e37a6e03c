package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/teapothq/teapot/internal/app/apptest"
)

// TestBrowserLab drives the conflict lab's page in headless Chromium
// against the real server and its lab API: Alice and Bob edit different
// lines, Bob's save is refused with 412, the page merges both edits and
// saves them, and the article fetched through the API has both. Also a
// real same-line conflict resolved line by line, a stale state change
// (409) and a save without a precondition (428); the merge algorithm's
// cases; axe-core in light and dark mode at desktop and phone widths, with
// the merge view open too; no console errors or CSP violations beyond the
// 4xx answers the page provokes on purpose.
//
// Like TestBrowser it needs Chromium and axe-core, and saves screenshots
// into TEAPOT_SCREENSHOTS when set.
func TestBrowserLab(t *testing.T) {
	chrome, axeJS := browserDeps(t)
	base := apptest.Serve(t, apptest.Config())
	browser, problems := startBrowser(t, chrome)

	t.Run("MergeDifferentLines", func(t *testing.T) {
		ctx := within(t, browser, time.Minute)
		lab := openLab(t, ctx, base, problems)
		id := lab.create(t, "different-lines")
		lab.edit(t, "a", 2, "Line 2: Alice rewrote this line.")
		lab.save(t, "a", "Saved")
		lab.edit(t, "b", 6, "Line 6: Bob rewrote this one.")
		lab.click(t, "#b-save")
		lab.waitFor(t, `!document.getElementById("merge-b").hidden`, "the merge view after Bob's refused save")

		type view struct {
			Conflicts int    `json:"conflicts"`
			Mine      int    `json:"mine"`
			Theirs    int    `json:"theirs"`
			Merged    string `json:"merged"`
			Summary   string `json:"summary"`
			Result    string `json:"result"`
		}
		v := evalT[view](t, ctx, `({
			conflicts: document.querySelectorAll("#merge-b-view .tw-conflict").length,
			mine: document.querySelectorAll("#merge-b-view .tw-mine").length,
			theirs: document.querySelectorAll("#merge-b-view .tw-theirs").length,
			merged: document.getElementById("merge-b-body").value,
			summary: document.getElementById("merge-b-summary").textContent,
			result: document.getElementById("b-result").textContent,
		})`)
		if v.Conflicts != 0 || v.Mine != 1 || v.Theirs != 1 {
			t.Errorf("three-way view has %d conflicts, %d lines from Bob and %d from Alice; want 0, 1 and 1", v.Conflicts, v.Mine, v.Theirs)
		}
		if !strings.Contains(v.Result, "412") {
			t.Errorf("Bob's pane says %q, want the 412 problem", v.Result)
		}
		if !strings.Contains(v.Summary, `If-Match: "v2"`) {
			t.Errorf("merge summary %q does not name the new ETag \"v2\"", v.Summary)
		}
		for _, want := range []string{"Alice rewrote", "Bob rewrote", "Line 8"} {
			if !strings.Contains(v.Merged, want) {
				t.Errorf("merged body lacks %q:\n%s", want, v.Merged)
			}
		}

		lab.click(t, "#merge-b-save")
		lab.waitFor(t, `document.getElementById("merge-b").hidden && document.getElementById("b-result").textContent.includes("Merged and saved")`,
			"the merge to be saved")
		a := lab.article(t, id)
		if a.Version != 3 || !strings.Contains(a.Body, "Line 2: Alice rewrote this line.\n") || !strings.Contains(a.Body, "Line 6: Bob rewrote this one.\n") {
			t.Errorf("the article through the API is version %d with body\n%s\nwant version 3 with both edits", a.Version, a.Body)
		}
		if strings.Count(a.Body, "\n") != 8 {
			t.Errorf("the merged body has %d lines, want 8:\n%s", strings.Count(a.Body, "\n"), a.Body)
		}
		lab.exchanges(t, map[string]int{"412": 1, "200": 4})
		lab.noProblems(t)
	})

	t.Run("ConflictSameLine", func(t *testing.T) {
		ctx := within(t, browser, time.Minute)
		lab := openLab(t, ctx, base, problems)
		id := lab.create(t, "same-line")
		lab.edit(t, "a", 4, "Line 4: Alice's wording.")
		lab.save(t, "a", "Saved")
		lab.edit(t, "b", 4, "Line 4: Bob's wording.")
		lab.edit(t, "b", 7, "Line 7: Bob also changed this.")
		lab.click(t, "#b-save")
		lab.waitFor(t, `!document.getElementById("merge-b").hidden`, "the merge view")
		if n := evalT[int](t, ctx, `document.querySelectorAll("#merge-b-view .tw-conflict").length`); n != 1 {
			t.Errorf("%d conflicts shown, want 1 (line 4)", n)
		}
		// Unresolved, the save is refused by the page itself.
		lab.click(t, "#merge-b-save")
		lab.waitFor(t, `document.getElementById("merge-b-summary").textContent.includes("not resolved")`, "the page to refuse unresolved markers")
		for _, v := range runAxe(t, ctx, axeJS) {
			t.Errorf("/lab with a conflict: %s", v)
		}
		lab.click(t, `#merge-b-view .tw-conflict input[value="theirs"]`)
		lab.click(t, "#merge-b-save")
		lab.waitFor(t, `document.getElementById("merge-b").hidden`, "the merge to be saved")
		a := lab.article(t, id)
		if !strings.Contains(a.Body, "Line 4: Alice's wording.\n") || !strings.Contains(a.Body, "Line 7: Bob also changed this.\n") ||
			strings.Contains(a.Body, "Bob's wording") || strings.Contains(a.Body, "<<<<<<<") {
			t.Errorf("article body after taking theirs for line 4:\n%s\nwant Alice's line 4 and Bob's line 7", a.Body)
		}
		lab.noProblems(t)
	})

	t.Run("StaleTransitionAndNoPrecondition", func(t *testing.T) {
		ctx := within(t, browser, time.Minute)
		lab := openLab(t, ctx, base, problems)
		lab.create(t, "transitions")
		lab.click(t, `#a-transitions [data-move="publish"]`)
		lab.waitFor(t, `document.getElementById("a-result").textContent.includes("published")`, "Alice's publish")
		lab.click(t, `#b-transitions [data-move="publish"]`) // Bob's copy still offers it
		lab.waitFor(t, `document.getElementById("b-result").textContent.includes("409")`, "Bob's publish to be refused")
		got := evalT[string](t, ctx, `document.getElementById("b-result").textContent`)
		if !strings.Contains(got, "published") {
			t.Errorf("Bob's 409 says %q, want it to name the state published", got)
		}
		lab.edit(t, "b", 3, "Line 3: sent without If-Match.")
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#b-mode"), "none")); err != nil {
			t.Fatal(err)
		}
		lab.click(t, "#b-save")
		lab.waitFor(t, `document.getElementById("b-result").textContent.includes("428")`, "the 428 for a save without a precondition")
		lab.noProblems(t)
	})

	t.Run("MergeAlgorithm", func(t *testing.T) {
		ctx := within(t, browser, time.Minute)
		openLab(t, ctx, base, problems)
		for _, c := range []struct {
			name, base, mine, theirs string
			want                     string // chunk kinds
			merged                   string // with every conflict taken from mine
		}{
			{"unchanged", "a b c", "a b c", "a b c", "same", "a b c"},
			{"far apart", "a b c d e", "a B c d e", "a b c d E", "same mine same theirs", "a B c d E"},
			{"neighbours", "a b c d", "a B c d", "a b C d", "same mine theirs same", "a B C d"},
			{"same line", "a b c", "a X c", "a Y c", "same conflict same", "a X c"},
			{"same change", "a b c", "a X c", "a X c", "same both same", "a X c"},
			{"insert and delete", "a b c d", "a b n c d", "a b c", "same mine same theirs", "a b n c"},
			{"both append", "a", "a x", "a y", "same conflict", "a x"},
			{"from nothing", "", "x", "y", "conflict", "x"},
			{"theirs emptied", "a b", "a b", "", "theirs", ""},
		} {
			type out struct {
				Kinds  string `json:"kinds"`
				Merged string `json:"merged"`
			}
			js := fmt.Sprintf(`(() => {
				const M = window.teapotMerge, w = s => s ? s.split(" ") : [];
				const chunks = M.merge3(w(%q), w(%q), w(%q));
				return {kinds: chunks.map(c => c.kind).join(" "),
					merged: chunks.flatMap(c => M.resolve(c, "mine", {})).join(" ")};
			})()`, c.base, c.mine, c.theirs)
			got := evalT[out](t, ctx, js)
			if got.Kinds != c.want || got.Merged != c.merged {
				t.Errorf("%s: merge3(%q, %q, %q) = %q merging to %q, want %q merging to %q",
					c.name, c.base, c.mine, c.theirs, got.Kinds, got.Merged, c.want, c.merged)
			}
		}
	})

	t.Run("Axe", func(t *testing.T) {
		ctx := within(t, browser, 2*time.Minute)
		for _, s := range []screen{desktop, phone} {
			for _, dark := range []bool{false, true} {
				problems.take()
				if err := chromedp.Do(ctx, view(s, dark), chromedp.Navigate(base+"/lab")); err != nil {
					t.Fatal(err)
				}
				waitJS(t, ctx, `document.getElementById("lab-sandbox").textContent.length === 22`, "the page's first request")
				for _, v := range runAxe(t, ctx, axeJS) {
					t.Errorf("/lab (%s, %s): %s", s.name, scheme(dark), v)
				}
				for _, p := range problems.take() {
					t.Errorf("/lab (%s, %s): %s", s.name, scheme(dark), p)
				}
			}
		}
	})

	// With a conflict on the screen: the part of the page most likely to
	// overflow a phone or lose contrast in dark mode.
	t.Run("Layout", func(t *testing.T) {
		ctx := within(t, browser, 2*time.Minute)
		dir := os.Getenv("TEAPOT_SCREENSHOTS")
		if dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		lab := openLab(t, ctx, base, problems)
		lab.create(t, "layout")
		lab.edit(t, "a", 5, "Line 5: Alice says the answer is 412 Precondition Failed, and a long line must wrap on a phone instead of scrolling sideways.")
		lab.save(t, "a", "Saved")
		lab.edit(t, "b", 5, "Line 5: Bob disagrees.")
		lab.edit(t, "b", 8, "Line 8: Bob's change merges by itself.")
		lab.click(t, "#b-save")
		lab.waitFor(t, `!document.getElementById("merge-b").hidden`, "the merge view")
		for _, s := range []screen{desktop, phone} {
			for _, dark := range []bool{false, true} {
				if err := chromedp.Do(ctx, view(s, dark)); err != nil {
					t.Fatal(err)
				}
				if s.mobile {
					checkNoSideways(t, ctx, "/lab")
				}
				for _, v := range runAxe(t, ctx, axeJS) {
					t.Errorf("/lab with the merge view (%s, %s): %s", s.name, scheme(dark), v)
				}
				if dir == "" {
					continue
				}
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				name := filepath.Join(dir, fmt.Sprintf("lab-%s-%s.png", s.name, scheme(dark)))
				if err := os.WriteFile(name, png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		lab.noProblems(t)
	})
}

// labPage drives one /lab page.
type labPage struct {
	ctx      context.Context
	base     string
	problems *problemLog
}

// openLab loads /lab at desktop size and waits for its first request,
// which names the sandbox.
func openLab(t *testing.T, ctx context.Context, base string, problems *problemLog) *labPage {
	t.Helper()
	if err := chromedp.Do(ctx, view(desktop, false), chromedp.Navigate(base+"/lab")); err != nil {
		t.Fatal(err)
	}
	problems.take()
	l := &labPage{ctx, base, problems}
	l.waitFor(t, `document.getElementById("lab-sandbox").textContent.length === 22`, "the page's first request to name the sandbox")
	return l
}

func (l *labPage) click(t *testing.T, sel string) {
	t.Helper()
	if err := chromedp.Do(l.ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("clicking %s: %v", sel, err)
	}
}

func (l *labPage) waitFor(t *testing.T, cond, what string) {
	t.Helper()
	waitJS(t, l.ctx, cond, what)
}

// create makes an article with slug in the page's sandbox, waits for both
// editors to load it, and returns its id.
func (l *labPage) create(t *testing.T, slug string) int {
	t.Helper()
	if err := chromedp.Do(l.ctx, chromedp.SetValue(chromedp.CSS("#lab-slug"), slug)); err != nil {
		t.Fatal(err)
	}
	l.click(t, `#lab-create button`)
	ready := `["a", "b"].every(p => document.getElementById(p + "-slug").value === %q && !document.getElementById(p + "-save").disabled)`
	l.waitFor(t, fmt.Sprintf(ready, slug), "both editors to load "+slug)
	return evalT[int](t, l.ctx, `+document.getElementById("a-meta").textContent.match(/Article (\d+)/)[1]`)
}

// edit replaces line n (from 1) of the pane's body, as typing would.
func (l *labPage) edit(t *testing.T, pane string, n int, text string) {
	t.Helper()
	js := fmt.Sprintf(`(() => {
		const b = document.getElementById(%q);
		const lines = b.value.split("\n");
		lines[%d] = %q;
		b.value = lines.join("\n");
		b.dispatchEvent(new Event("input", {bubbles: true}));
	})()`, pane+"-body", n-1, text)
	if err := chromedp.Do(l.ctx, chromedp.Evaluate[chromedp.Void](js)); err != nil {
		t.Fatal(err)
	}
}

func (l *labPage) save(t *testing.T, pane, want string) {
	t.Helper()
	l.click(t, "#"+pane+"-save")
	l.waitFor(t, fmt.Sprintf(`document.getElementById(%q).textContent.startsWith(%q)`, pane+"-result", want), pane+"'s save")
}

type labArticle struct {
	ID      int    `json:"id"`
	Slug    string `json:"slug"`
	Body    string `json:"body"`
	State   string `json:"state"`
	Version int    `json:"version"`
}

// article fetches an article through the API, in the page's sandbox, as
// another client would: with the Lab-Sandbox header the page shows.
func (l *labPage) article(t *testing.T, id int) labArticle {
	t.Helper()
	token := evalT[string](t, l.ctx, `document.getElementById("lab-sandbox").textContent`)
	r := apptest.Fetch(t, "GET", fmt.Sprintf("%s/lab/articles/%d", l.base, id), map[string]string{"Lab-Sandbox": token, "Accept": "application/json"})
	if r.Status != 200 {
		t.Fatalf("GET /lab/articles/%d with the page's sandbox: %d %s", id, r.Status, r.Body)
	}
	var a labArticle
	if err := json.Unmarshal([]byte(r.Body), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// exchanges checks that the request log shows at least the given number
// of responses with each status, with raw request and response text.
func (l *labPage) exchanges(t *testing.T, atLeast map[string]int) {
	t.Helper()
	type entry struct {
		Status   string `json:"status"`
		Request  string `json:"request"`
		Response string `json:"response"`
	}
	log := evalT[[]entry](t, l.ctx, `[...document.querySelectorAll("#lab-log li")].map(li => ({
		status: li.querySelector("summary .code").textContent,
		request: li.querySelectorAll("pre")[0].textContent,
		response: li.querySelectorAll("pre")[1].textContent}))`)
	count := map[string]int{}
	for _, e := range log {
		count[e.Status]++
		if e.Status == "412" {
			if !strings.Contains(e.Request, "If-Match: \"v1\"") || !strings.Contains(e.Response, "HTTP/1.1 412 ") ||
				!strings.Contains(e.Response, "application/problem+json") || !strings.Contains(e.Response, `"current_etag"`) {
				t.Errorf("the logged 412 exchange does not show If-Match, the status line and the problem:\n%s\n%s", e.Request, e.Response)
			}
		}
	}
	for status, n := range atLeast {
		if count[status] < n {
			t.Errorf("the request log shows %d responses with status %s, want at least %d (all: %v)", count[status], status, n, count)
		}
	}
}

// noProblems fails on console errors and CSP violations, except the
// browser's note on each 4xx the lab's API answers, which are the point.
func (l *labPage) noProblems(t *testing.T) {
	t.Helper()
	expected := regexp.MustCompile(`the server responded with a status of (409|412|428) .*/lab/articles/`)
	for _, p := range l.problems.take() {
		if !expected.MatchString(p) {
			t.Errorf("browser problem on /lab: %s", p)
		}
	}
}

// waitJS polls a JavaScript condition for up to ten seconds.
func waitJS(t *testing.T, ctx context.Context, cond, what string) {
	t.Helper()
	for i := 0; i < 200; i++ {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		if ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func evalT[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}
