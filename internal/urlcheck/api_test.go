package urlcheck

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sleeper answers /ms/N after N milliseconds with 200 (or the status in
// ?s=).
func sleeper(t testing.TB) *httptest.Server {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/ms/"))
		select {
		case <-r.Context().Done():
		case <-time.After(time.Duration(n) * time.Millisecond):
		}
		if s, _ := strconv.Atoi(r.URL.Query().Get("s")); s != 0 {
			w.WriteHeader(s)
		}
	}))
	t.Cleanup(ts.Close)
	return ts
}

// gate is a test server whose /N answers only once the test opens gate N,
// with the status in ?s= if there is one. Each request reports its gate
// on arrived when it comes in, so that a test can wait for checks to be
// running rather than sleep.
type gate struct {
	URL     string
	arrived chan int
	gates   []chan struct{}
	opened  []bool
}

// newGate starts a gate server with n gates, all shut; any still shut are
// opened when the test ends.
func newGate(t testing.TB, n int) *gate {
	g := &gate{arrived: make(chan int, 16), gates: make([]chan struct{}, n), opened: make([]bool, n)}
	for i := range g.gates {
		g.gates[i] = make(chan struct{})
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		if err != nil || i < 0 || i >= n {
			http.NotFound(w, r)
			return
		}
		select {
		case g.arrived <- i:
		case <-r.Context().Done():
			return
		}
		select {
		case <-g.gates[i]:
		case <-r.Context().Done():
			return
		}
		if s, _ := strconv.Atoi(r.URL.Query().Get("s")); s != 0 {
			w.WriteHeader(s)
		}
	}))
	t.Cleanup(ts.Close)
	// Cleanups run last first: the gates open before the server closes,
	// which waits for its handlers.
	t.Cleanup(func() {
		for i := range g.gates {
			g.open(i)
		}
	})
	g.URL = ts.URL
	return g
}

// open lets the requests to gate i answer.
func (g *gate) open(i int) {
	if !g.opened[i] {
		g.opened[i] = true
		close(g.gates[i])
	}
}

// await waits for n requests to come in.
func (g *gate) await(t testing.TB, n int) {
	t.Helper()
	for k := range n {
		select {
		case <-g.arrived:
		case <-time.After(5 * time.Second):
			t.Fatalf("%d of %d requests reached the test server", k, n)
		}
	}
}

// TestStream checks that results stream as they finish, not in request
// order and not all at the end, with progress on every line. The four
// checks run at once and are let finish one at a time, last URL first:
// each result must arrive while the checks after it are still held.
func TestStream(t *testing.T) {
	t.Parallel()
	g := newGate(t, 4)
	api := serveAPI(t, localChecker(t, Options{PerClient: 4}))
	body, _ := json.Marshal(Request{URLs: []string{g.URL + "/0", g.URL + "/1", g.URL + "/2", g.URL + "/3?s=404"}})
	resp, err := http.Post(api+"/api/check", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// The lines are read on their own goroutine, so that the test can give
	// up on one that does not come; the buffer holds them all.
	lines := make(chan []byte, 16)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines <- bytes.Clone(sc.Bytes())
		}
	}()
	i := 0
	next := func() Progress {
		t.Helper()
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("the stream ended after %d lines", i)
			}
			var p Progress
			if err := json.Unmarshal(line, &p); err != nil {
				t.Fatalf("line %d: %v", i, err)
			}
			if p.Total != 4 || p.Done != min(i, 4) {
				t.Errorf("line %d: done %d of %d, want %d of 4", i, p.Done, p.Total, min(i, 4))
			}
			i++
			return p
		case <-time.After(4 * time.Second):
			t.Fatalf("no line %d while checks were held: results are not streamed", i)
		}
		return Progress{}
	}
	next()
	g.await(t, 4)
	var order []int
	for want := 3; want >= 0; want-- {
		g.open(want)
		p := next()
		if p.Result == nil {
			t.Fatalf("line %d has no result: %+v", i-1, p)
		}
		order = append(order, p.Result.Index)
		if p.Result.Error != "" {
			t.Errorf("result %d: %s", p.Result.Index, p.Result.Error)
		}
		if want == 3 && p.Result.Status != 404 {
			t.Errorf("the first result has status %d, want the 404 let finish first", p.Result.Status)
		}
	}
	if p := next(); !p.Finished {
		t.Errorf("the last line is not finished: %+v", p)
	}
	if fmt.Sprint(order) != "[3 2 1 0]" {
		t.Errorf("results came in the order %v, want [3 2 1 0], the order they finished", order)
	}
}

