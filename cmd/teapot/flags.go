package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/teapothq/teapot/internal/app"
)

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usagef("%s: %v", fs.Name(), err)
	}
	return nil
}

// envName is the environment variable of a flag: addr is TEAPOT_ADDR.
func envName(flagName string) string {
	return "TEAPOT_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// serveFlags registers the serve flags on fs and sets each from its
// environment variable, if set: the variable replaces the default, and a
// flag on the command line, parsed later, wins over both. A malformed
// variable is an error that names it.
func serveFlags(fs *flag.FlagSet, c *app.Config, getenv func(string) string) error {
	d := app.Defaults()
	fs.StringVar(&c.Addr, "addr", d.Addr, "address to listen on, host:port")
	fs.StringVar(&c.BasePath, "base-path", "", "path prefix when served behind a reverse proxy, such as /teapot")
	fs.StringVar(&c.PublicURL, "public-url", "", "public origin for absolute URLs (sitemap.xml), such as https://teapot.example")
	fs.DurationVar(&c.ReadHeaderTimeout, "read-header-timeout", d.ReadHeaderTimeout, "time allowed to read a request's header")
	fs.DurationVar(&c.ReadTimeout, "read-timeout", d.ReadTimeout, "time allowed to read a whole request")
	fs.DurationVar(&c.WriteTimeout, "write-timeout", d.WriteTimeout, "time allowed to write a response")
	fs.DurationVar(&c.IdleTimeout, "idle-timeout", d.IdleTimeout, "how long an idle keep-alive connection is kept")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", d.ShutdownTimeout, "how long requests in flight may finish on SIGINT or SIGTERM")
	fs.DurationVar(&c.DrainDelay, "drain-delay", d.DrainDelay, "on SIGINT or SIGTERM, keep serving this long with /readyz answering 503, so that a load balancer stops sending requests first (such as 5s behind one)")
	fs.IntVar(&c.MaxHeaderBytes, "max-header-bytes", d.MaxHeaderBytes, "largest request header accepted, in bytes")
	fs.IntVar(&c.MaxConns, "max-conns", d.MaxConns, "connections open at once, upgraded ones included; one over it is answered 503 and closed (0: no cap)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", "", "serve /metrics on its own listener, such as 127.0.0.1:9090, or off; empty serves it with everything else (a public instance should move it)")
	fs.BoolVar(&c.AccessLog, "access-log", d.AccessLog, "log every request")
	fs.DurationVar(&c.MaxDelay, "max-delay", d.MaxDelay, "longest delay /status may be asked for")
	fs.Float64Var(&c.StatusRate, "status-rate", d.StatusRate, "requests a second one client address may make to /status (0: no limit)")
	fs.IntVar(&c.StatusBurst, "status-burst", d.StatusBurst, "requests one client address may make to /status in a burst")
	fs.IntVar(&c.MaxDelayed, "max-delayed", d.MaxDelayed, "requests to /status that may wait out a delay at once")
	fs.IntVar(&c.MaxDelayedPerClient, "max-delayed-per-client", d.MaxDelayedPerClient, "delayed requests to /status one client address may have waiting")
	fs.BoolVar(&c.CheckAllowPrivate, "check-allow-private", false, "let the URL checker reach loopback, private and other special-purpose addresses (only inside your own network)")
	fs.StringVar(&c.CheckPorts, "check-ports", d.CheckPorts, "ports the URL checker may connect to, such as 80,443,8080, or any")
	fs.DurationVar(&c.CheckTimeout, "check-timeout", d.CheckTimeout, "longest time the URL checker spends on one URL, redirects included")
	fs.IntVar(&c.CheckMaxURLs, "check-max-urls", d.CheckMaxURLs, "URLs one request to /api/check may give")
	fs.IntVar(&c.CheckMaxBytes, "check-max-bytes", d.CheckMaxBytes, "body bytes the URL checker reads from each response")
	fs.IntVar(&c.CheckWorkers, "check-workers", d.CheckWorkers, "URL checks running at once, in all")
	fs.IntVar(&c.CheckPerClient, "check-per-client", d.CheckPerClient, "URL checks running at once for one client address")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", "", "proxies whose X-Forwarded-For and Forwarded headers name the client: CIDR prefixes or addresses, such as 10.0.0.0/8,2001:db8::/32 (default: none; the client is the TCP peer)")
	fs.IntVar(&c.ClientIPv6Prefix, "client-ipv6-prefix", d.ClientIPv6Prefix, "IPv6 clients are counted per prefix of this length by every per-client limit (one subscriber often holds a /64 or more); 128 counts single addresses")
	fs.StringVar(&c.ClientIPHeader, "client-ip-header", "", "read the client's address from this one header (such as CF-Connecting-IP or X-Real-IP) instead, from --trusted-proxies only")
	fs.StringVar(&c.IPv4Host, "ipv4-host", "", "a host name of this server reached over IPv4 only, such as ipv4.teapot.example: /ip then shows both addresses (needs --public-url)")
	fs.StringVar(&c.IPv6Host, "ipv6-host", "", "a host name of this server reached over IPv6 only, such as ipv6.teapot.example (needs --public-url)")
	fs.DurationVar(&c.ReverseDNSTimeout, "reverse-dns-timeout", d.ReverseDNSTimeout, "longest a reverse DNS lookup for /ip may take (0: no reverse DNS)")
	fs.IntVar(&c.ReverseDNSRate, "reverse-dns-rate", d.ReverseDNSRate, "reverse DNS lookups a minute one client address may cause for /ip, in bursts of as many; cached answers are free, and past it answers come without the name (0: no limit)")
	fs.StringVar(&c.GeoCity, "geo-city", "", "location database for /ip: a City or Country .mmdb (MaxMind GeoIP2/GeoLite2, DB-IP or @ip-location-db), or several separated by commas, tried in order (make geodata fetches free ones)")
	fs.StringVar(&c.GeoASN, "geo-asn", "", "network database for /ip: an ASN .mmdb (MaxMind or @ip-location-db), or several separated by commas")
	fs.DurationVar(&c.GeoReload, "geo-reload", d.GeoReload, "how often the --geo-city and --geo-asn files are checked for a new version, reloaded without a restart (0: only on SIGHUP)")
	fs.StringVar(&c.DataDir, "data-dir", d.DataDir, "folder for the conflict lab's SQLite database (lab.db), created if missing")
	fs.BoolVar(&c.LabMemory, "lab-memory", false, "keep the conflict lab's SQLite database in memory: nothing is written to disk and everything is lost at exit")
	fs.StringVar(&c.DatabaseURL, "database-url", "", "PostgreSQL URL for the conflict lab instead of SQLite, such as postgres://user@db:5432/teapot; several teapot instances can share it")
	fs.StringVar(&c.RedisURL, "redis-url", "", "Redis URL, such as redis://redis:6379/0, to share every per-client limit (the /status rate, delay slots, URL-checker slots, new lab sandboxes, new client exam runs, reverse DNS lookups) among the instances that use it; while it is unreachable each instance limits on its own and /readyz says degraded")
	fs.DurationVar(&c.LabTTL, "lab-ttl", d.LabTTL, "a conflict lab sandbox unused this long is removed with its articles")
	fs.IntVar(&c.LabMaxArticles, "lab-max-articles", d.LabMaxArticles, "articles one conflict lab sandbox may hold")
	fs.IntVar(&c.LabMaxBody, "lab-max-body", d.LabMaxBody, "bytes in a conflict lab article's body")
	fs.IntVar(&c.LabMaxSandboxes, "lab-max-sandboxes", d.LabMaxSandboxes, "conflict lab sandboxes kept at once, in all: past it, a new sandbox gets 503 until unused ones expire (empty or little-used ones after an hour, or --lab-ttl if shorter)")
	fs.Int64Var(&c.LabMaxBytes, "lab-max-bytes", d.LabMaxBytes, "bytes of conflict lab articles kept, in all (slug, title and body, and 64 a row): past it, a write that grows gets 507. The SQLite file is capped at twice this, plus 256 bytes a sandbox and 4 MiB")
	fs.IntVar(&c.LabSandboxesPerHour, "lab-sandboxes-per-hour", d.LabSandboxesPerHour, "new conflict lab sandboxes one client address (an IPv6 one by its prefix) may make an hour, all at once if it likes: past it, 429")
	fs.DurationVar(&c.ExamTTL, "exam-ttl", d.ExamTTL, "a client exam run, with its journal, is removed this long after it starts")
	fs.IntVar(&c.ExamRunsPerHour, "exam-runs-per-hour", d.ExamRunsPerHour, "client exam runs one client address (an IPv6 one by its prefix) may start an hour, all at once if it likes: past it, 429")
	fs.IntVar(&c.ExamMaxRuns, "exam-max-runs", d.ExamMaxRuns, "client exam runs kept at once, in all: past it, a new run gets 503 until runs expire")
	fs.IntVar(&c.ExamMaxRequests, "exam-max-requests", d.ExamMaxRequests, "requests one client exam run journals: past it, 429 and nothing more is recorded (redirect-loop alone may take 101). The SQLite file's cap grows by 1.5 KB for each request --exam-max-runs runs may journal")
	fs.IntVar(&c.ExamMaxBody, "exam-max-body", d.ExamMaxBody, "bytes of a request body the client exam reads and hashes (never stores): past it, 413")
	fs.DurationVar(&c.ExamTolerance, "exam-tolerance", d.ExamTolerance, "how much sooner than Retry-After asked a client exam retry may come and still pass (the report states it)")
	fs.StringVar(&c.ExamAltOrigin, "exam-alt-origin", "", "another origin of this server, such as https://alt.teapot.example, for the client exam's cross-origin-auth check, which redirects there with credentials (empty: that check is skipped)")
	fs.StringVar(&c.LogFormat, "log-format", d.LogFormat, "log format: text or json")
	fs.StringVar(&c.LogLevel, "log-level", d.LogLevel, "log level: debug, info, warn or error")
	var errs []string
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(envName(f.Name)); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Sprintf("%s=%q: %v", envName(f.Name), v, err))
			}
		}
	})
	if len(errs) > 0 {
		return usagef("%s", strings.Join(errs, "; "))
	}
	return nil
}

// loadConfig fills the config from the environment and args, and
// validates it before anything starts.
func loadConfig(args []string, getenv func(string) string) (app.Config, error) {
	c := app.Config{Version: buildVersion()}
	fs := newFlagSet("serve")
	if err := serveFlags(fs, &c, getenv); err != nil {
		return c, err
	}
	if err := parseFlags(fs, args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, usagef("serve takes flags only, not %q", fs.Arg(0))
	}
	if err := c.Validate(); err != nil {
		return c, usageError{err.Error()}
	}
	return c, nil
}
