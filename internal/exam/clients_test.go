package exam_test

import (
	"encoding/json"
	"fmt"
	"html"
	"math"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/app"
	"github.com/teapothq/teapot/internal/exam"
)

// TestPublishedClients walks the embedded table: it fits the exam (every
// client has every check, in order), and each cell's verdict agrees with
// its reason and with what grading its timeline gives again.
func TestPublishedClients(t *testing.T) {
	t.Parallel()
	table, err := exam.PublishedClients()
	if err != nil {
		t.Fatal(err)
	}
	if len(table.Clients) < 10 || table.Generated == "" || table.Platform == "" || table.ToleranceMS <= 0 {
		t.Errorf("the table: %d clients, made %q on %q, tolerance %g: want 10 or more, with when and where", len(table.Clients),
			table.Generated, table.Platform, table.ToleranceMS)
	}
	checks := exam.Checks()
	for _, c := range table.Clients {
		for i, r := range c.Results {
			if r.Verdict == exam.NotRun || r.Verdict == exam.Skipped {
				t.Errorf("%s, %s: %s; every client takes every check", c.ID, r.Check, r.Verdict)
			}
			if len(r.Timeline) == 0 {
				t.Errorf("%s, %s: no timeline", c.ID, r.Check)
				continue
			}
			if r.Timeline[0].AtMS != 0 || r.Timeline[0].Conn != 1 {
				t.Errorf("%s, %s: the timeline starts at %g ms on connection %d, want 0 and 1", c.ID, r.Check,
					r.Timeline[0].AtMS, r.Timeline[0].Conn)
			}
			// The same verdict and, but for the last digit of a time, the
			// same reason.
			if got := checks[i].Grade(requestsOf(r.Timeline), exam.DefaultTolerance); got.Verdict != r.Verdict || digits(got.Reason) != digits(r.Reason) {
				t.Errorf("%s, %s: the table says %s (%s); its timeline grades %s (%s)", c.ID, r.Check, r.Verdict, r.Reason,
					got.Verdict, got.Reason)
			}
		}
	}
}

// digits hides the numbers of a reason.
func digits(s string) string { return regexp.MustCompile(`[0-9.]+`).ReplaceAllString(s, "#") }

// msDuration is ms milliseconds, to the microsecond.
func msDuration(ms float64) time.Duration {
	return time.Duration(math.Round(ms*1000)) * time.Microsecond
}

// requestsOf turns a cell's timeline back into what grading reads.
func requestsOf(tl []exam.ClientEntry) []exam.Request {
	var out []exam.Request
	for i, en := range tl {
		out = append(out, exam.Request{Seq: i + 1, N: i + 1, At: msDuration(en.AtMS), Method: en.Method, Step: en.Step,
			Header: en.Header, Body: en.Body, SHA256: en.SHA256, Conn: fmt.Sprint(en.Conn), Status: en.Status,
			Wait: msDuration(en.WaitMS)})
	}
	return out
}

// TestNewClientResult: a report's check becomes a cell without its run:
// times from the check's first request, connections numbered within the
// check, paths as steps.
func TestNewClientResult(t *testing.T) {
	t.Parallel()
	url := "/teapot/exam/0123456789abcdef0123456789abcdef/redirect-307"
	cr := exam.CheckReport{CheckInfo: exam.CheckInfo{Name: "redirect-307", URL: url}, Verdict: exam.Pass, Reason: "why",
		Timeline: []exam.Entry{
			{AtMS: 1500.04, Method: "POST", Path: url, Status: 307, Conn: 4, NewConn: false, Body: 17, SHA256: "ab"},
			{AtMS: 1512.341, Method: "POST", Path: url + "/target", Status: 200, Conn: 7, NewConn: true, Body: 17, SHA256: "ab"},
			{AtMS: 3000, Method: "GET", Path: url, Status: 307, Conn: 4, WaitMS: 2000.5},
		}}
	got := exam.NewClientResult(cr)
	want := []exam.ClientEntry{
		{AtMS: 0, Method: "POST", Status: 307, Conn: 1, Body: 17, SHA256: "ab"},
		{AtMS: 12.301, Method: "POST", Step: "target", Status: 200, Conn: 2, NewConn: true, Body: 17, SHA256: "ab"},
		{AtMS: 1499.96, Method: "GET", Status: 307, Conn: 1, WaitMS: 2000.5},
	}
	if got.Check != "redirect-307" || got.Verdict != exam.Pass || got.Reason != "why" || len(got.Timeline) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if g, w := fmt.Sprintf("%+v", got.Timeline[i]), fmt.Sprintf("%+v", want[i]); g != w {
			t.Errorf("entry %d: %s, want %s", i, g, w)
		}
	}
}

