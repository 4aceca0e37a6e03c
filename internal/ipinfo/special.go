package ipinfo

import (
	"cmp"
	"net/netip"
	"slices"
)

// Special is an IANA special-purpose address block (RFC 6890 and the
// registries it created, with their later entries), or another block an
// address should not be mistaken for a host on the Internet in.
type Special struct {
	// Kind is a short, stable name such as "private" or "documentation".
	Kind string `json:"kind"`
	// Name is the registry's name for the block.
	Name string `json:"name"`
	// Network is the block, in CIDR notation.
	Network string `json:"network,omitempty"`
	// RFC is the document that reserves it, such as "RFC 1918".
	RFC string `json:"rfc"`
	// Global is whether the registry says addresses of the block are
	// globally reachable.
	Global bool `json:"global"`
	// Description says what this means, for a visitor.
	Description string `json:"description"`

	prefix netip.Prefix
}

const (
	textPrivate = "This is a private address, used only inside a local network; the Internet never sees it. " +
		"Your public address is the one your router or your provider's gateway uses on the Internet."
	textDoc = "This address is reserved for documentation and examples; it is never used on the Internet. " +
		"If you see it in a log, it came from a test or an example."
	textIETF = "This address is reserved for IETF protocol assignments; hosts on the Internet do not use it."
)

func block(prefix, kind, name, rfc string, global bool, desc string) Special {
	return Special{Kind: kind, Name: name, Network: prefix, RFC: rfc, Global: global, Description: desc,
		prefix: netip.MustParsePrefix(prefix)}
}

