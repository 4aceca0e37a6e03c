package app

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/teapothq/teapot/internal/clientip"
	"github.com/teapothq/teapot/internal/server"
	"github.com/teapothq/teapot/internal/urlcheck"
)

// Config is every setting of the server; "teapot serve" fills it from its
// flags and environment variables (TEAPOT_ and the flag's name in
// capitals), and Validate checks it before anything starts. Error
// messages name the flag of a field.
type Config struct {
	server.Config        // the HTTP server's part: address, base path, timeouts
	Version       string // shown in the footer and the log; not a flag
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
	ClientIPv6Prefix  int // IPv6 clients are counted per prefix of this length
	ReverseDNSTimeout time.Duration
	ReverseDNSRate    int // reverse DNS lookups a minute one client may cause
	IPv4Host          string
	IPv6Host          string
	GeoCity           string        // location databases (.mmdb), comma-separated
	GeoASN            string        // network databases
	GeoReload         time.Duration // how often the geo files are checked for a new version

	// RedisURL shares the per-client limits among instances; "" keeps
	// them in memory.
	RedisURL string

	// The conflict lab's storage and limits.
	DataDir        string
	LabMemory      bool
	DatabaseURL    string
	LabTTL         time.Duration
	LabMaxArticles int
	LabMaxBody     int
	// The lab's bounds in all: sandboxes and bytes of articles kept, and
	// new sandboxes one client address may make an hour.
	LabMaxSandboxes     int
	LabMaxBytes         int64
	LabSandboxesPerHour int

	// The client exam's limits, kept in the lab's database, and the other
	// origin its cross-origin check redirects to ("": skipped).
	ExamTTL         time.Duration
	ExamRunsPerHour int
	ExamMaxRuns     int
	ExamMaxRequests int
	ExamMaxBody     int
	ExamTolerance   time.Duration
	ExamAltOrigin   string
}

var hostRE = regexp.MustCompile(`^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(:[0-9]{1,5})?$`)

var basePathRE = regexp.MustCompile(`^(/[A-Za-z0-9._~-]+)*$`)

// ValidatePaths checks and normalises only BasePath and PublicURL, for
// the export, which needs no more.
func (c *Config) ValidatePaths() error {
	c.BasePath = strings.TrimRight(c.BasePath, "/")
	if !basePathRE.MatchString(c.BasePath) {
		return fmt.Errorf("--base-path %q must look like /teapot: segments of letters, digits, '.', '_', '~' and '-'", c.BasePath)
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("--public-url %q must be an origin such as https://teapot.example (no path: use --base-path)", c.PublicURL)
		}
		c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	}
	return nil
}

// Validate checks every field and normalises the paths, so that nothing
// starts on a bad setting.
func (c *Config) Validate() error {
	if err := c.ValidatePaths(); err != nil {
		return err
	}
	if _, _, err := splitHostPort(c.Addr); err != nil {
		return fmt.Errorf("--addr %q: %v", c.Addr, err)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"read-header-timeout", c.ReadHeaderTimeout}, {"read-timeout", c.ReadTimeout},
		{"write-timeout", c.WriteTimeout}, {"idle-timeout", c.IdleTimeout}, {"shutdown-timeout", c.ShutdownTimeout},
	} {
		if d.v <= 0 || d.v > time.Hour {
			return fmt.Errorf("--%s %v must be more than 0 and at most 1h", d.name, d.v)
		}
	}
	if c.MaxDelay < 0 || c.MaxDelay > c.WriteTimeout-time.Second {
		return fmt.Errorf("--max-delay %v must be from 0 to --write-timeout less a second (%v)", c.MaxDelay, c.WriteTimeout-time.Second)
	}
	if c.StatusRate < 0 || c.StatusBurst < 1 || c.MaxDelayed < 1 || c.MaxDelayedPerClient < 1 {
		return fmt.Errorf("--status-rate must be 0 or more; --status-burst, --max-delayed and --max-delayed-per-client at least 1")
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
			return fmt.Errorf("--%s %q must be a host name, optionally with a port, such as %s.teapot.example", h.flag, h.v, h.flag[:4])
		}
		if c.PublicURL == "" {
			return fmt.Errorf("--%s needs --public-url: the page at that origin is the one allowed to ask it", h.flag)
		}
	}
	if c.ReverseDNSTimeout < 0 || c.ReverseDNSTimeout > 10*time.Second {
		return fmt.Errorf("--reverse-dns-timeout %v must be from 0 to 10s", c.ReverseDNSTimeout)
	}
	if c.ReverseDNSRate < 0 || c.ReverseDNSRate > 10000 {
		return fmt.Errorf("--reverse-dns-rate %d must be from 0 (no limit) to 10000", c.ReverseDNSRate)
	}
	if err := c.validateGeo(); err != nil {
		return err
	}
	if err := c.validateLab(); err != nil {
		return err
	}
	if err := c.validateExam(); err != nil {
		return err
	}
	if err := c.validateListeners(); err != nil {
		return err
	}
	if c.MaxHeaderBytes < 1024 || c.MaxHeaderBytes > 1<<20 {
		return fmt.Errorf("--max-header-bytes %d must be from 1024 to 1048576", c.MaxHeaderBytes)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format %q must be text or json", c.LogFormat)
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("--log-level %q must be debug, info, warn or error", c.LogLevel)
	}
	return nil
}

