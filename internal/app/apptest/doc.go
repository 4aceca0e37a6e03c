// Package apptest serves the whole teapot app to tests, with nothing
// leaving the machine: a resolver that knows no names, a dialer that
// reaches only loopback, a configuration that writes nothing to disk, and
// a client that shows exactly what the server sent. It is for tests only:
// the unit tests of internal/app and cmd/teapot and the end-to-end tests
// in e2e/ share it, so these fakes are written once.
package apptest
