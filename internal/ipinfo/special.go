package ipinfo

import (
	"net/netip"

	"github.com/teapothq/teapot/internal/netblock"
)

// Special is an IANA special-purpose address block (RFC 6890 and the
// registries it created, with their later entries), or another block an
// address should not be mistaken for a host on the Internet in: the part
// of a netblock.Block that /ip answers show.
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

// specials is netblock's table as /ip shows it, most specific first.
var specials = func() []Special {
	blocks := netblock.All()
	s := make([]Special, len(blocks))
	for i, b := range blocks {
		s[i] = special(b)
	}
	return s
}()

// special is the part of b that /ip shows. The IPv6 space outside
// 2000::/3 is no prefix, so it has no Network.
func special(b netblock.Block) Special {
	s := Special{Kind: b.Kind, Name: b.Name, RFC: b.RFC, Global: b.Global, Description: b.Description, prefix: b.Prefix}
	if b.Prefix.IsValid() {
		s.Network = b.Prefix.String()
	}
	return s
}

// Classify returns the special-purpose block a belongs to, or nil for an
// ordinary address. a must be unmapped (IPv4-mapped addresses are read as
// the IPv4 address they carry) and have no zone.
func Classify(a netip.Addr) *Special {
	b, ok := netblock.Lookup(a)
	if !ok {
		return nil
	}
	s := special(b)
	return &s
}
