package respond

import (
	"encoding/json"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Content types teapot writes.
const (
	TypeHTML    = "text/html; charset=utf-8"
	TypeJSON    = "application/json; charset=utf-8"
	TypeText    = "text/plain; charset=utf-8"
	TypeProblem = "application/problem+json; charset=utf-8"
)

// JSON writes v as indented JSON with the given status.
func JSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, "cannot encode the response", http.StatusInternalServerError)
		return
	}
	Bytes(w, status, TypeJSON, append(b, '\n'))
}

// Text writes s as plain text with the given status.
func Text(w http.ResponseWriter, status int, s string) {
	Bytes(w, status, TypeText, []byte(s))
}

// RetryAfter sets Retry-After to wait in whole seconds, rounded up and
// at least 1, and returns them, for the problem's text to say the same.
func RetryAfter(w http.ResponseWriter, wait time.Duration) int {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return secs
}

// Bytes writes b with the given status and content type.
func Bytes(w http.ResponseWriter, status int, contentType string, b []byte) {
	h := w.Header()
	// One allocation for both fields' values; each keeps its own
	// capacity, so that adding to one cannot reach the other.
	v := []string{contentType, strconv.Itoa(len(b))}
	h["Content-Type"], h["Content-Length"] = v[0:1:1], v[1:2:2]
	w.WriteHeader(status)
	w.Write(b)
}

// Problem is an RFC 9457 problem details object. Type is a URI reference;
// teapot points it at the reference page of the status code or of the
// problem, so a developer who follows it learns what went wrong.
type Problem struct {
	Type     string         `json:"type,omitempty"`
	Title    string         `json:"title"`
	Status   int            `json:"status"`
	Detail   string         `json:"detail,omitempty"`
	Instance string         `json:"instance,omitempty"`
	Extra    map[string]any `json:"-"`
	// Cause is the error behind a server error, logged by Fail and never
	// sent.
	Cause error `json:"-"`
}

// MarshalJSON writes the standard members and the extension members at the
// same level, as RFC 9457 Section 3.2 requires: the standard ones first,
// then the extensions by name. An extension cannot replace a standard
// member.
func (p Problem) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 256)
	b = append(b, '{')
	add := func(k string, v any) error {
		if len(b) > 1 {
			b = append(b, ',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(v)
		b = append(append(append(b, kb...), ':'), vb...)
		return err
	}
	if p.Type != "" {
		add("type", p.Type)
	}
	add("title", p.Title)
	add("status", p.Status)
	if p.Detail != "" {
		add("detail", p.Detail)
	}
	if p.Instance != "" {
		add("instance", p.Instance)
	}
	for _, k := range slices.Sorted(maps.Keys(p.Extra)) {
		switch k {
		case "type", "title", "status", "detail", "instance":
			continue
		}
		if err := add(k, p.Extra[k]); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// WriteProblem writes p as application/problem+json. The response is not
// to be stored by shared caches: problems describe one request.
func WriteProblem(w http.ResponseWriter, p Problem) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		http.Error(w, p.Title, p.Status)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	Bytes(w, p.Status, TypeProblem, append(b, '\n'))
}

// statusNoter is a ResponseWriter that can be told the status of a
// response it did not see: one written on a hijacked connection, or none
// at all (nginx's 444).
type statusNoter interface{ NoteStatus(code int) }

// NoteStatus tells the writers around w (the access log, the metrics) the
// status of a response that bypasses WriteHeader, before the connection
// is hijacked.
func NoteStatus(w http.ResponseWriter, code int) {
	for w != nil {
		if n, ok := w.(statusNoter); ok {
			n.NoteStatus(code)
			return
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return
		}
		w = u.Unwrap()
	}
}

// Truncate shortens s to at most n bytes and an ellipsis, never cutting a
// character in two: for quoting a client's input back in an error.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
