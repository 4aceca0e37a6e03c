package exam

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
)

// RunInfo is the answer to POST /exam: the run and what a client is to do.
type RunInfo struct {
	ID          string      `json:"id"`
	Report      string      `json:"report"` // the report's address, an absolute path
	Started     time.Time   `json:"started"`
	Expires     time.Time   `json:"expires"`
	ToleranceMS float64     `json:"tolerance_ms"`
	MaxRequests int         `json:"max_requests"`
	Checks      []CheckInfo `json:"checks"`
}

// CheckInfo is one check as a run lists it.
type CheckInfo struct {
	Name   string `json:"name"`
	URL    string `json:"url"` // where to send the request, an absolute path
	Method string `json:"method"`
	Body   string `json:"body"`
	Repeat int    `json:"repeat"` // send it this many times, one after another
	Tests  string `json:"tests"`
	RFC    string `json:"rfc"`
	// Paths are every address the check may send the client to, URL
	// first; one at another origin is absolute.
	Paths []string `json:"paths"`
	// Credentials go in the URL's userinfo ("user:password"), for a check
	// that needs the client to send some.
	Credentials string `json:"credentials,omitempty"`
	// Skipped says why this server does not give the check; the client
	// need not send anything.
	Skipped string `json:"skipped,omitempty"`
}

// examCredentials are cross-origin-auth's: what they protect is nothing,
// what matters is whether the client forwards them.
const examCredentials = "exam:not-a-secret"

// notConfiguredReason is a skipped cross-origin-auth's reason.
const notConfiguredReason = "Not configured: this server has no other origin to redirect to (--exam-alt-origin)."

// checkInfos lists the checks of run id, as seen by r, with alt the
// alternative origin the run started with.
func checkInfos(r *http.Request, id, alt string) []CheckInfo {
	out := make([]CheckInfo, 0, len(checks))
	for _, c := range checks {
		self := respond.Link(r, "/exam/"+id+"/"+c.Name)
		ci := CheckInfo{Name: c.Name, URL: self, Method: c.Method, Body: c.Body, Repeat: c.Repeat, Tests: c.Tests,
			RFC: c.RFC, Paths: []string{self}}
		for _, s := range c.Steps {
			p := self + "/" + s
			if c.Alt {
				p = alt + p
			}
			ci.Paths = append(ci.Paths, p)
		}
		if c.Alt {
			ci.Credentials = examCredentials
			if alt == "" {
				ci.Skipped, ci.Paths = notConfiguredReason, ci.Paths[:1]
			}
		}
		out = append(out, ci)
	}
	return out
}

// serveCreate starts a run: 303 to its report for a browser's form, else
// 201 with the run's checks, as JSON or text.
func (e *Exam) serveCreate(w http.ResponseWriter, r *http.Request) error {
	if err := e.sameSite.Check(r); err != nil {
		return crossSite()
	}
	if ok, wait := e.runs.Allow(e.opts.ClientAddr(r)); !ok {
		return e.tooManyRuns(w, wait)
	}
	started := e.opts.Now().UTC().Truncate(time.Microsecond)
	set, err := json.Marshal(settings{ToleranceUS: e.opts.Tolerance.Microseconds(), AltOrigin: e.opts.AltOrigin})
	if err != nil {
		return err
	}
	run := store.ExamRun{ID: newID(), Started: started, Expires: started.Add(e.opts.TTL), Settings: set}
	if err := e.opts.Store.CreateExamRun(r.Context(), run, e.opts.MaxRuns); err != nil {
		return err
	}
	info := RunInfo{ID: run.ID, Report: respond.Link(r, "/exam/"+run.ID), Started: run.Started, Expires: run.Expires,
		ToleranceMS: ms(e.opts.Tolerance), MaxRequests: e.opts.MaxRequests, Checks: checkInfos(r, run.ID, e.opts.AltOrigin)}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", web.Negotiated)
	h.Set("Location", info.Report)
	switch f, _ := web.Format(r, ""); f {
	case web.HTML:
		// A browser's form: the answer is the report, a resource of its
		// own, to be fetched with GET (RFC 9110 §15.4.4).
		http.Redirect(w, r, info.Report, http.StatusSeeOther)
	case web.Text:
		respond.Text(w, http.StatusCreated, info.text())
	default:
		respond.JSON(w, http.StatusCreated, info)
	}
	return nil
}

