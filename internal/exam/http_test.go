package exam_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/app"
	"github.com/teapothq/teapot/internal/exam"
)

// TestCreateRun: POST /exam answers a script with 201, the run's report
// in Location and every check's URL; a browser's form gets a 303 to the
// report; curl gets the list as text; another site's page gets 403.
func TestCreateRun(t *testing.T) {
	t.Parallel()
	base := serve(t, nil)
	a := send(t, "POST", base+"/exam", "", "Accept", "application/json")
	var run exam.RunInfo
	if a.Status != 201 || json.Unmarshal([]byte(a.Body), &run) != nil {
		t.Fatalf("POST /exam: %d %s", a.Status, a.Body)
	}
	if len(run.ID) != 32 || strings.Trim(run.ID, "0123456789abcdef") != "" {
		t.Errorf("id %q, want 32 hex digits (128 bits)", run.ID)
	}
	if loc := a.Header.Get("Location"); loc != "/exam/"+run.ID || run.Report != loc {
		t.Errorf("Location %q, report %q; want /exam/%s", loc, run.Report, run.ID)
	}
	if a.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", a.Header.Get("Cache-Control"))
	}
	if d := run.Expires.Sub(run.Started); d != time.Hour {
		t.Errorf("the run lasts %v, want 1h", d)
	}
	if run.ToleranceMS != 150 || run.MaxRequests != 500 || len(run.Checks) != len(exam.Checks()) {
		t.Errorf("run %+v: want a tolerance of 150 ms, 500 requests and every check", run)
	}
	for _, c := range run.Checks {
		if c.URL != "/exam/"+run.ID+"/"+c.Name || c.Paths[0] != c.URL || c.Method == "" || c.RFC == "" {
			t.Errorf("check %+v", c)
		}
	}
	if c := infoOf(t, run, "redirect-307"); len(c.Paths) != 2 || c.Paths[1] != c.URL+"/target" || c.Body == "" {
		t.Errorf("redirect-307 lists %v with body %q, want its target too", c.Paths, c.Body)
	}
	if c := infoOf(t, run, "cross-origin-auth"); c.Skipped == "" || !strings.Contains(c.Skipped, "--exam-alt-origin") {
		t.Errorf("cross-origin-auth without --exam-alt-origin: %+v, want skipped naming the flag", c)
	}

	form := send(t, "POST", base+"/exam", "", "Accept", "text/html", "Sec-Fetch-Site", "same-origin",
		"Content-Type", "application/x-www-form-urlencoded", "User-Agent", "Mozilla/5.0")
	if form.Status != 303 || !strings.HasPrefix(form.Header.Get("Location"), "/exam/") {
		t.Errorf("the page's form: %d to %q, want 303 to the report", form.Status, form.Header.Get("Location"))
	}
	text := send(t, "POST", base+"/exam", "", "User-Agent", "curl/8.0")
	if text.Status != 201 || !strings.Contains(text.Body, "redirect-loop") || !strings.HasPrefix(text.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("curl: %d %q", text.Status, text.Body)
	}
	cross := send(t, "POST", base+"/exam", "", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	isProblem(t, "a cross-site form post", cross, 403, 0)
}

