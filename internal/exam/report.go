package exam

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/teapothq/teapot/internal/respond"
)

// Report is a run's report: each check's verdict, why, and its timeline.
type Report struct {
	ID          string         `json:"id"`
	Started     time.Time      `json:"started"`
	Expires     time.Time      `json:"expires"`
	ToleranceMS float64        `json:"tolerance_ms"`
	Requests    int            `json:"requests"` // journaled, of at most MaxRequests
	MaxRequests int            `json:"max_requests"`
	Connections int            `json:"connections"`
	UserAgents  []string       `json:"user_agents"`
	Counts      map[string]int `json:"counts"` // checks by verdict
	Checks      []CheckReport  `json:"checks"`
}

// CheckReport is one check's part of a report.
type CheckReport struct {
	CheckInfo
	Verdict  Verdict `json:"verdict"`
	Reason   string  `json:"reason"`
	Timeline []Entry `json:"timeline"`
}

// Entry is one journaled request as a report shows it.
type Entry struct {
	Seq     int     `json:"seq"`
	N       int     `json:"n"` // among the check's requests
	AtMS    float64 `json:"at_ms"`
	Method  string  `json:"method"`
	Path    string  `json:"path"`
	Status  int     `json:"status"`
	Conn    int     `json:"connection"`     // connections numbered from 1 as they first appear
	NewConn bool    `json:"new_connection"` // its first request in this run
	// Header holds the recorded fields, credentials as "[redacted]".
	Header map[string]string `json:"header"`
	Body   int64             `json:"body_bytes"`
	SHA256 string            `json:"body_sha256,omitempty"`
	WaitMS float64           `json:"retry_after_ms,omitempty"` // what the answer's Retry-After asked for
}

// Report grades run id, as seen by r (whose base path its links carry).
func (e *Exam) Report(r *http.Request, id string) (*Report, error) {
	ctx := r.Context()
	run, err := e.opts.Store.ExamRun(ctx, id, e.opts.Now())
	if err != nil {
		return nil, err
	}
	entries, err := e.opts.Store.ExamEntries(ctx, id)
	if err != nil {
		return nil, err
	}
	var set settings
	if err := json.Unmarshal(run.Settings, &set); err != nil {
		return nil, fmt.Errorf("exam run %s: settings: %w", id, err)
	}
	tol := time.Duration(set.ToleranceUS) * time.Microsecond
	rep := &Report{ID: id, Started: run.Started, Expires: run.Expires, ToleranceMS: ms(tol), Requests: run.Requests,
		MaxRequests: e.opts.MaxRequests, UserAgents: []string{}, Counts: map[string]int{}}
	byCheck := map[string][]Request{}
	timelines := map[string][]Entry{}
	conns := map[string]int{}
	for _, en := range entries {
		req, err := decode(en.Seq, en.N, en.Record)
		if err != nil {
			return nil, fmt.Errorf("exam run %s: entry %d: %w", id, en.Seq, err)
		}
		byCheck[en.Check] = append(byCheck[en.Check], req)
		num, seen := conns[req.Conn]
		if !seen {
			num = len(conns) + 1
			conns[req.Conn] = num
		}
		if ua := req.Header["User-Agent"]; ua != "" && !slices.Contains(rep.UserAgents, ua) && len(rep.UserAgents) < 10 {
			rep.UserAgents = append(rep.UserAgents, ua)
		}
		path := respond.Link(r, "/exam/"+id+"/"+en.Check)
		if req.Step != "" {
			path += "/" + req.Step
		}
		timelines[en.Check] = append(timelines[en.Check], Entry{Seq: req.Seq, N: req.N, AtMS: ms(req.At),
			Method: req.Method, Path: path, Status: req.Status, Conn: num, NewConn: !seen, Header: req.Header,
			Body: req.Body, SHA256: req.SHA256, WaitMS: ms(req.Wait)})
	}
	rep.Connections = len(conns)
	for i, info := range checkInfos(r, id, set.AltOrigin) {
		c := &checks[i]
		res := Result{Skipped, notConfiguredReason}
		if info.Skipped == "" {
			res = c.Grade(byCheck[c.Name], tol)
		}
		tl := timelines[c.Name]
		if tl == nil {
			tl = []Entry{}
		}
		rep.Checks = append(rep.Checks, CheckReport{CheckInfo: info, Verdict: res.Verdict, Reason: res.Reason, Timeline: tl})
		rep.Counts[string(res.Verdict)]++
	}
	return rep, nil
}

