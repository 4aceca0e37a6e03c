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
//
// Reverse DNS is the one answer that costs the server a query to the
// outside, so on a public instance it is rationed: answers are cached
// (names for an hour, failures and timeouts for minutes), concurrent
// requests for an address share one query, and each client may cause
// only so many queries a minute; past that, or with too many in flight,
// answers come at once without the name and their reverse_dns field
// says why.
//
// ipinfo owns the /ip endpoints and their answers: the Info of an
// address and its JSON, text and HTML forms. It does not own the facts
// it reports: the special-purpose blocks are package netblock's, the
// client's and the TCP peer's address package clientip's, locations and
// networks package geo's; it must not import the server or another
// feature (site, live, lab, urlcheck).
package ipinfo
