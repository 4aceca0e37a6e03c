package lab

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
)

// Options configure the lab.
type Options struct {
	Store       store.Store
	MaxArticles int           // articles one sandbox may hold
	MaxBody     int           // bytes in an article's body
	TTL         time.Duration // a sandbox unused this long is removed
	Log         *slog.Logger
	Now         func() time.Time // the clock; time.Now when nil
}

// Defaults for the zero Options fields.
const (
	DefaultMaxArticles = 50
	DefaultMaxBody     = 64 << 10
	DefaultTTL         = 24 * time.Hour
)

// Lab serves the API.
type Lab struct {
	opts  Options
	page  *web.Doc   // the /lab page, once AddPage made it
	shell *web.Shell // for the page's not-found

	mu      sync.Mutex
	touched map[string]time.Time // when this process last touched each sandbox
}

// New makes a lab on opts.Store.
func New(opts Options) *Lab {
	if opts.MaxArticles <= 0 {
		opts.MaxArticles = DefaultMaxArticles
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.TTL <= 0 {
		opts.TTL = DefaultTTL
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Lab{opts: opts, touched: map[string]time.Time{}}
}

// Register adds the API's routes, and the page when the lab has one, to
// mux.
func (l *Lab) Register(mux *web.Mux) {
	mux.HandleFunc("GET /lab/articles", l.serveList)
	mux.HandleFunc("POST /lab/articles", l.serveCreate)
	mux.HandleFunc("GET /lab/articles/{id}", l.serveGet)
	mux.HandleFunc("PUT /lab/articles/{id}", l.servePut)
	mux.HandleFunc("PATCH /lab/articles/{id}", l.servePatch)
	mux.HandleFunc("DELETE /lab/articles/{id}", l.serveDelete)
	mux.HandleFunc("POST /lab/articles/{id}/{transition}", l.serveTransition)
	if l.page != nil {
		mux.HandleFunc("GET /lab", l.servePage)
	}
}

// Expire removes expired sandboxes every interval until ctx ends.
func (l *Lab) Expire(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := l.opts.Store.Expire(ctx, l.opts.Now().Add(-l.opts.TTL))
			if err != nil && ctx.Err() == nil {
				l.opts.Log.Error("lab: removing expired sandboxes", "err", err)
			} else if n > 0 {
				l.opts.Log.Info("lab: removed expired sandboxes", "count", n)
			}
		}
	}
}

// Sandbox tokens: 16 random bytes, base64url without padding.
const (
	tokenLen   = 22
	cookieName = "teapot_lab"
	headerName = "Lab-Sandbox"
)

func newToken() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func validToken(s string) bool {
	if len(s) != tokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// sandbox is the request's sandbox: the Lab-Sandbox header, else the
// cookie, else a new one sent back as a cookie. Every response names it in
// Lab-Sandbox. A malformed header is refused; a malformed cookie is
// replaced.
func (l *Lab) sandbox(w http.ResponseWriter, r *http.Request) (string, bool) {
	h := w.Header()
	h["Vary"] = varySandbox
	tok := r.Header.Get(headerName)
	if tok != "" {
		if !validToken(tok) {
			l.problem(w, r, badRequest("The Lab-Sandbox header must be a sandbox token: 22 characters of A-Z, a-z, 0-9, '-' and '_', as this API sends back in Lab-Sandbox.", nil))
			return "", false
		}
	} else if c, err := r.Cookie(cookieName); err == nil && validToken(c.Value) {
		tok = c.Value
	} else {
		tok = newToken()
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: tok, Path: respond.Link(r, "/lab"), HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: int(l.opts.TTL / time.Second)})
	}
	h[headerName] = []string{tok}
	l.touch(r.Context(), tok)
	return tok, true
}

var varySandbox = []string{"Cookie, Lab-Sandbox"}

// touch records use of the sandbox, at most once a minute per sandbox and
// process, so that reads do not become writes.
func (l *Lab) touch(ctx context.Context, tok string) {
	now := l.opts.Now()
	l.mu.Lock()
	last, ok := l.touched[tok]
	l.mu.Unlock()
	if ok && now.Sub(last) < time.Minute {
		return
	}
	if err := l.opts.Store.Touch(ctx, tok, now); err != nil {
		l.opts.Log.Warn("lab: touching a sandbox", "err", err)
		return
	}
	l.mu.Lock()
	if len(l.touched) >= maxTouched { // forget everything now and then: bounded memory
		clear(l.touched)
	}
	l.touched[tok] = now
	l.mu.Unlock()
}

// maxTouched bounds the sandboxes whose last touch is remembered.
const maxTouched = 100_000
