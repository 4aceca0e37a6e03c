package ipinfo

import (
	"context"
	"encoding/binary"
	"math/big"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/teapothq/teapot/internal/geo"
)

// Info is what teapot knows of an address: the JSON of /ip.json and
// /ip/{address}.json. Fields that are not known are left out.
type Info struct {
	IP      string `json:"ip"`
	Version int    `json:"version"`
	// Decimal is the address as one number, in a string: an IPv6 address
	// does not fit in a JSON number that JavaScript can read exactly.
	Decimal string `json:"decimal"`
	// IPv4Mapped is the address as asked for when it was an IPv4-mapped
	// IPv6 address (::ffff:192.0.2.1); IP is then the IPv4 address.
	IPv4Mapped string `json:"ipv4_mapped,omitempty"`
	Hostname   string `json:"hostname,omitempty"`

	// From the location database.
	Country     string `json:"country,omitempty"`
	CountryCode string `json:"country_code,omitempty"`
	Region      string `json:"region,omitempty"`
	City        string `json:"city,omitempty"`
	PostalCode  string `json:"postal_code,omitempty"`
	// Latitude and Longitude are pointers so that 0 is shown and
	// "unknown" is not.
	Latitude       *float64 `json:"latitude,omitempty"`
	Longitude      *float64 `json:"longitude,omitempty"`
	AccuracyRadius int      `json:"accuracy_radius,omitempty"` // km
	TimeZone       string   `json:"timezone,omitempty"`
	// From the network database.
	ASN uint32 `json:"asn,omitempty"`
	Org string `json:"org,omitempty"`
	// Network is the block the location and network data hold for.
	Network string `json:"network,omitempty"`

	Special   *Special `json:"special,omitempty"`
	UserAgent string   `json:"user_agent,omitempty"`
	Sources   []Source `json:"sources"`
}

// Source is a data set an answer comes from, with the attribution its
// licence asks for.
type Source = geo.Source

// Geo is the location and network databases; *geo.Set is one, and
// tests give a fake.
type Geo interface {
	Lookup(netip.Addr) geo.Record
	HasLocation() bool // whether a location database is open
	HasNetwork() bool  // and a network one
}

var ianaSource = Source{
	Name: "IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890)",
	URL:  "https://www.iana.org/assignments/iana-ipv4-special-registry/",
}

// Resolver looks up the names of an address (reverse DNS); *net.Resolver
// is one. Tests give a fake that never leaves the process.
type Resolver interface {
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// MaxLookups is how many reverse DNS lookups may be in flight at once.
const MaxLookups = 64

// MaxUserAgent is the longest User-Agent echoed back.
const MaxUserAgent = 512

// lookup builds the Info of a. asked is the address as parsed, before
// unmapping.
func (s *Service) lookup(ctx context.Context, asked netip.Addr) Info {
	a := asked.Unmap().WithZone("")
	in := Info{IP: a.String(), Version: 4, Decimal: decimal(a), Special: Classify(a), Sources: []Source{ianaSource}}
	if a.Is6() {
		in.Version = 6
	}
	if asked.Is4In6() {
		in.IPv4Mapped = asked.WithZone("").String()
	}
	// Special-purpose addresses are not looked up: their names are
	// private, or meaningless outside the network that gave them, and a
	// query about them must not leave for the Internet's resolvers.
	if in.Special == nil {
		in.Hostname = s.hostname(ctx, a)
	}
	if s.opts.Geo != nil {
		in.addGeo(s.opts.Geo.Lookup(a))
	}
	return in
}

// addGeo fills in what the databases know. Special-purpose addresses
// are looked up too: the test databases hold the documentation ranges,
// and a real one simply knows nothing of private ones.
func (in *Info) addGeo(r geo.Record) {
	in.Country, in.CountryCode, in.Region, in.City = r.Country, r.CountryCode, r.Region, r.City
	in.PostalCode, in.TimeZone, in.AccuracyRadius = r.PostalCode, r.TimeZone, int(r.AccuracyRadius)
	if r.HasCoordinates {
		lat, lon := r.Latitude, r.Longitude
		in.Latitude, in.Longitude = &lat, &lon
	}
	in.ASN, in.Org = r.ASN, r.Org
	if r.Network.IsValid() {
		in.Network = r.Network.String()
	}
	for _, src := range [][]Source{r.LocationSources, r.NetworkSources} {
		for _, x := range src {
			if !slices.Contains(in.Sources, x) {
				in.Sources = append(in.Sources, x)
			}
		}
	}
}

func decimal(a netip.Addr) string {
	if a.Is4() {
		b := a.As4()
		return strconv.FormatUint(uint64(binary.BigEndian.Uint32(b[:])), 10)
	}
	b := a.AsSlice()
	return new(big.Int).SetBytes(b).String()
}

// hostname is the first name reverse DNS gives for a within the timeout,
// or "" when there is none, it fails or it is not a valid host name.
func (s *Service) hostname(ctx context.Context, a netip.Addr) string {
	if s.opts.Resolver == nil || s.opts.LookupTimeout <= 0 {
		return ""
	}
	// A cap on lookups in flight keeps a flood of /ip/{address} requests
	// from becoming a flood of queries to the resolver: past it, answers
	// go without a hostname.
	select {
	case s.lookups <- struct{}{}:
		defer func() { <-s.lookups }()
	default:
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.LookupTimeout)
	defer cancel()
	names, err := s.opts.Resolver.LookupAddr(ctx, a.String())
	if err != nil || len(names) == 0 {
		return ""
	}
	name := strings.TrimSuffix(names[0], ".")
	if !validHostname(name) {
		return ""
	}
	return strings.ToLower(name)
}

// validHostname accepts what a PTR record may hold: labels of letters,
// digits, '-' and '_', up to 253 bytes. Anything else is not shown.
func validHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// ParseAddr reads an address as typed into /ip/{address}: IPv4 in
// dotted decimal, IPv6 in any standard form, optionally in brackets. A
// zone is dropped. Nothing else is accepted: no names, no 127.1.
func ParseAddr(s string) (netip.Addr, bool) {
	if len(s) > maxInput {
		return netip.Addr{}, false
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		s = s[1 : len(s)-1]
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone(""), true
}

// maxInput is the longest address read: the longest IPv6 form with a
// zone and brackets is well below it.
const maxInput = 100
