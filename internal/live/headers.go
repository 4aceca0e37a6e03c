package live

import (
	"net/http"
	"slices"
	"strings"

	"github.com/teapothq/teapot/internal/respond"
)

// allowedHeaders are the response header fields the header option may
// set: the ones a client under test reads for itself. It is an allow
// list, not a deny list, because the fields that do harm are the ones
// something other than the client acts on, and that set keeps growing: a
// reverse proxy in front (nginx's X-Accel-Redirect serves an internal
// file, X-Sendfile and X-LiteSpeed-* the like), a cache (Cache-Control,
// Surrogate-Control, Vary), or the browser on teapot's origin (Set-Cookie,
// CSP, NEL, Accept-CH, Content-Disposition, Set-Login, ...). Fields
// teapot sets itself have their own options (location, retry_after,
// content_type) or are computed (Allow on 405, Content-Range on 206).
var allowedHeaders = []string{
	// Rate limits, as clients that back off read them.
	"RateLimit", "RateLimit-Policy", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset",
	"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Used",
	// Challenges and what a server accepts.
	"WWW-Authenticate", "Authentication-Info", "Allow", "Accept", "Accept-Encoding",
	"Accept-Patch", "Accept-Post", "Accept-Ranges", "Content-Language",
	// Validators, deprecation and preferences.
	"ETag", "Last-Modified", "Deprecation", "Sunset", "Preference-Applied",
	"Content-Digest", "Repr-Digest",
	// Tracing and request ids.
	"X-Request-Id", "X-Correlation-Id", "Request-Id", "Traceparent", "Tracestate", "Server-Timing",
	"Server",
}

// testerPrefix names fields of the tester's own: X-Test-Anything.
const testerPrefix = "X-Test-"

// AllowedHeaders lists what the header option may set, for the help text
// and the pages: the fields above and any X-Test-* field.
func AllowedHeaders() []string {
	return append(slices.Clone(allowedHeaders), testerPrefix+"*")
}

// allowedName is name as the allow list spells it (RateLimit, ETag),
// or "" when the header option may not set it.
func allowedName(name string) string {
	if i := slices.IndexFunc(allowedHeaders, func(a string) bool { return strings.EqualFold(a, name) }); i >= 0 {
		return allowedHeaders[i]
	}
	if len(name) > len(testerPrefix) && strings.EqualFold(name[:len(testerPrefix)], testerPrefix) {
		return http.CanonicalHeaderKey(name)
	}
	return ""
}

// checkHeader reads "Name: value" (or "Name=value").
func checkHeader(h string) (string, string, error) {
	i := strings.IndexAny(h, ":=")
	if i <= 0 {
		return "", "", badOption("header is Name:value, such as header=X-Request-Id:42; got %q", clip(h))
	}
	name, value := strings.TrimSpace(h[:i]), strings.TrimSpace(h[i+1:])
	if !respond.IsToken(name) || len(name) > 64 {
		return "", "", badOption("header name %q is not a valid field name", clip(name))
	}
	allowed := allowedName(name)
	if allowed == "" {
		return "", "", badOption("header %s may not be set: the header option sets only the fields a client reads for itself (%s), so that nothing in front of teapot or in the browser acts on it; location, retry_after and content_type have options of their own",
			http.CanonicalHeaderKey(name), strings.Join(AllowedHeaders(), ", "))
	}
	name = allowed
	if len(value) > maxHeaderLen {
		return "", "", badOption("header %s may be at most %d bytes; got %d", name, maxHeaderLen, len(value))
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return "", "", badOption("header %s has a control character", name)
		}
	}
	return name, value, nil
}