// TestScripts: each check answers as its script says, by request number.
func TestScripts(t *testing.T) {
	t.Parallel()
	base := serve(t, nil)
	run := start(t, base)
	url := func(name string) string { return base + infoOf(t, run, name).URL }

	if a := send(t, "GET", url("retry-after-seconds"), ""); a.Status != 503 || a.Header.Get("Retry-After") != "2" {
		t.Errorf("retry-after-seconds, first: %d, Retry-After %q", a.Status, a.Header.Get("Retry-After"))
	}
	if a := send(t, "GET", url("retry-after-seconds"), ""); a.Status != 200 {
		t.Errorf("retry-after-seconds, second: %d", a.Status)
	}
	a := send(t, "GET", url("retry-after-date"), "")
	date, err := http.ParseTime(a.Header.Get("Retry-After"))
	if ahead := time.Until(date); a.Status != 503 || err != nil || ahead < 2*time.Second || ahead > 4*time.Second {
		t.Errorf("retry-after-date: %d, Retry-After %q (%v ahead), want an HTTP-date 3 to 4 s ahead", a.Status, a.Header.Get("Retry-After"), ahead)
	}
	a = send(t, "GET", url("rate-limited"), "")
	if a.Status != 429 || a.Header.Get("Retry-After") != "2" || a.Header.Get("RateLimit") != `"exam";r=0;t=2` ||
		a.Header.Get("RateLimit-Policy") != `"exam";q=1;w=2` {
		t.Errorf("rate-limited: %d %v", a.Status, a.Header)
	}
	for i, want := range []int{503, 503, 503, 200, 200} {
		if a := send(t, "GET", url("backoff"), ""); a.Status != want || a.Header.Get("Retry-After") != "" {
			t.Errorf("backoff, request %d: %d (Retry-After %q), want %d without", i+1, a.Status, a.Header.Get("Retry-After"), want)
		}
	}
	for _, tc := range []struct {
		name, step string
		status     int
		next       string
	}{
		{"redirect-307", "", 307, "/target"}, {"redirect-308", "", 308, "/target"}, {"redirect-303", "", 303, "/target"},
		{"redirect-301-302", "", 301, "/moved"}, {"redirect-301-302", "/moved", 302, "/target"},
		{"redirect-307", "/target", 200, ""}, {"redirect-loop", "", 302, ""},
	} {
		self := infoOf(t, run, tc.name).URL
		a := send(t, "POST", base+self+tc.step, "exam=1")
		if a.Status != tc.status || tc.status != 200 && a.Header.Get("Location") != self+tc.next {
			t.Errorf("%s%s: %d to %q, want %d to %q", tc.name, tc.step, a.Status, a.Header.Get("Location"), tc.status, self+tc.next)
		}
	}
	for range 98 {
		send(t, "GET", url("redirect-loop"), "")
	}
	if a := send(t, "GET", url("redirect-loop"), ""); a.Status != 302 {
		t.Errorf("redirect-loop, request 100: %d, want 302", a.Status)
	}
	if a := send(t, "GET", url("redirect-loop"), ""); a.Status != 200 {
		t.Errorf("redirect-loop, request 101: %d, want 200: the server gives up after 100", a.Status)
	}
	a = send(t, "GET", url("revalidate"), "")
	if a.Status != 200 || a.Header.Get("ETag") != `"exam-v1"` || a.Header.Get("Cache-Control") != "private, no-cache" {
		t.Errorf("revalidate: %d %v", a.Status, a.Header)
	}
	if a := send(t, "GET", url("revalidate"), "", "If-None-Match", `W/"exam-v1"`); a.Status != 304 || a.Body != "" {
		t.Errorf("revalidate with If-None-Match: %d %q, want 304 without a body", a.Status, a.Body)
	}
	if a := send(t, "GET", url("fresh-cache"), ""); a.Header.Get("Cache-Control") != "private, max-age=60" {
		t.Errorf("fresh-cache: Cache-Control %q", a.Header.Get("Cache-Control"))
	}
	if a := send(t, "DELETE", url("post-not-replayed"), ""); a.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("post-not-replayed: Cache-Control %q, want no-store", a.Header.Get("Cache-Control"))
	}
}

