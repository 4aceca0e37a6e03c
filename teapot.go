// Package teapot is the HTTP status code toolkit as one http.Handler, for
// other projects' tests: the reference as JSON (/api/codes/409), real
// responses with any status code and the header fields the RFCs require
// (/status/503?retry_after=5), the conflict lab's versioned API on an
// in-memory store, and the pages, as "teapot serve" serves them.
//
//	srv := httptest.NewServer(teapot.New(teapot.Options{}))
//	defer srv.Close()
//	resp, err := http.Get(srv.URL + "/status/429")
//
// Nothing it does leaves the machine on its own: reverse DNS is off and
// the URL checker refuses private and loopback addresses. The command is
// in cmd/teapot; everything else lives in internal packages.
package teapot

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/teapothq/teapot/internal/app"
)

// Options configure a Handler; the zero value serves everything with the
// limits that suit a test.
type Options struct {
	// BasePath serves everything under a prefix, such as "/teapot".
	BasePath string
	// StatusRate is the requests a second one client may make to
	// /status; 0, the default here, means no limit.
	StatusRate float64
	// MaxDelay is the longest delay /status may be asked for; 0 is 10s.
	MaxDelay time.Duration
	// Logger gets the access log and errors; nil discards them.
	Logger *slog.Logger
}

// Handler serves teapot. Close it to free the lab's in-memory store.
type Handler struct {
	app *app.App
	h   http.Handler
}

// New makes the handler. It panics if opts are invalid (a malformed
// BasePath, a negative rate or delay), as a test would want to know at
// once.
func New(opts Options) *Handler {
	cfg := app.Defaults()
	cfg.BasePath = opts.BasePath
	cfg.LabMemory = true
	cfg.ReverseDNSTimeout = 0
	cfg.GeoReload = 0
	cfg.StatusRate = opts.StatusRate
	if opts.MaxDelay != 0 {
		cfg.MaxDelay = opts.MaxDelay
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
		cfg.AccessLog = false
	}
	a, err := app.New(cfg, log)
	if err != nil {
		panic(fmt.Sprintf("teapot.New: %v", err))
	}
	return &Handler{app: a, h: a.Handler()}
}

// ServeHTTP serves a request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.h.ServeHTTP(w, r) }

// Close frees what the handler holds.
func (h *Handler) Close() error { return h.app.Close() }
