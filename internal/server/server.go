package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
)

// Config is what the server needs to know; cmd/teapot fills and validates
// it.
type Config struct {
	Addr              string
	BasePath          string // "" or "/teapot"
	PublicURL         string // "" or the public origin, such as https://teapot.example
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	ShutdownTimeout   time.Duration
	MaxHeaderBytes    int
	AccessLog         bool
	// ConnectSources are origins besides our own that pages may fetch
	// from, added to the Content-Security-Policy's connect-src.
	ConnectSources []string
	// MetricsAddr moves /metrics off the main listener: "" serves it
	// there, "off" nowhere, and host:port on a listener of its own.
	MetricsAddr string
	// MaxConns caps the connections open at once on the main listener,
	// upgraded ones (101) included; 0 is no cap.
	MaxConns int
	// DrainDelay is how long the server keeps serving after shutdown
	// begins, with /readyz answering 503, before it stops taking
	// connections: time for a load balancer to notice.
	DrainDelay time.Duration
}

// Server is teapot's HTTP server.
type Server struct {
	cfg     Config
	log     *slog.Logger
	http    *http.Server
	ln      net.Listener
	metrics *metrics

	// The listener of /metrics when MetricsAddr names one.
	metricsHTTP *http.Server
	metricsLn   net.Listener

	background []func(context.Context) // run while serving
	closers    []func() error          // run after shutdown, last first

	readyChecks []readyCheck
	// draining is set once shutdown begins: /readyz then answers 503, so
	// that a load balancer stops sending requests while those in flight
	// finish.
	draining atomic.Bool
}

// Go runs f in its own goroutine while the server serves; f must return
// when its context ends, which happens when shutdown begins.
func (s *Server) Go(f func(context.Context)) { s.background = append(s.background, f) }

// OnClose runs f after the server has shut down (or failed), such as
// closing a database the handlers use. The last added runs first.
func (s *Server) OnClose(f func() error) { s.closers = append(s.closers, f) }

// Close runs the OnClose functions, for a server that never served.
func (s *Server) Close() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	s.closers = nil
	return errors.Join(errs...)
}

// Routes adds a feature's routes to the server's mux. Patterns are below
// the base path: a feature registers "GET /409" and is reached at
// /teapot/409; it never sees the base path (respond.Link puts it back into
// the links it sends).
type Routes func(mux *web.Mux)

// New builds the server and its handler chain. Nothing listens yet.
func New(cfg Config, log *slog.Logger, features ...Routes) *Server {
	s := &Server{cfg: cfg, log: log, metrics: newMetrics()}
	s.http = &http.Server{
		Addr:              cfg.Addr,
		Handler:           s.handler(features),
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s
}

// handler is the root mux behind front, which sees every response,
// panics included.
func (s *Server) handler(features []Routes) http.Handler {
	routes := web.NewMux()
	m := s.metrics
	metricsHere := s.cfg.MetricsAddr == ""
	routes.HandleFunc("GET /healthz", health)
	routes.HandleFunc("GET /readyz", s.serveReady)
	if metricsHere {
		routes.Handle("GET /metrics", m)
	}
	for _, register := range features {
		register(routes)
	}
	mux := routes.Finish()
	var h http.Handler = mux
	if b := s.cfg.BasePath; b != "" {
		h = underBase(b, mux, metricsHere)
	}
	return newFront(s.cfg, s.log, m, h)
}

// underBase serves mux under base: the one place the base path is taken
// off a request. /healthz, /readyz and /metrics (when served here) answer at the
// root too, for probes that do not know it; base alone redirects to
// base + "/".
func underBase(base string, mux *http.ServeMux, metrics bool) http.Handler {
	root := http.NewServeMux()
	root.Handle("GET /healthz", mux)
	root.Handle("GET /readyz", mux)
	if metrics {
		root.Handle("GET /metrics", mux)
	}
	root.HandleFunc("GET "+base, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, base+"/", http.StatusMovedPermanently)
	})
	root.HandleFunc(base+"/", func(w http.ResponseWriter, r *http.Request) {
		// The request is changed in place, not copied, so that the route
		// pattern mux records is seen by the access log and metrics.
		u := *r.URL
		u.Path = strings.TrimPrefix(u.Path, base)
		u.RawPath = strings.TrimPrefix(u.RawPath, base)
		*r = *respond.WithBase(r, base)
		r.URL = &u
		mux.ServeHTTP(w, r)
	})
	return root
}

func health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	respond.Bytes(w, http.StatusOK, respond.TypeJSON, []byte(`{"status":"ok"}`+"\n"))
}

// Handler is the server's whole handler chain, for tests.
func (s *Server) Handler() http.Handler { return s.http.Handler }

// Listen binds the address, so that errors come back at once and ":0"
// picks a free port.
func (s *Server) Listen() error {
	if s.ln != nil {
		return nil // listening already: Serve after Listen keeps the port
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	if s.cfg.MaxConns > 0 {
		ln = capConns(ln, s.cfg.MaxConns, s.log, s.metrics)
	}
	s.ln = ln
	if a := s.cfg.MetricsAddr; a != "" && a != "off" {
		mln, err := net.Listen("tcp", a)
		if err != nil {
			ln.Close()
			return err
		}
		s.metricsLn = mln
		s.metricsHTTP = &http.Server{
			Handler:           metricsOnly(s.metrics),
			ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
			ReadTimeout:       s.cfg.ReadTimeout,
			WriteTimeout:      s.cfg.WriteTimeout,
			IdleTimeout:       s.cfg.IdleTimeout,
			MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
			ErrorLog:          s.http.ErrorLog,
		}
	}
	return nil
}

// metricsOnly is the handler of the metrics listener: /metrics and
// /healthz, nothing else.
func metricsOnly(m *metrics) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m)
	mux.HandleFunc("GET /healthz", health)
	return mux
}

// Addr is the address listened on, after Listen.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// MetricsAddr is the address of the metrics listener, nil when /metrics
// is served with everything else or not at all.
func (s *Server) MetricsAddr() net.Addr {
	if s.metricsLn == nil {
		return nil
	}
	return s.metricsLn.Addr()
}

// Serve serves until ctx is cancelled, then shuts down gracefully: it stops
// accepting, lets requests in flight finish within ShutdownTimeout, and
// returns.
func (s *Server) Serve(ctx context.Context) (err error) {
	defer func() {
		if cerr := s.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	bctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, f := range s.background {
		wg.Go(func() { f(bctx) })
	}
	defer wg.Wait()
	defer stop()
	errc := make(chan error, 2)
	servers := []*http.Server{s.http}
	go func() { errc <- s.http.Serve(s.ln) }()
	if s.metricsHTTP != nil {
		servers = append(servers, s.metricsHTTP)
		go func() { errc <- s.metricsHTTP.Serve(s.metricsLn) }()
	}
	running := len(servers)
	select {
	case err = <-errc: // a listener failed: shut the others down too
		running--
	case <-ctx.Done():
		s.draining.Store(true)
		if d := s.cfg.DrainDelay; d > 0 {
			s.log.Info("draining: /readyz answers 503", "for", d)
			select {
			case err = <-errc:
				running--
			case <-time.After(d):
			}
		}
		s.log.Info("shutting down", "timeout", s.cfg.ShutdownTimeout)
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	for _, h := range servers {
		if serr := h.Shutdown(sctx); err == nil {
			err = serr
		}
	}
	for range running {
		if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
	}
	return err
}
