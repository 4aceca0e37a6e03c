package urlcheck

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// RefusedError is a target the guard will not connect to. Rule names the
// rule that refused it ("loopback", "private", "port", ...), Target is
// the address, port or scheme concerned.
type RefusedError struct {
	Rule   string
	Target string
	Reason string
}

func (e *RefusedError) Error() string { return e.Reason }

// special is a special-purpose address block: refused unless private
// targets are allowed.
type special struct {
	prefix netip.Prefix
	rule   string // short name, reported as the rule
	what   string // for the message: "loopback (RFC 1122)"
}

func block(p, rule, what string) special {
	return special{netip.MustParsePrefix(p), rule, what}
}

// specials are checked in order, most specific first. IPv4-mapped,
// NAT64 and 6to4 addresses are unwrapped before they get here.
var specials = []special{
	block("0.0.0.0/8", "this-network", `"this network" (RFC 791), which reaches the local host`),
	block("10.0.0.0/8", "private", "private (RFC 1918)"),
	block("100.64.0.0/10", "cgnat", "shared carrier-grade NAT space (RFC 6598)"),
	block("127.0.0.0/8", "loopback", "loopback (RFC 1122)"),
	block("169.254.0.0/16", "link-local", "link-local (RFC 3927), where cloud metadata services live"),
	block("172.16.0.0/12", "private", "private (RFC 1918)"),
	block("192.0.0.0/24", "ietf-assignments", "reserved for IETF protocol assignments (RFC 6890)"),
	block("192.0.2.0/24", "documentation", "documentation (RFC 5737)"),
	block("192.88.99.0/24", "6to4-relay", "the deprecated 6to4 relay anycast (RFC 7526)"),
	block("192.168.0.0/16", "private", "private (RFC 1918)"),
	block("198.18.0.0/15", "benchmarking", "benchmarking (RFC 2544)"),
	block("198.51.100.0/24", "documentation", "documentation (RFC 5737)"),
	block("203.0.113.0/24", "documentation", "documentation (RFC 5737)"),
	block("224.0.0.0/4", "multicast", "multicast (RFC 5771)"),
	block("255.255.255.255/32", "broadcast", "limited broadcast (RFC 919)"),
	block("240.0.0.0/4", "reserved", "reserved (RFC 1112)"),
	block("::/128", "unspecified", "unspecified (RFC 4291), which reaches the local host"),
	block("::1/128", "loopback", "loopback (RFC 4291)"),
	block("::/96", "ipv4-compatible", "a deprecated IPv4-compatible address (RFC 4291)"),
	block("64:ff9b:1::/48", "nat64-local", "local-use NAT64 (RFC 8215)"),
	block("100::/64", "discard", "discard-only (RFC 6666)"),
	block("2001::/32", "teredo", "Teredo (RFC 4380), which tunnels to an IPv4 address"),
	block("2001:db8::/32", "documentation", "documentation (RFC 3849)"),
	block("2001::/23", "ietf-assignments", "reserved for IETF protocol assignments (RFC 2928)"),
	block("3fff::/20", "documentation", "documentation (RFC 9637)"),
	block("5f00::/16", "srv6", "reserved for SRv6 SIDs (RFC 9602)"),
	block("fc00::/7", "private", "unique local, IPv6's private space (RFC 4193)"),
	block("fe80::/10", "link-local", "link-local (RFC 4291)"),
	block("fec0::/10", "site-local", "the deprecated site-local space (RFC 3879)"),
	block("ff00::/8", "multicast", "multicast (RFC 4291)"),
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
	global6   = netip.MustParsePrefix("2000::/3")
)

// Guard decides which targets may be connected to.
type Guard struct {
	// AllowPrivate turns the address rules off, for operators who run
	// teapot inside their own network (and for tests against local
	// servers).
	AllowPrivate bool
	// Allow lists special-purpose prefixes allowed all the same.
	Allow []netip.Prefix
	// Ports are the ports allowed; empty is 80 and 443. AnyPort allows
	// every port.
	Ports   []int
	AnyPort bool
}

// DefaultPorts are the ports allowed unless configured otherwise.
var DefaultPorts = []int{80, 443}

// CheckAddr refuses a special-purpose address unless private targets are
// allowed or it is in Allow.
func (g *Guard) CheckAddr(a netip.Addr) error {
	a = a.WithZone("")
	if g.AllowPrivate || g.allowed(a) {
		return nil
	}
	rule, what, inner := classify(a)
	if rule == "" {
		return nil
	}
	msg := fmt.Sprintf("address %s is %s; private targets are disabled", a, what)
	if inner.IsValid() && inner != a {
		msg = fmt.Sprintf("address %s embeds %s, which is %s; private targets are disabled", a, inner, what)
	}
	return &RefusedError{Rule: rule, Target: a.String(), Reason: msg}
}

