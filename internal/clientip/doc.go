// Package clientip finds the address of the client that made a request,
// believing forwarding headers only from the proxies the operator trusts.
//
// By default the client is the TCP peer and X-Forwarded-For, Forwarded and
// the like are ignored: anyone can send them. With trusted proxies, a
// request from a trusted peer is read right to left: X-Forwarded-For or
// RFC 7239 Forwarded lists the hops, each appended by the proxy that
// received the request from it, so the rightmost address that is not
// itself a trusted proxy is the first one no trusted proxy vouches for
// beyond: the client. Everything to its left was written by the client and
// is never read. With a client header (CF-Connecting-IP, X-Real-IP) that
// one header, set by the trusted proxy, names the client instead.
//
// Malformed values are never trusted: a hop that cannot be read stops the
// walk at the nearest address that can, an oversized header or an
// ambiguous one (two X-Real-IP lines, or X-Forwarded-For and Forwarded
// naming different clients) falls back to the peer. So a client can at
// worst make itself look like its own proxy, never like someone else.
//
// clientip owns the question of whose address a request comes from: the
// TCP peer (Peer), the trusted-proxy policy and the parsing of forwarding
// headers. Every feature and the server may depend on it, so it imports
// the standard library only and nothing of teapot (it checks header
// names itself rather than borrow package respond's token rule).
package clientip