func TestExports(t *testing.T) {
	t.Parallel()
	ts := sleeper(t)
	api := serveAPI(t, localChecker(t, Options{}))
	req, _ := json.Marshal(Request{URLs: []string{ts.URL + "/ms/50?s=503", ts.URL + "/ms/0"}, Method: "HEAD"})

	resp, text := post(t, api, "?format=json", "application/json", string(req))
	var rep Report
	if err := json.Unmarshal([]byte(text), &rep); err != nil || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("json: %v, Content-Type %q:\n%s", err, resp.Header.Get("Content-Type"), text)
	}
	if rep.Total != 2 || rep.Results[0].Status != 503 || rep.Results[1].Status != 200 || rep.Results[1].Index != 1 || rep.Results[0].Hops[0].Method != "HEAD" {
		t.Errorf("json report in the wrong order or wrong: %+v", rep.Results)
	}

	resp, text = post(t, api, "?format=csv", "application/json", string(req))
	if cd := resp.Header.Get("Content-Disposition"); resp.Header.Get("Content-Type") != TypeCSV || !strings.Contains(cd, "attachment") {
		t.Errorf("csv: Content-Type %q, Content-Disposition %q", resp.Header.Get("Content-Type"), cd)
	}
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil || len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(CSVHeader, ",") {
		t.Fatalf("csv: %v, %d rows:\n%s", err, len(rows), text)
	}
	if rows[1][0] != ts.URL+"/ms/50?s=503" || rows[1][1] != "503" || rows[2][1] != "200" {
		t.Errorf("csv rows %q", rows[1:])
	}
	if got := csvSafe("=HYPERLINK(1)"); got != "'=HYPERLINK(1)" {
		t.Errorf("csvSafe does not defuse a formula: %q", got)
	}

	// The HTML form's body, with the format as a field and download set.
	form := url.Values{"urls": {ts.URL + "/ms/0\n\n" + ts.URL + "/ms/1"}, "format": {"json"}, "download": {"1"}, "method": {"GET"}}
	resp, text = post(t, api, "", "application/x-www-form-urlencoded", form.Encode())
	if err := json.Unmarshal([]byte(text), &rep); err != nil || rep.Total != 2 || !strings.Contains(resp.Header.Get("Content-Disposition"), "teapot-check.json") {
		t.Errorf("form: %v, %d results, Content-Disposition %q", err, rep.Total, resp.Header.Get("Content-Disposition"))
	}
	if rep.Results[0].Redirects != 0 || rep.Results[0].Status != 200 {
		t.Errorf("form result %+v", rep.Results[0])
	}
}

