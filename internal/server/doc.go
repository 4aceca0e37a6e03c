// Package server runs teapot's HTTP server: it mounts the feature handlers
// under the base path, wraps them in the middleware every response goes
// through (access log, metrics, panic recovery, security headers, request
// limits), and owns the http.Server with its timeouts and graceful
// shutdown. It imports respond and web, and must not import any feature:
// package app hands it their routes.
package server
