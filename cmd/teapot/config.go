package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/teapothq/teapot/internal/clientip"
	"github.com/teapothq/teapot/internal/geo"
	"github.com/teapothq/teapot/internal/ipinfo"
	"github.com/teapothq/teapot/internal/server"
	"github.com/teapothq/teapot/internal/urlcheck"
)

// config is every setting of "teapot serve". Each flag has an environment
// variable (TEAPOT_ and the flag's name in capitals); the environment sets
// the default and a flag overrides it.
type config struct {
	server.Config // the HTTP server's part
	PublicURL     string
	LogFormat     string
	LogLevel      string

	// The live endpoints' limits.
	MaxDelay            time.Duration
	StatusRate          float64
	StatusBurst         int
	MaxDelayed          int
	MaxDelayedPerClient int

	// The URL checker's guard and limits.
	CheckAllowPrivate bool
	CheckPorts        string
	CheckTimeout      time.Duration
	CheckMaxURLs      int
	CheckMaxBytes     int
	CheckWorkers      int
	CheckPerClient    int

	// Who is believed about the client's address, and the IP lookup.
	TrustedProxies    string
	ClientIPHeader    string
	ReverseDNSTimeout time.Duration
	IPv4Host          string
	IPv6Host          string
	GeoCity           string        // location databases (.mmdb), comma-separated
	GeoASN            string        // network databases
	GeoReload         time.Duration // how often the geo files are checked for a new version

	// The conflict lab's storage and limits.
	DataDir        string
	LabMemory      bool
	DatabaseURL    string
	LabTTL         time.Duration
	LabMaxArticles int
	LabMaxBody     int

	// geo is the open --geo-city and --geo-asn databases (see openGeo).
	geo *geo.Set

	// ipResolver replaces the IP lookup's reverse DNS; only tests set it,
	// so that no query leaves the process.
	ipResolver ipinfo.Resolver

	// checkResolver and checkDial replace the checker's resolver and
	// dialer; only tests set them, so that nothing leaves loopback.
	checkResolver urlcheck.Resolver
	checkDial     urlcheck.DialFunc
}

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
func serveFlags(fs *flag.FlagSet, c *config, getenv func(string) string) error {
	fs.StringVar(&c.Addr, "addr", ":8080", "address to listen on, host:port")
	fs.StringVar(&c.BasePath, "base-path", "", "path prefix when served behind a reverse proxy, such as /teapot")
	fs.StringVar(&c.PublicURL, "public-url", "", "public origin for absolute URLs (sitemap.xml), such as https://teapot.example")
	fs.DurationVar(&c.ReadHeaderTimeout, "read-header-timeout", 5*time.Second, "time allowed to read a request's header")
	fs.DurationVar(&c.ReadTimeout, "read-timeout", 15*time.Second, "time allowed to read a whole request")
	fs.DurationVar(&c.WriteTimeout, "write-timeout", 30*time.Second, "time allowed to write a response")
	fs.DurationVar(&c.IdleTimeout, "idle-timeout", time.Minute, "how long an idle keep-alive connection is kept")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 10*time.Second, "how long requests in flight may finish on SIGINT or SIGTERM")
	fs.IntVar(&c.MaxHeaderBytes, "max-header-bytes", 16384, "largest request header accepted, in bytes")
	fs.BoolVar(&c.AccessLog, "access-log", true, "log every request")
	fs.DurationVar(&c.MaxDelay, "max-delay", 10*time.Second, "longest delay /status may be asked for")
	fs.Float64Var(&c.StatusRate, "status-rate", 20, "requests a second one client address may make to /status (0: no limit)")
	fs.IntVar(&c.StatusBurst, "status-burst", 40, "requests one client address may make to /status in a burst")
	fs.IntVar(&c.MaxDelayed, "max-delayed", 200, "requests to /status that may wait out a delay at once")
	fs.IntVar(&c.MaxDelayedPerClient, "max-delayed-per-client", 5, "delayed requests to /status one client address may have waiting")
	fs.BoolVar(&c.CheckAllowPrivate, "check-allow-private", false, "let the URL checker reach loopback, private and other special-purpose addresses (only inside your own network)")
	fs.StringVar(&c.CheckPorts, "check-ports", "80,443", "ports the URL checker may connect to, such as 80,443,8080, or any")
	fs.DurationVar(&c.CheckTimeout, "check-timeout", 10*time.Second, "longest time the URL checker spends on one URL, redirects included")
	fs.IntVar(&c.CheckMaxURLs, "check-max-urls", 100, "URLs one request to /api/check may give")
	fs.IntVar(&c.CheckMaxBytes, "check-max-bytes", 1048576, "body bytes the URL checker reads from each response")
	fs.IntVar(&c.CheckWorkers, "check-workers", 32, "URL checks running at once, in all")
	fs.IntVar(&c.CheckPerClient, "check-per-client", 6, "URL checks running at once for one client address")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", "", "proxies whose X-Forwarded-For and Forwarded headers name the client: CIDR prefixes or addresses, such as 10.0.0.0/8,2001:db8::/32 (default: none; the client is the TCP peer)")
	fs.StringVar(&c.ClientIPHeader, "client-ip-header", "", "read the client's address from this one header (such as CF-Connecting-IP or X-Real-IP) instead, from --trusted-proxies only")
	fs.StringVar(&c.IPv4Host, "ipv4-host", "", "a host name of this server reached over IPv4 only, such as ipv4.teapot.example: /ip then shows both addresses (needs --public-url)")
	fs.StringVar(&c.IPv6Host, "ipv6-host", "", "a host name of this server reached over IPv6 only, such as ipv6.teapot.example (needs --public-url)")
	fs.DurationVar(&c.ReverseDNSTimeout, "reverse-dns-timeout", time.Second, "longest a reverse DNS lookup for /ip may take (0: no reverse DNS)")
	fs.StringVar(&c.GeoCity, "geo-city", "", "location database for /ip: a City or Country .mmdb (MaxMind GeoIP2/GeoLite2, DB-IP or @ip-location-db), or several separated by commas, tried in order (make geodata fetches free ones)")
	fs.StringVar(&c.GeoASN, "geo-asn", "", "network database for /ip: an ASN .mmdb (MaxMind or @ip-location-db), or several separated by commas")
	fs.DurationVar(&c.GeoReload, "geo-reload", 5*time.Second, "how often the --geo-city and --geo-asn files are checked for a new version, reloaded without a restart (0: only on SIGHUP)")
	fs.StringVar(&c.DataDir, "data-dir", "data", "folder for the conflict lab's SQLite database (lab.db), created if missing")
	fs.BoolVar(&c.LabMemory, "lab-memory", false, "keep the conflict lab's SQLite database in memory: nothing is written to disk and everything is lost at exit")
	fs.StringVar(&c.DatabaseURL, "database-url", "", "PostgreSQL URL for the conflict lab instead of SQLite, such as postgres://user@db:5432/teapot; several teapot instances can share it")
	fs.DurationVar(&c.LabTTL, "lab-ttl", 24*time.Hour, "a conflict lab sandbox unused this long is removed with its articles")
	fs.IntVar(&c.LabMaxArticles, "lab-max-articles", 50, "articles one conflict lab sandbox may hold")
	fs.IntVar(&c.LabMaxBody, "lab-max-body", 65536, "bytes in a conflict lab article's body")
	fs.StringVar(&c.LogFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
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
func loadConfig(args []string, getenv func(string) string) (config, error) {
	var c config
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
	return c, c.validate()
}

var hostRE = regexp.MustCompile(`^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(:[0-9]{1,5})?$`)

var basePathRE = regexp.MustCompile(`^(/[A-Za-z0-9._~-]+)*$`)

func (c *config) validatePaths() error {
	c.BasePath = strings.TrimRight(c.BasePath, "/")
	if !basePathRE.MatchString(c.BasePath) {
		return usagef("--base-path %q must look like /teapot: segments of letters, digits, '.', '_', '~' and '-'", c.BasePath)
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
			return usagef("--public-url %q must be an origin such as https://teapot.example (no path: use --base-path)", c.PublicURL)
		}
		c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	}
	return nil
}

