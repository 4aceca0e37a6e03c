package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
)

// Limits on a request, beyond what http.Server enforces.
const (
	maxPath  = 1024
	maxQuery = 2048
	maxBody  = 1 << 20
)

// Security headers, chosen by what a response is. A document (HTML, XML,
// SVG, or a body of unknown type a browser might sniff) gets the full set:
// scripts and styles only from our own /assets/ (not merely our origin:
// /status answers with any body and content type a visitor asks for, and
// a page must not load that as a script or a stylesheet), no inline
// script, no CDN, no framing, no opener. Anything else (JSON, text, an
// empty response) cannot run script or be framed once it is sandboxed and
// not sniffed, so it gets a short policy that says just that. Every
// response gets nosniff; Cross-Origin-Resource-Policy guards every kind
// of resource.
const (
	documentCSP = "default-src 'none'; script-src %[1]s; style-src %[1]s; img-src 'self' data:; " +
		"connect-src %[2]s; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
	resourceCSP = "default-src 'none'; frame-ancestors 'none'; sandbox"
)

// field is one prebuilt header field.
type field struct {
	name  string
	value []string
}

// policy is the header fields of one kind of response, prebuilt so that
// each response only assigns them.
type policy []field

// policies are the two sets of security headers. A CSP source can only
// name a path together with a host, so the document policy names the
// assets folder on the public URL (when configured) and on the host the
// request was sent to; the policy of the last host seen is kept, since
// nearly every request names the same one.
type policies struct {
	resource policy
	assets   string // the assets' path, such as /teapot/assets/
	public   string // the assets on the public URL, or ""
	connect  string
	last     atomic.Pointer[hostPolicy]
}

type hostPolicy struct {
	host string
	doc  policy
}

func newPolicies(cfg Config) *policies {
	p := &policies{
		assets:  cfg.BasePath + "/assets/",
		connect: strings.Join(append([]string{"'self'"}, cfg.ConnectSources...), " "),
		resource: policy{
			{"Content-Security-Policy", []string{resourceCSP}},
			{"X-Content-Type-Options", []string{"nosniff"}},
			{"Cross-Origin-Resource-Policy", []string{"same-origin"}},
		},
	}
	if cfg.PublicURL != "" {
		p.public = cfg.PublicURL + p.assets
	}
	return p
}

