// Package ipinfo answers "what is my IP address" and "what is this
// address": /ip for the visitor's own address (a page for browsers, the
// bare address for curl, JSON for scripts), one field at a time as plain
// text (/ip/country, /ip/decimal, ...), and /ip/{address} for any IPv4 or
// IPv6 address.
//
// Without any database it still says everything that can be known from
// the address itself: its canonical form, version and decimal value, its
// reverse DNS name, and whether it is one of the IANA special-purpose
// addresses (private, loopback, CGNAT, documentation, ...), with a
// sentence that explains what that means for the visitor. The client's
// address comes from a function the server passes in (see package
// clientip), so that this package believes exactly the proxies the
// operator configured.
package ipinfo
