package respond

import (
	"encoding/json"
	"net/http"
	"strconv"
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

// Bytes writes b with the given status and content type.
func Bytes(w http.ResponseWriter, status int, contentType string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(b)))
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
}

// MarshalJSON writes the standard members and the extension members at the
// same level, as RFC 9457 Section 3.2 requires.
func (p Problem) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(p.Extra)+5)
	for k, v := range p.Extra {
		m[k] = v
	}
	type plain Problem
	b, _ := json.Marshal(plain(p))
	var std map[string]any
	json.Unmarshal(b, &std)
	for k, v := range std {
		m[k] = v
	}
	return json.Marshal(m)
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
