// Package urlcheck checks URLs the way httpstatus.io-style checkers do:
// every hop of the redirect chain with its status, Location, timings
// (DNS, connect, TLS, first byte), headers and remote address, the final
// status, the HTTP version and, for HTTPS, the certificate. It checks one
// URL or many with a bounded worker pool and serves POST /api/check, whose
// results stream as JSON lines as they finish.
//
// A public checker must not become a way into the network it runs in, so
// every connection goes through a guard that runs on the resolved address
// at dial time: the dialer resolves the name itself, refuses the whole host
// if any answer is loopback, private, link-local, CGNAT, multicast,
// documentation or another special-purpose address (IPv4, IPv6, and IPv4
// embedded in IPv6), and dials only the address it checked. So DNS
// rebinding, redirects to internal hosts and numeric spellings such as
// 2130706433 or 0x7f.1 are refused like a plain 127.0.0.1. Only http and
// https, only the allowed ports, and caps on bytes read, time per URL, URLs
// per request and checks per client address. Operators inside their own
// network may allow private targets explicitly. A refusal names its rule
// but, for a host name, never the address the name resolved to, and a DNS
// error never names the server's resolver: the checker must not map its
// network for its users either. Browsers' requests to /api/check from
// other origins are refused, so that no other site can spend its
// visitors' checks.
//
// urlcheck owns the checker and its guard: the walk of the redirect
// chain, the dialer, the limits, /api/check, and which targets are
// refused with which rule names and messages. The special-purpose blocks
// it refuses, and the IPv4 addresses IPv6 ones carry, are package
// netblock's, so it writes down no address block of its own; it must not
// import the server or another feature (site, live, lab, ipinfo).
package urlcheck