// specials is sorted most specific first at start, so the first match is
// the most precise entry.
var specials = sortSpecials([]Special{
	// IPv4 special-purpose registry.
	block("0.0.0.0/8", "this-network", "This network", "RFC 791", false,
		"This address means \"this network\": it is only valid as a source while a host learns its own address, never as a destination."),
	block("0.0.0.0/32", "unspecified", "This host on this network", "RFC 1122", false,
		"This is the unspecified address: it stands for \"no address\" or \"every local address\" (a server listening on 0.0.0.0), never for a host on the Internet."),
	block("10.0.0.0/8", "private", "Private-Use", "RFC 1918", false, textPrivate),
	block("100.64.0.0/10", "cgnat", "Shared Address Space", "RFC 6598", false,
		"This is a carrier-grade NAT address: your provider shares one public address among many customers, and this is your address inside its network. "+
			"Your public address is the one the provider's gateway uses."),
	block("127.0.0.0/8", "loopback", "Loopback", "RFC 1122", false,
		"This is a loopback address: it always means this same machine. The request came from the computer the server runs on (or through a proxy on it)."),
	block("169.254.0.0/16", "link-local", "Link Local", "RFC 3927", false,
		"This is a link-local address, picked by a device itself when no router or DHCP server gave it one; it reaches only the same network segment. "+
			"Cloud metadata services also live here."),
	block("172.16.0.0/12", "private", "Private-Use", "RFC 1918", false, textPrivate),
	block("192.0.0.0/24", "ietf-protocol", "IETF Protocol Assignments", "RFC 6890", false, textIETF),
	block("192.0.0.0/29", "ipv4-service-continuity", "IPv4 Service Continuity Prefix", "RFC 7335", false,
		"This address is used inside IPv6-only networks that still offer IPv4 (464XLAT, DS-Lite); the Internet never sees it."),
	block("192.0.0.8/32", "dummy", "IPv4 dummy address", "RFC 7600", false,
		"This is the IPv4 dummy address, used as a source by hosts that have no IPv4 address of their own."),
	block("192.0.0.9/32", "anycast", "Port Control Protocol Anycast", "RFC 7723", true,
		"This is the anycast address of the Port Control Protocol, which hosts use to ask their NAT for a port."),
	block("192.0.0.10/32", "anycast", "Traversal Using Relays around NAT Anycast", "RFC 8155", true,
		"This is the anycast address of TURN relay discovery."),
	block("192.0.0.170/31", "nat64-discovery", "NAT64/DNS64 Discovery", "RFC 8880", false,
		"This address is used to discover a NAT64 prefix (ipv4only.arpa); hosts on the Internet do not use it."),
	block("192.0.2.0/24", "documentation", "Documentation (TEST-NET-1)", "RFC 5737", false, textDoc),
	block("192.31.196.0/24", "as112", "AS112-v4", "RFC 7535", true,
		"This address belongs to AS112, the servers that absorb stray reverse DNS queries for private addresses."),
	block("192.52.193.0/24", "amt", "AMT", "RFC 7450", true,
		"This address is used by Automatic Multicast Tunneling relays."),
	block("192.88.99.0/24", "6to4-relay", "Deprecated (6to4 Relay Anycast)", "RFC 7526", false,
		"This was the anycast address of 6to4 relays, which are deprecated; it should no longer be in use."),
	block("192.168.0.0/16", "private", "Private-Use", "RFC 1918", false, textPrivate),
	block("192.175.48.0/24", "as112", "Direct Delegation AS112 Service", "RFC 7534", true,
		"This address belongs to AS112, the servers that absorb stray reverse DNS queries for private addresses."),
	block("198.18.0.0/15", "benchmarking", "Benchmarking", "RFC 2544", false,
		"This address is reserved for testing network equipment in a lab; it is not used on the Internet."),
	block("198.51.100.0/24", "documentation", "Documentation (TEST-NET-2)", "RFC 5737", false, textDoc),
	block("203.0.113.0/24", "documentation", "Documentation (TEST-NET-3)", "RFC 5737", false, textDoc),
	block("224.0.0.0/4", "multicast", "Multicast", "RFC 5771", false,
		"This is a multicast address: it names a group of receivers, not one host, so it is never the address of a visitor."),
	block("240.0.0.0/4", "reserved", "Reserved", "RFC 1112", false,
		"This address is reserved for future use; it is not used on the Internet."),
	block("255.255.255.255/32", "broadcast", "Limited Broadcast", "RFC 919", false,
		"This is the limited broadcast address: it means every host on the local network segment."),

	// IPv6 special-purpose registry.
	block("::/128", "unspecified", "Unspecified Address", "RFC 4291", false,
		"This is the unspecified address: it stands for \"no address\" or \"every local address\", never for a host on the Internet."),
	block("::1/128", "loopback", "Loopback Address", "RFC 4291", false,
		"This is the IPv6 loopback address: it always means this same machine. The request came from the computer the server runs on (or through a proxy on it)."),
	block("::/96", "ipv4-compatible", "IPv4-compatible (deprecated)", "RFC 4291", false,
		"This is a deprecated IPv4-compatible IPv6 address; it is no longer used."),
	block("64:ff9b::/96", "nat64", "IPv4-IPv6 Translat.", "RFC 6052", true,
		"This address is an IPv4 address seen through a NAT64 gateway: an IPv6-only network reaches the IPv4 Internet this way."),
	block("64:ff9b:1::/48", "nat64", "Local-use IPv4/IPv6 Translation", "RFC 8215", false,
		"This address is an IPv4 address translated inside one operator's network (local-use NAT64)."),
	block("100::/64", "discard", "Discard-Only Address Block", "RFC 6666", false,
		"This address is a discard-only sink: traffic to it is dropped on purpose, for example to absorb attacks."),
	block("100:0:0:1::/64", "dummy", "Dummy IPv6 Prefix", "RFC 9780", false,
		"This is a dummy IPv6 address, used where an address is required but none is meaningful."),
	block("2001::/23", "ietf-protocol", "IETF Protocol Assignments", "RFC 2928", false, textIETF),
	block("2001::/32", "teredo", "TEREDO", "RFC 4380", true,
		"This is a Teredo address: IPv6 tunnelled over IPv4 through NAT, an old transition technique."),
	block("2001:1::1/128", "anycast", "Port Control Protocol Anycast", "RFC 7723", true,
		"This is the anycast address of the Port Control Protocol."),
	block("2001:1::2/128", "anycast", "Traversal Using Relays around NAT Anycast", "RFC 8155", true,
		"This is the anycast address of TURN relay discovery."),
	block("2001:1::3/128", "anycast", "DNS-SD Service Registration Protocol Anycast", "RFC 9665", true,
		"This is the anycast address of the DNS-SD Service Registration Protocol."),
	block("2001:2::/48", "benchmarking", "Benchmarking", "RFC 5180", false,
		"This address is reserved for testing network equipment in a lab; it is not used on the Internet."),
	block("2001:3::/32", "amt", "AMT", "RFC 7450", true,
		"This address is used by Automatic Multicast Tunneling relays."),
	block("2001:4:112::/48", "as112", "AS112-v6", "RFC 7535", true,
		"This address belongs to AS112, the servers that absorb stray reverse DNS queries."),
	block("2001:10::/28", "orchid", "Deprecated (previously ORCHID)", "RFC 4843", false,
		"This block held ORCHID identifiers, now deprecated; it is not a host address."),
	block("2001:20::/28", "orchid", "ORCHIDv2", "RFC 7343", true,
		"This is an ORCHIDv2 identifier, a cryptographic host identifier rather than a location on the network."),
	block("2001:30::/28", "drone-remote-id", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374", true,
		"This is a drone remote identification tag, an identifier rather than a host on the Internet."),
	block("2001:db8::/32", "documentation", "Documentation", "RFC 3849", false, textDoc),
	block("2002::/16", "6to4", "6to4", "RFC 3056", false,
		"This is a 6to4 address: IPv6 carried over IPv4, an old transition technique; the IPv4 address is embedded in it."),
	block("2620:4f:8000::/48", "as112", "Direct Delegation AS112 Service", "RFC 7534", true,
		"This address belongs to AS112, the servers that absorb stray reverse DNS queries."),
	block("3fff::/20", "documentation", "Documentation", "RFC 9637", false, textDoc),
	block("5f00::/16", "srv6", "Segment Routing (SRv6) SIDs", "RFC 9602", false,
		"This address is a segment routing identifier inside an operator's network, not a host on the Internet."),
	block("fc00::/7", "private", "Unique-Local", "RFC 4193", false,
		"This is a unique local address, IPv6's private space: it is used only inside a local network, and the Internet never sees it. "+
			"Your device probably has a global IPv6 address too."),
	block("fe80::/10", "link-local", "Link-Local Unicast", "RFC 4291", false,
		"This is a link-local address: every IPv6 device has one, and it reaches only the same network segment."),
	block("fec0::/10", "site-local", "Site-local (deprecated)", "RFC 3879", false,
		"This is a deprecated site-local address, the old IPv6 private space; it should no longer be in use."),
	block("ff00::/8", "multicast", "Multicast", "RFC 4291", false,
		"This is a multicast address: it names a group of receivers, not one host, so it is never the address of a visitor."),
})

// reservedV6 is the answer for IPv6 addresses outside 2000::/3, the only
// block IANA allocates global unicast from, that no entry above covers.
var reservedV6 = Special{Kind: "reserved", Name: "Reserved by IETF", RFC: "RFC 4291", Global: false,
	Description: "This address lies outside 2000::/3, the only IPv6 space allocated for the Internet so far; it is reserved and not in use."}

var global6 = netip.MustParsePrefix("2000::/3")

func sortSpecials(s []Special) []Special {
	slices.SortStableFunc(s, func(a, b Special) int { return cmp.Compare(b.prefix.Bits(), a.prefix.Bits()) })
	return s
}

// Classify returns the special-purpose block a belongs to, or nil for an
// ordinary address. a must be unmapped (IPv4-mapped addresses are read as
// the IPv4 address they carry) and have no zone.
func Classify(a netip.Addr) *Special {
	for i := range specials {
		s := &specials[i]
		if s.prefix.Addr().BitLen() == a.BitLen() && s.prefix.Contains(a) {
			return s
		}
	}
	if a.Is6() && !global6.Contains(a) {
		r := reservedV6
		return &r
	}
	return nil
}
