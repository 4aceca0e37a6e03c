package exam

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/respond"
)

// Every error answer of the exam is a *respond.Problem; those that enforce
// a limit name it in "limit" and link the page's section on limits.

const limitsType = "/exam#limits"

// handle adapts an exam handler: respond.Handle writes the problem it
// returns, after fail has turned a store's error into one.
func (e *Exam) handle(h respond.HandlerFunc) http.HandlerFunc {
	return respond.Handle(e.opts.Log, func(w http.ResponseWriter, r *http.Request) error {
		if err := h(w, r); err != nil {
			return e.fail(err)
		}
		return nil
	})
}

// fail is the one table from the errors a handler meets to the problems
// that answer them.
func (e *Exam) fail(err error) *respond.Problem {
	var p *respond.Problem
	switch {
	case errors.As(err, &p):
		return p
	case errors.Is(err, store.ErrRunNotFound):
		return e.noRun()
	case errors.Is(err, store.ErrRunFull):
		return &respond.Problem{Status: http.StatusTooManyRequests, Type: limitsType, Title: "Too Many Requests",
			Detail: "This run has journaled " + strconv.Itoa(e.opts.MaxRequests) + " requests, the most one run keeps (--exam-max-requests); nothing more is recorded. Start a new run.",
			Extra:  map[string]any{"limit": e.opts.MaxRequests}}
	case errors.Is(err, store.ErrTooManyRuns):
		return &respond.Problem{Status: http.StatusServiceUnavailable, Type: limitsType, Title: "Service Unavailable",
			Detail: "The exam holds " + strconv.Itoa(e.opts.MaxRuns) + " runs, the most it keeps at once (--exam-max-runs). Runs expire " + human(e.opts.TTL) + " after they start; try again later.",
			Extra:  map[string]any{"limit": e.opts.MaxRuns}}
	case errors.Is(err, store.ErrStorageFull):
		return &respond.Problem{Status: http.StatusInsufficientStorage, Type: limitsType, Title: "Insufficient Storage",
			Detail: "The database has no room for this request's record; nothing was journaled. Try again when old runs have expired."}
	}
	return &respond.Problem{Status: http.StatusInternalServerError, Title: "Internal Server Error",
		Detail: "The exam's database failed; try again in a moment.", Cause: err}
}

// noRun answers an id that names no run, malformed ones too: which ids
// exist, or have existed, is nobody's business.
func (e *Exam) noRun() *respond.Problem {
	return &respond.Problem{Status: http.StatusNotFound, Title: "Not Found",
		Detail: "There is no such exam run. Runs expire " + human(e.opts.TTL) + " after they start (--exam-ttl); start a new one with POST /exam."}
}

func noCheck(name string) *respond.Problem {
	return &respond.Problem{Status: http.StatusNotFound, Title: "Not Found",
		Detail: "The exam has no check " + strconv.Quote(respond.Truncate(name, 64)) + " here; POST /exam lists each check's URLs."}
}

func notConfigured(name string) *respond.Problem {
	return &respond.Problem{Status: http.StatusNotFound, Title: "Not Found",
		Detail: "The check " + name + " needs another origin of this server, and none is configured (--exam-alt-origin); the report marks it skipped."}
}

func (e *Exam) tooLarge() *respond.Problem {
	return &respond.Problem{Status: http.StatusRequestEntityTooLarge, Type: limitsType, Title: "Content Too Large",
		Detail: "The exam reads at most " + strconv.Itoa(e.opts.MaxBody) + " bytes of a request body (--exam-max-body); nothing was journaled.",
		Extra:  map[string]any{"limit": e.opts.MaxBody}}
}

func (e *Exam) tooManyRuns(w http.ResponseWriter, wait time.Duration) *respond.Problem {
	secs := respond.RetryAfter(w, wait)
	return &respond.Problem{Status: http.StatusTooManyRequests, Type: limitsType, Title: "Too Many Requests",
		Detail: "This address has started " + strconv.Itoa(e.opts.RunsPerHour) + " exam runs in the last hour, the most one address may (--exam-runs-per-hour). Go on with a run you have, or try again in " + strconv.Itoa(secs) + " s.",
		Extra:  map[string]any{"limit": e.opts.RunsPerHour}}
}

func crossSite() *respond.Problem {
	return &respond.Problem{Status: http.StatusForbidden, Title: "Forbidden",
		Detail: "Runs are started from this site's /exam page or from scripts; a page on another site cannot start one for its visitors."}
}

// human writes d in its largest whole unit: "1 hour", "90 minutes".
func human(d time.Duration) string {
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.FormatInt(n, 10) + " " + one + "s"
	}
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour")
	case d >= time.Minute && d%time.Minute == 0:
		return unit(int64(d/time.Minute), "minute")
	case d >= time.Second && d%time.Second == 0:
		return unit(int64(d/time.Second), "second")
	}
	return d.String()
}
