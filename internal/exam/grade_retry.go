package exam

import (
	"fmt"
	"time"
)

// notAsked is the result when the check's own URL saw no request.
var notAsked = Result{NotRun, "The client made no request to the check's URL."}

// gradeRetryAfter grades the first retry after an answer with Retry-After
// (retry-after-seconds, retry-after-date, rate-limited): no retry is a
// warning (retrying is the client's choice), one sooner than asked a
// failure. told says what the answer asked for, given the wait as text;
// cite is the sections.
func gradeRetryAfter(told, cite string) func([]Request, time.Duration) Result {
	return func(reqs []Request, tol time.Duration) Result {
		main := at(reqs, "")
		if len(main) == 0 {
			return notAsked
		}
		first := main[0]
		what := fmt.Sprintf(told, asked(first.Wait)) + " (" + cite + ")."
		if len(main) == 1 {
			return Result{Warn, fmt.Sprintf("Did not retry after the %d; %s", first.Status, what)}
		}
		gap := main[1].At - first.At
		if gap+tol < first.Wait {
			return Result{Fail, "Retried after " + secs(gap) + "; " + what}
		}
		return Result{Pass, "Retried after " + secs(gap) + "; " + what}
	}
}

// gradeBackoff grades the waits between the retries of three 503s without
// Retry-After: growing waits pass, constant ones warn, none at all fail.
// Retrying is the client's choice, so no retry is a warning too.
func gradeBackoff(reqs []Request, tol time.Duration) Result {
	main := at(reqs, "")
	if len(main) == 0 {
		return notAsked
	}
	if len(main) > backoffErrors+1 {
		main = main[:backoffErrors+1] // the 200 ends what is graded
	}
	const cite = " (RFC 9110 §15.6.4: a 503 will likely be alleviated after some delay)."
	ds := gaps(main)
	switch {
	case len(ds) == 0:
		return Result{Warn, "Did not retry after the 503, so there was no backoff to judge" + cite}
	case len(ds) > 1 && growing(ds, tol):
		return Result{Pass, "Waited " + list(ds) + " before its retries: the waits grew" + cite}
	case allUnder(ds, noWait):
		return Result{Fail, fmt.Sprintf("Retried %s with no real wait: %s apart, each under %s", times(len(ds)), list(ds), asked(noWait)) + cite}
	case len(ds) == 1:
		return Result{Info, "Retried once, after " + secs(ds[0]) + ", then stopped: one wait cannot show whether waits grow" + cite}
	case constant(ds, tol):
		return Result{Warn, "Waited " + list(ds) + " before its retries: a constant wait, where a growing one spreads the load" + cite}
	}
	return Result{Warn, "Waited " + list(ds) + " before its retries: the waits did not grow" + cite}
}

// noWait is how soon a retry counts as made without waiting: sooner than
// any backoff worth the name starts, and later than a client that retries
// at once takes to start again on a busy machine.
const noWait = 500 * time.Millisecond

func allUnder(ds []time.Duration, tol time.Duration) bool {
	for _, d := range ds {
		if d >= tol {
			return false
		}
	}
	return true
}

// growing: each wait is longer than the one before by more than tol.
func growing(ds []time.Duration, tol time.Duration) bool {
	for i := 1; i < len(ds); i++ {
		if ds[i] <= ds[i-1]+tol {
			return false
		}
	}
	return true
}

// constant: every wait is within tol of the first.
func constant(ds []time.Duration, tol time.Duration) bool {
	for _, d := range ds[1:] {
		if d > ds[0]+tol || d < ds[0]-tol {
			return false
		}
	}
	return true
}

// gradePostNotReplayed: a POST answered 503 must not be repeated by the
// client on its own, unless every attempt carries the same
// Idempotency-Key (draft-ietf-httpapi-idempotency-key-header), which lets
// the server do its work once.
func gradePostNotReplayed(reqs []Request, _ time.Duration) Result {
	main := at(reqs, "")
	if len(main) == 0 {
		return notAsked
	}
	first := main[0]
	if first.Method != "POST" {
		return Result{Warn, "The first request was " + first.Method + ", not the POST this check needs; nothing to judge."}
	}
	repeats := len(main) - 1
	if repeats == 0 {
		return Result{Pass, "Sent the POST once and did not repeat it after the 503 (RFC 9110 §9.2.2: POST is not idempotent)."}
	}
	key := first.Header["Idempotency-Key"]
	for _, r := range main[1:] {
		switch k := r.Header["Idempotency-Key"]; {
		case key == "":
			return Result{Fail, fmt.Sprintf("Repeated the POST %s after the 503, without an Idempotency-Key: a client should not repeat a non-idempotent request unless it knows the first was never applied (RFC 9110 §9.2.2).", times(repeats))}
		case k != key:
			return Result{Fail, fmt.Sprintf("Repeated the POST %s with a different Idempotency-Key, so the server cannot tell the attempts are one request (RFC 9110 §9.2.2).", times(repeats))}
		}
	}
	return Result{Pass, fmt.Sprintf("Repeated the POST %s, each with the first attempt's Idempotency-Key, so the server can do its work once (RFC 9110 §9.2.2).", times(repeats))}
}
