package netblock

import (
	"cmp"
	"encoding/binary"
	"net/netip"
	"slices"
)

// Block is a special-purpose address block: an entry of the IANA
// registries, or the IPv6 space outside 2000::/3 that none of them names.
type Block struct {
	// Prefix is the block, masked. It is the zero Prefix for the one
	// block that is not a prefix: IPv6 outside 2000::/3.
	Prefix netip.Prefix
	// Kind is a short, stable name such as "private" or "documentation".
	Kind string
	// Name is the registry's name for the block.
	Name string
	// RFC is the document that reserves it, such as "RFC 1918".
	RFC string
	// Global is whether the registry says addresses of the block are
	// globally reachable.
	Global bool
	// Description says in a sentence or two what an address of the
	// block means, for a visitor.
	Description string

	// Rule is the name a guard against server-side request forgery
	// reports when it refuses an address of the block ("loopback",
	// "private", ...); empty when the block is no reason to refuse. The
	// guard's names are coarser than Kind: a block nested in a broader
	// one it refuses carries the broader one's rule.
	Rule string
	// Refusal says what the block is inside the guard's refusal message,
	// such as "loopback (RFC 1122)"; empty when Rule is.
	Refusal string
	// Embeds is the byte offset of the IPv4 address that every address
	// of the block carries (12 for NAT64, 2 for 6to4), or 0 for none.
	Embeds int
}

// Texts that several blocks share.
const (
	textPrivate = "This is a private address, used only inside a local network; the Internet never sees it. " +
		"Your public address is the one your router or your provider's gateway uses on the Internet."
	textDoc = "This address is reserved for documentation and examples; it is never used on the Internet. " +
		"If you see it in a log, it came from a test or an example."
	textIETF    = "This address is reserved for IETF protocol assignments; hosts on the Internet do not use it."
	textAS112   = "This address belongs to AS112, the servers that absorb stray reverse DNS queries for private addresses."
	textAS112v6 = "This address belongs to AS112, the servers that absorb stray reverse DNS queries."
	textAMT     = "This address is used by Automatic Multicast Tunneling relays."
	textBench   = "This address is reserved for testing network equipment in a lab; it is not used on the Internet."
	textTURN    = "This is the anycast address of TURN relay discovery."
	textMulti   = "This is a multicast address: it names a group of receivers, not one host, so it is never the address of a visitor."

	refuseThisNetwork = `"this network" (RFC 791), which reaches the local host`
	refusePrivate     = "private (RFC 1918)"
	refuseIETF4       = "reserved for IETF protocol assignments (RFC 6890)"
	refuseIETF6       = "reserved for IETF protocol assignments (RFC 2928)"
	refuseDoc4        = "documentation (RFC 5737)"
	refuseNotGlobal   = "outside IPv6 global unicast 2000::/3 (RFC 4291)"
)

func entry(prefix, kind, name, rfc string, global bool, desc string) Block {
	return Block{Prefix: netip.MustParsePrefix(prefix), Kind: kind, Name: name, RFC: rfc, Global: global, Description: desc}
}

// refused sets the rule and wording of the guard for b.
func (b Block) refused(rule, what string) Block {
	b.Rule, b.Refusal = rule, what
	return b
}

// embeds says where in b's addresses an IPv4 address sits.
func (b Block) embeds(at int) Block {
	b.Embeds = at
	return b
}