// validateListeners checks the connection cap and where /metrics is
// served.
func (c *Config) validateListeners() error {
	if c.MaxConns < 0 || c.MaxConns > 1_000_000 {
		return fmt.Errorf("--max-conns %d must be from 0 (no cap) to 1000000", c.MaxConns)
	}
	if c.DrainDelay < 0 || c.DrainDelay > 5*time.Minute {
		return fmt.Errorf("--drain-delay %v must be from 0 to 5m", c.DrainDelay)
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		return fmt.Errorf("--redis-url must start with redis:// or rediss://")
	}
	switch c.MetricsAddr {
	case "", "off":
		return nil
	}
	if _, _, err := splitHostPort(c.MetricsAddr); err != nil {
		return fmt.Errorf("--metrics-addr %q must be off or host:port: %v", c.MetricsAddr, err)
	}
	if c.MetricsAddr == c.Addr {
		return fmt.Errorf("--metrics-addr %q is --addr: leave it empty to serve /metrics there", c.MetricsAddr)
	}
	return nil
}

func (c *Config) validateCheck() error {
	if _, _, err := urlcheck.ParsePorts(c.CheckPorts); err != nil {
		return fmt.Errorf("--check-ports: %v", err)
	}
	switch {
	case c.CheckTimeout < time.Second || c.CheckTimeout > time.Minute:
		return fmt.Errorf("--check-timeout %v must be from 1s to 1m", c.CheckTimeout)
	case c.CheckMaxURLs < 1 || c.CheckMaxURLs > 1000:
		return fmt.Errorf("--check-max-urls %d must be from 1 to 1000", c.CheckMaxURLs)
	case c.CheckMaxBytes < 0 || c.CheckMaxBytes > 100<<20:
		return fmt.Errorf("--check-max-bytes %d must be from 0 to 104857600", c.CheckMaxBytes)
	case c.CheckWorkers < 1 || c.CheckWorkers > 1024:
		return fmt.Errorf("--check-workers %d must be from 1 to 1024", c.CheckWorkers)
	case c.CheckPerClient < 1 || c.CheckPerClient > c.CheckWorkers:
		return fmt.Errorf("--check-per-client %d must be from 1 to --check-workers (%d)", c.CheckPerClient, c.CheckWorkers)
	}
	return nil
}

func (c *Config) validateLab() error {
	switch {
	case c.LabTTL < time.Minute || c.LabTTL > 365*24*time.Hour:
		return fmt.Errorf("--lab-ttl %v must be from 1m to 8760h", c.LabTTL)
	case c.LabMaxArticles < 1 || c.LabMaxArticles > 10000:
		return fmt.Errorf("--lab-max-articles %d must be from 1 to 10000", c.LabMaxArticles)
	case c.LabMaxBody < 1024 || c.LabMaxBody > 256<<10:
		return fmt.Errorf("--lab-max-body %d must be from 1024 to 262144", c.LabMaxBody)
	case c.LabMaxSandboxes < 1 || c.LabMaxSandboxes > 1_000_000:
		return fmt.Errorf("--lab-max-sandboxes %d must be from 1 to 1000000", c.LabMaxSandboxes)
	case c.LabMaxBytes < 1<<20 || c.LabMaxBytes > 64<<30:
		return fmt.Errorf("--lab-max-bytes %d must be from 1048576 (1 MiB) to 68719476736 (64 GiB)", c.LabMaxBytes)
	case c.LabSandboxesPerHour < 1 || c.LabSandboxesPerHour > 100_000:
		return fmt.Errorf("--lab-sandboxes-per-hour %d must be from 1 to 100000", c.LabSandboxesPerHour)
	case c.DatabaseURL != "" && c.LabMemory:
		return fmt.Errorf("--lab-memory and --database-url exclude each other: the lab uses one store")
	case c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://"):
		return fmt.Errorf("--database-url must be a PostgreSQL URL such as postgres://user@host:5432/teapot")
	case c.DatabaseURL == "" && !c.LabMemory && c.DataDir == "":
		return fmt.Errorf("--data-dir must name a folder (or use --lab-memory or --database-url)")
	}
	return nil
}

// clientPolicy is who is believed about the client's address.
func (c *Config) clientPolicy() (*clientip.Policy, error) {
	trusted, err := clientip.ParseTrusted(c.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("--trusted-proxies: %v", err)
	}
	p, err := clientip.New(trusted, c.ClientIPHeader)
	if err != nil {
		return nil, fmt.Errorf("--client-ip-header: %v", err)
	}
	if c.ClientIPv6Prefix < 32 || c.ClientIPv6Prefix > 128 {
		return nil, fmt.Errorf("--client-ipv6-prefix %d must be from 32 to 128", c.ClientIPv6Prefix)
	}
	p.IPv6Prefix = c.ClientIPv6Prefix
	return p, nil
}

// ipHostOrigins are the origins of --ipv4-host and --ipv6-host, with the
// public URL's scheme.
func (c *Config) ipHostOrigins() []string {
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
func (c *Config) ipJSON(host string) string {
	if host == "" {
		return ""
	}
	scheme, _, _ := strings.Cut(c.PublicURL, "://")
	return scheme + "://" + host + c.BasePath + "/ip.json"
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

// Logger is the log the config asks for (--log-format, --log-level),
// written to w.
func (c *Config) Logger(w io.Writer) *slog.Logger {
	var lvl slog.Level
	lvl.UnmarshalText([]byte(c.LogLevel))
	return slog.New(server.NewLogHandler(w, c.LogFormat == "json", &slog.HandlerOptions{Level: lvl}))
}
