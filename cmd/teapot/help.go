package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/teapothq/teapot/internal/app"
	"github.com/teapothq/teapot/internal/live"
)

const usage = `teapot: HTTP status codes explained, served or offline.

Usage:
  teapot                 start the web server (same as teapot serve)
  teapot serve [flags]   start the web server; see teapot help serve
  teapot NNN             print the reference page of a status code, such as teapot 409
  teapot search WORDS    search codes, guides and comparisons by whole words
  teapot export DIR      write the whole site as static files (with .gz and .br) for any
                         static host or a browser reading the folder; flags go before DIR:
                         --live-url URL (a teapot that runs, for search, try, check, ip
                         and lab), --base-path PATH, --public-url URL
  teapot check [flags] URL...
                         check what URLs return (status, redirects, time); see teapot check --help
  teapot healthcheck [--addr HOST:PORT]
                         exit 0 if a running teapot answers /healthz with 200, else 1
                         (for container health checks; the address defaults to $TEAPOT_ADDR, then :8080)
  teapot exam run [flags] -- COMMAND...
                         take the client exam on a teapot (--server, default $TEAPOT_URL or
                         http://localhost:8080): runs COMMAND once per check with {method},
                         {body} and {url} put into its arguments (no shell), prints the
                         report, exits 1 if a check failed; see teapot help exam
  teapot version         print the version
  teapot help [serve|exam]
                         print this help, the server's flags, or the exam's

Exit status: 0 on success, 1 on failure (such as an unknown code), 2 on bad usage.
`

func help(args []string, stdout io.Writer) error {
	switch {
	case len(args) == 0:
		_, err := io.WriteString(stdout, usage)
		return err
	case len(args) == 1 && args[0] == "serve":
		return helpServe(stdout)
	case len(args) == 1 && args[0] == "exam":
		return helpExam(stdout)
	}
	return usagef("no help for %q; try teapot help serve or teapot help exam", strings.Join(args, " "))
}

// helpServe lists every serve flag with its environment variable and
// default, from the same definitions the server reads.
func helpServe(w io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var c app.Config
	serveFlags(fs, &c, func(string) string { return "" })
	fmt.Fprint(w, "Usage: teapot serve [flags]\n\nEvery flag can also be set in the environment; a flag wins over its variable.\n\n")
	fs.VisitAll(func(f *flag.Flag) {
		def := f.DefValue
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(w, "  --%s  (%s, default %s)\n      %s\n", f.Name, envName(f.Name), def, f.Usage)
	})
	fmt.Fprintf(w, "\n/status/{code} takes header=Name:value (or a Teapot-Header request header) only for\n"+
		"fields a client reads for itself, so that no proxy, cache or browser in front acts on them:\n  %s\n",
		strings.Join(live.AllowedHeaders(), ", "))
	return nil
}