// table is sorted most specific first at start, so that the first block
// that contains an address is its most specific one.
var table = sortBlocks([]Block{
	// IPv4 Special-Purpose Address Registry.
	entry("0.0.0.0/8", "this-network", "This network", "RFC 791", false,
		"This address means \"this network\": it is only valid as a source while a host learns its own address, never as a destination.").
		refused("this-network", refuseThisNetwork),
	// The guard has no rule of its own for 0.0.0.0: it refuses it as
	// part of 0.0.0.0/8.
	entry("0.0.0.0/32", "unspecified", "This host on this network", "RFC 1122", false,
		"This is the unspecified address: it stands for \"no address\" or \"every local address\" (a server listening on 0.0.0.0), never for a host on the Internet.").
		refused("this-network", refuseThisNetwork),
	entry("10.0.0.0/8", "private", "Private-Use", "RFC 1918", false, textPrivate).
		refused("private", refusePrivate),
	entry("100.64.0.0/10", "cgnat", "Shared Address Space", "RFC 6598", false,
		"This is a carrier-grade NAT address: your provider shares one public address among many customers, and this is your address inside its network. "+
			"Your public address is the one the provider's gateway uses.").
		refused("cgnat", "shared carrier-grade NAT space (RFC 6598)"),
	entry("127.0.0.0/8", "loopback", "Loopback", "RFC 1122", false,
		"This is a loopback address: it always means this same machine. The request came from the computer the server runs on (or through a proxy on it).").
		refused("loopback", "loopback (RFC 1122)"),
	entry("169.254.0.0/16", "link-local", "Link Local", "RFC 3927", false,
		"This is a link-local address, picked by a device itself when no router or DHCP server gave it one; it reaches only the same network segment. "+
			"Cloud metadata services also live here.").
		refused("link-local", "link-local (RFC 3927), where cloud metadata services live"),
	entry("172.16.0.0/12", "private", "Private-Use", "RFC 1918", false, textPrivate).
		refused("private", refusePrivate),
	// The guard refuses all of 192.0.0.0/24 under one rule, the
	// globally reachable anycast addresses in it too.
	entry("192.0.0.0/24", "ietf-protocol", "IETF Protocol Assignments", "RFC 6890", false, textIETF).
		refused("ietf-assignments", refuseIETF4),
	entry("192.0.0.0/29", "ipv4-service-continuity", "IPv4 Service Continuity Prefix", "RFC 7335", false,
		"This address is used inside IPv6-only networks that still offer IPv4 (464XLAT, DS-Lite); the Internet never sees it.").
		refused("ietf-assignments", refuseIETF4),
	entry("192.0.0.8/32", "dummy", "IPv4 dummy address", "RFC 7600", false,
		"This is the IPv4 dummy address, used as a source by hosts that have no IPv4 address of their own.").
		refused("ietf-assignments", refuseIETF4),
	entry("192.0.0.9/32", "anycast", "Port Control Protocol Anycast", "RFC 7723", true,
		"This is the anycast address of the Port Control Protocol, which hosts use to ask their NAT for a port.").
		refused("ietf-assignments", refuseIETF4),
	entry("192.0.0.10/32", "anycast", "Traversal Using Relays around NAT Anycast", "RFC 8155", true, textTURN).
		refused("ietf-assignments", refuseIETF4),
	entry("192.0.0.170/31", "nat64-discovery", "NAT64/DNS64 Discovery", "RFC 8880", false,
		"This address is used to discover a NAT64 prefix (ipv4only.arpa); hosts on the Internet do not use it.").
		refused("ietf-assignments", refuseIETF4),
	entry("192.0.2.0/24", "documentation", "Documentation (TEST-NET-1)", "RFC 5737", false, textDoc).
		refused("documentation", refuseDoc4),
	entry("192.31.196.0/24", "as112", "AS112-v4", "RFC 7535", true, textAS112),
	entry("192.52.193.0/24", "amt", "AMT", "RFC 7450", true, textAMT),
	entry("192.88.99.0/24", "6to4-relay", "Deprecated (6to4 Relay Anycast)", "RFC 7526", false,
		"This was the anycast address of 6to4 relays, which are deprecated; it should no longer be in use.").
		refused("6to4-relay", "the deprecated 6to4 relay anycast (RFC 7526)"),
	entry("192.168.0.0/16", "private", "Private-Use", "RFC 1918", false, textPrivate).
		refused("private", refusePrivate),
	entry("192.175.48.0/24", "as112", "Direct Delegation AS112 Service", "RFC 7534", true, textAS112),
	entry("198.18.0.0/15", "benchmarking", "Benchmarking", "RFC 2544", false, textBench).
		refused("benchmarking", "benchmarking (RFC 2544)"),
	entry("198.51.100.0/24", "documentation", "Documentation (TEST-NET-2)", "RFC 5737", false, textDoc).
		refused("documentation", refuseDoc4),
	entry("203.0.113.0/24", "documentation", "Documentation (TEST-NET-3)", "RFC 5737", false, textDoc).
		refused("documentation", refuseDoc4),
	entry("224.0.0.0/4", "multicast", "Multicast", "RFC 5771", false, textMulti).
		refused("multicast", "multicast (RFC 5771)"),
	entry("240.0.0.0/4", "reserved", "Reserved", "RFC 1112", false,
		"This address is reserved for future use; it is not used on the Internet.").
		refused("reserved", "reserved (RFC 1112)"),
	entry("255.255.255.255/32", "broadcast", "Limited Broadcast", "RFC 919", false,
		"This is the limited broadcast address: it means every host on the local network segment.").
		refused("broadcast", "limited broadcast (RFC 919)"),

	// IPv6 Special-Purpose Address Registry.
	entry("::/128", "unspecified", "Unspecified Address", "RFC 4291", false,
		"This is the unspecified address: it stands for \"no address\" or \"every local address\", never for a host on the Internet.").
		refused("unspecified", "unspecified (RFC 4291), which reaches the local host"),
	entry("::1/128", "loopback", "Loopback Address", "RFC 4291", false,
		"This is the IPv6 loopback address: it always means this same machine. The request came from the computer the server runs on (or through a proxy on it).").
		refused("loopback", "loopback (RFC 4291)"),
	entry("::/96", "ipv4-compatible", "IPv4-compatible (deprecated)", "RFC 4291", false,
		"This is a deprecated IPv4-compatible IPv6 address; it is no longer used.").
		refused("ipv4-compatible", "a deprecated IPv4-compatible address (RFC 4291)"),
	// The guard judges a NAT64 address by the IPv4 address in it.
	entry("64:ff9b::/96", "nat64", "IPv4-IPv6 Translat.", "RFC 6052", true,
		"This address is an IPv4 address seen through a NAT64 gateway: an IPv6-only network reaches the IPv4 Internet this way.").
		embeds(12),
	entry("64:ff9b:1::/48", "nat64", "Local-use IPv4/IPv6 Translation", "RFC 8215", false,
		"This address is an IPv4 address translated inside one operator's network (local-use NAT64).").
		refused("nat64-local", "local-use NAT64 (RFC 8215)"),
	entry("100::/64", "discard", "Discard-Only Address Block", "RFC 6666", false,
		"This address is a discard-only sink: traffic to it is dropped on purpose, for example to absorb attacks.").
		refused("discard", "discard-only (RFC 6666)"),
	entry("100:0:0:1::/64", "dummy", "Dummy IPv6 Prefix", "RFC 9780", false,
		"This is a dummy IPv6 address, used where an address is required but none is meaningful.").
		refused("not-global", refuseNotGlobal),
	// The guard refuses all of 2001::/23 under one rule but Teredo.
	entry("2001::/23", "ietf-protocol", "IETF Protocol Assignments", "RFC 2928", false, textIETF).
		refused("ietf-assignments", refuseIETF6),
	entry("2001::/32", "teredo", "TEREDO", "RFC 4380", true,
		"This is a Teredo address: IPv6 tunnelled over IPv4 through NAT, an old transition technique.").
		refused("teredo", "Teredo (RFC 4380), which tunnels to an IPv4 address"),
	entry("2001:1::1/128", "anycast", "Port Control Protocol Anycast", "RFC 7723", true,
		"This is the anycast address of the Port Control Protocol.").
		refused("ietf-assignments", refuseIETF6),
	entry("2001:1::2/128", "anycast", "Traversal Using Relays around NAT Anycast", "RFC 8155", true, textTURN).
		refused("ietf-assignments", refuseIETF6),
	entry("2001:1::3/128", "anycast", "DNS-SD Service Registration Protocol Anycast", "RFC 9665", true,
		"This is the anycast address of the DNS-SD Service Registration Protocol.").
		refused("ietf-assignments", refuseIETF6),
	entry("2001:2::/48", "benchmarking", "Benchmarking", "RFC 5180", false, textBench).
		refused("ietf-assignments", refuseIETF6),
	entry("2001:3::/32", "amt", "AMT", "RFC 7450", true, textAMT).
		refused("ietf-assignments", refuseIETF6),
	entry("2001:4:112::/48", "as112", "AS112-v6", "RFC 7535", true, textAS112v6).
		refused("ietf-assignments", refuseIETF6),
	entry("2001:10::/28", "orchid", "Deprecated (previously ORCHID)", "RFC 4843", false,
		"This block held ORCHID identifiers, now deprecated; it is not a host address.").
		refused("ietf-assignments", refuseIETF6),
	entry("2001:20::/28", "orchid", "ORCHIDv2", "RFC 7343", true,
		"This is an ORCHIDv2 identifier, a cryptographic host identifier rather than a location on the network.").
		refused("ietf-assignments", refuseIETF6),
	entry("2001:30::/28", "drone-remote-id", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374", true,
		"This is a drone remote identification tag, an identifier rather than a host on the Internet.").
		refused("ietf-assignments", refuseIETF6),
	entry("2001:db8::/32", "documentation", "Documentation", "RFC 3849", false, textDoc).
		refused("documentation", "documentation (RFC 3849)"),
	// The guard judges a 6to4 address by the IPv4 address in it.
	entry("2002::/16", "6to4", "6to4", "RFC 3056", false,
		"This is a 6to4 address: IPv6 carried over IPv4, an old transition technique; the IPv4 address is embedded in it.").
		embeds(2),
	entry("2620:4f:8000::/48", "as112", "Direct Delegation AS112 Service", "RFC 7534", true, textAS112v6),
	entry("3fff::/20", "documentation", "Documentation", "RFC 9637", false, textDoc).
		refused("documentation", "documentation (RFC 9637)"),
	entry("5f00::/16", "srv6", "Segment Routing (SRv6) SIDs", "RFC 9602", false,
		"This address is a segment routing identifier inside an operator's network, not a host on the Internet.").
		refused("srv6", "reserved for SRv6 SIDs (RFC 9602)"),
	entry("fc00::/7", "private", "Unique-Local", "RFC 4193", false,
		"This is a unique local address, IPv6's private space: it is used only inside a local network, and the Internet never sees it. "+
			"Your device probably has a global IPv6 address too.").
		refused("private", "unique local, IPv6's private space (RFC 4193)"),
	entry("fe80::/10", "link-local", "Link-Local Unicast", "RFC 4291", false,
		"This is a link-local address: every IPv6 device has one, and it reaches only the same network segment.").
		refused("link-local", "link-local (RFC 4291)"),
	entry("fec0::/10", "site-local", "Site-local (deprecated)", "RFC 3879", false,
		"This is a deprecated site-local address, the old IPv6 private space; it should no longer be in use.").
		refused("site-local", "the deprecated site-local space (RFC 3879)"),
	entry("ff00::/8", "multicast", "Multicast", "RFC 4291", false, textMulti).
		refused("multicast", "multicast (RFC 4291)"),
})

