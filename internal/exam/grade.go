package exam

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The gradings read the journal of one check, in order, and say what the
// client did with numbers: times in seconds to the hundredth, as the
// server's monotonic clock measured them between the requests' arrivals.
// A wait counts as long enough when it falls short by no more than the
// tolerance, which absorbs the time a response takes to reach the client.

// secs writes d as seconds to the hundredth: "0.40 s".
func secs(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
}

// asked writes a wait a server asked for, without trailing zeros: "2 s",
// "3.41 s".
func asked(d time.Duration) string {
	s := strconv.FormatFloat(d.Seconds(), 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + " s"
}

// at keeps the requests made to step.
func at(reqs []Request, step string) []Request {
	var out []Request
	for _, r := range reqs {
		if r.Step == step {
			out = append(out, r)
		}
	}
	return out
}

// gaps are the times between consecutive requests.
func gaps(reqs []Request) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(reqs); i++ {
		out = append(out, reqs[i].At-reqs[i-1].At)
	}
	return out
}

// list writes durations as "1.00 s, 2.00 s and 4.01 s".
func list(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = secs(d)
	}
	return andList(parts)
}

func andList(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// times writes "1 time", "3 times".
func times(n int) string {
	if n == 1 {
		return "1 time"
	}
	return fmt.Sprintf("%d times", n)
}

// bodyOf describes a request's method and body: "POST with a 22-byte
// body", "GET without a body".
func bodyOf(r Request) string {
	if r.Body == 0 {
		return r.Method + " without a body"
	}
	return fmt.Sprintf("%s with a %d-byte body", r.Method, r.Body)
}

// sameBody reports whether two requests carried the same body.
func sameBody(a, b Request) bool { return a.Body == b.Body && a.SHA256 == b.SHA256 }
