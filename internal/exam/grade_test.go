package exam

import (
	"strings"
	"testing"
	"time"
)

// req is a journaled request for the grading tables: at seconds after the
// start, to step, with status; opts adjust it.
func req(at float64, method, step string, status int, opts ...func(*Request)) Request {
	r := Request{At: time.Duration(at * float64(time.Second)), Method: method, Step: step, Status: status,
		Header: map[string]string{}}
	for _, o := range opts {
		o(&r)
	}
	return r
}

func wait(d time.Duration) func(*Request) { return func(r *Request) { r.Wait = d } }
func body(n int64, sum string) func(*Request) {
	return func(r *Request) { r.Body, r.SHA256 = n, sum }
}
func header(k, v string) func(*Request) { return func(r *Request) { r.Header[k] = v } }

// TestGrade grades synthetic journals of every check, each case with the
// verdict and words of the reason (its numbers) it must give.
func TestGrade(t *testing.T) {
	t.Parallel()
	const tol = 150 * time.Millisecond
	post := body(17, "aa")
	for _, tc := range []struct {
		name, check string
		reqs        []Request
		want        Verdict
		says        []string
	}{
		{"nothing", "retry-after-seconds", nil, NotRun, []string{"no request"}},
		{"only a sub-path", "redirect-307", []Request{req(0, "POST", "target", 200)}, NotRun, []string{"check's URL"}},

		{"seconds: waited", "retry-after-seconds", []Request{req(0, "GET", "", 503, wait(2*time.Second)), req(2.03, "GET", "", 200)},
			Pass, []string{"Retried after 2.03 s", "asked for 2 s", "RFC 9110 §10.2.3"}},
		{"seconds: within the tolerance", "retry-after-seconds", []Request{req(0, "GET", "", 503, wait(2*time.Second)), req(1.9, "GET", "", 200)},
			Pass, []string{"1.90 s"}},
		{"seconds: too soon", "retry-after-seconds", []Request{req(0, "GET", "", 503, wait(2*time.Second)), req(0.4, "GET", "", 200)},
			Fail, []string{"Retried after 0.40 s; Retry-After asked for 2 s (RFC 9110 §10.2.3)."}},
		{"seconds: no retry", "retry-after-seconds", []Request{req(0, "GET", "", 503, wait(2*time.Second))},
			Warn, []string{"Did not retry after the 503", "2 s"}},
		{"date: waited", "retry-after-date", []Request{req(1, "GET", "", 503, wait(3410*time.Millisecond)), req(5, "GET", "", 200)},
			Pass, []string{"4.00 s", "a date 3.41 s ahead"}},
		{"date: read as nothing", "retry-after-date", []Request{req(1, "GET", "", 503, wait(3410*time.Millisecond)), req(2, "GET", "", 200)},
			Fail, []string{"1.00 s", "3.41 s"}},
		{"429: waited", "rate-limited", []Request{req(0, "GET", "", 429, wait(2*time.Second)), req(2, "GET", "", 200)},
			Pass, []string{"RFC 6585 §4"}},
		{"429: at once", "rate-limited", []Request{req(0, "GET", "", 429, wait(2*time.Second)), req(0.01, "GET", "", 200)},
			Fail, []string{"0.01 s"}},

		{"backoff: doubling", "backoff", []Request{req(0, "GET", "", 503), req(1, "GET", "", 503), req(3, "GET", "", 503), req(7, "GET", "", 200)},
			Pass, []string{"1.00 s, 2.00 s and 4.00 s", "grew"}},
		{"backoff: constant", "backoff", []Request{req(0, "GET", "", 503), req(1, "GET", "", 503), req(2.05, "GET", "", 503), req(3, "GET", "", 200)},
			Warn, []string{"constant"}},
		{"backoff: hammering", "backoff", []Request{req(0, "GET", "", 503), req(0.01, "GET", "", 503), req(0.02, "GET", "", 503), req(0.03, "GET", "", 200)},
			Fail, []string{"no real wait", "3 times", "under 0.5 s"}},
		{"backoff: growing from little", "backoff", []Request{req(0, "GET", "", 503), req(0.1, "GET", "", 503), req(0.4, "GET", "", 503), req(1, "GET", "", 200)},
			Pass, []string{"0.10 s, 0.30 s and 0.60 s"}},
		{"backoff: a slow restart", "backoff", []Request{req(0, "GET", "", 503), req(0.3, "GET", "", 503)}, Fail, []string{"0.30 s"}},
		{"backoff: shrinking", "backoff", []Request{req(0, "GET", "", 503), req(2, "GET", "", 503), req(3, "GET", "", 503), req(3.5, "GET", "", 200)},
			Warn, []string{"did not grow"}},
		{"backoff: one retry", "backoff", []Request{req(0, "GET", "", 503), req(1, "GET", "", 503)},
			Info, []string{"once, after 1.00 s"}},
		{"backoff: none", "backoff", []Request{req(0, "GET", "", 503)}, Warn, []string{"Did not retry"}},
		{"backoff: the 200 ends it", "backoff", []Request{req(0, "GET", "", 503), req(1, "GET", "", 503), req(3, "GET", "", 503), req(7, "GET", "", 200), req(7.01, "GET", "", 200)},
			Pass, []string{"4.00 s before"}},

		{"post: once", "post-not-replayed", []Request{req(0, "POST", "", 503, post)}, Pass, []string{"once", "RFC 9110 §9.2.2"}},
		{"post: repeated", "post-not-replayed", []Request{req(0, "POST", "", 503, post), req(1, "POST", "", 200, post)},
			Fail, []string{"1 time", "without an Idempotency-Key"}},
		{"post: repeated with a key", "post-not-replayed", []Request{req(0, "POST", "", 503, post, header("Idempotency-Key", "k1")),
			req(1, "POST", "", 200, post, header("Idempotency-Key", "k1"))}, Pass, []string{"Idempotency-Key"}},
		{"post: the key changed", "post-not-replayed", []Request{req(0, "POST", "", 503, post, header("Idempotency-Key", "k1")),
			req(1, "POST", "", 200, post, header("Idempotency-Key", "k2"))}, Fail, []string{"different Idempotency-Key"}},
		{"post: a GET", "post-not-replayed", []Request{req(0, "GET", "", 503)}, Warn, []string{"GET, not the POST"}},

		{"307: kept", "redirect-307", []Request{req(0, "POST", "", 307, post), req(0, "POST", "target", 200, post)},
			Pass, []string{"POST with a 17-byte body", "§15.4.8"}},
		{"307: to GET", "redirect-307", []Request{req(0, "POST", "", 307, post), req(0, "GET", "target", 200)},
			Fail, []string{"GET without a body", "does not allow changing the method"}},
		{"307: body lost", "redirect-307", []Request{req(0, "POST", "", 307, post), req(0, "POST", "target", 200)},
			Fail, []string{"body must be sent again"}},
		{"307: body changed", "redirect-307", []Request{req(0, "POST", "", 307, post), req(0, "POST", "target", 200, body(17, "bb"))},
			Fail, []string{"body must be sent again"}},
		{"307: not followed", "redirect-307", []Request{req(0, "POST", "", 307, post)}, Info, []string{"Did not follow the 307"}},
		{"308: kept", "redirect-308", []Request{req(0, "POST", "", 308, post), req(0, "POST", "target", 200, post)}, Pass, []string{"§15.4.9"}},
		{"303: GET", "redirect-303", []Request{req(0, "POST", "", 303, post), req(0, "GET", "target", 200)}, Pass, []string{"GET without a body"}},
		{"303: POST again", "redirect-303", []Request{req(0, "POST", "", 303, post), req(0, "POST", "target", 200, post)},
			Fail, []string{"POST with a 17-byte body", "§15.4.4"}},
		{"303: POST without its body", "redirect-303", []Request{req(0, "POST", "", 303, post), req(0, "POST", "target", 200)}, Fail, nil},
		{"301-302: to GET", "redirect-301-302", []Request{req(0, "POST", "", 301, post), req(0, "GET", "moved", 302), req(0, "GET", "target", 200)},
			Info, []string{"301: changed POST to GET without a body; 302: kept GET without a body", "Both are allowed"}},
		{"301-302: kept", "redirect-301-302", []Request{req(0, "POST", "", 301, post), req(0, "POST", "moved", 302, post), req(0, "POST", "target", 200, post)},
			Info, []string{"301: kept POST with a 17-byte body; 302: kept POST"}},
		{"301-302: POST without its body", "redirect-301-302", []Request{req(0, "POST", "", 301, post), req(0, "POST", "moved", 302), req(0, "POST", "target", 200)},
			Fail, []string{"kept POST but sent 0 of its 17 bytes"}},
		{"301-302: GET with the body", "redirect-301-302", []Request{req(0, "POST", "", 301, post), req(0, "GET", "moved", 302, post)},
			Fail, []string{"but still sent 17 bytes", "did not follow the 302"}},
		{"301-302: not followed", "redirect-301-302", []Request{req(0, "POST", "", 301, post)}, Info, []string{"Did not follow the 301"}},

		{"loop: stopped", "redirect-loop", loop(10), Pass, []string{"Followed 9 redirects", "10 requests"}},
		{"loop: never", "redirect-loop", loop(maxLoop + 1), Fail, []string{"all 100 redirects"}},
		{"loop: not followed", "redirect-loop", loop(1), Info, []string{"Did not follow"}},

		{"revalidate: with the ETag", "revalidate", []Request{req(0, "GET", "", 200), req(1, "GET", "", 304, header("If-None-Match", examETag))},
			Pass, []string{`If-None-Match: "exam-v1"`, "304"}},
		{"revalidate: no cache", "revalidate", []Request{req(0, "GET", "", 200), req(1, "GET", "", 200)}, Info, []string{"unconditional"}},
		{"revalidate: date only", "revalidate", []Request{req(0, "GET", "", 200), req(1, "GET", "", 200, header("If-Modified-Since", "x"))},
			Fail, []string{"If-Modified-Since only", "§4.3.1"}},
		{"revalidate: another tag", "revalidate", []Request{req(0, "GET", "", 200), req(1, "GET", "", 200, header("If-None-Match", `"v0"`))},
			Fail, []string{`"\"v0\""`}},
		{"revalidate: once", "revalidate", []Request{req(0, "GET", "", 200)}, Warn, []string{"§5.2.2.4"}},
		{"fresh: cached", "fresh-cache", []Request{req(0, "GET", "", 200)}, Pass, []string{"max-age=60"}},
		{"fresh: asked again", "fresh-cache", []Request{req(0, "GET", "", 200), req(0.25, "GET", "", 200)}, Info, []string{"0.25 s later", "no cache"}},
		{"fresh: after it went stale", "fresh-cache", []Request{req(0, "GET", "", 200), req(61, "GET", "", 200)}, Info, []string{"stale"}},

		{"cross-origin: dropped", "cross-origin-auth", []Request{req(0, "GET", "", 302, header("Authorization", Redacted)), req(0, "GET", "target", 200)},
			Pass, []string{"without the credentials"}},
		{"cross-origin: forwarded", "cross-origin-auth", []Request{req(0, "GET", "", 302, header("Authorization", Redacted), header("Cookie", Redacted)),
			req(0, "GET", "target", 200, header("Authorization", Redacted), header("Cookie", Redacted))}, Fail, []string{"Authorization and Cookie"}},
		{"cross-origin: no credentials", "cross-origin-auth", []Request{req(0, "GET", "", 302)}, Warn, []string{"no Authorization"}},
		{"cross-origin: not followed", "cross-origin-auth", []Request{req(0, "GET", "", 302, header("Authorization", Redacted))}, Info, []string{"Did not follow the 302"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Lookup(tc.check)
			if c == nil {
				t.Fatalf("no check %q", tc.check)
			}
			got := c.Grade(tc.reqs, tol)
			if got.Verdict != tc.want {
				t.Errorf("%s: %s (%q), want %s", tc.check, got.Verdict, got.Reason, tc.want)
			}
			for _, s := range tc.says {
				if !strings.Contains(got.Reason, s) {
					t.Errorf("%s: the reason %q does not say %q", tc.check, got.Reason, s)
				}
			}
			if !strings.HasSuffix(got.Reason, ".") || strings.Count(got.Reason, "RFC") == 0 && got.Verdict != NotRun && got.Verdict != Warn {
				t.Errorf("%s: the reason %q should be a sentence citing an RFC", tc.check, got.Reason)
			}
		})
	}
}

