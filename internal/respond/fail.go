package respond

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// baseKey is the context key of the path prefix the app is served under.
type baseKey struct{}

// WithBase marks r as served under base (such as "/teapot"), for Link. The
// server calls it once, after it has taken base off the request's path;
// without it every link is the path as given.
func WithBase(r *http.Request, base string) *http.Request {
	if base == "" {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), baseKey{}, base))
}

// Link turns path, an address below the app's root such as "/409", into
// the one a client uses: the same path under the base path. Handlers never
// see the base path; this is how it gets back into what they send.
func Link(r *http.Request, path string) string {
	if base := Base(r); base != "" && strings.HasPrefix(path, "/") {
		return base + path
	}
	return path
}

// Base is the path prefix r was served under, "" at the root.
func Base(r *http.Request) string {
	base, _ := r.Context().Value(baseKey{}).(string)
	return base
}

// HandlerFunc is an HTTP handler that may fail. It returns nil once it has
// written its response, a *Problem to be answered with that problem, or
// any other error to be logged and answered with a 500 problem.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handle adapts h to an http.HandlerFunc: the one place where a handler's
// error becomes a response, and where server errors are logged.
func Handle(log *slog.Logger, h HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			Fail(w, r, log, err)
		}
	}
}

// Fail answers r with err. A *Problem is written with its type and
// instance as links (an empty type becomes the status code's page, an
// empty instance the request's path). Any other error is logged, with the
// method and path, and answered with a 500 problem that gives nothing of
// it away; a 5xx problem is logged too.
func Fail(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var p *Problem
	if !errors.As(err, &p) {
		if log != nil {
			log.Error("request failed", "err", err, "method", r.Method, "path", r.URL.Path)
		}
		p = &Problem{Status: http.StatusInternalServerError, Title: "Internal Server Error",
			Detail: "The server failed; the error is logged."}
	} else if p.Status >= 500 && log != nil && p.Cause != nil {
		log.Error("request failed", "err", p.Cause, "method", r.Method, "path", r.URL.Path)
	}
	q := *p
	if q.Type == "" {
		q.Type = "/" + strconv.Itoa(q.Status)
	}
	if q.Instance == "" {
		q.Instance = r.URL.Path
	}
	q.Type, q.Instance = Link(r, q.Type), Link(r, q.Instance)
	WriteProblem(w, q)
}

// Error makes a problem an error, so that handlers can return it.
func (p *Problem) Error() string {
	if p.Detail == "" {
		return p.Title
	}
	return p.Title + ": " + p.Detail
}

// Unwrap is the problem's cause, if it has one.
func (p *Problem) Unwrap() error { return p.Cause }
