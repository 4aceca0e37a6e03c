package exam

import (
	"net/http"
	"strconv"
	"time"

	"github.com/teapothq/teapot/internal/respond"
)

// The scripts' numbers, which the gradings read too.
const (
	retryAfter    = 2 * time.Second // Retry-After of retry-after-seconds and rate-limited
	dateAhead     = 3 * time.Second // at least this far ahead, retry-after-date's date
	backoffErrors = 3               // 503s before backoff's 200
	maxLoop       = 100             // redirects redirect-loop serves before it gives up
	examETag      = `"exam-v1"`     // revalidate's entity tag
	maxAge        = 60              // fresh-cache's max-age, seconds
)

// checks is the exam. Each script answers by the request's number among
// the check's requests (scene.n) and its sub-path; each grading reads the
// journal only.
var checks = []Check{
	{Name: "retry-after-seconds", Method: "GET", Repeat: 1, RFC: "RFC 9110 §10.2.3",
		Tests:  "A 503 with Retry-After: 2, then a 200: does the client wait at least 2 seconds before it retries?",
		answer: answerRetryAfterSeconds, grade: gradeRetryAfter("Retry-After asked for %s", "RFC 9110 §10.2.3")},
	{Name: "retry-after-date", Method: "GET", Repeat: 1, RFC: "RFC 9110 §10.2.3",
		Tests:  "A 503 whose Retry-After is an HTTP-date 3 to 4 seconds ahead, then a 200: does the client read the date form and wait until then?",
		answer: answerRetryAfterDate, grade: gradeRetryAfter("Retry-After gave a date %s ahead", "RFC 9110 §10.2.3")},
	{Name: "rate-limited", Method: "GET", Repeat: 1, RFC: "RFC 6585 §4, RFC 9110 §10.2.3",
		Tests:  "A 429 with Retry-After: 2 and the RateLimit and RateLimit-Policy fields, then a 200: does the client wait as told?",
		answer: answerRateLimited, grade: gradeRetryAfter("Retry-After and RateLimit asked for %s", "RFC 6585 §4, RFC 9110 §10.2.3")},
	{Name: "backoff", Method: "GET", Repeat: 1, RFC: "RFC 9110 §15.6.4",
		Tests:  "Three 503s without Retry-After, then a 200: if the client retries, do its waits grow?",
		answer: answerBackoff, grade: gradeBackoff},
	{Name: "post-not-replayed", Method: "POST", Body: "exam=post-not-replayed", Repeat: 1, RFC: "RFC 9110 §9.2.2",
		Tests:  "A POST answered 503: the client should not repeat it on its own, unless it sends an Idempotency-Key that makes a repeat safe.",
		answer: answerPostNotReplayed, grade: gradePostNotReplayed},
	{Name: "redirect-307", Method: "POST", Body: "exam=redirect-307", Repeat: 1, RFC: "RFC 9110 §15.4.8",
		Tests: "A POST with a body redirected with 307: the client may follow, and then must send the same method and body.",
		Steps: []string{"target"}, answer: answerRedirect(http.StatusTemporaryRedirect), grade: gradeKeepMethod(307, "RFC 9110 §15.4.8")},
	{Name: "redirect-308", Method: "POST", Body: "exam=redirect-308", Repeat: 1, RFC: "RFC 9110 §15.4.9",
		Tests: "A POST with a body redirected with 308: the client may follow, and then must send the same method and body.",
		Steps: []string{"target"}, answer: answerRedirect(http.StatusPermanentRedirect), grade: gradeKeepMethod(308, "RFC 9110 §15.4.9")},
	{Name: "redirect-303", Method: "POST", Body: "exam=redirect-303", Repeat: 1, RFC: "RFC 9110 §15.4.4",
		Tests: "A POST redirected with 303 See Other: the client should fetch the target with GET (or HEAD), without the body.",
		Steps: []string{"target"}, answer: answerRedirect(http.StatusSeeOther), grade: gradeSeeOther},
	{Name: "redirect-301-302", Method: "POST", Body: "exam=redirect-301-302", Repeat: 1, RFC: "RFC 9110 §15.4.2, §15.4.3",
		Tests: "A POST redirected with 301, then with 302: a client may keep POST or change it to GET; the report says which it did.",
		Steps: []string{"moved", "target"}, answer: answerMovedFound, grade: gradeMovedFound},
	{Name: "redirect-loop", Method: "GET", Repeat: 1, RFC: "RFC 9110 §15.4",
		Tests:  "A URL that redirects to itself, up to 100 times: does the client notice the loop and stop?",
		answer: answerLoop, grade: gradeLoop},
	{Name: "revalidate", Method: "GET", Repeat: 2, RFC: "RFC 9111 §4.3.1, §5.2.2.4",
		Tests:  "A 200 with an ETag and Cache-Control: no-cache, asked for twice: does the second request revalidate with If-None-Match (and get a 304)?",
		answer: answerRevalidate, grade: gradeRevalidate},
	{Name: "fresh-cache", Method: "GET", Repeat: 2, RFC: "RFC 9111 §4.2",
		Tests:  "A 200 with Cache-Control: max-age=60, asked for twice: does the second fetch come from the client's cache, never reaching the server?",
		answer: answerFresh, grade: gradeFresh},
	{Name: "cross-origin-auth", Method: "GET", Repeat: 1, RFC: "RFC 9110 §15.4",
		Tests: "A request with credentials redirected to another origin: the client should not forward Authorization (or Cookie) there.",
		Steps: []string{"target"}, Alt: true, answer: answerCrossOrigin, grade: gradeCrossOrigin},
}

