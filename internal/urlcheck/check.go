package urlcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"time"

	"github.com/teapothq/teapot/internal/clientip"
	"github.com/teapothq/teapot/internal/ratelimit"
	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
)

// Options configure a Checker.
type Options struct {
	Guard Guard
	// Timeout is the longest time one URL may take, all hops together,
	// and the default. MaxURLs caps the URLs of one API request.
	Timeout time.Duration
	MaxURLs int
	// MaxBytes caps the body bytes read from each response.
	MaxBytes int64
	// Workers caps checks running at once in all; PerClient caps them for
	// one client address.
	Workers, PerClient int
	// Resolver looks up names; nil is net.DefaultResolver. Dial opens
	// the connections the guard allowed; nil is a net.Dialer. Tests
	// replace both so that nothing leaves the loopback interface.
	Resolver Resolver
	Dial     DialFunc
	// RootCAs verify certificates; nil is the system's pool.
	RootCAs *x509.CertPool
	// ClientAddr is the address a request's checks are counted under;
	// nil is the TCP peer (forwarding headers are not believed).
	ClientAddr func(*http.Request) string
	// Origins may post to /api/check from a browser besides the
	// request's own (its Host): the public URL, for a reverse proxy that
	// rewrites Host. Each is an origin such as https://teapot.example.
	Origins []string
	// Shared, when set, keeps the per-client caps (check requests in
	// flight, checks at once) in Redis for every instance that shares it,
	// with this process's memory as the fallback. Workers stays this
	// instance's own: it caps this process's outgoing connections.
	Shared *ratelimit.Redis
}

// Defaults for the options left zero.
const (
	DefaultTimeout   = 10 * time.Second
	DefaultMaxURLs   = 100
	DefaultMaxBytes  = 1 << 20
	DefaultWorkers   = 32
	DefaultPerClient = 6
)

// Checker checks URLs through the guard.
type Checker struct {
	opts      Options
	transport *http.Transport
	workers   chan struct{}
	clients   *clients
	sameSite  *http.CrossOriginProtection // refuses other sites' pages, see serveCheck
	page      *web.Doc                    // the /check page, once AddPage made it
	shell     *web.Shell                  // serves it
}

// New returns a checker.
func New(opts Options) *Checker {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxURLs <= 0 {
		opts.MaxURLs = DefaultMaxURLs
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers
	}
	if opts.PerClient <= 0 {
		opts.PerClient = DefaultPerClient
	}
	if opts.ClientAddr == nil {
		opts.ClientAddr = clientip.PeerKey
	}
	if opts.Resolver == nil {
		opts.Resolver = net.DefaultResolver
	}
	if opts.Dial == nil {
		opts.Dial = (&net.Dialer{Timeout: opts.Timeout}).DialContext
	}
	d := &dialer{guard: &opts.Guard, resolve: opts.Resolver, dial: opts.Dial}
	tr := &http.Transport{
		Proxy:       nil, // never: the guard would check the proxy, not the target
		DialContext: d.DialContext,
		// Certificates are inspected, not trusted: verification is done
		// by hand and reported, so that a self-signed site is described
		// rather than refused.
		TLSClientConfig:        &tls.Config{InsecureSkipVerify: true},
		TLSHandshakeTimeout:    opts.Timeout,
		DisableKeepAlives:      true, // every hop shows its own DNS, connect and TLS times
		DisableCompression:     true, // report the headers as sent
		MaxResponseHeaderBytes: 64 << 10,
		ForceAttemptHTTP2:      true,
	}
	sameSite := http.NewCrossOriginProtection()
	for _, o := range opts.Origins {
		if err := sameSite.AddTrustedOrigin(o); err != nil {
			panic("urlcheck.New: Origins: " + err.Error()) // the config validated it
		}
	}
	c := &Checker{opts: opts, transport: tr, workers: make(chan struct{}, opts.Workers), clients: newClients(opts.PerClient),
		sameSite: sameSite}
	if opts.Shared != nil {
		// A request lasts at most its budget (15 minutes), a check its
		// timeout; the margins cover writing the answer.
		c.clients.share(opts.Shared, 16*time.Minute, opts.Timeout+30*time.Second)
	}
	return c
}

// Limits are the checker's limits on a request.
func (c *Checker) Limits() Limits {
	return Limits{MaxURLs: c.opts.MaxURLs, MaxTimeout: c.opts.Timeout}
}

