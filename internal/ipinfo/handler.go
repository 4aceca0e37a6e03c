package ipinfo

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/teapothq/teapot/internal/clientip"
	"github.com/teapothq/teapot/internal/ratelimit"
	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
)

// Options configure the endpoints.
type Options struct {
	// ClientAddr is the client's address; nil is the TCP peer. The
	// server passes clientip's policy, so that forwarding headers are
	// believed exactly when the operator says.
	ClientAddr func(*http.Request) netip.Addr
	// ClientKey is what a client's reverse DNS lookups are counted
	// under; nil is ClientAddr's address, an IPv6 one as its /64
	// (clientip.Policy.KeyOf). The server passes the policy's Key, which
	// masks IPv6 as --client-ipv6-prefix says.
	ClientKey func(*http.Request) string
	// Resolver does reverse DNS; nil turns it off.
	Resolver Resolver
	// LookupTimeout bounds a reverse DNS lookup; 0 turns it off.
	LookupTimeout time.Duration
	// LookupRate is how many reverse DNS queries one client may cause a
	// minute, in bursts of as many; answers from the cache and from a
	// query in flight are free. Past it, answers go without the name and
	// say the lookup was skipped. 0: no limit.
	LookupRate int
	// CORSOrigins may read the visitor's own address from a script on
	// another origin: the site's own and its IPv4-only and IPv6-only
	// hosts, so that one page can show both addresses.
	CORSOrigins []string
	// Geo is the location and network databases; nil: none, and the
	// fields that need them are not known.
	Geo Geo
	// Shared, when set, counts each client's reverse DNS lookups in
	// Redis for every instance that shares it, with this process's memory
	// as the fallback.
	Shared *ratelimit.Redis
}

// DefaultLookupTimeout is how long reverse DNS may take by default.
const DefaultLookupTimeout = time.Second

// Service serves /ip and its relatives.
type Service struct {
	opts    Options
	sources sourceCache
	dns     *reverseDNS   // nil: no reverse DNS
	page    *respond.Body // the /ip page, once AddPage made it; nil answers browsers with JSON
}

// New returns the endpoints.
func New(opts Options) *Service {
	if opts.ClientAddr == nil {
		opts.ClientAddr = clientip.Peer
	}
	if opts.ClientKey == nil {
		addr := opts.ClientAddr
		opts.ClientKey = func(r *http.Request) string {
			var p *clientip.Policy
			return p.KeyOf(addr(r))
		}
	}
	s := &Service{opts: opts}
	if opts.Resolver != nil && opts.LookupTimeout > 0 {
		s.dns = newReverseDNS(opts.Resolver, opts.LookupTimeout, opts.LookupRate)
		if opts.LookupRate > 0 {
			s.dns.budget = opts.Shared.Bucket("reverse-dns", float64(opts.LookupRate)/60, opts.LookupRate, s.dns.local)
		}
	}
	return s
}

// fields are the one-value plain-text endpoints, /ip/{field}: each gives
// the value and a newline, or 404 when it is not known.
var fields = []string{"country", "country-code", "city", "region", "coordinates", "timezone",
	"asn", "org", "hostname", "decimal", "version"}

// Register adds the routes to mux.
func (s *Service) Register(mux *web.Mux) {
	mux.HandleFunc("GET /ip", s.serveMine)
	mux.HandleFunc("GET /ip.json", s.serveMine)
	mux.HandleFunc("GET /ip.txt", s.serveMine)
	for _, f := range fields {
		mux.HandleFunc("GET /ip/"+f, s.serveField)
	}
	mux.HandleFunc("GET /ip/{address}", s.serveAddress)
}

// Formats.
const (
	fmtHTML = web.HTML
	fmtJSON = web.JSON
	fmtText = web.Text
)

// hvNegotiated is the Vary of a response chosen by Accept and User-Agent.
var hvNegotiated = []string{web.Negotiated}

