// Package netblock owns teapot's one table of special-purpose address
// blocks: the entries of the IANA IPv4 and IPv6 Special-Purpose Address
// Registries (RFC 6890 and the RFCs that added to them), each with its
// kind, registry name, RFC, whether it is globally reachable, a sentence
// for a visitor, and the rule name and wording a guard against
// server-side request forgery reports when it refuses it. It finds the
// most specific block of an address and the IPv4 address an IPv6 one
// carries. Package ipinfo shows these blocks and package urlcheck refuses
// them, so neither writes them down again; netblock imports only the
// standard library and nothing of teapot.
package netblock