func (c *config) validate() error {
	if err := c.validatePaths(); err != nil {
		return err
	}
	if _, _, err := splitHostPort(c.Addr); err != nil {
		return usagef("--addr %q: %v", c.Addr, err)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"read-header-timeout", c.ReadHeaderTimeout}, {"read-timeout", c.ReadTimeout},
		{"write-timeout", c.WriteTimeout}, {"idle-timeout", c.IdleTimeout}, {"shutdown-timeout", c.ShutdownTimeout},
	} {
		if d.v <= 0 || d.v > time.Hour {
			return usagef("--%s %v must be more than 0 and at most 1h", d.name, d.v)
		}
	}
	if c.MaxDelay < 0 || c.MaxDelay > c.WriteTimeout-time.Second {
		return usagef("--max-delay %v must be from 0 to --write-timeout less a second (%v)", c.MaxDelay, c.WriteTimeout-time.Second)
	}
	if c.StatusRate < 0 || c.StatusBurst < 1 || c.MaxDelayed < 1 || c.MaxDelayedPerClient < 1 {
		return usagef("--status-rate must be 0 or more; --status-burst, --max-delayed and --max-delayed-per-client at least 1")
	}
	if err := c.validateCheck(); err != nil {
		return err
	}
	if _, err := c.clientPolicy(); err != nil {
		return err
	}
	for _, h := range []struct{ flag, v string }{{"ipv4-host", c.IPv4Host}, {"ipv6-host", c.IPv6Host}} {
		if h.v == "" {
			continue
		}
		if !hostRE.MatchString(h.v) {
			return usagef("--%s %q must be a host name, optionally with a port, such as %s.teapot.example", h.flag, h.v, h.flag[:4])
		}
		if c.PublicURL == "" {
			return usagef("--%s needs --public-url: the page at that origin is the one allowed to ask it", h.flag)
		}
	}
	if c.ReverseDNSTimeout < 0 || c.ReverseDNSTimeout > 10*time.Second {
		return usagef("--reverse-dns-timeout %v must be from 0 to 10s", c.ReverseDNSTimeout)
	}
	if err := c.validateGeo(); err != nil {
		return err
	}
	if err := c.validateLab(); err != nil {
		return err
	}
	if c.MaxHeaderBytes < 1024 || c.MaxHeaderBytes > 1<<20 {
		return usagef("--max-header-bytes %d must be from 1024 to 1048576", c.MaxHeaderBytes)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return usagef("--log-format %q must be text or json", c.LogFormat)
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return usagef("--log-level %q must be debug, info, warn or error", c.LogLevel)
	}
	return nil
}