// document is the policy of a page served to a request for host.
func (p *policies) document(host string) policy {
	if hp := p.last.Load(); hp != nil && hp.host == host {
		return hp.doc
	}
	var sources []string
	if p.public != "" {
		sources = append(sources, p.public)
	}
	// Without a scheme the source matches the page's own (and https for
	// http); a Host that is not a plain name or address is left out.
	if web.PlainHost(host) {
		sources = append(sources, host+p.assets)
	}
	if len(sources) == 0 {
		sources = []string{"'none'"}
	}
	doc := policy{
		{"Content-Security-Policy", []string{fmt.Sprintf(documentCSP, strings.Join(sources, " "), p.connect)}},
		{"X-Content-Type-Options", []string{"nosniff"}},
		{"X-Frame-Options", []string{"DENY"}},
		{"Referrer-Policy", []string{"strict-origin-when-cross-origin"}},
		{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
		{"Cross-Origin-Resource-Policy", []string{"same-origin"}},
	}
	p.last.Store(&hostPolicy{host, doc})
	return doc
}

// isDocument reports whether a response with this Content-Type and status
// may be rendered by a browser as a page that runs script: HTML, XML and
// SVG, and a body of unknown type, which a browser might sniff as HTML.
func isDocument(ctype string, status int, h http.Header) bool {
	// The JSON that teapot's hot paths send, at once.
	if isType(ctype, "application/json") || isType(ctype, "application/problem+json") {
		return false
	}
	if ctype == "" {
		bodiless := status == http.StatusNoContent || status == http.StatusResetContent ||
			status == http.StatusNotModified || h.Get("Content-Length") == "0"
		return !bodiless
	}
	mt, _, _ := strings.Cut(ctype, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "text/html" || strings.Contains(mt, "xml")
}

// isType reports whether ctype is the media type mt as teapot writes it:
// exactly, or followed by parameters.
func isType(ctype, mt string) bool {
	rest, ok := strings.CutPrefix(ctype, mt)
	return ok && (rest == "" || rest[0] == ';')
}

// front is the one layer every request passes through on its way to the
// routes, and the one writer around every response. In order, it
//   - refuses oversized targets with 414 and caps request bodies;
//   - adds the security headers when the response's header is written, so
//     that they fit its Content-Type (errors and panics are covered too);
//   - turns a panic in a handler into a 500 problem, logged with its stack
//     (http.ErrAbortHandler is left to net/http);
//   - records the metrics and writes the access log line of every request,
//     labelled with the route pattern that served it.
//
// It is one handler and one writer rather than one of each per concern:
// every request pays for each layer and each writer's indirection, and
// this is the path of every request.
type front struct {
	next      http.Handler
	log       *slog.Logger
	quick     *quickHandler // log's handler when it is teapot's own, for the access log
	accessLog bool
	metrics   *metrics
	base      string
	p         *policies
}

func newFront(cfg Config, log *slog.Logger, m *metrics, next http.Handler) *front {
	f := &front{next: next, log: log, accessLog: cfg.AccessLog, metrics: m, base: cfg.BasePath, p: newPolicies(cfg)}
	f.quick, _ = log.Handler().(*quickHandler)
	return f
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	path := r.URL.Path // before the base path is taken off
	rw := &writer{ResponseWriter: w, p: f.p, host: r.Host}
	f.serve(rw, r, path)
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	elapsed := time.Since(start)
	route := routeOf(r.Pattern, f.base)
	f.metrics.observe(route, rw.status, elapsed)
	if f.accessLog && f.log.Enabled(r.Context(), slog.LevelInfo) {
		a := access{start: start, method: r.Method, path: path, route: route,
			status: rw.status, bytes: rw.bytes, elapsed: elapsed, remote: r.RemoteAddr}
		if f.quick != nil {
			f.quick.logAccess(&a)
		} else {
			f.log.Handler().Handle(r.Context(), a.record())
		}
	}
}

// serve checks the request's size and runs the routes, recovering from
// a panic.
func (f *front) serve(w *writer, r *http.Request, path string) {
	defer func() {
		// A handler that returns without writing anything (net/http then
		// sends an empty 200) or panics (a problem+json follows) sends no
		// document.
		w.finish()
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		f.log.Error("panic", "path", path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		if w.status == 0 {
			respond.WriteProblem(w, respond.Problem{Type: f.base + "/500", Title: "Internal Server Error",
				Status: http.StatusInternalServerError, Detail: "The server failed; the error is logged."})
		}
	}()
	if len(r.URL.Path) > maxPath || len(r.URL.RawQuery) > maxQuery {
		respond.WriteProblem(w, respond.Problem{
			Type: f.base + "/414", Title: "URI Too Long", Status: http.StatusRequestURITooLong,
			Detail: fmt.Sprintf("The path may be at most %d bytes and the query %d.", maxPath, maxQuery),
		})
		return
	}
	if r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	}
	f.next.ServeHTTP(w, r)
}

// writer remembers the status and size of a response for the access log
// and the metrics, and adds the security headers to the final response,
// chosen by its Content-Type, just before its header is written. A field
// the handler set itself is kept: a live response with a custom body sets
// its own sandboxing CSP.
type writer struct {
	http.ResponseWriter
	status int // the final status; until it is written, the first interim one
	bytes  int
	p      *policies
	host   string // the request's Host, for the document policy
	// interim holds the fields added to a 1xx response, to be taken back
	// if the final response needs fewer.
	interim []string
	final   bool
}

// secure adds the policy that fits the response about to be written. An
// interim 1xx response (such as 103 Early Hints, whose CSP browsers apply
// to the fetches it hints) gets the document policy: browsers act on hints
// only for navigations, which load documents.
func (w *writer) secure(status int) {
	if w.final {
		return
	}
	h := w.ResponseWriter.Header()
	if status < 200 {
		if w.interim == nil {
			w.interim = []string{}
			for _, f := range w.p.document(w.host) {
				if _, ok := h[f.name]; !ok {
					h[f.name] = f.value
					w.interim = append(w.interim, f.name)
				}
			}
		}
		return
	}
	w.final = true
	var ctype string
	if v := h["Content-Type"]; len(v) > 0 {
		ctype = v[0]
	}
	if isDocument(ctype, status, h) {
		add(h, w.p.document(w.host))
		return
	}
	w.resource(h)
}

// finish secures a response whose header was never written: the empty
// 200 net/http sends, or the problem written after a panic.
func (w *writer) finish() {
	if !w.final {
		w.final = true
		w.resource(w.ResponseWriter.Header())
	}
}

func (w *writer) resource(h http.Header) {
	for _, name := range w.interim {
		delete(h, name)
	}
	add(h, w.p.resource)
}

// add sets the fields of p that the handler did not set itself.
func add(h http.Header, p policy) {
	for _, f := range p {
		if _, ok := h[f.name]; !ok {
			h[f.name] = f.value
		}
	}
}

func (w *writer) WriteHeader(code int) {
	w.secure(code)
	if w.status == 0 || w.status < 200 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *writer) Write(b []byte) (int, error) {
	if !w.final {
		w.secure(http.StatusOK)
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// FlushError writes the header, with the security headers, if the
// handler flushes before writing anything.
func (w *writer) FlushError() error {
	if !w.final {
		w.secure(http.StatusOK)
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// NoteStatus records the status of a response written on a hijacked
// connection, or of none at all.
func (w *writer) NoteStatus(code int) { w.status = code }

// Unwrap lets http.ResponseController reach the connection (flushing,
// deadlines, hijacking).
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

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