// reserved6 is the block of IPv6 addresses outside 2000::/3, the only
// space IANA allocates global unicast from, that no entry of table names.
var reserved6 = Block{Kind: "reserved", Name: "Reserved by IETF", RFC: "RFC 4291", Global: false,
	Description: "This address lies outside 2000::/3, the only IPv6 space allocated for the Internet so far; it is reserved and not in use.",
	Rule:        "not-global", Refusal: refuseNotGlobal}

var global6 = netip.MustParsePrefix("2000::/3")

func sortBlocks(b []Block) []Block {
	slices.SortStableFunc(b, func(x, y Block) int { return cmp.Compare(y.Prefix.Bits(), x.Prefix.Bits()) })
	return b
}

// All returns a copy of the table, most specific block first. It leaves
// out the IPv6 space outside 2000::/3, which is no prefix.
func All() []Block { return slices.Clone(table) }

// Lookup returns the most specific block that holds a, and false for an
// ordinary address. A zone is ignored. An IPv4-mapped address is looked
// up as the IPv6 address it is (outside 2000::/3): unmap it first to look
// up the IPv4 address it carries.
func Lookup(a netip.Addr) (Block, bool) {
	a = a.WithZone("")
	if a.Is4() {
		b := a.As4()
		x := binary.BigEndian.Uint32(b[:])
		for i, n := range v4.nets {
			if x&n.mask == n.addr {
				return v4.blocks[i], true
			}
		}
		return Block{}, false
	}
	for i, p := range v6.prefixes {
		if p.Contains(a) {
			return v6.blocks[i], true
		}
	}
	if a.Is6() && !global6.Contains(a) {
		return reserved6, true
	}
	return Block{}, false
}

