package ipinfo

import (
	"context"
	"encoding/binary"
	"maps"
	"math/big"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

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
	// ReverseDNS says what became of the reverse DNS lookup: found, none,
	// timeout, failed, skipped (the client is over its rate of lookups),
	// busy (too many in flight) or special-purpose (never looked up).
	// Left out when the server does no reverse DNS.
	ReverseDNS string `json:"reverse_dns,omitempty"`

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

	// sourcesJSON is the JSON of Sources, when lookup set the two
	// together from its cache; nil otherwise.
	sourcesJSON []byte
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

// MaxLookups is how many reverse DNS queries may be in flight at once.
const MaxLookups = 64

// MaxUserAgent is the longest User-Agent echoed back.
const MaxUserAgent = 512

// lookup builds the Info of asked, the address as parsed (before
// unmapping), for request r: a reverse DNS lookup it causes is charged
// to r's client.
func (s *Service) lookup(r *http.Request, asked netip.Addr) Info {
	a := asked.Unmap().WithZone("")
	in := Info{IP: a.String(), Version: 4, Decimal: decimal(a), Special: Classify(a)}
	if a.Is6() {
		in.Version = 6
	}
	if asked.Is4In6() {
		in.IPv4Mapped = asked.WithZone("").String()
	}
	ans := s.hostname(r, a)
	in.Hostname, in.ReverseDNS = ans.name, ans.status
	var rec geo.Record
	if s.opts.Geo != nil {
		rec = s.opts.Geo.Lookup(a)
		in.addGeo(rec)
	}
	set := s.sources.of(rec.LocationSources, rec.NetworkSources)
	in.Sources, in.sourcesJSON = set.list, set.json
	return in
}

// addGeo fills in what the databases know. Special-purpose addresses
// are looked up too: the test databases hold the documentation ranges,
// and a real one simply knows nothing of private ones.
func (in *Info) addGeo(r geo.Record) {
	in.Country, in.CountryCode, in.Region, in.City = r.Country, r.CountryCode, r.Region, r.City
	in.PostalCode, in.TimeZone, in.AccuracyRadius = r.PostalCode, r.TimeZone, int(r.AccuracyRadius)
	if r.HasCoordinates {
		c := &[2]float64{r.Latitude, r.Longitude} // one allocation for both
		in.Latitude, in.Longitude = &c[0], &c[1]
	}
	in.ASN, in.Org = r.ASN, r.Org
	if r.Network.IsValid() {
		var buf [len("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128")]byte
		in.Network = string(r.Network.AppendTo(buf[:0]))
	}
}

// sourceList is the sources of an answer: IANA's registries, then those
// of the location and the network databases, each once.
func sourceList(location, network []Source) []Source {
	list := []Source{ianaSource}
	for _, src := range [][]Source{location, network} {
		for _, x := range src {
			if !slices.Contains(list, x) {
				list = append(list, x)
			}
		}
	}
	return list
}

// sourceSet is one list of sources with its JSON, shared by every answer
// that carries it: nothing may change either.
type sourceSet struct {
	list []Source
	json []byte
}

// sourceKey names a pair of the databases' source lists by where they
// are: a database keeps its list for as long as it is open.
type sourceKey struct {
	location, network *Source
	nl, nn            int
}

// sourceCache keeps the sourceSet of every pair of lists seen, so that an
// answer neither builds its list nor encodes it: with a database or two
// of each kind, only a few pairs ever occur. Readers take the map
// without a lock; a new pair copies it.
type sourceCache struct {
	mu   sync.Mutex
	sets atomic.Pointer[map[sourceKey]*sourceSet]
}

// maxSourceSets bounds the pairs kept: each reload of a database makes
// new ones, and past this the cache starts over.
const maxSourceSets = 32

func (c *sourceCache) of(location, network []Source) *sourceSet {
	k := sourceKey{nl: len(location), nn: len(network)}
	if len(location) > 0 {
		k.location = &location[0]
	}
	if len(network) > 0 {
		k.network = &network[0]
	}
	if m := c.sets.Load(); m != nil {
		if set, ok := (*m)[k]; ok {
			return set
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.sets.Load()
	if old != nil {
		if set, ok := (*old)[k]; ok {
			return set
		}
	}
	m := make(map[sourceKey]*sourceSet)
	if old != nil && len(*old) < maxSourceSets {
		maps.Copy(m, *old)
	}
	list := sourceList(location, network)
	set := &sourceSet{list: list, json: appendSources(nil, list)}
	m[k] = set
	c.sets.Store(&m)
	return set
}

func decimal(a netip.Addr) string {
	if a.Is4() {
		b := a.As4()
		return strconv.FormatUint(uint64(binary.BigEndian.Uint32(b[:])), 10)
	}
	b := a.AsSlice()
	return new(big.Int).SetBytes(b).String()
}

// hostname is a's reverse DNS name, or why there is none; the zero
// answer when the server does no reverse DNS.
func (s *Service) hostname(r *http.Request, a netip.Addr) answer {
	if s.dns == nil {
		return answer{}
	}
	// Special-purpose addresses are not looked up: their names are
	// private, or meaningless outside the network that gave them, and a
	// query about them must not leave for the Internet's resolvers.
	if Classify(a) != nil {
		return answer{status: rdnsSpecial}
	}
	return s.dns.lookup(r.Context(), a, func() string { return s.opts.ClientKey(r) })
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
