package clientip

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/textproto"
	"strings"
)

// Limits on what is read from a request's headers.
const (
	// MaxHeader is the longest forwarding header read; a longer one is
	// ignored (and the peer is the client).
	MaxHeader = 4096
	// MaxHops is how many hops of a forwarding header are walked from
	// the right; a longer chain of trusted proxies stops at the last one
	// read.
	MaxHops = 32
	// maxNode is the longest hop read as an address: a bracketed IPv6
	// address with a zone and a port is well below it.
	maxNode = 100
	// MaxTrusted is the most prefixes --trusted-proxies may list.
	MaxTrusted = 1000
)

// Policy says whose word about the client's address is believed. The
// zero Policy believes no one: the client is the TCP peer.
type Policy struct {
	// Trusted are the proxies whose forwarding headers are read.
	Trusted []netip.Prefix
	// Header, when set, is the one header (such as CF-Connecting-IP)
	// that names the client in a request from a trusted proxy; then
	// X-Forwarded-For and Forwarded are not read.
	Header string
	// IPv6Prefix is the length of the prefix an IPv6 client is counted
	// under by Key: one subscriber usually holds a whole /64 (RFC 6177
	// leaves sites /48 to /64), so counting single addresses would give
	// each as many budgets as it has addresses. 0 means 64.
	IPv6Prefix int
}

// DefaultIPv6Prefix is the prefix length Key uses for IPv6 clients when
// the policy does not say.
const DefaultIPv6Prefix = 64

// New returns a Policy, or an error naming what is wrong: a client
// header needs trusted proxies, since anyone could send it otherwise.
func New(trusted []netip.Prefix, header string) (*Policy, error) {
	header = strings.TrimSpace(header)
	if header != "" {
		if !validToken(header) {
			return nil, fmt.Errorf("%q is not a header field name", header)
		}
		if len(trusted) == 0 {
			return nil, fmt.Errorf("a client header (%s) is only read from trusted proxies: give the proxies too", header)
		}
		header = textproto.CanonicalMIMEHeaderKey(header)
	}
	return &Policy{Trusted: trusted, Header: header}, nil
}