// family is the blocks of one address family, in table's order, with
// their prefixes apart: a Block is large, and a lookup that passes over
// them reads only the prefixes.
type family struct {
	blocks   []Block
	prefixes []netip.Prefix // IPv6's
	nets     []net4         // IPv4's, as numbers
}

// net4 is an IPv4 prefix as numbers: a is in it when a&mask == addr.
type net4 struct{ addr, mask uint32 }

// v4 and v6 are table split by family: an address is only ever in a
// block of its own.
var v4, v6 = func() (v4, v6 family) {
	for _, b := range table {
		f := &v6
		if b.Prefix.Addr().Is4() {
			f = &v4
		}
		f.blocks = append(f.blocks, b)
		if f == &v4 {
			a := b.Prefix.Masked().Addr().As4()
			f.nets = append(f.nets, net4{binary.BigEndian.Uint32(a[:]), ^uint32(0) << (32 - b.Prefix.Bits())})
		} else {
			f.prefixes = append(f.prefixes, b.Prefix)
		}
	}
	return v4, v6
}()

// Embedded returns the IPv4 address that a carries: the one an
// IPv4-mapped address maps, or the one in a NAT64 (64:ff9b::/96) or
// 6to4 (2002::/16) address. ok is false when a carries none.
func Embedded(a netip.Addr) (v4 netip.Addr, ok bool) {
	if a.Is4In6() {
		return a.Unmap(), true
	}
	b, found := Lookup(a)
	if !a.Is6() || !found || b.Embeds == 0 {
		return netip.Addr{}, false
	}
	s := a.As16()
	return netip.AddrFrom4([4]byte(s[b.Embeds : b.Embeds+4])), true
}