func (c *config) validateCheck() error {
	if _, _, err := urlcheck.ParsePorts(c.CheckPorts); err != nil {
		return usagef("--check-ports: %v", err)
	}
	switch {
	case c.CheckTimeout < time.Second || c.CheckTimeout > time.Minute:
		return usagef("--check-timeout %v must be from 1s to 1m", c.CheckTimeout)
	case c.CheckMaxURLs < 1 || c.CheckMaxURLs > 1000:
		return usagef("--check-max-urls %d must be from 1 to 1000", c.CheckMaxURLs)
	case c.CheckMaxBytes < 0 || c.CheckMaxBytes > 100<<20:
		return usagef("--check-max-bytes %d must be from 0 to 104857600", c.CheckMaxBytes)
	case c.CheckWorkers < 1 || c.CheckWorkers > 1024:
		return usagef("--check-workers %d must be from 1 to 1024", c.CheckWorkers)
	case c.CheckPerClient < 1 || c.CheckPerClient > c.CheckWorkers:
		return usagef("--check-per-client %d must be from 1 to --check-workers (%d)", c.CheckPerClient, c.CheckWorkers)
	}
	return nil
}

func (c *config) validateLab() error {
	switch {
	case c.LabTTL < time.Minute || c.LabTTL > 365*24*time.Hour:
		return usagef("--lab-ttl %v must be from 1m to 8760h", c.LabTTL)
	case c.LabMaxArticles < 1 || c.LabMaxArticles > 10000:
		return usagef("--lab-max-articles %d must be from 1 to 10000", c.LabMaxArticles)
	case c.LabMaxBody < 1024 || c.LabMaxBody > 256<<10:
		return usagef("--lab-max-body %d must be from 1024 to 262144", c.LabMaxBody)
	case c.DatabaseURL != "" && c.LabMemory:
		return usagef("--lab-memory and --database-url exclude each other: the lab uses one store")
	case c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://"):
		return usagef("--database-url must be a PostgreSQL URL such as postgres://user@host:5432/teapot")
	case c.DatabaseURL == "" && !c.LabMemory && c.DataDir == "":
		return usagef("--data-dir must name a folder (or use --lab-memory or --database-url)")
	}
	return nil
}

