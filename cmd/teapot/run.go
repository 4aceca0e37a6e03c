package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/teapothq/teapot/content"
	"github.com/teapothq/teapot/internal/catalog"
	"github.com/teapothq/teapot/internal/ipinfo"
	"github.com/teapothq/teapot/internal/live"
	"github.com/teapothq/teapot/internal/server"
	"github.com/teapothq/teapot/internal/site"
	"github.com/teapothq/teapot/internal/urlcheck"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise it comes from the module's build information.
var version = ""

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// run is the whole program, testable without a process: args without the
// program name, getenv for the environment.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return serve(ctx, nil, getenv, stdout, stderr)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case "search":
		return search(rest, stdout)
	case "export":
		return export(rest, getenv, stdout)
	case "check":
		return check(ctx, rest, stdout, urlcheck.Options{})
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "teapot", buildVersion())
		return nil
	case "help", "-h", "-help", "--help":
		return help(rest, stdout)
	}
	if looksLikeCode(cmd) {
		if len(rest) > 0 {
			return usagef("teapot %s takes no other arguments", cmd)
		}
		return show(cmd, stdout)
	}
	return usagef("unknown command %q", cmd)
}

// looksLikeCode is true for anything typed where a code goes: digits, or
// three characters such as "4O9".
func looksLikeCode(s string) bool {
	return len(s) == 3 || strings.Trim(s, "-0123456789") == ""
}

func loadCatalog() (*catalog.Catalog, error) {
	cat, err := catalog.Load(content.FS)
	if err != nil {
		return nil, fmt.Errorf("the embedded catalog is invalid:\n%w", err)
	}
	return cat, nil
}

// show prints one code's page as plain text.
func show(arg string, stdout io.Writer) error {
	cat, err := loadCatalog()
	if err != nil {
		return err
	}
	code, ok := catalog.ParseCode(arg)
	var e *catalog.Entry
	if ok {
		e = cat.Lookup(code)
	}
	if e == nil {
		msg := fmt.Sprintf("%q is not a status code teapot knows", arg)
		if !ok {
			msg = fmt.Sprintf("%q is not a status code (three digits, 100 to 599)", arg)
		}
		if s := cat.Suggest(arg, 3); len(s) > 0 {
			var codes []string
			for _, e := range s {
				codes = append(codes, fmt.Sprintf("%d %s", e.Code, e.Title()))
			}
			msg += "; did you mean " + strings.Join(codes, ", ") + "?"
		}
		return errors.New(msg)
	}
	_, err = io.WriteString(stdout, site.PlainText(cat, e))
	return err
}

func search(args []string, stdout io.Writer) error {
	q := strings.Join(args, " ")
	if strings.TrimSpace(q) == "" {
		return usagef("search needs words, such as: teapot search conflict")
	}
	if len(q) > catalog.MaxQuery {
		return usagef("the search is %d bytes long; at most %d are allowed", len(q), catalog.MaxQuery)
	}
	cat, err := loadCatalog()
	if err != nil {
		return err
	}
	results := cat.Search(q)
	if _, err := io.WriteString(stdout, site.SearchText(results, q)); err != nil {
		return err
	}
	if len(results) == 0 {
		return errors.New("no match")
	}
	return nil
}

func export(args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("export")
	basePath := fs.String("base-path", getenv("TEAPOT_BASE_PATH"), "path prefix the site will be served under")
	publicURL := fs.String("public-url", getenv("TEAPOT_PUBLIC_URL"), "public origin, for sitemap.xml")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("export needs one folder: teapot export DIR")
	}
	cfg := config{Config: server.Config{BasePath: *basePath}, PublicURL: *publicURL}
	if err := cfg.validatePaths(); err != nil {
		return err
	}
	cat, err := loadCatalog()
	if err != nil {
		return err
	}
	s, err := site.New(cat, site.Options{BasePath: cfg.BasePath, PublicURL: cfg.PublicURL, Version: buildVersion()})
	if err != nil {
		return err
	}
	n, err := s.Export(fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d files to %s\n", n, fs.Arg(0))
	return nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(args, getenv)
	if err != nil {
		return err
	}
	lw := newLogWriter(stderr, 200*time.Millisecond)
	defer lw.Close()
	log := cfg.logger(lw)
	// Building the site allocates several times what it keeps: collect
	// once, at the end, rather than all along, and give the garbage back.
	if cfg.geo, err = cfg.openGeo(log); err != nil {
		return err
	}
	defer cfg.geo.Close()
	gc := debug.SetGCPercent(-1)
	srv, err := newServer(cfg, log)
	debug.SetGCPercent(gc)
	debug.FreeOSMemory()
	if err != nil {
		return err
	}
	if err := srv.Listen(); err != nil {
		srv.Close()
		return err
	}
	log.Info("listening", "addr", srv.Addr().String(), "base_path", cfg.BasePath, "version", buildVersion(), "lab", cfg.labStore())
	watchGeo(ctx, cfg.geo, cfg.GeoReload, log)
	return srv.Serve(ctx)
}

// newServer wires the features into a server: the one place that knows
// them all.
func newServer(cfg config, log *slog.Logger) (*server.Server, error) {
	cat, err := loadCatalog()
	if err != nil {
		return nil, err
	}
	s, err := site.New(cat, site.Options{BasePath: cfg.BasePath, PublicURL: cfg.PublicURL, Version: buildVersion(),
		IPv4JSON: cfg.ipJSON(cfg.IPv4Host), IPv6JSON: cfg.ipJSON(cfg.IPv6Host),
		Lab: site.LabLimits{MaxArticles: cfg.LabMaxArticles, MaxBody: cfg.LabMaxBody, TTL: cfg.LabTTL}})
	if err != nil {
		return nil, err
	}
	cfg.ConnectSources = cfg.ipHostOrigins()
	policy, err := cfg.clientPolicy()
	if err != nil {
		return nil, err
	}
	lv := live.New(cat, live.Options{
		BasePath: cfg.BasePath, MaxDelay: cfg.MaxDelay, Rate: cfg.StatusRate, Burst: cfg.StatusBurst,
		MaxDelayed: cfg.MaxDelayed, MaxDelayedPerClient: cfg.MaxDelayedPerClient, ClientAddr: policy.Key,
	})
	checkOpts := cfg.checkOptions()
	checkOpts.ClientAddr = policy.Key
	checker := urlcheck.New(checkOpts)
	if cfg.geo == nil {
		// Callers other than serve (tests, benchmarks) may leave the
		// databases to be opened here; they stay open.
		if cfg.geo, err = cfg.openGeo(log); err != nil {
			return nil, err
		}
	}
	ip := ipinfo.New(cfg.ipOptions(policy, s.ServeIPPage))
	lb, store, err := cfg.newLab(log)
	if err != nil {
		return nil, err
	}
	srv := server.New(cfg.Config, log, s.Register, lv.Register, checker.Register, ip.Register, lb.Register)
	startLab(srv, lb, store, cfg.LabTTL)
	return srv, nil
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
