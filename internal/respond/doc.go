// Package respond is the one way teapot writes HTTP responses: JSON, plain
// text and RFC 9457 problem details with their content types, content
// negotiation on Accept and Accept-Encoding, and prebuilt bodies served with
// strong ETags, conditional requests and precompressed gzip and brotli
// variants. It imports the standard library and brotli only: every other
// package of teapot may import it, and it imports none of them.
package respond