// clientPolicy is who is believed about the client's address.
func (c *config) clientPolicy() (*clientip.Policy, error) {
	trusted, err := clientip.ParseTrusted(c.TrustedProxies)
	if err != nil {
		return nil, usagef("--trusted-proxies: %v", err)
	}
	p, err := clientip.New(trusted, c.ClientIPHeader)
	if err != nil {
		return nil, usagef("--client-ip-header: %v", err)
	}
	return p, nil
}

// ipOptions are the IP lookup's options from the config.
func (c *config) ipOptions(policy *clientip.Policy, page func(http.ResponseWriter, *http.Request, int)) ipinfo.Options {
	var res ipinfo.Resolver = net.DefaultResolver
	if c.ipResolver != nil {
		res = c.ipResolver
	}
	var cors []string
	if len(c.ipHostOrigins()) > 0 {
		cors = append([]string{c.PublicURL}, c.ipHostOrigins()...)
	}
	opts := ipinfo.Options{BasePath: c.BasePath, ClientAddr: policy.Addr, Resolver: res,
		LookupTimeout: c.ReverseDNSTimeout, Page: page, CORSOrigins: cors}
	if c.geo != nil {
		opts.Geo = c.geo
	}
	return opts
}

// ipHostOrigins are the origins of --ipv4-host and --ipv6-host, with the
// public URL's scheme.
func (c *config) ipHostOrigins() []string {
	scheme, _, _ := strings.Cut(c.PublicURL, "://")
	var out []string
	for _, h := range []string{c.IPv4Host, c.IPv6Host} {
		if h != "" {
			out = append(out, scheme+"://"+h)
		}
	}
	return out
}

// ipJSON is /ip.json on host, or "" without one.
func (c *config) ipJSON(host string) string {
	if host == "" {
		return ""
	}
	scheme, _, _ := strings.Cut(c.PublicURL, "://")
	return scheme + "://" + host + c.BasePath + "/ip.json"
}

// checkOptions are the URL checker's options from the config.
func (c *config) checkOptions() urlcheck.Options {
	ports, anyPort, _ := urlcheck.ParsePorts(c.CheckPorts)
	return urlcheck.Options{
		BasePath: c.BasePath,
		Guard:    urlcheck.Guard{AllowPrivate: c.CheckAllowPrivate, Ports: ports, AnyPort: anyPort},
		Timeout:  c.CheckTimeout, MaxURLs: c.CheckMaxURLs, MaxBytes: int64(c.CheckMaxBytes),
		Workers: c.CheckWorkers, PerClient: c.CheckPerClient,
		Resolver: c.checkResolver, Dial: c.checkDial,
	}
}

func splitHostPort(addr string) (string, int, error) {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return "", 0, fmt.Errorf("want host:port, such as :8080 or 127.0.0.1:8080")
	}
	port, err := strconv.Atoi(addr[i+1:])
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("port must be a number from 0 to 65535")
	}
	return addr[:i], port, nil
}

func (c *config) logger(w io.Writer) *slog.Logger {
	var lvl slog.Level
	lvl.UnmarshalText([]byte(c.LogLevel))
	return slog.New(newQuickHandler(w, c.LogFormat == "json", &slog.HandlerOptions{Level: lvl}))
}
