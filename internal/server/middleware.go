package server

import (
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/teapothq/teapot/internal/respond"
)

// Limits on a request, beyond what http.Server enforces.
const (
	maxPath  = 1024
	maxQuery = 2048
	maxBody  = 1 << 20
)

// Security headers sent with every response. Scripts and styles come only
// from our own origin: no inline script, no CDN.
var securityHeaders = map[string][]string{
	"Content-Security-Policy": {"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"},
	"X-Content-Type-Options":       {"nosniff"},
	"X-Frame-Options":              {"DENY"},
	"Referrer-Policy":              {"strict-origin-when-cross-origin"},
	"Cross-Origin-Opener-Policy":   {"same-origin"},
	"Cross-Origin-Resource-Policy": {"same-origin"},
}

// secure sets the security headers before the handler runs, so they are on
// every response, errors included. connect are origins other than our own
// that scripts may fetch from (the IPv4-only and IPv6-only hosts of /ip).
func secure(connect []string, next http.Handler) http.Handler {
	headers := securityHeaders
	if len(connect) > 0 {
		headers = maps.Clone(securityHeaders)
		csp := strings.Replace(headers["Content-Security-Policy"][0], "connect-src 'self'", "connect-src 'self' "+strings.Join(connect, " "), 1)
		headers["Content-Security-Policy"] = []string{csp}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range headers {
			h[k] = v
		}
		next.ServeHTTP(w, r)
	})
}

// limit refuses oversized targets with 414 and caps request bodies.
func limit(base string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.URL.Path) > maxPath || len(r.URL.RawQuery) > maxQuery {
			respond.WriteProblem(w, respond.Problem{
				Type: base + "/414", Title: "URI Too Long", Status: http.StatusRequestURITooLong,
				Detail: fmt.Sprintf("The path may be at most %d bytes and the query %d.", maxPath, maxQuery),
			})
			return
		}
		if r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		next.ServeHTTP(w, r)
	})
}

// recoverPanics turns a panic in a handler into a 500 problem and logs it
// with its stack; http.ErrAbortHandler is left to net/http.
func recoverPanics(log *slog.Logger, base string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if rec, ok := w.(*recorder); !ok || rec.status == 0 {
					respond.WriteProblem(w, respond.Problem{Type: base + "/500", Title: "Internal Server Error",
						Status: http.StatusInternalServerError, Detail: "The server failed; the error is logged."})
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (rw *recorder) WriteHeader(code int) {
	if rw.status == 0 || rw.status < 200 && code >= 200 {
		rw.status = code
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *recorder) Write(b []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	n, err := rw.ResponseWriter.Write(b)
	rw.bytes += n
	return n, err
}

// NoteStatus records the status of a response written on a hijacked
// connection, or of none at all.
func (rw *recorder) NoteStatus(code int) { rw.status = code }

// Unwrap lets http.ResponseController reach the connection (flushing,
// deadlines).
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// observe writes the access log line and records the metrics of every
// request, labelled with the route pattern that served it.
func observe(log *slog.Logger, accessLog bool, m *metrics, base string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec := &recorder{ResponseWriter: w}
			next.ServeHTTP(rec, r)
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			elapsed := time.Since(start)
			route := routeOf(r.Pattern, base)
			m.observe(route, rec.status, elapsed)
			if accessLog && log.Enabled(r.Context(), slog.LevelInfo) {
				// A record built by hand skips the caller lookup that
				// Logger.LogAttrs makes; the access log needs no source.
				rec2 := slog.NewRecord(start, slog.LevelInfo, "request", 0)
				rec2.AddAttrs(
					slog.String("method", r.Method),
					slog.String("path", r.URL.Path),
					slog.String("route", route),
					slog.Int("status", rec.status),
					slog.Int("bytes", rec.bytes),
				)
				rec2.AddAttrs(
					slog.Duration("duration", elapsed),
					slog.String("remote", r.RemoteAddr),
				)
				log.Handler().Handle(r.Context(), rec2)
			}
		})
	}
}

// routeOf turns a pattern such as "GET /teapot/{name}" into "/{name}".
func routeOf(pattern, base string) string {
	if pattern == "" {
		return "unmatched"
	}
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		pattern = pattern[i+1:]
	}
	if p := strings.TrimPrefix(pattern, base); p != "" {
		return p
	}
	return pattern
}