// text is the run as curl shows it: each check's request, one a line.
func (info RunInfo) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Exam run %s, until %s. The report: %s\n\n", info.ID, info.Expires.Format(time.RFC3339), info.Report)
	for _, c := range info.Checks {
		if c.Skipped != "" {
			fmt.Fprintf(&b, "%-20s skipped: %s\n", c.Name, c.Skipped)
			continue
		}
		fmt.Fprintf(&b, "%-20s %-4s %s", c.Name, c.Method, c.URL)
		if c.Body != "" {
			fmt.Fprintf(&b, "  body %q", c.Body)
		}
		if c.Repeat > 1 {
			fmt.Fprintf(&b, "  %d times", c.Repeat)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// serveCheck answers a request to a check's URL from its script and
// journals it. Nothing is journaled for a request refused.
func (e *Exam) serveCheck(w http.ResponseWriter, r *http.Request) error {
	id, name, step := r.PathValue("id"), r.PathValue("check"), r.PathValue("step")
	if !validID(id) {
		return e.noRun()
	}
	c := Lookup(name)
	if c == nil || !c.hasStep(step) {
		if step != "" {
			name += "/" + step
		}
		return noCheck(name)
	}
	if c.Alt && e.opts.AltOrigin == "" {
		return notConfigured(name)
	}
	size, sum, err := hashBody(r, int64(e.opts.MaxBody))
	switch {
	case errors.Is(err, errTooLarge):
		return e.tooLarge()
	case err != nil:
		return &respond.Problem{Status: http.StatusBadRequest, Title: "Bad Request", Detail: "The request body could not be read: it ended before its length, or was malformed."}
	}
	now := e.opts.Now()
	self := respond.Link(r, "/exam/"+id+"/"+name)
	var ans answer
	_, err = e.opts.Store.AppendExamEntry(r.Context(), id, name, now, e.opts.MaxRequests, func(n int, started time.Time) ([]byte, error) {
		ans = c.answer(scene{self: self, alt: e.opts.AltOrigin + self, started: started, now: now, n: n, step: step, req: r})
		return record{At: now.Sub(started).Microseconds(), Method: printable(r.Method, maxMethod), Step: step,
			Header: fields(r), Body: size, SHA256: sum, Conn: connKey(id, r.RemoteAddr), Status: ans.status,
			Wait: ans.wait.Microseconds()}.encode()
	})
	if err != nil {
		return err
	}
	ans.write(w)
	return nil
}

// write sends the answer. Answers are not to be stored, but for the cache
// checks', which say how they may be.
func (a answer) write(w http.ResponseWriter) {
	h := w.Header()
	for _, f := range a.header {
		h.Set(f[0], f[1])
	}
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	if a.status == http.StatusNotModified {
		w.WriteHeader(a.status)
		return
	}
	respond.Bytes(w, a.status, respond.TypeText, []byte(a.body))
}

// serveReport answers GET /exam/{id}, .json and .txt included.
func (e *Exam) serveReport(w http.ResponseWriter, r *http.Request) error {
	id, suffix := web.SplitSuffix(r.PathValue("id"))
	if !validID(id) {
		return e.noRun()
	}
	f, ok := web.Format(r, suffix)
	if !ok {
		web.NotAcceptable(w)
		return nil
	}
	rep, err := e.Report(r, id)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if suffix == "" {
		h.Set("Vary", web.Negotiated)
	}
	switch f {
	case web.JSON:
		respond.JSON(w, http.StatusOK, rep)
	case web.Text:
		respond.Text(w, http.StatusOK, rep.Text())
	default:
		return e.writeReport(w, r, rep)
	}
	return nil
}

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