// Failed reports whether any check failed.
func (rep *Report) Failed() bool { return rep.Counts[string(Fail)] > 0 }

// Text is the report as plain text: the verdicts, then the timelines.
func (rep *Report) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "teapot client exam, run %s\n", rep.ID)
	fmt.Fprintf(&b, "started %s, expires %s; timing tolerance %g ms (the server's monotonic clock)\n",
		rep.Started.Format(time.RFC3339), rep.Expires.Format(time.RFC3339), rep.ToleranceMS)
	fmt.Fprintf(&b, "%d requests journaled (at most %d) on %d connections", rep.Requests, rep.MaxRequests, rep.Connections)
	if len(rep.UserAgents) > 0 {
		fmt.Fprintf(&b, "; User-Agent %s", strings.Join(rep.UserAgents, " | "))
	}
	b.WriteString("\n\n")
	for _, c := range rep.Checks {
		fmt.Fprintf(&b, "%-8s %-20s %s\n", strings.ToUpper(string(c.Verdict)), c.Name, c.Reason)
	}
	b.WriteString("\n" + rep.Summary() + "\n")
	// With one User-Agent, the header says it once for every line.
	skip := ""
	if len(rep.UserAgents) == 1 {
		skip = "User-Agent"
	}
	for _, c := range rep.Checks {
		if len(c.Timeline) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s (%s %s)\n", c.Name, c.Method, c.URL)
		tl := c.Timeline
		for i := 0; i < len(tl); i++ {
			// A run of like requests (a redirect loop's) shows its first
			// two and its last.
			j := i + 1
			for j < len(tl) && like(tl[i], tl[j]) {
				j++
			}
			if j-i > 4 {
				fmt.Fprintf(&b, "  %s\n  %s\n  ... %d more like these ...\n  %s\n",
					tl[i].line(skip), tl[i+1].line(skip), j-i-3, tl[j-1].line(skip))
				i = j - 1
				continue
			}
			b.WriteString("  " + tl[i].line(skip) + "\n")
		}
	}
	return b.String()
}

// like: b repeats a's request on a's connection and got the same answer.
func like(a, b Entry) bool {
	return a.Method == b.Method && a.Path == b.Path && a.Status == b.Status && a.Conn == b.Conn && !b.NewConn &&
		a.Body == b.Body && a.SHA256 == b.SHA256
}

// Summary counts the verdicts: "5 pass, 1 fail, 3 warn, 4 info".
func (rep *Report) Summary() string {
	var parts []string
	for _, v := range Verdicts {
		if n := rep.Counts[string(v)]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, v))
		}
	}
	return strings.Join(parts, ", ")
}

// Line is the entry on one line of text: time, request, answer,
// connection, body and the recorded fields.
func (en Entry) Line() string { return en.line("") }

// line is Line without the field skip.
func (en Entry) line(skip string) string {
	conn := fmt.Sprintf("conn %d", en.Conn)
	if en.NewConn {
		conn += " (new)"
	}
	s := fmt.Sprintf("%+9.3f s  %-6s %s -> %d  %s  body %d B", en.AtMS/1000, en.Method, en.Path, en.Status, conn, en.Body)
	if en.SHA256 != "" {
		s += " sha256:" + en.SHA256[:12]
	}
	for _, k := range recorded {
		if v, ok := en.Header[k]; ok && k != "Content-Length" && k != skip {
			s += "  " + k + ": " + v
		}
	}
	return s
}