func (s *Service) serveMine(w http.ResponseWriter, r *http.Request) {
	if q := r.URL.Query().Get("address"); q != "" {
		s.redirectForm(w, r, q)
		return
	}
	h := w.Header()
	h["Cache-Control"] = []string{"no-store"}
	suffix := strings.TrimPrefix(r.URL.Path, "/ip")
	if suffix == "" {
		setVary(w)
	}
	s.cors(w, r)
	f, ok := s.format(r, suffix)
	if !ok {
		notAcceptable(w)
		return
	}
	a := s.opts.ClientAddr(r)
	switch {
	case f == fmtHTML:
		s.servePage(w, r, http.StatusOK)
	case !a.IsValid():
		s.problem(w, r, http.StatusInternalServerError, "No client address",
			"The connection has no IP address (it may come over a Unix socket).")
	case f == fmtText:
		respond.Text(w, http.StatusOK, a.String()+"\n")
	default:
		in := s.lookup(r, a)
		in.UserAgent = respond.Truncate(r.Header.Get("User-Agent"), MaxUserAgent)
		writeInfo(w, &in)
	}
}

// cors lets the configured origins read the answer.
func (s *Service) cors(w http.ResponseWriter, r *http.Request) {
	if len(s.opts.CORSOrigins) == 0 {
		return
	}
	w.Header().Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	for _, o := range s.opts.CORSOrigins {
		if o == origin {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
			return
		}
	}
}

// redirectForm sends the page's form (/ip?address=X) to /ip/X, which
// works without JavaScript.
func (s *Service) redirectForm(w http.ResponseWriter, r *http.Request, q string) {
	a, ok := ParseAddr(strings.TrimSpace(q))
	if !ok {
		s.badAddress(w, r, q, fmtHTML)
		return
	}
	http.Redirect(w, r, respond.Link(r, "/ip/"+url.PathEscape(a.String())), http.StatusSeeOther)
}

// hvPublic5m is the Cache-Control of an answer about a given address,
// shared by every response: header values are never changed in place.
var hvPublic5m = []string{"public, max-age=300"}

func (s *Service) serveAddress(w http.ResponseWriter, r *http.Request) {
	raw := r.PathValue("address")
	stem, suffix := raw, ""
	for _, sfx := range []string{".json", ".txt"} {
		if st, ok := strings.CutSuffix(raw, sfx); ok {
			stem, suffix = st, sfx
		}
	}
	if suffix == "" {
		setVary(w)
	}
	f, ok := s.format(r, suffix)
	if !ok {
		notAcceptable(w)
		return
	}
	a, ok := ParseAddr(stem)
	if !ok {
		s.badAddress(w, r, stem, f)
		return
	}
	w.Header()["Cache-Control"] = hvPublic5m
	switch f {
	case fmtHTML:
		s.servePage(w, r, http.StatusOK)
	case fmtText:
		respond.Text(w, http.StatusOK, infoText(s.lookup(r, a)))
	default:
		in := s.lookup(r, a)
		writeInfo(w, &in)
	}
}

func (s *Service) serveField(w http.ResponseWriter, r *http.Request) {
	w.Header()["Cache-Control"] = []string{"no-store"}
	name := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	a := s.opts.ClientAddr(r)
	if !a.IsValid() {
		respond.Text(w, http.StatusInternalServerError, "The connection has no IP address.\n")
		return
	}
	var v string
	switch name {
	case "decimal":
		v = decimal(a)
	case "version":
		v = "4"
		if a.Is6() {
			v = "6"
		}
	case "hostname":
		ans := s.hostname(r, a)
		if ans.name == "" {
			respond.Text(w, http.StatusNotFound, s.noHostname(ans.status))
			return
		}
		v = ans.name
	default:
		var msg string
		v, msg = s.geoField(name, a)
		if v == "" {
			respond.Text(w, http.StatusNotFound, msg)
			return
		}
	}
	respond.Text(w, http.StatusOK, v+"\n")
}

// geoField is one location or network field of a as text, or "" and
// the sentence that says why it is not known.
func (s *Service) geoField(name string, a netip.Addr) (string, string) {
	what := fieldNames[name]
	network := name == "asn" || name == "org"
	g := s.opts.Geo
	switch {
	case g == nil, network && !g.HasNetwork(), !network && !g.HasLocation():
		db := "location"
		if network {
			db = "network"
		}
		return "", fmt.Sprintf("This server has no %s database, so it cannot tell your %s.\n", db, what)
	}
	r := g.Lookup(a)
	var v string
	switch name {
	case "country":
		v = r.Country
	case "country-code":
		v = r.CountryCode
	case "city":
		v = r.City
	case "region":
		v = r.Region
	case "timezone":
		v = r.TimeZone
	case "coordinates":
		if r.HasCoordinates {
			v = coordinate(r.Latitude) + "," + coordinate(r.Longitude)
		}
	case "asn":
		if r.ASN != 0 {
			v = "AS" + strconv.FormatUint(uint64(r.ASN), 10)
		}
	case "org":
		v = r.Org
	}
	return v, fmt.Sprintf("The database has no %s for %s.\n", what, a)
}