// Check checks one URL and follows its redirects as spec says. Failures
// are in the result, never a panic or an error return.
func (c *Checker) Check(ctx context.Context, u *url.URL, spec Spec) Result {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, spec.Timeout)
	defer cancel()
	res := Result{URL: u.String()}
	seen := map[string]int{}
	method := spec.Method
	for {
		hop := c.hop(ctx, method, u, spec)
		res.Hops = append(res.Hops, hop)
		if hop.Error != "" {
			res.Error, res.Refused = hop.Error, hop.Refused
			break
		}
		res.Status, res.Reason, res.FinalURL, res.Proto, res.TLS = hop.Status, hop.Reason, hop.URL, hop.Proto, hop.TLS
		next, stop := c.next(&res, hop, u, spec, seen)
		if stop {
			break
		}
		if hop.Status == http.StatusSeeOther && method != http.MethodHead {
			method = http.MethodGet
		}
		u = next
	}
	res.Redirects = len(res.Hops) - 1
	res.TimeMS = ms(time.Since(start))
	return res
}

// next decides whether to follow a hop's redirect, and where to.
func (c *Checker) next(res *Result, hop Hop, u *url.URL, spec Spec, seen map[string]int) (*url.URL, bool) {
	seen[u.String()] = len(res.Hops)
	if !isRedirect(hop.Status) || !spec.Follow {
		return nil, true
	}
	if hop.Location == "" {
		res.Warning = fmt.Sprintf("%d redirect without a Location header: there is nowhere to go", hop.Status)
		return nil, true
	}
	loc, err := u.Parse(hop.Location)
	if err != nil {
		res.Error = fmt.Sprintf("the Location %q is not a URL", respond.Truncate(hop.Location, 100))
		return nil, true
	}
	loc.Fragment, loc.RawFragment = "", ""
	if loc.Scheme != "http" && loc.Scheme != "https" {
		res.Error = fmt.Sprintf("the redirect goes to scheme %q: only http and https are followed", respond.Truncate(loc.Scheme, 20))
		res.Refused = &RefusedError{Rule: "scheme", Target: loc.Scheme, Reason: res.Error}
		return nil, true
	}
	if n, ok := seen[loc.String()]; ok {
		res.Error = fmt.Sprintf("redirect loop: %s was already visited at hop %d", respond.Truncate(loc.String(), 200), n)
		res.Loop = true
		return nil, true
	}
	if len(res.Hops) > spec.MaxRedirects {
		res.Error = fmt.Sprintf("more than %d redirects: stopped following", spec.MaxRedirects)
		return nil, true
	}
	return loc, false
}

func isRedirect(code int) bool {
	switch code {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// hop makes one request and describes its response.
func (c *Checker) hop(ctx context.Context, method string, u *url.URL, spec Spec) Hop {
	hop := Hop{URL: u.String(), Method: method}
	ht := &hopTrace{}
	var t timings
	ctx = context.WithValue(ctx, hopKey{}, ht)
	ctx = httptrace.WithClientTrace(ctx, t.trace())
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		hop.Error = err.Error()
		return hop
	}
	setHeaders(req, spec)
	t.start = time.Now()
	resp, err := c.transport.RoundTrip(req)
	if err != nil {
		hop.Error, hop.Refused = describe(ctx, err)
		_, _, hop.RemoteAddr = ht.get()
		return hop
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, c.opts.MaxBytes+1))
	hop.BodyBytes, hop.Truncated = min(n, c.opts.MaxBytes), n > c.opts.MaxBytes
	if err != nil && !hop.Truncated {
		hop.BodyError = err.Error()
	}
	hop.Status, hop.Reason = resp.StatusCode, reason(resp)
	hop.Location = resp.Header.Get("Location")
	hop.Proto = resp.Proto
	hop.Headers = headers(resp.Header)
	_, _, hop.RemoteAddr = ht.get()
	if resp.TLS != nil {
		hop.TLS = c.tlsInfo(resp.TLS, u.Hostname())
	}
	hop.Timings = t.result(ht, time.Now())
	return hop
}

func setHeaders(req *http.Request, spec Spec) {
	a := agents[spec.Agent]
	req.Header.Set("User-Agent", a.ua)
	req.Header.Set("Accept", a.accept)
	if a.encoding != "" {
		req.Header.Set("Accept-Encoding", a.encoding)
	}
	for k, v := range spec.Header {
		req.Header[k] = v
	}
}

// describe turns a failed round trip into a message, and the refusal if
// the guard refused.
func describe(ctx context.Context, err error) (string, *RefusedError) {
	var re *RefusedError
	if errors.As(err, &re) {
		return re.Reason, re
	}
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return "timed out: no complete answer within the time allowed", nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error(), nil
}

// reason is the reason phrase the server sent, or the standard one.
func reason(resp *http.Response) string {
	if len(resp.Status) > 4 {
		return resp.Status[4:]
	}
	return http.StatusText(resp.StatusCode)
}

// Caps on the headers reported for one response.
const (
	maxReportedFields = 100
	maxReportedValue  = 1024
)

func headers(h http.Header) map[string][]string {
	out := make(map[string][]string, min(len(h), maxReportedFields))
	for k, vs := range h {
		if len(out) == maxReportedFields {
			break
		}
		for _, v := range vs {
			out[k] = append(out[k], respond.Truncate(v, maxReportedValue))
		}
	}
	return out
}

func ms(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}
