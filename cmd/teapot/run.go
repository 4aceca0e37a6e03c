package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"

	"github.com/teapothq/teapot/internal/app"
	"github.com/teapothq/teapot/internal/catalog"
	"github.com/teapothq/teapot/internal/server"
	"github.com/teapothq/teapot/internal/site"
	"github.com/teapothq/teapot/internal/urlcheck"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise it comes from the module's build information.
var version = ""

// revision and committed are the commit and its time, set with -ldflags
// "-X main.revision=... -X main.committed=..." by builds that record no
// VCS information (make release).
var revision, committed string

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
	case "healthcheck":
		return healthcheck(ctx, rest, getenv, stdout)
	case "exam":
		return examCmd(ctx, rest, getenv, stdout, stderr)
	case "version", "--version", "-version":
		bi, _ := debug.ReadBuildInfo()
		_, err := io.WriteString(stdout, versionText(buildVersion(), bi))
		return err
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

func loadCatalog() (*catalog.Catalog, error) { return app.LoadCatalog() }

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
	results := cat.SearchAll(q)
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
	basePath := fs.String("base-path", getenv("TEAPOT_BASE_PATH"), "path prefix the site will be served under, for the not-found page and sitemap.xml (other pages link relatively)")
	publicURL := fs.String("public-url", getenv("TEAPOT_PUBLIC_URL"), "public origin, for sitemap.xml")
	opts := app.ExportOptions{}
	fs.StringVar(&opts.LiveURL, "live-url", getenv("TEAPOT_LIVE_URL"), "a running teapot that links to the pages needing a server (search, try, check, ip, lab) lead to")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("export needs one folder: teapot export [--live-url URL] [--base-path PATH] [--public-url URL] DIR")
	}
	cfg := app.Config{Config: server.Config{BasePath: *basePath, PublicURL: *publicURL}, Version: buildVersion()}
	if err := cfg.ValidatePaths(); err != nil {
		return usageError{err.Error()}
	}
	if err := opts.Validate(); err != nil {
		return usageError{err.Error()}
	}
	n, err := app.Export(cfg, fs.Arg(0), opts)
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
	lw := server.NewLogWriter(stderr, 200*time.Millisecond)
	defer lw.Close()
	log := cfg.Logger(lw)
	// Building the site allocates several times what it keeps; give the
	// garbage back to the system before serving (app does the same once
	// the pages left for later are rendered). Turning the collector off
	// while building was slower and left the kept pages scattered over
	// more memory: 45 MB after start instead of 38 MB.
	a, err := app.New(cfg, log)
	debug.FreeOSMemory()
	if err != nil {
		return err
	}
	return a.Serve(ctx)
}

// versionText is what "teapot version" prints: the version, then what
// the build recorded of the source (revision, its time, uncommitted
// changes) and of the toolchain, one line each.
func versionText(v string, bi *debug.BuildInfo) string {
	out := "teapot " + v + "\n"
	if bi == nil {
		return out
	}
	set := map[string]string{}
	for _, s := range bi.Settings {
		set[s.Key] = s.Value
	}
	// A release is built without VCS stamps, to be reproducible from any
	// checkout; it says its commit with -X main.revision and main.committed.
	if set["vcs.revision"] == "" && revision != "" {
		set["vcs.revision"], set["vcs.time"] = revision, committed
	}
	if rev := set["vcs.revision"]; rev != "" {
		if set["vcs.modified"] == "true" {
			rev += " (with uncommitted changes)"
		}
		out += "revision " + rev + "\n"
	}
	if t := set["vcs.time"]; t != "" {
		out += "committed " + t + "\n"
	}
	out += "built with " + bi.GoVersion
	if set["GOOS"] != "" {
		out += " for " + set["GOOS"] + "/" + set["GOARCH"]
	}
	return out + "\n"
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
