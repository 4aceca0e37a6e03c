package live

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// special is what /status/CODE does for one code beyond the standard body.
// Most rows are only data; serve is set where the exchange itself differs
// (an upgrade, an interim response, a range, a condition, a dropped
// connection).
type special struct {
	// fields are set on the response before anything is written. A field
	// replaces any value of that name, and the field right after it with
	// the same name adds a second value.
	fields []field
	// note is a sentence the standard body adds about what the response
	// shows; it may hold placeholders as field values do.
	note string
	// noBody sends the status and fields alone.
	noBody bool
	// expose lists the fields of this response that a script on another
	// origin can read only when Access-Control-Expose-Headers names them.
	// The CORS-safelisted fields (Content-Type, Cache-Control,
	// Content-Length, ...) need no listing.
	expose string
	// serve, when set, writes the whole response itself once fields are
	// set; note and noBody are then unused.
	serve answer
}

// field is a header field of a row. The value may hold placeholders that
// expand fills in for each response: {base} is the base path, {location}
// the location option or else the code's own page, and {retry_after} the
// retry_after option or else 60.
type field struct{ name, value string }

// answer writes a whole response for a row whose exchange is not just
// fields and a body.
type answer func(l *Live, w http.ResponseWriter, r *http.Request, code int, req *request)

// specials are the codes answered with what the RFCs require or recommend
// for them. A code not listed gets the standard body and nothing more,
// except that every 1xx is a real interim response (see table).
var specials = map[int]special{
	100: {serve: (*Live).continue100},
	101: {serve: (*Live).switchProtocols},
	// A real 102 promises that more time is needed, so it takes some.
	102: {serve: interim(nil, 50*time.Millisecond)},
	103: {serve: interim([]field{
		{"Link", "<{base}/assets/>; rel=preconnect"},
		{"Link", "<{base}/103>; rel=preload; as=fetch; crossorigin"},
	}, 0), expose: "Link"},

	201: {fields: []field{{"Location", "{location}"}}, expose: "Location"},
	204: {noBody: true},
	205: {noBody: true},
	206: {serve: (*Live).partial, expose: "ETag, Accept-Ranges, Content-Range"},

	300: {fields: []field{{"Location", "{base}/300"}}, expose: "Location",
		note: "Choices: {base}/300 (HTML), {base}/300.json (JSON), {base}/300.txt (text)."},
	301: {fields: []field{{"Location", "{location}"}}, expose: "Location"},
	302: {fields: []field{{"Location", "{location}"}}, expose: "Location"},
	303: {fields: []field{{"Location", "{location}"}}, expose: "Location"},
	304: {fields: []field{{"ETag", demoETag}}, serve: (*Live).conditional, expose: "ETag"},
	307: {fields: []field{{"Location", "{location}"}}, expose: "Location"},
	308: {fields: []field{{"Location", "{location}"}}, expose: "Location"},

	401: {fields: []field{
		{"WWW-Authenticate", `Basic realm="teapot", charset="UTF-8"`},
		{"WWW-Authenticate", `Bearer realm="teapot"`},
	}, expose: "WWW-Authenticate"},
	405: {fields: []field{{"Allow", "GET, HEAD"}}, expose: "Allow"},
	406: {note: "This endpoint can send application/json, text/plain and text/html."},
	407: {fields: []field{{"Proxy-Authenticate", `Basic realm="teapot proxy"`}}, expose: "Proxy-Authenticate"},
	408: {fields: []field{{"Connection", "close"}}},
	413: {fields: []field{{"Retry-After", "{retry_after}"}}, expose: "Retry-After"},
	415: {fields: []field{{"Accept", "application/json, text/plain"}, {"Accept-Encoding", "identity"}},
		expose: "Accept, Accept-Encoding"},
	416: {fields: []field{{"Content-Range", "bytes */" + strconv.Itoa(len(demo))}}, expose: "Content-Range"},
	426: {fields: []field{{"Upgrade", "TLS/1.3, HTTP/2.0"}, {"Connection", "Upgrade"}}, expose: "Upgrade"},
	429: {fields: []field{
		{"Retry-After", "{retry_after}"},
		{"RateLimit-Policy", `"teapot";q=100;w=60`},
		{"RateLimit", `"teapot";r=0;t={retry_after}`},
	}, expose: "Retry-After, RateLimit, RateLimit-Policy"},
	444: {serve: closeWithoutResponse},
	451: {fields: []field{{"Link", `<{base}/451>; rel="blocked-by"`}}, expose: "Link"},

	503: {fields: []field{{"Retry-After", "{retry_after}"}}, expose: "Retry-After"},
	511: {note: "Log in to the network first: {base}/511 explains captive portals."},
}

