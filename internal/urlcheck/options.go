package urlcheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/teapothq/teapot/internal/respond"
)

// Limits of one check request, besides the server's own (URLs per
// request, the longest timeout).
const (
	MaxBody         = 256 << 10 // bytes of a request body
	MaxURLLen       = 2048
	MaxHeaders      = 10
	maxHeaderName   = 64
	maxHeaderValue  = 512
	MaxRedirectsCap = 20
	DefaultMaxHops  = 10
)

// Request is the body of POST /api/check. Fields left out take their
// defaults: GET, follow redirects, 10 redirects, the teapot user agent,
// the server's timeout.
type Request struct {
	URLs         []string          `json:"urls"`
	Method       string            `json:"method,omitempty"`
	Follow       *bool             `json:"follow,omitempty"`
	MaxRedirects *int              `json:"max_redirects,omitempty"`
	UserAgent    string            `json:"user_agent,omitempty"`
	Headers      map[string]string `json:"headers,omitempty"`
	Timeout      string            `json:"timeout,omitempty"`
}

// Spec is a validated check: how to check each URL.
type Spec struct {
	Method       string
	Follow       bool
	MaxRedirects int
	Agent        string // the preset's name
	Header       http.Header
	Timeout      time.Duration
}

// InputError is a request the checker will not run; its message names
// the limit or rule broken.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

func badInput(format string, args ...any) error {
	return &InputError{fmt.Sprintf(format, args...)}
}

// Limits are the server's limits on a request.
type Limits struct {
	MaxURLs    int           // 0: no limit (the command line)
	MaxTimeout time.Duration // also the default timeout
}

// agent is a user agent preset: its User-Agent, Accept and
// Accept-Encoding.
type agent struct{ ua, accept, encoding string }

// Agents are the user agent presets by name.
var agents = map[string]agent{
	"teapot":    {"teapot-check/1 (+https://github.com/teapothq/teapot)", "*/*", "gzip, br"},
	"browser":   {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "gzip, deflate, br"},
	"curl":      {"curl/8.5.0", "*/*", ""},
	"googlebot": {"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "gzip, deflate, br"},
}

// AgentNames lists the presets, for messages and help.
const AgentNames = "teapot, browser, curl, googlebot"

// ParseRequest reads a check request from a JSON or form body and
// validates all of it: nothing is checked unless everything is valid.
func ParseRequest(contentType string, body []byte, lim Limits) (Spec, []*url.URL, error) {
	req, err := decode(contentType, body)
	if err != nil {
		return Spec{}, nil, err
	}
	spec, err := req.Spec(lim)
	if err != nil {
		return Spec{}, nil, err
	}
	urls, err := ParseURLs(req.URLs, lim.MaxURLs)
	return spec, urls, err
}

func decode(contentType string, body []byte) (Request, error) {
	var req Request
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "application/x-www-form-urlencoded" && bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		mt = "application/json" // curl -d sends JSON with the form's type
	}
	switch mt {
	case "application/x-www-form-urlencoded":
		return decodeForm(body)
	case "application/json", "":
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return req, badInput("the body is not a check request in JSON: %v", err)
		}
		if dec.More() {
			return req, badInput("the body must be one JSON object")
		}
		return req, nil
	}
	return req, badInput("Content-Type %q is not accepted: send application/json (or a form)", contentType)
}

// decodeForm reads the HTML form: urls one a line, headers "Name: value"
// one a line, follow present when checked.
func decodeForm(body []byte) (Request, error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return Request{}, badInput("the form is malformed: %v", err)
	}
	req := Request{Method: v.Get("method"), UserAgent: v.Get("user_agent"), Timeout: v.Get("timeout")}
	for _, line := range strings.Split(v.Get("urls"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			req.URLs = append(req.URLs, line)
		}
	}
	follow := v.Get("follow") != ""
	req.Follow = &follow
	if s := v.Get("max_redirects"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return req, badInput("max_redirects %q is not a number", s)
		}
		req.MaxRedirects = &n
	}
	for _, line := range strings.Split(v.Get("headers"), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return req, badInput("header line %q must look like Name: value", respond.Truncate(line, 40))
		}
		if req.Headers == nil {
			req.Headers = map[string]string{}
		}
		req.Headers[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	return req, nil
}