// text is a plain-text answer.
func text(status int, body string, header ...[2]string) answer {
	return answer{status: status, body: strconv.Itoa(status) + " " + http.StatusText(status) + ": " + body + "\n", header: header}
}

func answerRetryAfterSeconds(s scene) answer {
	if s.n > 1 {
		return text(http.StatusOK, "the retry arrived.")
	}
	a := text(http.StatusServiceUnavailable, "try again in 2 seconds (Retry-After: 2).", [2]string{"Retry-After", "2"})
	a.wait = retryAfter
	return a
}

func answerRetryAfterDate(s scene) answer {
	if s.n > 1 {
		return text(http.StatusOK, "the retry arrived.")
	}
	// A whole second at least dateAhead ahead: an HTTP-date has no
	// fractions, and a client that rounds its own clock down still waits
	// long enough.
	at := s.now.Add(dateAhead)
	if t := at.Truncate(time.Second); !t.Equal(at) {
		at = t.Add(time.Second)
	}
	date := at.UTC().Format(http.TimeFormat)
	a := text(http.StatusServiceUnavailable, "try again at "+date+" (Retry-After).", [2]string{"Retry-After", date})
	a.wait = at.Sub(s.now)
	return a
}

func answerRateLimited(s scene) answer {
	if s.n > 1 {
		return text(http.StatusOK, "the retry arrived.")
	}
	// The RateLimit fields as draft-ietf-httpapi-ratelimit-headers writes
	// them: a policy of 1 request per 2-second window, none left, reset in
	// 2 seconds.
	a := text(http.StatusTooManyRequests, "this client has used its 1 request per 2 seconds; try again in 2 seconds.",
		[2]string{"Retry-After", "2"}, [2]string{"RateLimit-Policy", `"exam";q=1;w=2`}, [2]string{"RateLimit", `"exam";r=0;t=2`})
	a.wait = retryAfter
	return a
}

func answerBackoff(s scene) answer {
	if s.n > backoffErrors {
		return text(http.StatusOK, "the service is back.")
	}
	return text(http.StatusServiceUnavailable, "overloaded ("+strconv.Itoa(s.n)+" of "+strconv.Itoa(backoffErrors)+"); no Retry-After is given.")
}

func answerPostNotReplayed(s scene) answer {
	if s.n > 1 {
		return text(http.StatusOK, "a repeat of this request arrived.")
	}
	return text(http.StatusServiceUnavailable, "the request failed; repeating a POST on your own may do its work twice.")
}

func answerRedirect(status int) func(s scene) answer {
	return func(s scene) answer {
		if s.step == "target" {
			return text(http.StatusOK, "the redirect was followed with "+s.req.Method+".")
		}
		return text(status, "go to the target.", [2]string{"Location", s.self + "/target"})
	}
}

func answerMovedFound(s scene) answer {
	switch s.step {
	case "moved":
		return text(http.StatusFound, "go on to the target.", [2]string{"Location", s.self + "/target"})
	case "target":
		return text(http.StatusOK, "both redirects were followed, the last with "+s.req.Method+".")
	}
	return text(http.StatusMovedPermanently, "moved.", [2]string{"Location", s.self + "/moved"})
}

func answerLoop(s scene) answer {
	if s.n > maxLoop {
		return text(http.StatusOK, "the server stopped the loop after "+strconv.Itoa(maxLoop)+" redirects; the client never did.")
	}
	return text(http.StatusFound, "round again ("+strconv.Itoa(s.n)+").", [2]string{"Location", s.self})
}

// The cache checks' answers are private: a shared cache in front of teapot
// must not answer for the server (or revalidate for the client) and so
// make a client without a cache look like one.
func answerRevalidate(s scene) answer {
	h := [][2]string{{"ETag", examETag}, {"Cache-Control", "private, no-cache"},
		{"Last-Modified", s.started.UTC().Format(http.TimeFormat)}}
	if !respond.NoneMatch(s.req.Header.Get("If-None-Match"), examETag) {
		return answer{status: http.StatusNotModified, header: h}
	}
	return text(http.StatusOK, "a representation to keep and revalidate.", h...)
}

func answerFresh(s scene) answer {
	return text(http.StatusOK, "a representation fresh for 60 seconds.", [2]string{"Cache-Control", "private, max-age=" + strconv.Itoa(maxAge)})
}

func answerCrossOrigin(s scene) answer {
	if s.step == "target" {
		return text(http.StatusOK, "the other origin was reached.")
	}
	return text(http.StatusFound, "go to the other origin.", [2]string{"Location", s.alt + "/target"})
}
