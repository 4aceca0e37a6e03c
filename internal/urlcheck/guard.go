package urlcheck

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/teapothq/teapot/internal/netblock"
)

// RefusedError is a target the guard will not connect to. Rule names the
// rule that refused it ("loopback", "private", "port", ...), Target is
// the address, port or scheme concerned.
type RefusedError struct {
	Rule   string
	Target string
	Reason string

	// resolved is what the refused address is, without the address
	// ("an address that is private (RFC 1918)"), for ForName.
	resolved string
}

func (e *RefusedError) Error() string { return e.Reason }

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
	resolved := "an address that is " + what
	if inner.IsValid() && inner != a {
		msg = fmt.Sprintf("address %s embeds %s, which is %s; private targets are disabled", a, inner, what)
		resolved = "an address that embeds an IPv4 address that is " + what
	}
	return &RefusedError{Rule: rule, Target: a.String(), Reason: msg, resolved: resolved}
}

// ForName is the refusal of an address that the host name resolved to,
// worded without the address: the rule is the user's to know, but what an
// internal name resolves to is a map of the network the checker runs in.
// The user's own literal address is echoed back as it was.
func (e *RefusedError) ForName(name string) *RefusedError {
	if e.resolved == "" {
		return e
	}
	return &RefusedError{Rule: e.Rule, Target: name, resolved: e.resolved,
		Reason: fmt.Sprintf("host %s resolves to %s; private targets are disabled", name, e.resolved)}
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

// classify names the special-purpose block of a, if any, from package
// netblock's table. For an address that carries an IPv4 address (mapped,
// NAT64, 6to4) inner is that address, and the rule is the IPv4 address's.
func classify(a netip.Addr) (rule, what string, inner netip.Addr) {
	judged := a
	if v4, ok := netblock.Embedded(a); ok {
		inner, judged = v4, v4
	}
	if b, ok := netblock.Lookup(judged); ok && b.Rule != "" {
		return b.Rule, b.Refusal, inner
	}
	return "", "", inner
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
