// Package live serves /status/{code}: a real response with any status code
// from 100 to 599 (and the common unofficial ones), with the header fields
// the RFCs require for it, real 1xx interim responses, optional delays,
// weighted random choice, custom headers and bodies, and CORS, so that
// developers can test how their clients, retries and proxies behave.
//
// A public instance must survive abuse: every option has a stated limit,
// enforced with a 400 problem that names it, and each client address has a
// rate limit and a cap on requests waiting out a delay.
//
// live owns /status, the try pages with their script, and its OpenAPI
// fragment; it imports catalog, clientip, respond and web, and must not
// import the server or another feature.
package live
