package lab

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/teapothq/teapot/internal/clientip"
	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/ratelimit"
	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
)

// Options configure the lab.
type Options struct {
	Store       store.Store
	MaxArticles int           // articles one sandbox may hold
	MaxBody     int           // bytes in an article's body
	TTL         time.Duration // a sandbox unused this long is removed
	// The lab's bounds in all, whoever asks: sandboxes kept at once, and
	// bytes of articles (store.Size) kept.
	MaxSandboxes int
	MaxBytes     int64
	// NewSandboxesPerHour is how many sandboxes one client may make an
	// hour, all at once if it likes.
	NewSandboxesPerHour int
	// ClientAddr is the key a client's new sandboxes are counted under;
	// clientip.PeerKey (the TCP peer, an IPv6 one by its /64) when nil.
	ClientAddr func(*http.Request) string
	// PublicURL is the origin the app is served at. An https one makes
	// the sandbox cookie Secure also when a TLS proxy in front speaks
	// plain HTTP to teapot.
	PublicURL string
	Log       *slog.Logger
	Now       func() time.Time // the clock; time.Now when nil
	// Shared, when set, counts new sandboxes in Redis for every instance
	// that shares it, with this process's memory as the fallback.
	Shared *ratelimit.Redis
}

// Defaults for the zero Options fields.
const (
	DefaultMaxArticles         = 50
	DefaultMaxBody             = 64 << 10
	DefaultTTL                 = 24 * time.Hour
	DefaultMaxSandboxes        = 10_000
	DefaultMaxBytes            = 128 << 20
	DefaultNewSandboxesPerHour = 30
)

// littleUsedTTL is how long a sandbox that holds nothing, or was used only
// on its first visit, is kept (when TTL is not shorter): most sandboxes a
// flood makes are such, and so are those of visitors who only looked.
const littleUsedTTL = time.Hour

// Lab serves the API.
type Lab struct {
	opts  Options
	page  *web.Doc   // the /lab page, once AddPage made it
	shell *web.Shell // for the page's not-found

	newSandboxes ratelimit.Bucket
	secure       bool         // the public URL is https: cookies are Secure
	sweep        atomic.Int64 // Expire's interval, once it runs

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
	if opts.MaxSandboxes <= 0 {
		opts.MaxSandboxes = DefaultMaxSandboxes
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.NewSandboxesPerHour <= 0 {
		opts.NewSandboxesPerHour = DefaultNewSandboxesPerHour
	}
	if opts.ClientAddr == nil {
		opts.ClientAddr = clientip.PeerKey
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Lab{opts: opts, touched: map[string]time.Time{}, newSandboxes: newSandboxLimit(opts.NewSandboxesPerHour, opts.Now, opts.Shared),
		secure: strings.HasPrefix(opts.PublicURL, "https://")}
}

// Register adds the API's routes, and the page when the lab has one, to
// mux.
func (l *Lab) Register(mux *web.Mux) {
	mux.HandleFunc("GET /lab/articles", l.handle(l.serveList))
	mux.HandleFunc("POST /lab/articles", l.handle(l.serveCreate))
	mux.HandleFunc("GET /lab/articles/{id}", l.handle(l.serveGet))
	mux.HandleFunc("PUT /lab/articles/{id}", l.handle(l.servePut))
	mux.HandleFunc("PATCH /lab/articles/{id}", l.handle(l.servePatch))
	mux.HandleFunc("DELETE /lab/articles/{id}", l.handle(l.serveDelete))
	mux.HandleFunc("POST /lab/articles/{id}/{transition}", l.handle(l.serveTransition))
	if l.page != nil {
		mux.HandleFunc("GET /lab", l.servePage)
	}
}

// Expire removes expired sandboxes every interval until ctx ends: those
// unused for TTL, and the little-used ones (no articles, or used only on
// their first visit) unused for an hour, or TTL if shorter.
func (l *Lab) Expire(ctx context.Context, interval time.Duration) {
	l.sweep.Store(int64(interval))
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now := l.opts.Now()
			n, err := l.opts.Store.Expire(ctx, now.Add(-l.opts.TTL), now.Add(-l.idleTTL()))
			if err != nil && ctx.Err() == nil {
				l.opts.Log.Error("lab: removing expired sandboxes", "err", err)
			} else if n > 0 {
				l.opts.Log.Info("lab: removed expired sandboxes", "count", n)
			}
		}
	}
}

// idleTTL is how long a little-used sandbox is kept.
func (l *Lab) idleTTL() time.Duration { return min(l.opts.TTL, littleUsedTTL) }

// sweepInterval is how often sandboxes expire: when space comes back,
// and so when a client that met the lab's limits might try again.
func (l *Lab) sweepInterval() time.Duration {
	if d := time.Duration(l.sweep.Load()); d > 0 {
		return d
	}
	return 10 * time.Minute
}

// limits are the store's limits for a Create; newSandbox lets it make the
// sandbox.
func (l *Lab) limits(newSandbox bool) store.Limits {
	return store.Limits{Articles: l.opts.MaxArticles, Sandboxes: l.opts.MaxSandboxes, Bytes: l.opts.MaxBytes,
		NewSandbox: newSandbox}
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
// cookie, else a new token sent back as a cookie. Every response names it
// in Lab-Sandbox. A malformed header is refused; a malformed cookie is
// replaced. Naming a sandbox stores nothing: it exists once an article is
// created in it.
func (l *Lab) sandbox(w http.ResponseWriter, r *http.Request) (string, error) {
	h := w.Header()
	h["Vary"] = varySandbox
	tok := r.Header.Get(headerName)
	if tok != "" {
		if !validToken(tok) {
			return "", badRequest("The Lab-Sandbox header must be a sandbox token: 22 characters of A-Z, a-z, 0-9, '-' and '_', as this API sends back in Lab-Sandbox.", nil)
		}
	} else if c, err := r.Cookie(cookieName); err == nil && validToken(c.Value) {
		tok = c.Value
	} else {
		tok = newToken()
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: tok, Path: respond.Link(r, "/lab"), HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: l.secure || r.TLS != nil, MaxAge: int(l.opts.TTL / time.Second)})
	}
	h[headerName] = []string{tok}
	return tok, nil
}

var varySandbox = []string{"Cookie, Lab-Sandbox"}

// touch records use of a sandbox the request found to exist, at most once
// a minute per sandbox and process, so that reads seldom become writes.
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
