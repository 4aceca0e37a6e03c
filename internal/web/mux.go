package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/teapothq/teapot/internal/respond"
)

// Mux is the app's one http.ServeMux, which also remembers the methods
// each address takes. Finish then answers every other common method on
// those addresses with 405, a problem, and an Allow field listing exactly
// the methods the address takes.
type Mux struct {
	mux     *http.ServeMux
	methods map[string][]string        // by path pattern: "/api/check" -> POST
	taken   map[string]map[string]bool // methods with a handler, allowed or not
	any     map[string]bool            // path patterns registered for every method
}

// NewMux makes an empty Mux.
func NewMux() *Mux {
	return &Mux{mux: http.NewServeMux(), methods: map[string][]string{}, taken: map[string]map[string]bool{},
		any: map[string]bool{}}
}

// Handle registers h for pattern, as http.ServeMux does.
func (m *Mux) Handle(pattern string, h http.Handler) {
	m.handle(pattern, h, true)
}

// HandleFunc registers f for pattern.
func (m *Mux) HandleFunc(pattern string, f http.HandlerFunc) { m.handle(pattern, f, true) }

// Refuse registers f for pattern, a method the address does not take,
// such as a 405 with advice: the method is left out of Allow.
func (m *Mux) Refuse(pattern string, f http.HandlerFunc) { m.handle(pattern, f, false) }

func (m *Mux) handle(pattern string, h http.Handler, allowed bool) {
	m.mux.Handle(pattern, h)
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		m.any[pattern] = true
		return
	}
	if m.taken[path] == nil {
		m.taken[path] = map[string]bool{}
	}
	m.taken[path][method] = true
	if allowed && !slices.Contains(m.methods[path], method) {
		m.methods[path] = append(m.methods[path], method)
	}
}

// commonMethods are the methods Finish answers with 405 where an address
// does not take them.
var commonMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"}

// Finish adds the 405 answers and returns the mux.
func (m *Mux) Finish() *http.ServeMux {
	for path, methods := range m.methods {
		if m.any[path] {
			continue
		}
		allow := allowed(methods)
		refuse := func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			respond.Fail(w, r, nil, &respond.Problem{Status: http.StatusMethodNotAllowed, Title: "Method Not Allowed",
				Detail: "This address answers " + allow + ", not " + r.Method + "."})
		}
		for _, method := range commonMethods {
			if !m.taken[path][method] && !(method == "GET" && m.taken[path]["HEAD"]) {
				m.mux.HandleFunc(method+" "+path, refuse)
			}
		}
	}
	return m.mux
}

// allowed is the Allow field of an address that takes methods: GET
// brings HEAD, as net/http serves it; the list is in a fixed order.
func allowed(methods []string) string {
	set := slices.Clone(methods)
	if slices.Contains(set, http.MethodGet) && !slices.Contains(set, http.MethodHead) {
		set = append(set, http.MethodHead)
	}
	order := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
	slices.SortFunc(set, func(a, b string) int {
		i, j := slices.Index(order, a), slices.Index(order, b)
		if i < 0 {
			i = len(order)
		}
		if j < 0 {
			j = len(order)
		}
		if i != j {
			return i - j
		}
		return strings.Compare(a, b)
	})
	return strings.Join(set, ", ")
}
