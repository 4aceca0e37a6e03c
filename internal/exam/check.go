package exam

import (
	"net/http"
	"slices"
	"time"
)

// Verdict is what a check concluded of the client.
type Verdict string

// The verdicts, from worst to best news. Info records behaviour the RFCs
// allow either way; NotRun is a check the client never asked; Skipped is
// one this server cannot give (not configured).
const (
	Fail    Verdict = "fail"
	Warn    Verdict = "warn"
	Info    Verdict = "info"
	Pass    Verdict = "pass"
	NotRun  Verdict = "not run"
	Skipped Verdict = "skipped"
)

// Verdicts are all verdicts, in the order reports count them.
var Verdicts = []Verdict{Pass, Fail, Warn, Info, NotRun, Skipped}

// Result is a check's verdict and one sentence saying why, with numbers.
type Result struct {
	Verdict Verdict
	Reason  string
}

// Request is one journaled request, as grading reads it.
type Request struct {
	Seq    int           // its place among the run's requests, from 1
	N      int           // its place among its check's requests, from 1
	At     time.Duration // since the run started, on the server's clock
	Method string
	Step   string            // "" at the check's URL, else the sub-path ("target")
	Header map[string]string // the recorded fields (see recorded), credentials as "[redacted]"
	Body   int64             // bytes in the body
	SHA256 string            // of the body, hex; "" for none
	Conn   string            // a key of the connection it came on
	Status int               // what the script answered
	Wait   time.Duration     // how long the answer's Retry-After asked for
}

// answer is what the script sends back to one request.
type answer struct {
	status int
	header [][2]string
	body   string
	wait   time.Duration // Retry-After's, for the journal
}

// scene is what a script knows when it answers: where the check is, the
// request's number among the check's, its time and itself.
type scene struct {
	self    string    // the check's URL as a path, base path included
	alt     string    // the check's URL at the alternative origin, or ""
	started time.Time // the run's start, for Last-Modified
	now     time.Time // on the server's clock
	n       int
	step    string
	req     *http.Request
}

// Check is one check of the exam: the request the client should make, what
// it tests, the script that answers, and the grading.
type Check struct {
	Name   string
	Method string // the request the client should make
	Body   string
	Repeat int    // how many times the client should make it
	Tests  string // what it tests, one sentence
	RFC    string // the section that decides, such as "RFC 9110 §10.2.3"
	// Steps are the sub-paths the script sends the client to, such as
	// "target" for /exam/{id}/{check}/target.
	Steps []string
	// Alt: the check needs --exam-alt-origin, and is skipped without it.
	Alt bool

	answer func(s scene) answer
	grade  func(reqs []Request, tol time.Duration) Result
}

// hasStep reports whether the check answers at the sub-path step.
func (c *Check) hasStep(step string) bool {
	return step == "" || slices.Contains(c.Steps, step)
}

// Grade grades the journal of the check's requests, in order, with the
// timing tolerance tol.
func (c *Check) Grade(reqs []Request, tol time.Duration) Result {
	if len(reqs) == 0 {
		return Result{NotRun, "The client made no request to this check."}
	}
	return c.grade(reqs, tol)
}

// Lookup is the check named name, or nil.
func Lookup(name string) *Check {
	for i := range checks {
		if checks[i].Name == name {
			return &checks[i]
		}
	}
	return nil
}

// Checks are the exam's checks, in the order a run lists them.
func Checks() []Check { return slices.Clone(checks) }