// Spec validates the options of req (not its URLs) against lim.
func (req Request) Spec(lim Limits) (Spec, error) {
	s := Spec{Method: http.MethodGet, Follow: true, MaxRedirects: DefaultMaxHops, Agent: "teapot", Timeout: lim.MaxTimeout}
	switch m := strings.ToUpper(req.Method); m {
	case "", "GET":
	case "HEAD":
		s.Method = m
	default:
		return s, badInput("method %q is not allowed: use GET or HEAD", respond.Truncate(req.Method, 20))
	}
	if req.Follow != nil {
		s.Follow = *req.Follow
	}
	if req.MaxRedirects != nil {
		if n := *req.MaxRedirects; n < 0 || n > MaxRedirectsCap {
			return s, badInput("max_redirects %d must be from 0 to %d", n, MaxRedirectsCap)
		}
		s.MaxRedirects = *req.MaxRedirects
	}
	if req.UserAgent != "" {
		if _, ok := agents[strings.ToLower(req.UserAgent)]; !ok {
			return s, badInput("user_agent %q is not a preset: use one of %s", respond.Truncate(req.UserAgent, 20), AgentNames)
		}
		s.Agent = strings.ToLower(req.UserAgent)
	}
	if req.Timeout != "" {
		d, err := time.ParseDuration(req.Timeout)
		if err != nil || d <= 0 || d > lim.MaxTimeout {
			return s, badInput("timeout %q must be a duration such as 5s, more than 0 and at most %v", respond.Truncate(req.Timeout, 20), lim.MaxTimeout)
		}
		s.Timeout = d
	}
	h, err := parseHeaders(req.Headers)
	s.Header = h
	return s, err
}

// refusedHeaders are request fields a check may not set: they belong to
// the connection or to the checker.
var refusedHeaders = map[string]bool{
	"Host": true, "Connection": true, "Content-Length": true, "Transfer-Encoding": true, "Te": true,
	"Trailer": true, "Upgrade": true, "Keep-Alive": true, "Expect": true, "Proxy-Authorization": true,
	"Proxy-Connection": true, "Http2-Settings": true,
}

func parseHeaders(in map[string]string) (http.Header, error) {
	if len(in) > MaxHeaders {
		return nil, badInput("at most %d request headers may be given; got %d", MaxHeaders, len(in))
	}
	h := http.Header{}
	for name, value := range in {
		if name == "" || len(name) > maxHeaderName || !respond.IsToken(name) {
			return nil, badInput("header name %q must be a token of at most %d characters", respond.Truncate(name, 70), maxHeaderName)
		}
		canon := http.CanonicalHeaderKey(name)
		if refusedHeaders[canon] || strings.HasPrefix(canon, "Proxy-") {
			return nil, badInput("header %s may not be set: it belongs to the connection", canon)
		}
		if len(value) > maxHeaderValue || strings.ContainsAny(value, "\r\n\x00") {
			return nil, badInput("header %s: the value must be at most %d bytes on one line", canon, maxHeaderValue)
		}
		h.Set(canon, value)
	}
	return h, nil
}

// ParseURLs validates the URLs of a request: at least one, at most max
// (0: no limit), each an http or https URL with a host. A URL without a
// scheme is taken as http.
func ParseURLs(raw []string, max int) ([]*url.URL, error) {
	if len(raw) == 0 {
		return nil, badInput("give at least one URL in urls")
	}
	if max > 0 && len(raw) > max {
		return nil, badInput("at most %d URLs may be checked at once; got %d", max, len(raw))
	}
	out := make([]*url.URL, len(raw))
	for i, s := range raw {
		u, err := ParseURL(s)
		if err != nil {
			return nil, badInput("URL %d: %v", i+1, err)
		}
		out[i] = u
	}
	return out, nil
}

// ParseURL reads one URL to check.
func ParseURL(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if len(s) > MaxURLLen {
		return nil, fmt.Errorf("the URL is %d bytes long; at most %d are allowed", len(s), MaxURLLen)
	}
	if s == "" {
		return nil, fmt.Errorf("the URL is empty")
	}
	if !hasScheme(s) {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %v", respond.Truncate(s, 80), unwrapURLError(err))
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("scheme %q is not checked: only http and https", respond.Truncate(u.Scheme, 20))
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("%q has no host", respond.Truncate(s, 80))
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("port %q must be from 1 to 65535", respond.Truncate(p, 10))
		}
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// hasScheme tells "javascript:x" and "ftp://x" (a scheme) from
// "example.org:8080/" (a host and port, to be read as http).
func hasScheme(s string) bool {
	i := strings.IndexByte(s, ':')
	if i < 1 || strings.Contains(s, "://") {
		return i >= 1
	}
	for j, c := range []byte(s[:i]) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	rest := s[i+1:]
	return rest == "" || rest[0] < '0' || rest[0] > '9'
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
