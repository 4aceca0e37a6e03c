// Command teapot is the HTTP status code toolkit: "teapot serve" runs the
// server, "teapot 409" and "teapot search" read the reference offline,
// "teapot check" checks URLs, "teapot exam run" takes the client exam with
// a command, and "teapot export" writes the static site. See "teapot help".
//
// This package is only the command line: sub-commands, flags and
// environment variables turned into an app.Config, and exit codes (0 on
// success, 1 on failure, 2 on bad usage). What the server does lives in
// internal/app and the feature packages.
package main