// TestBadRequests: each malformed or over-limit request is a 400 problem
// naming the limit, and nothing is checked.
func TestBadRequests(t *testing.T) {
	t.Parallel()
	api := serveAPI(t, localChecker(t, Options{MaxURLs: 3, Timeout: 5 * time.Second}))
	many := `{"urls":["a.example","b.example","c.example","d.example"]}`
	for _, tt := range []struct{ name, query, ctype, body, want string }{
		{"malformed json", "", "application/json", `{"urls": [`, "not a check request in JSON"},
		{"unknown field", "", "application/json", `{"urls": ["a.example"], "proxy": "x"}`, "unknown field"},
		{"two documents", "", "application/json", `{"urls": ["a.example"]} {}`, "one JSON object"},
		{"no urls", "", "application/json", `{"urls": []}`, "at least one URL"},
		{"too many urls", "", "application/json", many, "at most 3 URLs"},
		{"oversized body", "", "application/json", `{"urls": ["` + strings.Repeat("a", MaxBody) + `"]}`, "at most 262144 bytes"},
		{"bad scheme", "", "application/json", `{"urls": ["a.example", "file:///etc/passwd"]}`, "URL 2: scheme"},
		{"bad method", "", "application/json", `{"urls": ["a.example"], "method": "POST"}`, "use GET or HEAD"},
		{"bad redirects", "", "application/json", `{"urls": ["a.example"], "max_redirects": 50}`, "from 0 to 20"},
		{"bad agent", "", "application/json", `{"urls": ["a.example"], "user_agent": "netscape"}`, "teapot, browser, curl, googlebot"},
		{"long timeout", "", "application/json", `{"urls": ["a.example"], "timeout": "1h"}`, "at most 5s"},
		{"bad header", "", "application/json", `{"urls": ["a.example"], "headers": {"Host": "x"}}`, "belongs to the connection"},
		{"header injection", "", "application/json", `{"urls": ["a.example"], "headers": {"X-A": "1\r\nX-B: 2"}}`, "on one line"},
		{"bad format", "?format=xml", "application/json", `{"urls": ["a.example"]}`, "ndjson (the default), json or csv"},
		{"bad content type", "", "text/plain", `{"urls": ["a.example"]}`, "not accepted"},
		{"bad form header", "", "application/x-www-form-urlencoded", "urls=a.example&headers=nocolon", "Name: value"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, text := post(t, api, tt.query, tt.ctype, tt.body)
			if resp.StatusCode != 400 || resp.Header.Get("Content-Type") != "application/problem+json; charset=utf-8" || !strings.Contains(text, tt.want) {
				t.Errorf("status %d %s, want a 400 problem containing %q:\n%.300s", resp.StatusCode, resp.Header.Get("Content-Type"), tt.want, text)
			}
		})
	}
	resp, err := http.Get(api + "/api/check")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET: %d, Allow %q; want 405 with Allow: POST", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

// TestPerClientLimits: one address's checks share its slots, and too
// many requests at once get 429.
func TestPerClientLimits(t *testing.T) {
	t.Parallel()
	ts := sleeper(t)
	c := localChecker(t, Options{PerClient: 2})
	api := serveAPI(t, c)
	// Four URLs of 300 ms with 2 slots take two rounds.
	body, _ := json.Marshal(Request{URLs: []string{ts.URL + "/ms/300", ts.URL + "/ms/300", ts.URL + "/ms/300", ts.URL + "/ms/300"}})
	start := time.Now()
	post(t, api, "?format=json", "application/json", string(body))
	if d := time.Since(start); d < 550*time.Millisecond {
		t.Errorf("4 checks of 300ms with 2 per client took %v, want about 600ms", d)
	}
	// The cap on requests in flight is seen with a checker that has a slot
	// for each of their checks and one more: a check reaching the gate
	// server proves its request is in flight.
	g := newGate(t, 1)
	api = serveAPI(t, localChecker(t, Options{PerClient: maxRequestsPerClient + 1}))
	slow, _ := json.Marshal(Request{URLs: []string{g.URL + "/0"}})
	done := make(chan string, maxRequestsPerClient)
	for range maxRequestsPerClient {
		go func() {
			resp, err := http.Post(api+"/api/check", "application/json", strings.NewReader(string(slow)))
			if err != nil {
				done <- err.Error()
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			done <- resp.Status
		}()
	}
	g.await(t, maxRequestsPerClient)
	// The fifth asks for a quick URL, so that were it let in, the test
	// would fail at once rather than wait on the gate.
	quick, _ := json.Marshal(Request{URLs: []string{ts.URL + "/ms/0"}})
	resp, text := post(t, api, "", "application/json", string(quick))
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || !strings.Contains(text, "At most 4 check requests") {
		t.Errorf("a fifth request at once: %d, want 429 with Retry-After:\n%s", resp.StatusCode, text)
	}
	g.open(0)
	for range maxRequestsPerClient {
		if s := <-done; s != "200 OK" {
			t.Errorf("one of the first requests got %s", s)
		}
	}
}
