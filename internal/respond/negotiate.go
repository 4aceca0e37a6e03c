package respond

import (
	"strconv"
	"strings"
)

// maxAcceptParts bounds the work spent on one Accept or Accept-Encoding
// header; a real browser sends fewer than ten.
const maxAcceptParts = 32

// Negotiate picks the offer (a media type such as "text/html") that the
// Accept header prefers, following RFC 9110 Section 12.5.1: the most
// specific matching range gives each offer its quality, the highest quality
// wins, and ties go to the earlier offer. An empty or unparseable header
// accepts anything. ok is false when the header rules out every offer.
func Negotiate(accept string, offers ...string) (best string, ok bool) {
	ranges := parseAccept(accept)
	if len(ranges) == 0 {
		return offers[0], true
	}
	bestQ := 0.0
	for _, offer := range offers {
		q := quality(ranges, offer)
		if q > bestQ {
			best, bestQ = offer, q
		}
	}
	return best, bestQ > 0
}

type mediaRange struct {
	typ, sub string
	q        float64
}

func parseAccept(h string) []mediaRange {
	var out []mediaRange
	for i, part := range strings.Split(h, ",") {
		if i == maxAcceptParts {
			break
		}
		mt, params, _ := strings.Cut(part, ";")
		typ, sub, ok := strings.Cut(strings.ToLower(strings.TrimSpace(mt)), "/")
		if !ok || !IsToken(typ) || !IsToken(sub) || (typ == "*" && sub != "*") {
			continue // malformed ranges are ignored, not trusted
		}
		q, valid := qValue(params)
		if !valid {
			continue
		}
		out = append(out, mediaRange{typ, sub, q})
	}
	return out
}

// quality is the q of the most specific range matching offer, 0 if none.
func quality(ranges []mediaRange, offer string) float64 {
	typ, sub, _ := strings.Cut(offer, "/")
	q, spec := 0.0, -1
	for _, r := range ranges {
		s := -1
		switch {
		case r.typ == typ && r.sub == sub:
			s = 2
		case r.typ == typ && r.sub == "*":
			s = 1
		case r.typ == "*":
			s = 0
		}
		if s > spec {
			q, spec = r.q, s
		}
	}
	return q
}

// qValue finds the q parameter among params ("; q=0.5; level=1"); valid is
// false when q is present but not a number from 0 to 1.
func qValue(params string) (q float64, valid bool) {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || f > 1 || len(v) > 6 {
				return 0, false
			}
			return f, true
		}
	}
	return 1, true
}

// IsToken reports whether s is an HTTP token (RFC 9110 Section 5.6.2): a
// field name, a media type part, a method.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// Encodings says which content codings an Accept-Encoding header allows.
type Encodings struct{ Brotli, Gzip bool }

// AcceptEncoding parses an Accept-Encoding header (RFC 9110 Section 12.5.3).
// It runs on every request, so it allocates nothing.
func AcceptEncoding(h string) Encodings {
	var e Encodings
	var star, brSeen, gzSeen bool
	for i := 0; h != "" && i < maxAcceptParts; i++ {
		var part string
		part, h, _ = strings.Cut(h, ",")
		name, params, _ := strings.Cut(part, ";")
		name = strings.TrimSpace(name)
		q, valid := qValue(params)
		if !valid {
			continue
		}
		switch {
		case strings.EqualFold(name, "br"):
			brSeen, e.Brotli = true, q > 0
		case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
			gzSeen, e.Gzip = true, q > 0
		case name == "*":
			star = q > 0
		}
	}
	if star {
		e.Brotli = e.Brotli || !brSeen
		e.Gzip = e.Gzip || !gzSeen
	}
	return e
}

// cliAgents start the User-Agent of command-line clients: curl, wget,
// HTTPie, xh and FreeBSD's fetch.
var cliAgents = []string{"curl/", "Wget/", "HTTPie/", "xh/", "fetch libfetch"}

// CommandLine reports whether a User-Agent is a command-line client's,
// which prefers plain text to HTML when Accept does not say.
func CommandLine(ua string) bool {
	for _, p := range cliAgents {
		if strings.HasPrefix(ua, p) {
			return true
		}
	}
	return false
}