// table is specials by code, for a lookup without hashing; a 1xx code not
// in specials is a plain interim response.
var table = func() (t [600]special) {
	for code := 100; code < 200; code++ {
		t[code] = special{serve: plainInterim}
	}
	for code, s := range specials {
		t[code] = s
	}
	return t
}()

// exposedValues are the expose lists of table as header values, made once.
var exposedValues = func() (v [600][]string) {
	for code, s := range specials {
		if s.expose != "" {
			v[code] = []string{s.expose}
		}
	}
	return v
}()

// hvExposeRetry exposes the Retry-After of the limits' own answers.
var hvExposeRetry = []string{"Retry-After"}

// exposeFor is the Access-Control-Expose-Headers value of a response with
// code and the custom headers hs, or nil when it needs none.
func exposeFor(code int, hs [][2]string) []string {
	v := exposedValues[code]
	if len(hs) == 0 {
		return v
	}
	var b strings.Builder
	if v != nil {
		b.WriteString(v[0])
	}
	for _, h := range hs {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(h[0])
	}
	return []string{b.String()}
}

// respond writes code as its row of table says.
func (l *Live) respond(w http.ResponseWriter, r *http.Request, code int, req *request) {
	s := &table[code]
	l.setFields(w.Header(), s.fields, code, req)
	switch {
	case s.serve != nil:
		s.serve(l, w, r, code, req)
	case s.noBody:
		w.WriteHeader(code)
	default:
		l.writeBody(w, r, code, req, l.expand(s.note, code, req))
	}
}

// setFields sets fs on h with their placeholders filled in.
func (l *Live) setFields(h http.Header, fs []field, code int, req *request) {
	for i, f := range fs {
		v := l.expand(f.value, code, req)
		if i > 0 && fs[i-1].name == f.name {
			h.Add(f.name, v)
		} else {
			h.Set(f.name, v)
		}
	}
}

// expand fills in the placeholders of a row's text for one response. It
// reads the text once from left to right, so that what a request supplies
// (a location) is never itself read as a placeholder.
func (l *Live) expand(s string, code int, req *request) string {
	if !strings.Contains(s, "{") {
		return s
	}
	// A text that is one placeholder, the usual case, needs no copying.
	if s[0] == '{' && strings.IndexByte(s, '}') == len(s)-1 {
		return l.placeholder(s[1:len(s)-1], code, req)
	}
	var b strings.Builder
	for {
		before, rest, ok := strings.Cut(s, "{")
		name, after, closed := strings.Cut(rest, "}")
		if !ok || !closed {
			break
		}
		b.WriteString(before)
		b.WriteString(l.placeholder(name, code, req))
		s = after
	}
	b.WriteString(s)
	return b.String()
}

// placeholder is the value of {name} in a response to req; an unknown
// name is kept as written.
func (l *Live) placeholder(name string, code int, req *request) string {
	switch name {
	case "base":
		return req.base
	case "location":
		if req.location != "" {
			return req.location
		}
		return req.base + "/" + strconv.Itoa(code)
	case "retry_after":
		if req.retryAfter < 0 {
			return "60"
		}
		return strconv.Itoa(req.retryAfter)
	}
	return "{" + name + "}"
}
