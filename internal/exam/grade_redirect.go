package exam

import (
	"fmt"
	"time"
)

// Following a redirect is the client's choice (RFC 9110 §15.4), so one
// that does not follow gets info: there is nothing to judge.

// notFollowed is the result for a client that got status and stopped.
func notFollowed(status int) Result {
	return Result{Info, fmt.Sprintf("Did not follow the %d (following is optional, RFC 9110 §15.4); nothing to judge.", status)}
}

// gradeKeepMethod grades a 307 or 308: the target must get the same
// method and body as the original request.
func gradeKeepMethod(status int, cite string) func([]Request, time.Duration) Result {
	return func(reqs []Request, _ time.Duration) Result {
		main, targets := at(reqs, ""), at(reqs, "target")
		if len(main) == 0 {
			return notAsked
		}
		first := main[0]
		if len(targets) == 0 {
			return notFollowed(status)
		}
		t := targets[0]
		switch {
		case t.Method != first.Method:
			return Result{Fail, fmt.Sprintf("Sent %s, then followed the %d with %s: a %d does not allow changing the method (%s).",
				bodyOf(first), status, bodyOf(t), status, cite)}
		case !sameBody(first, t):
			return Result{Fail, fmt.Sprintf("Sent %s, then followed the %d with %s: the body must be sent again as it was (%s).",
				bodyOf(first), status, bodyOf(t), cite)}
		}
		return Result{Pass, fmt.Sprintf("Followed the %d with the same method and body: %s (%s).", status, bodyOf(t), cite)}
	}
}

// gradeSeeOther grades a 303: the target is fetched with GET or HEAD,
// without the body.
func gradeSeeOther(reqs []Request, _ time.Duration) Result {
	main, targets := at(reqs, ""), at(reqs, "target")
	if len(main) == 0 {
		return notAsked
	}
	if len(targets) == 0 {
		return notFollowed(303)
	}
	t := targets[0]
	if (t.Method == "GET" || t.Method == "HEAD") && t.Body == 0 {
		return Result{Pass, "Followed the 303 with " + bodyOf(t) + " (RFC 9110 §15.4.4)."}
	}
	return Result{Fail, "Followed the 303 with " + bodyOf(t) + ": a 303 points at another resource, to be fetched with GET or HEAD and no body (RFC 9110 §15.4.4)."}
}

// gradeMovedFound records what the client did with a 301 and then a 302:
// both may change POST to GET (RFC 9110 §15.4.2, §15.4.3), so that is
// info; losing the body while keeping POST is a failure.
func gradeMovedFound(reqs []Request, _ time.Duration) Result {
	main, moved, targets := at(reqs, ""), at(reqs, "moved"), at(reqs, "target")
	if len(main) == 0 {
		return notAsked
	}
	if len(moved) == 0 {
		return notFollowed(301)
	}
	first := main[0]
	hop := func(code int, from, to Request) (string, bool) {
		switch {
		case from.Method == to.Method && sameBody(from, to):
			return fmt.Sprintf("%d: kept %s", code, bodyOf(to)), true
		case from.Method == to.Method:
			return fmt.Sprintf("%d: kept %s but sent %d of its %d bytes", code, to.Method, to.Body, from.Body), false
		case to.Body == 0:
			return fmt.Sprintf("%d: changed %s to %s without a body", code, from.Method, to.Method), true
		}
		return fmt.Sprintf("%d: changed %s to %s but still sent %d bytes", code, from.Method, to.Method, to.Body), false
	}
	one, ok1 := hop(301, first, moved[0])
	if len(targets) == 0 {
		return verdictMovedFound(ok1, one+"; then did not follow the 302")
	}
	two, ok2 := hop(302, moved[0], targets[0])
	return verdictMovedFound(ok1 && ok2, one+"; "+two)
}

func verdictMovedFound(ok bool, what string) Result {
	if !ok {
		return Result{Fail, what + ". Whether or not the method changes, the body must go with it or go away with POST (RFC 9110 §15.4)."}
	}
	return Result{Info, what + ". Both are allowed: for historical reasons a client may change POST to GET on 301 and 302 (RFC 9110 §15.4.2, §15.4.3)."}
}

// gradeLoop: the client stops following a URL that redirects to itself
// before the server gives up.
func gradeLoop(reqs []Request, _ time.Duration) Result {
	n := len(at(reqs, ""))
	switch {
	case n == 0:
		return notAsked
	case n == 1:
		return Result{Info, "Did not follow the redirect, so there was no loop to notice (RFC 9110 §15.4)."}
	case n > maxLoop:
		return Result{Fail, fmt.Sprintf("Followed all %d redirects the server served and never stopped: a client should detect redirect loops and intervene (RFC 9110 §15.4).", maxLoop)}
	}
	return Result{Pass, fmt.Sprintf("Followed %d redirects of the loop, then stopped (%d requests; RFC 9110 §15.4).", n-1, n)}
}

// gradeCrossOrigin: credentials sent to one origin are not forwarded to
// another by a redirect.
func gradeCrossOrigin(reqs []Request, _ time.Duration) Result {
	main, targets := at(reqs, ""), at(reqs, "target")
	if len(main) == 0 {
		return notAsked
	}
	first := main[0]
	if first.Header["Authorization"] == "" && first.Header["Cookie"] == "" {
		return Result{Warn, "The first request carried no Authorization or Cookie, so there was nothing to forward; send the credentials the check's URL carries."}
	}
	if len(targets) == 0 {
		return notFollowed(302)
	}
	var sent []string
	for _, f := range []string{"Authorization", "Cookie"} {
		if targets[0].Header[f] != "" {
			sent = append(sent, f)
		}
	}
	if len(sent) > 0 {
		return Result{Fail, "Forwarded " + andList(sent) + " to the other origin: a client following a redirect should drop credentials the calling code added (RFC 9110 §15.4)."}
	}
	return Result{Pass, "Followed the redirect to the other origin without the credentials (RFC 9110 §15.4)."}
}
