package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/teapothq/teapot/content"
	"github.com/teapothq/teapot/internal/catalog"
	"github.com/teapothq/teapot/internal/clientip"
	"github.com/teapothq/teapot/internal/geo"
	"github.com/teapothq/teapot/internal/ipinfo"
	"github.com/teapothq/teapot/internal/live"
	"github.com/teapothq/teapot/internal/ratelimit"
	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/server"
	"github.com/teapothq/teapot/internal/site"
	"github.com/teapothq/teapot/internal/urlcheck"
	"github.com/teapothq/teapot/internal/web"
)

// App is teapot wired together: every feature on one server, with the
// background jobs and the resources to close.
type App struct {
	cfg Config
	log *slog.Logger
	srv *server.Server
	geo *geo.Set
}

// Option changes how New connects teapot to the outside world; tests use
// them so that no query leaves the machine.
type Option func(*outside)

type outside struct {
	ipResolver    ipinfo.Resolver
	checkResolver urlcheck.Resolver
	checkDial     urlcheck.DialFunc
	geo           *geo.Set
	shared        *ratelimit.Redis // --redis-url, once connected
}

// WithIPResolver replaces the reverse DNS of /ip.
func WithIPResolver(r ipinfo.Resolver) Option { return func(o *outside) { o.ipResolver = r } }

// WithCheckNetwork replaces the URL checker's resolver and dialer.
func WithCheckNetwork(r urlcheck.Resolver, dial urlcheck.DialFunc) Option {
	return func(o *outside) { o.checkResolver, o.checkDial = r, dial }
}

// WithGeo uses databases already open instead of opening --geo-city and
// --geo-asn; the caller closes them.
func WithGeo(s *geo.Set) Option { return func(o *outside) { o.geo = s } }

// LoadCatalog is the embedded reference.
func LoadCatalog() (*catalog.Catalog, error) {
	cat, err := catalog.Load(content.FS)
	if err != nil {
		return nil, fmt.Errorf("the embedded catalog is invalid:\n%w", err)
	}
	return cat, nil
}

// New validates cfg and wires every feature into a server that is not
// listening yet: the one place that knows them all.
func New(cfg Config, log *slog.Logger, opts ...Option) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var o outside
	for _, opt := range opts {
		opt(&o)
	}
	a := &App{cfg: cfg, log: log}
	ok := false
	var closers []func() error
	defer func() {
		if !ok {
			for i := len(closers) - 1; i >= 0; i-- {
				closers[i]()
			}
		}
	}()
	a.geo = o.geo
	if a.geo == nil {
		g, err := cfg.OpenGeo(log)
		if err != nil {
			return nil, err
		}
		if g != nil {
			a.geo = g
			closers = append(closers, func() error { g.Close(); return nil })
		}
	}
	if cfg.RedisURL != "" {
		r, err := ratelimit.NewRedis(cfg.RedisURL, "teapot:", log)
		if err != nil {
			return nil, err
		}
		o.shared = r
		closers = append(closers, r.Close)
	}
	p, err := cfg.pages()
	if err != nil {
		return nil, err
	}
	policy, err := cfg.clientPolicy()
	if err != nil {
		return nil, err
	}
	lv := live.New(p.cat, live.Options{MaxDelay: cfg.MaxDelay, Rate: cfg.StatusRate, Burst: cfg.StatusBurst,
		MaxDelayed: cfg.MaxDelayed, MaxDelayedPerClient: cfg.MaxDelayedPerClient, ClientAddr: policy.Key, Shared: o.shared})
	if err := lv.AddPages(p.shell); err != nil {
		return nil, err
	}
	checker := cfg.checker(policy, o)
	if err := checker.AddPage(p.shell); err != nil {
		return nil, err
	}
	ip := ipinfo.New(cfg.ipOptions(policy, o, a.geo))
	if err := ip.AddPage(p.shell, cfg.ipJSON(cfg.IPv4Host), cfg.ipJSON(cfg.IPv6Host)); err != nil {
		return nil, err
	}
	lb, st, err := cfg.newLab(log, policy, o.shared)
	if err != nil {
		return nil, err
	}
	closers = append(closers, st.Close)
	if err := lb.AddPage(p.shell); err != nil {
		return nil, err
	}
	ex := cfg.newExam(log, policy, st, o.shared)
	if err := ex.AddPage(p.shell); err != nil {
		return nil, err
	}
	scfg := cfg.Config
	scfg.ConnectSources = cfg.ipHostOrigins()
	a.srv = server.New(scfg, log, p.register, p.site.Register, lv.Register, checker.Register, ip.Register, lb.Register,
		ex.Register)
	for _, c := range closers {
		a.srv.OnClose(c)
	}
	a.srv.ReadyWhen("store", storeReady(st))
	if o.shared != nil {
		a.srv.ReadyWhen("redis", redisReady(o.shared))
	}
	a.srv.Go(func(ctx context.Context) {
		p.cat.Warm()
		if err := p.shell.Warm(ctx); err != nil {
			log.Error("pages that cannot be rendered: requests for them fail with 500", "err", err)
		}
		// Rendering allocates several times what it keeps: give the
		// garbage back to the system, as serve does after New.
		debug.FreeOSMemory()
	})
	a.srv.Go(func(ctx context.Context) { lb.Expire(ctx, min(cfg.LabTTL/10, 10*time.Minute)) })
	a.srv.Go(func(ctx context.Context) { ex.Sweep(ctx, cfg.examSweep()) })
	if a.geo != nil && o.geo == nil {
		a.srv.Go(func(ctx context.Context) { WatchGeo(ctx, a.geo, cfg.GeoReload, log) })
	}
	ok = true
	return a, nil
}

