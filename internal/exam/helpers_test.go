package exam_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/teapothq/teapot/internal/app"
	"github.com/teapothq/teapot/internal/app/apptest"
	"github.com/teapothq/teapot/internal/exam"
)

// serve runs the whole app on a loopback port, its config changed by set,
// and returns its URL.
func serve(t *testing.T, set func(c *app.Config)) string {
	t.Helper()
	cfg := apptest.Config()
	cfg.ReverseDNSTimeout = 0
	if set != nil {
		set(&cfg)
	}
	return apptest.Serve(t, cfg)
}

// client neither follows redirects nor caches: tests see each answer.
var client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// answer is a response with its body read.
type answer struct {
	Status int
	Header http.Header
	Body   string
}

// send makes one request; header holds name, value pairs.
func send(t testing.TB, method, url, body string, header ...string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// start starts a run on base and returns it.
func start(t testing.TB, base string) exam.RunInfo {
	t.Helper()
	a := send(t, "POST", base+"/exam", "", "Accept", "application/json")
	if a.Status != http.StatusCreated {
		t.Fatalf("POST /exam: %d %s", a.Status, a.Body)
	}
	var run exam.RunInfo
	if err := json.Unmarshal([]byte(a.Body), &run); err != nil {
		t.Fatalf("POST /exam: %v\n%s", err, a.Body)
	}
	return run
}

// report reads a run's report as JSON.
func report(t testing.TB, base string, run exam.RunInfo) exam.Report {
	t.Helper()
	a := send(t, "GET", base+run.Report+".json", "")
	if a.Status != http.StatusOK {
		t.Fatalf("GET %s.json: %d %s", run.Report, a.Status, a.Body)
	}
	var rep exam.Report
	if err := json.Unmarshal([]byte(a.Body), &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

// infoOf finds a check in a run by name.
func infoOf(t testing.TB, run exam.RunInfo, name string) exam.CheckInfo {
	t.Helper()
	for _, c := range run.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("the run lists no check %s", name)
	return exam.CheckInfo{}
}

// reportOf finds a check in a report by name.
func reportOf(t testing.TB, rep exam.Report, name string) exam.CheckReport {
	t.Helper()
	for _, c := range rep.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("the report has no check %s", name)
	return exam.CheckReport{}
}

// isProblem fails unless a is a problem with status, and, when limit is
// not 0, naming that limit.
func isProblem(t testing.TB, what string, a answer, status int, limit float64) {
	t.Helper()
	var p struct {
		Status int
		Limit  float64
	}
	if a.Status != status || !strings.HasPrefix(a.Header.Get("Content-Type"), "application/problem+json") ||
		json.Unmarshal([]byte(a.Body), &p) != nil || p.Status != status {
		t.Errorf("%s: %d %s %q, want a %d problem", what, a.Status, a.Header.Get("Content-Type"), a.Body, status)
		return
	}
	if limit != 0 && p.Limit != limit {
		t.Errorf("%s: limit %v, want %v", what, p.Limit, limit)
	}
}