// ParseTrusted reads a list of proxies: CIDR prefixes or single
// addresses, separated by commas or spaces, such as
// "10.0.0.0/8, 2001:db8::/32, 192.0.2.7".
func ParseTrusted(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if len(out) == MaxTrusted {
			return nil, fmt.Errorf("at most %d prefixes may be given", MaxTrusted)
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil || a.Zone() != "" {
				return nil, fmt.Errorf("%q is not a CIDR prefix such as 10.0.0.0/8 or an address", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, normalize(p))
	}
	return out, nil
}

// normalize masks p and turns an IPv4-mapped IPv6 prefix into the IPv4
// prefix it means, since addresses are unmapped before they are matched.
func normalize(p netip.Prefix) netip.Prefix {
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked()
}

// Peer is the TCP peer's address, unmapped and without a zone; it is not
// valid when RemoteAddr is not an IP address (a Unix socket).
func Peer(r *http.Request) netip.Addr {
	return peerAddr(peerHost(r))
}

// peerHost is the host part of RemoteAddr.
func peerHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func peerAddr(host string) netip.Addr {
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return clean(a)
}

func clean(a netip.Addr) netip.Addr { return a.Unmap().WithZone("") }

// Addr is the client's address. It is not valid only when the peer's
// address is not an IP address.
func (p *Policy) Addr(r *http.Request) netip.Addr {
	return p.addr(r, Peer(r))
}

// addr is Addr for a request whose peer is known.
func (p *Policy) addr(r *http.Request, peer netip.Addr) netip.Addr {
	if p == nil || !peer.IsValid() || !p.trusted(peer) {
		return peer
	}
	if p.Header != "" {
		vs := r.Header[p.Header]
		if len(vs) != 1 {
			return peer // absent, or ambiguous
		}
		if a, ok := ParseNode(vs[0]); ok {
			return a
		}
		return peer
	}
	xff, okX := p.walk(peer, r.Header["X-Forwarded-For"], splitXFF)
	fwd, okF := p.walk(peer, r.Header["Forwarded"], splitForwarded)
	switch {
	case okX && okF && xff != fwd:
		return peer // two stories: believe neither
	case okX:
		return xff
	case okF:
		return fwd
	}
	return peer
}

// PeerKey is Key for the zero Policy: the TCP peer's address (an IPv6
// one as its /64), for counting requests by client when no proxy is
// trusted.
func PeerKey(r *http.Request) string {
	var p *Policy
	return p.Key(r)
}

// Key is what requests are counted under, one key per client: the
// client's IPv4 address, or the IPv6 prefix its address is in (such as
// "2001:db8:1:2::/64"); RemoteAddr when it is not an IP address. Every
// per-client limit keys on it.
func (p *Policy) Key(r *http.Request) string {
	host := peerHost(r)
	peer := peerAddr(host)
	a := p.addr(r, peer)
	if !a.IsValid() {
		return r.RemoteAddr
	}
	// The usual case, an IPv4 client that no proxy speaks for: the host
	// part of RemoteAddr is the key already, as KeyOf would write it (an
	// IPv4 address parses only from its one text; an IPv4-mapped one has
	// colons). Taking it saves formatting a new string on every request of
	// the hot paths.
	if a == peer && a.Is4() && strings.IndexByte(host, ':') < 0 {
		return host
	}
	return p.KeyOf(a)
}

// KeyOf is Key for an address already known.
func (p *Policy) KeyOf(a netip.Addr) string {
	if !a.Is6() {
		return a.String()
	}
	bits := DefaultIPv6Prefix
	if p != nil && p.IPv6Prefix > 0 {
		bits = p.IPv6Prefix
	}
	if bits >= 128 {
		return a.String()
	}
	pre, _ := a.Prefix(bits)
	return pre.String()
}

func (p *Policy) trusted(a netip.Addr) bool {
	for _, t := range p.Trusted {
		if t.Contains(a) {
			return true
		}
	}
	return false
}

// walk reads a forwarding header's hops from the right and returns the
// first address that is not a trusted proxy; ok is false when the header
// is absent. A hop that cannot be read stops the walk at the last
// trusted address before it (the proxy that wrote it).
func (p *Policy) walk(peer netip.Addr, lines []string, split func(string) ([]string, bool)) (netip.Addr, bool) {
	v := strings.Join(lines, ",")
	if strings.TrimSpace(v) == "" {
		return netip.Addr{}, false
	}
	if len(v) > MaxHeader {
		return peer, true
	}
	hops, ok := split(v)
	if !ok {
		return peer, true
	}
	last := peer
	for i := len(hops) - 1; i >= 0 && i >= len(hops)-MaxHops; i-- {
		a, ok := ParseNode(hops[i])
		if !ok {
			return last, true
		}
		if !p.trusted(a) {
			return a, true
		}
		last = a
	}
	return last, true
}

// splitXFF splits an X-Forwarded-For value into its hops.
func splitXFF(v string) ([]string, bool) {
	return strings.Split(v, ","), true
}

// ParseNode reads one hop: an IPv4 or IPv6 address, optionally with a
// port ("192.0.2.1:80", "[2001:db8::1]:443") or in brackets, with or
// without a zone, which is dropped. IPv4-mapped addresses are unmapped.
// Anything else (names, "unknown", obfuscated identifiers, IPv4 with
// leading zeros) is not an address.
func ParseNode(s string) (netip.Addr, bool) {
	if len(s) > maxNode {
		return netip.Addr{}, false
	}
	s = strings.Trim(s, " \t")
	if s == "" {
		return netip.Addr{}, false
	}
	host := s
	if s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 || !validPort(s[end+1:]) {
			return netip.Addr{}, false
		}
		host = s[1:end]
		if !strings.Contains(host, ":") {
			return netip.Addr{}, false // brackets are for IPv6 only
		}
	} else if i := strings.IndexByte(s, ':'); i >= 0 && strings.Count(s, ":") == 1 {
		if !validPort(s[i:]) {
			return netip.Addr{}, false
		}
		host = s[:i] // IPv4 with a port
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return clean(a), true
}

// validPort accepts "" or ":" and one to five digits.
func validPort(s string) bool {
	if s == "" {
		return true
	}
	if s[0] != ':' || len(s) < 2 || len(s) > 6 {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// validToken reports whether s can be a header field name: an RFC 9110
// token (letters, digits and !#$%&'*+-.^_`|~) of 1 to 64 bytes.
func validToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letterOrDigit := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !letterOrDigit && strings.IndexByte("!#$%&'*+-.^_`|~", c) < 0 {
			return false
		}
	}
	return true
}
