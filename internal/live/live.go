package live

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/teapothq/teapot/internal/catalog"
	"github.com/teapothq/teapot/internal/clientip"
	"github.com/teapothq/teapot/internal/ratelimit"
	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
)

// Options configure the live endpoints and their limits.
type Options struct {
	// MaxDelay is the longest delay a request may ask for.
	MaxDelay time.Duration
	// Rate is how many requests a second one client address may make,
	// with Burst saved up; 0 turns the limit off.
	Rate  float64
	Burst int
	// MaxDelayed caps requests waiting out a delay at once, in all and
	// per client address.
	MaxDelayed, MaxDelayedPerClient int
	// Seed makes the weighted random choice repeatable in tests; 0 seeds
	// it randomly.
	Seed uint64
	// Now is the clock of the rate limiter; nil is time.Now.
	Now func() time.Time
	// ClientAddr is the address a request is counted under by the rate
	// limit and the delay caps; nil is the TCP peer, with forwarding
	// headers not believed.
	ClientAddr func(*http.Request) string
	// Shared, when set, keeps the rate limit and the delay slots in Redis
	// for every instance that shares it, with this process's memory as
	// the fallback.
	Shared *ratelimit.Redis
}

// maxClients is how many client addresses the rate limit remembers; a
// client forgotten (the least recently seen go first) starts with a full
// burst again.
const maxClients = 32 * 4096

// Header values every live response shares, prebuilt.
var (
	hvAnyOrigin   = []string{"*"}
	hvCrossOrigin = []string{"cross-origin"}
	hvNoStore     = []string{"no-store"}
	hvAccept      = []string{"Accept"}
)

// Live serves /status/{codes}.
type Live struct {
	// plain caches the JSON body of each /status/CODE asked for without
	// options, made on first use: the same bytes every time.
	plain [600]atomic.Pointer[plainBody]
	// paths are "/status/CODE", by code.
	paths   [600]string
	cat     *catalog.Catalog
	opts    Options
	limit   ratelimit.Bucket
	delayed ratelimit.Slots
	rngMu   sync.Mutex
	rng     *rand.Rand
	// pages are the try pages, "/409/try", once AddPages made them.
	pages map[string]*web.Doc
	shell *web.Shell
	// waiting, set only by tests, is called when a delayed request holds
	// its slot and starts to wait.
	waiting func()
}

// New returns the live endpoints.
func New(cat *catalog.Catalog, opts Options) *Live {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ClientAddr == nil {
		opts.ClientAddr = clientip.PeerKey
	}
	seed := opts.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	limit := ratelimit.New(opts.Rate, opts.Burst, maxClients, opts.Now)
	delayed := ratelimit.NewSlots(opts.MaxDelayed, opts.MaxDelayedPerClient)
	l := &Live{
		cat:   cat,
		opts:  opts,
		limit: opts.Shared.Bucket("status", opts.Rate, opts.Burst, limit),
		// A delayed request holds its slot for the delay and its answer.
		delayed: opts.Shared.Slots("status-delay", opts.MaxDelayed, opts.MaxDelayedPerClient, opts.MaxDelay+30*time.Second, delayed),
		rng:     rand.New(rand.NewPCG(seed, seed^0x7ea907)),
	}
	for code := 100; code < len(l.paths); code++ {
		l.paths[code] = "/status/" + strconv.Itoa(code)
	}
	return l
}

// Register adds the routes to mux: every method, so that a client can test
// what it does with a 405 to a DELETE.
func (l *Live) Register(mux *web.Mux) {
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
		mux.HandleFunc(m+" /status/{codes}", l.serve)
	}
	for path := range l.pages {
		mux.HandleFunc("GET "+path, l.servePage)
	}
}

func (l *Live) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["Access-Control-Allow-Origin"] = hvAnyOrigin
	h["Cross-Origin-Resource-Policy"] = hvCrossOrigin
	// Whatever the options, nothing here is stored: a cache must not give
	// one tester's custom answer to another.
	h["Cache-Control"] = hvNoStore
	headers := optionHeader(r)
	if headers {
		if v := varyOn(r); v != nil {
			h["Vary"] = v
		}
	}
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		preflight(w, r)
		return
	}
	client := l.opts.ClientAddr(r)
	if ok, wait := l.limit.Allow(client); !ok {
		secs := respond.RetryAfter(w, wait)
		h["Access-Control-Expose-Headers"] = hvExposeRetry
		l.problem(w, r, http.StatusTooManyRequests, "Too Many Requests",
			fmt.Sprintf("This server allows %g requests a second to /status from one address, with bursts of %d. Try again in %d s.", l.opts.Rate, l.opts.Burst, secs))
		return
	}
	req := requests.Get().(*request)
	defer requests.Put(req)
	if err := parseRequest(req, r, l.opts.MaxDelay, headers); err != nil {
		var oe *optionError
		if errors.As(err, &oe) {
			l.problem(w, r, http.StatusBadRequest, "Bad option", oe.msg)
			return
		}
		l.problem(w, r, http.StatusBadRequest, "Bad request", "The request could not be read.")
		return
	}
	if req.delay > 0 && !l.wait(w, r, client, req.delay) {
		return
	}
	for _, hv := range req.headers {
		h.Add(hv[0], hv[1])
	}
	code := req.choices[0].code
	if len(req.choices) > 1 {
		l.rngMu.Lock()
		code = pick(req.choices, l.rng)
		l.rngMu.Unlock()
	}
	if e := exposeFor(code, req.headers); e != nil {
		h["Access-Control-Expose-Headers"] = e
	}
	l.respond(w, r, code, req)
}