// loop is n requests of a redirect loop.
func loop(n int) []Request {
	var out []Request
	for i := range n {
		out = append(out, req(float64(i)/1000, "GET", "", 302))
	}
	return out
}

// TestChecksTable: the table is complete and consistent: the issue's
// checks are all there, each names an RFC section and says what it
// tests, and every check with a body is a POST.
func TestChecksTable(t *testing.T) {
	t.Parallel()
	want := []string{"retry-after-seconds", "retry-after-date", "rate-limited", "backoff", "post-not-replayed",
		"redirect-307", "redirect-308", "redirect-303", "redirect-301-302", "redirect-loop", "revalidate", "fresh-cache",
		"cross-origin-auth"}
	for _, name := range want {
		c := Lookup(name)
		if c == nil {
			t.Errorf("no check %s", name)
			continue
		}
		if !strings.Contains(c.RFC, "RFC ") || !strings.Contains(c.RFC, "§") || c.Tests == "" || c.answer == nil || c.grade == nil || c.Repeat < 1 {
			t.Errorf("%s is incomplete: %+v", name, c)
		}
		if (c.Body != "") != (c.Method == "POST") {
			t.Errorf("%s: %s with body %q", name, c.Method, c.Body)
		}
	}
	if len(Checks()) != len(want) {
		t.Errorf("%d checks, want %d", len(Checks()), len(want))
	}
}