// fieldNames are the geo fields' names in a sentence.
var fieldNames = map[string]string{
	"country": "country", "country-code": "country code", "city": "city", "region": "region",
	"coordinates": "coordinates", "timezone": "time zone", "asn": "AS number", "org": "network organisation",
}

func coordinate(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// format picks the representation: the suffix's, or what Accept prefers,
// with ties going to HTML for browsers and to plain text for command-line
// clients.
func (s *Service) format(r *http.Request, suffix string) (string, bool) {
	f, ok := web.Format(r, suffix)
	if f == fmtHTML && s.page == nil {
		f = fmtJSON
	}
	return f, ok
}

// setVary marks a response whose form depends on the request's headers.
func setVary(w http.ResponseWriter) { w.Header()["Vary"] = hvNegotiated }

func (s *Service) badAddress(w http.ResponseWriter, r *http.Request, input, f string) {
	msg := quote(respond.Truncate(input, 60)) + " is not an IPv4 or IPv6 address; give one such as 192.0.2.1 or 2001:db8::1."
	switch f {
	case fmtHTML:
		w.Header().Set("Cache-Control", "no-store")
		s.servePage(w, r, http.StatusBadRequest)
	case fmtText:
		w.Header().Set("Cache-Control", "no-store")
		respond.Text(w, http.StatusBadRequest, "400 Bad Request: "+msg+"\n")
	default:
		s.problem(w, r, http.StatusBadRequest, "Not an IP address", msg)
	}
}

func notAcceptable(w http.ResponseWriter) {
	respond.Text(w, http.StatusNotAcceptable,
		"406 Not Acceptable: this address is available as text/html, application/json and text/plain.\n")
}

func (s *Service) problem(w http.ResponseWriter, r *http.Request, status int, title, detail string) {
	respond.Fail(w, r, nil, &respond.Problem{Title: title, Status: status, Detail: detail,
		Instance: respond.Truncate(r.URL.Path, 200)})
}

// infoText is the plain-text form of /ip/{address}.
func infoText(in Info) string {
	var b strings.Builder
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%-12s %s\n", k+":", v)
		}
	}
	line("ip", in.IP)
	line("version", strconv.Itoa(in.Version))
	line("decimal", in.Decimal)
	line("ipv4 mapped", in.IPv4Mapped)
	line("hostname", in.Hostname)
	if in.Hostname == "" {
		line("reverse dns", in.ReverseDNS)
	}
	if in.Country != "" {
		line("country", in.Country+" ("+in.CountryCode+")")
	} else {
		line("country", in.CountryCode)
	}
	line("region", in.Region)
	line("city", in.City)
	line("postal code", in.PostalCode)
	if in.Latitude != nil && in.Longitude != nil {
		c := coordinate(*in.Latitude) + "," + coordinate(*in.Longitude)
		if in.AccuracyRadius > 0 {
			c += " (within " + strconv.Itoa(in.AccuracyRadius) + " km)"
		}
		line("coordinates", c)
	}
	line("timezone", in.TimeZone)
	if in.ASN != 0 {
		line("asn", "AS"+strconv.FormatUint(uint64(in.ASN), 10))
	}
	line("org", in.Org)
	line("network", in.Network)
	if sp := in.Special; sp != nil {
		line("special", strings.Join(nonEmpty(sp.Kind, sp.Network, sp.RFC), ", "))
		b.WriteString("\n" + sp.Description + "\n")
	}
	if len(in.Sources) > 1 {
		b.WriteString("\nSources:\n")
		for _, src := range in.Sources {
			fmt.Fprintf(&b, "- %s", src.Name)
			if src.URL != "" {
				fmt.Fprintf(&b, " <%s>", src.URL)
			}
			if src.Attribution != "" {
				b.WriteString(": " + src.Attribution)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// quote quotes input the way JSON does, with <, > and & escaped too, so
// that it is inert in every form the message is sent in.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