// wait sleeps for d, holding a delay slot; it answers 503 itself when the
// caps are full and reports false.
func (l *Live) wait(w http.ResponseWriter, r *http.Request, client string, d time.Duration) bool {
	release, full := l.delayed.Acquire(client)
	if release == nil {
		w.Header().Set("Retry-After", "5")
		w.Header()["Access-Control-Expose-Headers"] = hvExposeRetry
		detail := fmt.Sprintf("At most %d delayed requests may wait at once on this server; try again shortly.", l.opts.MaxDelayed)
		if full == ratelimit.KeyFull {
			detail = fmt.Sprintf("At most %d delayed requests from one address may wait at once.", l.opts.MaxDelayedPerClient)
		}
		l.problem(w, r, http.StatusServiceUnavailable, "Too many delayed requests", detail)
		return false
	}
	defer release()
	if l.waiting != nil {
		l.waiting()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// preflight answers a CORS preflight: any method of the endpoint, the
// request headers asked for when they are plain field names.
func preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
	var allowed []string
	for _, f := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		if f = strings.TrimSpace(f); respond.IsToken(f) && len(allowed) < 20 {
			allowed = append(allowed, f)
		}
	}
	if len(allowed) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(allowed, ", "))
	}
	h.Set("Access-Control-Max-Age", "600")
	h.Add("Vary", "Access-Control-Request-Headers")
	w.WriteHeader(http.StatusNoContent)
}

// info is what teapot knows of a code for the response body.
type info struct {
	Code    int    `json:"code"`
	Name    string `json:"name"`
	Summary string `json:"summary"`
	URL     string `json:"reference"`
}

func (l *Live) info(base string, code int) info {
	if e := l.cat.Lookup(code); e != nil {
		return info{code, e.Title(), e.Summary, base + "/" + e.CodeString()}
	}
	class := strconv.Itoa(code/100) + "xx"
	return info{code, "Unassigned", "This code is not assigned in the IANA registry; clients treat it as a generic " + class + " response.", base + "/" + class}
}

// problem writes an RFC 9457 problem about the request itself.
func (l *Live) problem(w http.ResponseWriter, r *http.Request, status int, title, detail string) {
	respond.Fail(w, r, nil, &respond.Problem{Title: title, Status: status, Detail: detail})
}

var page = template.Must(template.New("status").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Code}} {{.Name}}</title></head>
<body><h1>{{.Code}} {{.Name}}</h1><p>{{.Summary}}</p>{{if .Note}}<p>{{.Note}}</p>{{end}}
<p><a href="{{.URL}}">What {{.Code}} means, and how to handle it</a></p></body></html>
`))

// writeBody writes the standard body for code in the format Accept asks
// for; note adds a sentence about what this response demonstrates.
func (l *Live) writeBody(w http.ResponseWriter, r *http.Request, code int, req *request, note string) {
	h := w.Header()
	if req.body != nil {
		// A custom body is the caller's, not ours: never let a browser
		// run it as a page of this origin.
		h.Set("Content-Type", req.contentType)
		h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
		h.Set("Content-Length", strconv.Itoa(len(req.body)))
		w.WriteHeader(code)
		w.Write(req.body)
		return
	}
	f := negotiate(r.Header.Get("Accept"))
	if _, ok := h["Vary"]; ok {
		h.Add("Vary", "Accept")
	} else {
		h["Vary"] = hvAccept
	}
	plain := f == "application/json" && note == "" && code < len(l.paths) && r.URL.Path == l.paths[code]
	if plain {
		if pb := l.plain[code].Load(); pb != nil {
			h["Content-Type"], h["Content-Length"] = pb.ctype, pb.length
			w.WriteHeader(code)
			w.Write(pb.body)
			return
		}
	}
	in := l.info(req.base, code)
	var body []byte
	switch f {
	case "text/html":
		var b strings.Builder
		page.Execute(&b, struct {
			info
			Note string
		}{in, note})
		h.Set("Content-Type", respond.TypeHTML)
		body = []byte(b.String())
	case "text/plain":
		h.Set("Content-Type", respond.TypeText)
		s := fmt.Sprintf("%d %s\n\n%s\n", code, in.Name, in.Summary)
		if note != "" {
			s += note + "\n"
		}
		body = []byte(s + "\nMore: " + in.URL + "\n")
	default:
		v := map[string]any{"code": code, "name": in.Name, "summary": in.Summary, "reference": in.URL}
		ctype := respond.TypeJSON
		if code >= 400 {
			ctype = respond.TypeProblem
			v = map[string]any{"type": in.URL, "title": in.Name, "status": code, "detail": in.Summary, "instance": r.URL.Path}
		}
		if note != "" {
			v["note"] = note
		}
		body = mustJSON(v)
		h.Set("Content-Type", ctype)
		if plain {
			l.plain[code].Store(&plainBody{body, []string{ctype}, []string{strconv.Itoa(len(body))}})
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	w.Write(body)
}

// negotiate picks the body's format from Accept; the values clients send
// most often skip the parsing.
func negotiate(accept string) string {
	switch accept {
	case "", "*/*", "application/json":
		return "application/json"
	}
	f, _ := respond.Negotiate(accept, "application/json", "text/plain", "text/html")
	return f
}

// plainBody is a cached JSON body with its header values.
type plainBody struct {
	body          []byte
	ctype, length []string
}

// readAll drains a request body within the server's cap.
func readAll(r *http.Request) int {
	n, _ := io.Copy(io.Discard, r.Body)
	return int(n)
}
