package live

import (
	"fmt"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/teapothq/teapot/internal/respond"
)

// Limits of the options a request may give.
const (
	maxChoices    = 10
	maxWeight     = 100
	maxHeaders    = 10
	maxHeaderLen  = 256
	maxBody       = 1024
	maxRetryAfter = 86400
	maxRangeLen   = 1 << 20
)

// choice is one code of a weighted random pick.
type choice struct {
	code, weight int
}

// request is everything a /status request asked for.
type request struct {
	choices     []choice
	one         [1]choice // the storage of choices when only one is given
	delay       time.Duration
	retryAfter  int    // seconds; -1 for the default
	location    string // a same-origin path; "" for the default
	headers     [][2]string
	body        []byte
	contentType string
	base        string // the base path the request came under, for links
}

// optionError is an option the request got wrong; its message says what
// is allowed.
type optionError struct{ msg string }

func (e *optionError) Error() string { return e.msg }

func badOption(format string, args ...any) error {
	return &optionError{fmt.Sprintf(format, args...)}
}

// parseCodes reads "200", or "200,500:3,503" for a weighted random choice.
func parseCodes(spec string) ([]choice, error) {
	parts := strings.Split(spec, ",")
	if len(parts) > maxChoices {
		return nil, badOption("at most %d codes may be given, separated by commas; got %d", maxChoices, len(parts))
	}
	var out []choice
	for _, p := range parts {
		codeStr, weightStr, hasWeight := strings.Cut(p, ":")
		code, ok := parseCode(codeStr)
		if !ok {
			return nil, badOption("%q is not a status code: give three digits from 100 to 599, such as /status/418 or /status/200,500:3", clip(codeStr))
		}
		w := 1
		if hasWeight {
			n, err := strconv.Atoi(weightStr)
			if err != nil || n < 1 || n > maxWeight {
				return nil, badOption("the weight of %d must be a whole number from 1 to %d, as in 500:3; got %q", code, maxWeight, clip(weightStr))
			}
			w = n
		}
		out = append(out, choice{code, w})
	}
	return out, nil
}

func parseCode(s string) (int, bool) {
	if len(s) != 3 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, n >= 100 && n <= 599
}

// pick draws a code by weight.
func pick(choices []choice, rng *rand.Rand) int {
	total := 0
	for _, c := range choices {
		total += c.weight
	}
	n := rng.IntN(total)
	for _, c := range choices {
		if n < c.weight {
			return c.code
		}
		n -= c.weight
	}
	return choices[len(choices)-1].code
}

// optionHeaders are the request headers that carry the options.
var optionHeaders = map[string]string{
	"delay": "Teapot-Delay", "sleep": "Teapot-Sleep", "retry_after": "Teapot-Retry-After",
	"location": "Teapot-Location", "body": "Teapot-Body", "content_type": "Teapot-Content-Type",
}

// varyHeaders are the option headers in the order Vary lists them.
var varyHeaders = []string{"Teapot-Delay", "Teapot-Sleep", "Teapot-Retry-After", "Teapot-Location",
	"Teapot-Header", "Teapot-Body", "Teapot-Content-Type"}

// varyOn lists the option headers r carries, for Vary: a response they
// shaped must never be given by a cache to a request without them (the
// query is part of the cache key already; these headers are not). nil
// when there are none. Called only for a request with optionHeader.
func varyOn(r *http.Request) []string {
	var vary []string
	for _, name := range varyHeaders {
		if _, ok := r.Header[name]; ok {
			vary = append(vary, name)
		}
	}
	if vary == nil {
		return nil
	}
	return []string{strings.Join(vary, ", ")}
}

// option reads an option from the query (name) or, failing that, from its
// request header, such as Teapot-Retry-After.
func option(r *http.Request, q url.Values, name string) string {
	if v := q.Get(name); v != "" {
		return v
	}
	return r.Header.Get(optionHeaders[name])
}

// optionHeader reports whether a request has any Teapot-* header, in one
// pass over its header: a plain /status/418 then skips both the parsing
// and Vary.
func optionHeader(r *http.Request) bool {
	for k := range r.Header {
		if len(k) > 7 && strings.EqualFold(k[:7], "Teapot-") {
			return true
		}
	}
	return false
}

// requests holds parsed requests for reuse: a request points into itself
// (choices into one), so it cannot live on the stack, and /status is a
// hot path. Nothing keeps a request once its answer is written.
var requests = sync.Pool{New: func() any { return new(request) }}