// TestReport: the report grades what was journaled, with the timeline:
// times, connections new and reused, bodies hashed, credentials redacted;
// as JSON, text and HTML, by suffix or by Accept.
func TestReport(t *testing.T) {
	t.Parallel()
	base := serve(t, nil)
	run := start(t, base)
	u := base + infoOf(t, run, "redirect-307").URL
	send(t, "POST", u, "exam=redirect-307", "Authorization", "Bearer top-secret", "Cookie", "s=top-secret")
	send(t, "POST", u+"/target", "exam=redirect-307")
	send(t, "GET", base+infoOf(t, run, "post-not-replayed").URL, "")

	rep := report(t, base, run)
	if rep.Requests != 3 || rep.Connections != 1 || rep.ToleranceMS != 150 {
		t.Errorf("report: %d requests on %d connections, tolerance %v; want 3 on 1 (the client keeps it alive), 150", rep.Requests, rep.Connections, rep.ToleranceMS)
	}
	c := reportOf(t, rep, "redirect-307")
	if c.Verdict != exam.Pass || len(c.Timeline) != 2 {
		t.Fatalf("redirect-307: %s %q with %d entries", c.Verdict, c.Reason, len(c.Timeline))
	}
	first, second := c.Timeline[0], c.Timeline[1]
	if !first.NewConn || second.NewConn || first.Conn != second.Conn {
		t.Errorf("connections: %+v then %+v, want one connection, new then reused", first, second)
	}
	if first.Status != 307 || first.Body != 17 || len(first.SHA256) != 64 || first.SHA256 != second.SHA256 || second.Path != run.Report+"/redirect-307/target" {
		t.Errorf("timeline: %+v, %+v", first, second)
	}
	if first.Header["Authorization"] != exam.Redacted || first.Header["Cookie"] != exam.Redacted {
		t.Errorf("credentials recorded as %v", first.Header)
	}
	if second.AtMS < first.AtMS || first.AtMS < 0 || second.AtMS > 60_000 {
		t.Errorf("times %v ms then %v ms", first.AtMS, second.AtMS)
	}
	if v := reportOf(t, rep, "post-not-replayed"); v.Verdict != exam.Warn {
		t.Errorf("post-not-replayed sent as GET: %s, want warn", v.Verdict)
	}
	if v := reportOf(t, rep, "backoff"); v.Verdict != exam.NotRun || len(v.Timeline) != 0 {
		t.Errorf("backoff, never asked: %s with %d entries", v.Verdict, len(v.Timeline))
	}
	if rep.Counts["pass"] != 1 || rep.Counts["skipped"] != 1 || rep.Counts["not run"] != 10 {
		t.Errorf("counts %v", rep.Counts)
	}

	for _, tc := range []struct {
		path, accept, ua, ctype, has string
	}{
		{run.Report + ".txt", "", "", "text/plain", "PASS     redirect-307"},
		{run.Report, "", "curl/8.0", "text/plain", "timing tolerance 150 ms"},
		{run.Report, "application/json", "", "application/json", `"verdict": "pass"`},
		{run.Report, "text/html", "Mozilla/5.0", "text/html", "<strong>pass</strong>"},
	} {
		a := send(t, "GET", base+tc.path, "", "Accept", tc.accept, "User-Agent", tc.ua)
		if a.Status != 200 || !strings.HasPrefix(a.Header.Get("Content-Type"), tc.ctype) || !strings.Contains(a.Body, tc.has) ||
			a.Header.Get("Cache-Control") != "no-store" || strings.Contains(a.Body, "top-secret") {
			t.Errorf("GET %s (Accept %q): %d %s, want %s with %q:\n%.300s", tc.path, tc.accept, a.Status, a.Header.Get("Content-Type"), tc.ctype, tc.has, a.Body)
		}
	}
	if a := send(t, "GET", base+run.Report, "", "Accept", "image/png"); a.Status != 406 {
		t.Errorf("Accept: image/png: %d, want 406", a.Status)
	}
}

// TestBasePath: under --base-path every address a run gives carries it,
// redirects included.
func TestBasePath(t *testing.T) {
	t.Parallel()
	base := serve(t, func(c *app.Config) { c.BasePath = "/teapot" })
	run := start(t, base+"/teapot")
	if !strings.HasPrefix(run.Report, "/teapot/exam/") || !strings.HasPrefix(run.Checks[0].URL, "/teapot/exam/") {
		t.Errorf("report %q, first URL %q: want them under /teapot", run.Report, run.Checks[0].URL)
	}
	self := infoOf(t, run, "redirect-303").URL
	if a := send(t, "POST", base+self, "x"); a.Header.Get("Location") != self+"/target" {
		t.Errorf("redirect under the base path: Location %q", a.Header.Get("Location"))
	}
	if rep := report(t, base, run); rep.Requests != 1 {
		t.Errorf("report under the base path: %d requests", rep.Requests)
	}
	if a := send(t, "GET", base+"/teapot/exam", "", "Accept", "text/html"); a.Status != 200 || !strings.Contains(a.Body, `action="/teapot/exam"`) {
		t.Errorf("the page under the base path: %d", a.Status)
	}
}

// TestPage: /exam explains the exam in each format, with the limits and
// a form that needs no script; it carries no inline script or style.
func TestPage(t *testing.T) {
	t.Parallel()
	base := serve(t, func(c *app.Config) { c.ExamRunsPerHour, c.ExamMaxRequests = 7, 321 })
	a := send(t, "GET", base+"/exam", "", "Accept", "text/html")
	for _, s := range []string{`<form class="try" action="/exam" method="post">`, "7 new runs an hour", "321 requests", "retry-after-date", `id="limits"`} {
		if !strings.Contains(a.Body, s) {
			t.Errorf("the page lacks %q", s)
		}
	}
	if strings.Contains(a.Body, "<script>") || strings.Contains(a.Body, "style=") {
		t.Error("the page has an inline script or style, which the CSP forbids")
	}
	if j := send(t, "GET", base+"/exam.json", ""); j.Status != 200 || !strings.Contains(j.Body, `"name": "redirect-loop"`) {
		t.Errorf("/exam.json: %d %.200s", j.Status, j.Body)
	}
	if x := send(t, "GET", base+"/exam.txt", ""); x.Status != 200 || !strings.Contains(x.Body, "POST /exam") {
		t.Errorf("/exam.txt: %d %.200s", x.Status, x.Body)
	}
}