func (g *Guard) allowed(a netip.Addr) bool {
	for _, p := range g.Allow {
		if p.Contains(a.Unmap()) || p.Contains(a) {
			return true
		}
	}
	return false
}

// CheckPort refuses a port that is not allowed.
func (g *Guard) CheckPort(port int) error {
	ports := g.Ports
	if len(ports) == 0 {
		ports = DefaultPorts
	}
	if g.AnyPort || slices.Contains(ports, port) {
		return nil
	}
	list := make([]string, len(ports))
	for i, p := range ports {
		list[i] = strconv.Itoa(p)
	}
	return &RefusedError{Rule: "port", Target: strconv.Itoa(port),
		Reason: fmt.Sprintf("port %d is not allowed; this checker connects to ports %s only", port, strings.Join(list, ", "))}
}

// classify names the special-purpose block of a, if any. For an address
// that carries an IPv4 address (mapped, NAT64, 6to4) inner is that
// address, and the rule is the IPv4 address's.
func classify(a netip.Addr) (rule, what string, inner netip.Addr) {
	if a.Is4In6() {
		inner = a.Unmap()
	} else if a.Is6() && (nat64.Contains(a) || sixToFour.Contains(a)) {
		b := a.As16()
		if nat64.Contains(a) {
			inner = netip.AddrFrom4([4]byte(b[12:16]))
		} else {
			inner = netip.AddrFrom4([4]byte(b[2:6]))
		}
	}
	if inner.IsValid() {
		rule, what = lookup(inner)
		return rule, what, inner
	}
	rule, what = lookup(a)
	if rule == "" && a.Is6() && !global6.Contains(a) {
		return "not-global", "outside IPv6 global unicast 2000::/3 (RFC 4291)", netip.Addr{}
	}
	return rule, what, netip.Addr{}
}

func lookup(a netip.Addr) (rule, what string) {
	for _, s := range specials {
		if s.prefix.Contains(a) {
			return s.rule, s.what
		}
	}
	return "", ""
}

// parseHost reads the host of a URL as an IP address where a browser or
// the C library would: IPv6 literals, and IPv4 in any of the inet_aton
// forms (2130706433, 0x7f.1, 0177.0.0.1, 127.1). ok is false for a name to
// resolve; err is set for a host that looks numeric but is not an address,
// which the WHATWG URL standard rejects too.
func parseHost(host string) (a netip.Addr, ok bool, err error) {
	host = strings.TrimSuffix(host, ".")
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap().WithZone(a.Zone()), true, nil
	}
	labels := strings.Split(host, ".")
	if !endsInNumber(labels[len(labels)-1]) {
		return netip.Addr{}, false, nil
	}
	if a, ok := parseLegacyIPv4(labels); ok {
		return a, true, nil
	}
	return netip.Addr{}, false, &RefusedError{Rule: "host", Target: host,
		Reason: fmt.Sprintf("host %q ends in a number but is not an IPv4 address", host)}
}

// endsInNumber is the WHATWG URL test for a host to be read as IPv4: its
// last label is decimal digits or 0x hex.
func endsInNumber(label string) bool {
	if rest, ok := strings.CutPrefix(strings.ToLower(label), "0x"); ok {
		return strings.Trim(rest, "0123456789abcdef") == ""
	}
	return label != "" && strings.Trim(label, "0123456789") == ""
}

func parseLegacyIPv4(labels []string) (netip.Addr, bool) {
	if len(labels) > 4 {
		return netip.Addr{}, false
	}
	var v uint64
	for i, l := range labels {
		n, ok := parseNum(l)
		if !ok {
			return netip.Addr{}, false
		}
		if i < len(labels)-1 {
			if n > 255 {
				return netip.Addr{}, false
			}
			v = v<<8 | n
			continue
		}
		rest := uint(4 - i) // bytes the last part fills
		if n >= 1<<(8*rest) {
			return netip.Addr{}, false
		}
		v = v<<(8*rest) | n
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// parseNum reads one part of an inet_aton address: decimal, 0x hex or
// 0-prefixed octal.
func parseNum(s string) (uint64, bool) {
	base := 10
	switch {
	case s == "":
		return 0, false
	case len(s) > 1 && (s[:2] == "0x" || s[:2] == "0X"):
		s, base = s[2:], 16
		if s == "" {
			return 0, true
		}
	case len(s) > 1 && s[0] == '0':
		s, base = s[1:], 8
	}
	if len(s) > 12 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, base, 64)
	return n, err == nil
}

// ParsePorts reads a port list such as "80,443", or "any" for every port.
func ParsePorts(s string) (ports []int, anyPort bool, err error) {
	s = strings.TrimSpace(s)
	if s == "any" || s == "*" {
		return nil, true, nil
	}
	for _, p := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 || n > 65535 {
			return nil, false, fmt.Errorf("%q is not a port from 1 to 65535 (give a list such as 80,443, or any)", strings.TrimSpace(p))
		}
		ports = append(ports, n)
	}
	return ports, false, nil
}
