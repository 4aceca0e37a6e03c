package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/teapothq/teapot/internal/urlcheck"
)

// checkFlags are the options of "teapot check".
type checkFlags struct {
	method, agent, expect, ports, format string
	follow, allowPrivate                 bool
	maxRedirects, workers, maxBytes      int
	timeout                              time.Duration
	headers                              headerList
}

// headerList collects repeated --header "Name: value" flags.
type headerList map[string]string

func (h headerList) String() string { return "" }

func (h headerList) Set(s string) error {
	name, value, ok := strings.Cut(s, ":")
	if !ok {
		return fmt.Errorf("%q must look like Name: value", s)
	}
	h[strings.TrimSpace(name)] = strings.TrimSpace(value)
	return nil
}

func newCheckFlags() (*flag.FlagSet, *checkFlags) {
	f := &checkFlags{headers: headerList{}}
	fs := newFlagSet("check")
	fs.StringVar(&f.method, "method", "GET", "GET or HEAD")
	fs.BoolVar(&f.follow, "follow", true, "follow redirects (--follow=false to stop at the first answer)")
	fs.IntVar(&f.maxRedirects, "max-redirects", urlcheck.DefaultMaxHops, "redirects to follow at most (0 to 20)")
	fs.StringVar(&f.agent, "user-agent", "teapot", "user agent preset: "+urlcheck.AgentNames)
	fs.Var(f.headers, "header", `a request header "Name: value" (repeatable, at most 10)`)
	fs.DurationVar(&f.timeout, "timeout", urlcheck.DefaultTimeout, "time allowed for each URL, redirects included")
	fs.StringVar(&f.expect, "expect", "", "status codes a URL must end with, such as 200 or 200,301; any other fails the command")
	fs.BoolVar(&f.allowPrivate, "allow-private", false, "allow loopback, private and other special-purpose addresses")
	fs.StringVar(&f.ports, "ports", "any", "ports that may be connected to, such as 80,443, or any")
	fs.IntVar(&f.workers, "workers", 8, "URLs checked at once")
	fs.IntVar(&f.maxBytes, "max-bytes", urlcheck.DefaultMaxBytes, "body bytes read from each response")
	fs.StringVar(&f.format, "format", "table", "output: table, json or csv")
	return fs, f
}

const checkUsage = `Usage: teapot check [flags] URL...

Checks what each URL returns: the final status, every redirect, the time.
Exits 1 when a URL gets no answer or, with --expect, ends with another
status. Private and other special-purpose addresses are refused unless
--allow-private is given.

`

// check is "teapot check". base carries the resolver and dialer (tests
// replace them); the rest of the options come from the flags.
func check(ctx context.Context, args []string, stdout io.Writer, base urlcheck.Options) error {
	fs, f := newCheckFlags()
	raw, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, checkUsage)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return nil
	}
	if err != nil {
		return err
	}
	c, spec, urls, expect, err := f.build(raw, base)
	if err != nil {
		return err
	}
	results := make([]urlcheck.Result, len(urls))
	c.CheckAll(ctx, urls, spec, f.workers, func(r urlcheck.Result) { results[r.Index] = r })
	failed := failures(results, expect)
	switch f.format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(results)
	case "csv":
		urlcheck.WriteCSV(stdout, results)
	default:
		printTable(stdout, results, failed)
	}
	if n := len(failed); n > 0 {
		return fmt.Errorf("%d of %d URLs failed the check", n, len(results))
	}
	return nil
}

// parseInterleaved parses flags that may come before, between and after
// the URLs.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("check: %v", err)
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// build validates the flags and URLs into a checker and what to check.
func (f *checkFlags) build(raw []string, base urlcheck.Options) (*urlcheck.Checker, urlcheck.Spec, []*url.URL, map[int]bool, error) {
	fail := func(err error) (*urlcheck.Checker, urlcheck.Spec, []*url.URL, map[int]bool, error) {
		return nil, urlcheck.Spec{}, nil, nil, err
	}
	if len(raw) == 0 {
		return fail(usagef("check needs at least one URL, such as: teapot check https://example.org/"))
	}
	if f.timeout <= 0 || f.timeout > 10*time.Minute || f.workers < 1 || f.workers > 256 || f.maxBytes < 0 {
		return fail(usagef("check: --timeout must be more than 0 and at most 10m, --workers from 1 to 256, --max-bytes 0 or more"))
	}
	if f.format != "table" && f.format != "json" && f.format != "csv" {
		return fail(usagef("check: --format %q must be table, json or csv", f.format))
	}
	ports, anyPort, err := urlcheck.ParsePorts(f.ports)
	if err != nil {
		return fail(usagef("check: --ports: %v", err))
	}
	expect, err := parseExpect(f.expect)
	if err != nil {
		return fail(err)
	}
	lim := urlcheck.Limits{MaxTimeout: f.timeout}
	req := urlcheck.Request{Method: f.method, Follow: &f.follow, MaxRedirects: &f.maxRedirects, UserAgent: f.agent, Headers: f.headers}
	spec, err := req.Spec(lim)
	if err != nil {
		return fail(usagef("check: %v", err))
	}
	urls, err := urlcheck.ParseURLs(raw, 0)
	if err != nil {
		return fail(usagef("check: %v", err))
	}
	base.Guard = urlcheck.Guard{AllowPrivate: f.allowPrivate, Ports: ports, AnyPort: anyPort}
	base.Timeout, base.MaxBytes, base.Workers, base.PerClient = f.timeout, int64(max(f.maxBytes, 1)), f.workers, f.workers
	return urlcheck.New(base), spec, urls, expect, nil
}

func parseExpect(s string) (map[int]bool, error) {
	if s == "" {
		return nil, nil
	}
	codes := map[int]bool{}
	for _, p := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 100 || n > 599 {
			return nil, usagef("check: --expect %q: give status codes from 100 to 599, such as 200 or 200,301", s)
		}
		codes[n] = true
	}
	return codes, nil
}

// failures says why each failed URL failed, by index.
func failures(results []urlcheck.Result, expect map[int]bool) map[int]string {
	out := map[int]string{}
	for i, r := range results {
		switch {
		case r.Status == 0:
			out[i] = "no answer"
		case expect != nil && !expect[r.Status]:
			out[i] = "unexpected status"
		}
	}
	return out
}

func printTable(w io.Writer, results []urlcheck.Result, failed map[int]string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "URL\tSTATUS\tHOPS\tTIME\tNOTE")
	for i, r := range results {
		var chain []string
		for _, h := range r.Hops {
			if h.Status != 0 {
				chain = append(chain, strconv.Itoa(h.Status))
			}
		}
		status := "-"
		if r.Status != 0 {
			status = strconv.Itoa(r.Status)
		}
		note := r.Error
		if r.Refused != nil && r.Refused.Rule != "" && strings.Contains(note, "private targets are disabled") {
			// The command line can allow what a public server must not.
			note += " (--allow-private allows it)"
		}
		if note == "" {
			note = r.Warning
		}
		if why := failed[i]; why != "" && why != "no answer" {
			note = strings.TrimSpace(why + " " + note)
		}
		hops := strings.Join(chain, " -> ")
		if hops == "" {
			hops = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.URL, status, hops, fmt.Sprintf("%.0fms", r.TimeMS), note)
	}
	tw.Flush()
}
