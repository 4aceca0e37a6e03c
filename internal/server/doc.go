// Package server runs teapot's HTTP server: it mounts the feature handlers
// under the base path, wraps them in the middleware every response goes
// through (access log, metrics, panic recovery, security headers, request
// limits), and owns the http.Server with its timeouts and graceful
// shutdown.
package server