// parseRequest reads the options of a /status request into req; headers
// says whether it has any Teapot-* header (optionHeader).
func parseRequest(req *request, r *http.Request, maxDelay time.Duration, headers bool) error {
	*req = request{retryAfter: -1, base: respond.Base(r)}
	spec := r.PathValue("codes")
	if code, ok := parseCode(spec); ok {
		// One code, the usual case: no list to split.
		req.one[0] = choice{code, 1}
		req.choices = req.one[:]
	} else {
		choices, err := parseCodes(spec)
		if err != nil {
			return err
		}
		req.choices = choices
	}
	if r.URL.RawQuery == "" && !headers {
		return nil
	}
	q := r.URL.Query()
	d := option(r, q, "delay")
	if d == "" {
		d = option(r, q, "sleep")
	}
	if d != "" {
		var err error
		if req.delay, err = parseDelay(d, maxDelay); err != nil {
			return err
		}
	}
	if ra := option(r, q, "retry_after"); ra != "" {
		n, err := strconv.Atoi(ra)
		if err != nil || n < 0 || n > maxRetryAfter {
			return badOption("retry_after is a number of seconds from 0 to %d; got %q", maxRetryAfter, clip(ra))
		}
		req.retryAfter = n
	}
	if loc := option(r, q, "location"); loc != "" {
		if err := checkLocation(loc, req.base); err != nil {
			return err
		}
		req.location = loc
	}
	hs := q["header"]
	hs = append(hs, r.Header.Values("Teapot-Header")...)
	if len(hs) > maxHeaders {
		return badOption("at most %d header options are allowed; got %d", maxHeaders, len(hs))
	}
	for _, h := range hs {
		name, value, err := checkHeader(h)
		if err != nil {
			return err
		}
		req.headers = append(req.headers, [2]string{name, value})
	}
	if body := option(r, q, "body"); body != "" {
		if len(body) > maxBody {
			return badOption("body may be at most %d bytes; got %d", maxBody, len(body))
		}
		req.body = []byte(body)
		req.contentType = "text/plain; charset=utf-8"
	}
	if ct := option(r, q, "content_type"); ct != "" {
		if req.body == nil {
			return badOption("content_type needs a body option")
		}
		if _, _, err := mime.ParseMediaType(ct); err != nil || len(ct) > maxHeaderLen {
			return badOption("content_type %q is not a media type such as application/json", clip(ct))
		}
		req.contentType = ct
	}
	return nil
}

// parseDelay reads milliseconds ("1500") or a Go duration ("1.5s").
func parseDelay(s string, max time.Duration) (time.Duration, error) {
	var d time.Duration
	if n, err := strconv.Atoi(s); err == nil {
		d = time.Duration(n) * time.Millisecond
	} else if d, err = time.ParseDuration(s); err != nil {
		return 0, badOption("delay is milliseconds (1500) or a duration (1.5s); got %q", clip(s))
	}
	if d < 0 || d > max {
		return 0, badOption("delay must be from 0 to %v on this server; got %q", max, clip(s))
	}
	return d, nil
}

// checkLocation accepts only a path on this origin under the base path
// teapot is served at, so that teapot is never an open redirect, not even
// to another application on the same host: no scheme, no host, no "//"
// or "/\\" that browsers read as another host, no control characters, and
// under a base path no dot segment that a browser would resolve out of it.
func checkLocation(loc, base string) error {
	example := base + "/404"
	refuse := badOption("location must be a path on this server, such as %s; got %q", example, clip(loc))
	if len(loc) > maxHeaderLen || !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") ||
		strings.ContainsAny(loc, "\\\r\n\t") {
		return refuse
	}
	for i := 0; i < len(loc); i++ {
		if loc[i] < 0x20 || loc[i] == 0x7f {
			return refuse
		}
	}
	u, err := url.Parse(loc)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return refuse
	}
	// Percent-encoded slashes and backslashes decode to the same tricks.
	dec, err := url.PathUnescape(u.EscapedPath())
	if err != nil || strings.HasPrefix(dec, "//") || strings.Contains(dec, "\\") {
		return refuse
	}
	if base == "" {
		return nil
	}
	if dec != base && !strings.HasPrefix(dec, base+"/") || hasDotSegment(dec) {
		return badOption("location must be a path under %s, where this server is; got %q", base, clip(loc))
	}
	return nil
}

// hasDotSegment reports whether p has a "." or ".." segment.
func hasDotSegment(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

func clip(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}