// Handler is the whole handler chain, middleware included.
func (a *App) Handler() http.Handler { return a.srv.Handler() }

// Serve listens on the configured address and serves until ctx ends, then
// drains requests in flight, stops the background jobs and closes the
// stores and databases.
func (a *App) Serve(ctx context.Context) error {
	if err := a.srv.Listen(); err != nil {
		a.srv.Close()
		return err
	}
	a.log.Info("listening", "addr", a.srv.Addr().String(), "base_path", a.cfg.BasePath, "version", a.cfg.Version, "lab", a.cfg.labStore())
	return a.srv.Serve(ctx)
}

// Listen binds the address now, so that ":0" picks a port Addr then tells;
// Serve uses that listener.
func (a *App) Listen() error { return a.srv.Listen() }

// Addr is the address listened on, after Listen.
func (a *App) Addr() net.Addr { return a.srv.Addr() }

// Close closes what New opened, for an app that never served.
func (a *App) Close() error { return a.srv.Close() }

// pages is what every page needs: the catalog, the shell with every
// feature's assets, the reference site and /openapi.json.
type pages struct {
	cat     *catalog.Catalog
	shell   *web.Shell
	site    *site.Site
	openapi *web.Doc
}

func (c *Config) pages() (*pages, error) {
	cat, err := LoadCatalog()
	if err != nil {
		return nil, err
	}
	shell, err := web.New(web.Options{BasePath: c.BasePath, PublicURL: c.PublicURL, Version: c.Version})
	if err != nil {
		return nil, err
	}
	s, err := site.New(cat, shell)
	if err != nil {
		return nil, err
	}
	doc, err := openAPI(c.BasePath)
	if err != nil {
		return nil, err
	}
	return &pages{cat: cat, shell: shell, site: s,
		openapi: web.NewJSONDoc(respond.NewBody("application/vnd.oai.openapi+json; charset=utf-8", web.CachePage, doc))}, nil
}

// register adds what belongs to no one feature: the assets and the
// OpenAPI document.
func (p *pages) register(mux *web.Mux) {
	mux.HandleFunc("GET /assets/{file}", p.shell.ServeAsset)
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		p.openapi.JSON().Serve(w, r, http.StatusOK, nil)
	})
}

// ipOptions are the IP lookup's options.
func (c *Config) ipOptions(policy *clientip.Policy, o outside, g *geo.Set) ipinfo.Options {
	var res ipinfo.Resolver = net.DefaultResolver
	if o.ipResolver != nil {
		res = o.ipResolver
	}
	var cors []string
	if len(c.ipHostOrigins()) > 0 {
		cors = append([]string{c.PublicURL}, c.ipHostOrigins()...)
	}
	opts := ipinfo.Options{ClientAddr: policy.Addr, ClientKey: policy.Key, Resolver: res, LookupTimeout: c.ReverseDNSTimeout,
		LookupRate: c.ReverseDNSRate, CORSOrigins: cors, Shared: o.shared}
	if g != nil {
		opts.Geo = g
	}
	return opts
}

// CheckOptions are the URL checker's options from the config: its guard
// and limits.
func (c *Config) CheckOptions() urlcheck.Options {
	ports, anyPort, _ := urlcheck.ParsePorts(c.CheckPorts)
	return urlcheck.Options{
		Guard:   urlcheck.Guard{AllowPrivate: c.CheckAllowPrivate, Ports: ports, AnyPort: anyPort},
		Timeout: c.CheckTimeout, MaxURLs: c.CheckMaxURLs, MaxBytes: int64(c.CheckMaxBytes),
		Workers: c.CheckWorkers, PerClient: c.CheckPerClient,
	}
}

// checker is the URL checker on the config's options, counting by the
// client policy's key.
func (c *Config) checker(policy *clientip.Policy, o outside) *urlcheck.Checker {
	opts := c.CheckOptions()
	opts.Resolver, opts.Dial, opts.ClientAddr, opts.Shared = o.checkResolver, o.checkDial, policy.Key, o.shared
	if c.PublicURL != "" {
		// Behind a proxy that rewrites Host, the public origin is the one
		// the /check page posts from; browsers send it in lower case.
		opts.Origins = []string{strings.ToLower(c.PublicURL)}
	}
	return urlcheck.New(opts)
}
