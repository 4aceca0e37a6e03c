package exam

import (
	"strconv"
	"time"
)

// A client needs no cache (RFC 9111 caches are optional), so one without
// gets info; one with a cache must use it by the rules.

// gradeRevalidate: the second request for a no-cache response revalidates
// with the ETag sent.
func gradeRevalidate(reqs []Request, _ time.Duration) Result {
	main := at(reqs, "")
	switch len(main) {
	case 0:
		return notAsked
	case 1:
		return Result{Warn, "Made one request only: either the client was asked once, or it answered the second from its cache without revalidating, which no-cache forbids (RFC 9111 §5.2.2.4)."}
	}
	second := main[1]
	inm, ims := second.Header["If-None-Match"], second.Header["If-Modified-Since"]
	switch {
	case inm == "" && ims == "":
		return Result{Info, "Both requests were unconditional: the client keeps no cache, which it need not (RFC 9111 §4.3.1)."}
	case inm == "":
		return Result{Fail, "Revalidated with If-Modified-Since only: a cache that got an ETag must send it, in If-None-Match (RFC 9111 §4.3.1)."}
	case second.Status != 304:
		return Result{Fail, "Revalidated with If-None-Match: " + strconv.Quote(inm) + ", which is not the ETag " + examETag + " the server sent (RFC 9111 §4.3.1)."}
	}
	return Result{Pass, "Revalidated with If-None-Match: " + inm + " and got a 304 (RFC 9111 §4.3.1)."}
}

// gradeFresh: a response fresh for a minute is not asked for again within
// it by a client that caches.
func gradeFresh(reqs []Request, _ time.Duration) Result {
	main := at(reqs, "")
	switch len(main) {
	case 0:
		return notAsked
	case 1:
		return Result{Pass, "Asked twice, the server saw one request: the second was answered from the client's cache while fresh (max-age=60, RFC 9111 §4.2)."}
	}
	gap := main[1].At - main[0].At
	if gap >= maxAge*time.Second {
		return Result{Info, "Asked again " + secs(gap) + " later, after the response went stale; nothing to judge (RFC 9111 §4.2)."}
	}
	return Result{Info, "Asked again " + secs(gap) + " later, within max-age=60: the client keeps no cache, which it need not (RFC 9111 §4.2)."}
}