// TestClientTableValidate: a table that does not fit the exam is
// refused, saying why.
func TestClientTableValidate(t *testing.T) {
	t.Parallel()
	good := func() exam.ClientTable {
		c := exam.Client{ID: "curl", Name: "curl", Version: "7", Command: "curl {url}", Docs: "man"}
		for _, chk := range exam.Checks() {
			c.Results = append(c.Results, exam.ClientResult{Check: chk.Name, Verdict: exam.Info, Reason: "r"})
		}
		return exam.ClientTable{Clients: []exam.Client{c}}
	}
	if tb := good(); tb.Validate() != nil {
		t.Fatalf("a good table: %v", tb.Validate())
	}
	for _, tc := range []struct {
		name, want string
		spoil      func(*exam.ClientTable)
	}{
		{"no clients", "no clients", func(tb *exam.ClientTable) { tb.Clients = nil }},
		{"an id unfit for a URL", "client id", func(tb *exam.ClientTable) { tb.Clients[0].ID = "Curl/7" }},
		{"an id twice", "twice", func(tb *exam.ClientTable) { tb.Clients = append(tb.Clients, tb.Clients[0]) }},
		{"no docs", "docs", func(tb *exam.ClientTable) { tb.Clients[0].Docs = "" }},
		{"a check missing", "regenerate", func(tb *exam.ClientTable) { tb.Clients[0].Results = tb.Clients[0].Results[1:] }},
		{"checks out of order", "regenerate", func(tb *exam.ClientTable) {
			r := tb.Clients[0].Results
			r[0], r[1] = r[1], r[0]
		}},
		{"an unknown verdict", "verdict", func(tb *exam.ClientTable) { tb.Clients[0].Results[2].Verdict = "great" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := good()
			tc.spoil(&tb)
			if err := tb.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestClientPages: /exam/clients as HTML, JSON and text, each cell
// linked from it with its verdict in words, and each cell's page in the
// three forms; an address outside the table is not found.
func TestClientPages(t *testing.T) {
	t.Parallel()
	base := serve(t, func(c *app.Config) { c.BasePath = "/teapot" })
	table, err := exam.PublishedClients()
	if err != nil {
		t.Fatal(err)
	}
	page := send(t, "GET", base+"/teapot/exam/clients", "", "Accept", "text/html")
	if page.Status != 200 || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(page.Header.Get("Vary"), "Accept") || page.Header.Get("ETag") == "" {
		t.Fatalf("the table's page: %d %v", page.Status, page.Header)
	}
	cell := regexp.MustCompile(`<td class="verdict verdict-[a-z-]+"><a href="/teapot/exam/clients/([a-z0-9-]+)/([a-z0-9-]+)" title="[^"]*"><span aria-hidden="true">[^<]+</span> ([a-z ]+)<span class="visually-hidden">: ([^<]+)</span></a></td>`)
	cells := cell.FindAllStringSubmatch(page.Body, -1)
	if want := len(table.Clients) * len(exam.Checks()); len(cells) != want {
		t.Fatalf("the table's page links %d cells, want %d", len(cells), want)
	}
	for _, m := range cells {
		c := table.Client(m[1])
		if c == nil || c.Result(m[2]) == nil || string(c.Result(m[2]).Verdict) != m[3] || html.UnescapeString(m[4]) != c.Name+", "+m[2] {
			t.Errorf("cell %q: not the table's verdict, or not named for its client and check", m[0])
		}
	}
	if !strings.Contains(page.Body, `href="/teapot/exam"`) {
		t.Error("the table's page does not link the exam")
	}
	if ex := send(t, "GET", base+"/teapot/exam", "", "Accept", "text/html"); !strings.Contains(ex.Body, `href="/teapot/exam/clients"`) {
		t.Error("the exam's page does not link the table")
	}

	var js struct {
		Checks  []struct{ Name string }
		Clients []struct {
			ID      string
			Version string
			Results []struct{ Check, Verdict, Reason, URL string }
		}
	}
	a := send(t, "GET", base+"/teapot/exam/clients.json", "")
	if a.Status != 200 || json.Unmarshal([]byte(a.Body), &js) != nil || len(js.Clients) != len(table.Clients) || len(js.Checks) != len(exam.Checks()) {
		t.Fatalf("clients.json: %d %.200s", a.Status, a.Body)
	}
	first := js.Clients[0].Results[0]
	if first.URL != "/teapot/exam/clients/"+js.Clients[0].ID+"/"+first.Check || first.Reason == "" || js.Clients[0].Version == "" {
		t.Errorf("clients.json's first cell: %+v", first)
	}
	if txt := send(t, "GET", base+"/teapot/exam/clients.txt", ""); txt.Status != 200 || !strings.Contains(txt.Body, table.Clients[0].ID+" ") ||
		!strings.Contains(txt.Body, "redirect-loop") {
		t.Errorf("clients.txt: %d %.300s", txt.Status, txt.Body)
	}

	c := table.Clients[0]
	r := c.Results[len(c.Results)-1]
	self := base + "/teapot/exam/clients/" + c.ID + "/" + r.Check
	doc := send(t, "GET", self, "", "Accept", "text/html")
	if doc.Status != 200 || !strings.Contains(doc.Body, r.Check) || !strings.Contains(doc.Body, `class="exam-timeline"`) ||
		!strings.Contains(doc.Body, `href="/teapot/exam/clients"`) {
		t.Errorf("the cell's page: %d %.300s", doc.Status, doc.Body)
	}
	var cj struct {
		Client   struct{ ID string }
		Check    struct{ Name string }
		Verdict  string
		Timeline []exam.ClientEntry
	}
	if a := send(t, "GET", self+".json", ""); a.Status != 200 || json.Unmarshal([]byte(a.Body), &cj) != nil ||
		cj.Client.ID != c.ID || cj.Check.Name != r.Check || cj.Verdict != string(r.Verdict) || len(cj.Timeline) != len(r.Timeline) {
		t.Errorf("the cell's JSON: %d %.300s", a.Status, a.Body)
	}
	if a := send(t, "GET", self+".txt", ""); a.Status != 200 || !strings.Contains(a.Body, strings.ToUpper(string(r.Verdict))) ||
		!strings.Contains(a.Body, r.Reason) {
		t.Errorf("the cell's text: %d %.300s", a.Status, a.Body)
	}

	for _, p := range []string{"/exam/clients/nobody/backoff", "/exam/clients/" + c.ID + "/no-check", "/exam/clients/" + c.ID + "/backoff.xml"} {
		isProblem(t, p, send(t, "GET", base+"/teapot"+p, "", "Accept", "application/json"), http.StatusNotFound, 0)
		if a := send(t, "GET", base+"/teapot"+p, "", "Accept", "text/html"); a.Status != http.StatusNotFound ||
			!strings.Contains(a.Body, "<title>Page not found") {
			t.Errorf("%s in a browser: %d, want 404 with the not-found page", p, a.Status)
		}
	}
	if a := send(t, "POST", base+"/teapot/exam/clients", ""); a.Status != http.StatusMethodNotAllowed || a.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /exam/clients: %d, Allow %q; want 405 with GET, HEAD", a.Status, a.Header.Get("Allow"))
	}
}
