// Package lab is the conflict lab's JSON API under /lab/: a small
// versioned articles resource where 409, 412 and 428 happen for real
// reasons. Every change is conditional (If-Match, If-Unmodified-Since or a
// version in the body) and is applied by the store as a compare-and-set, so
// no update is ever lost; state changes go through transition endpoints
// that refuse illegal moves. Every error is an RFC 9457 problem that
// carries what a client needs to resolve it: the current version and ETag,
// and for edit conflicts the current article, so that a client can merge
// without another request.
//
// Each visitor works in a sandbox named by a random token (a cookie, or the
// Lab-Sandbox header for scripts); sandboxes expire. Because anyone can
// name a new sandbox with every request, the lab is bounded: a sandbox is
// stored only by its first article, each client address may make a few an
// hour, and the sandboxes and stored bytes in all have limits (429, 503 and
// 507, each a problem that names its limit). API.md beside this file is
// the contract the /lab page and the OpenAPI document follow.
//
// The lab owns its page, script and OpenAPI fragment, and its stores
// (lab/store); it imports respond, web and its store, and must not import
// the server or another feature.
package lab
