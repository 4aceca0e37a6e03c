package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode maps run's error to the process exit status: 0 ok, 2 bad usage,
// 1 anything else.
func exitCode(err error, stderr *os.File) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "teapot:", err)
	var u usageError
	if errors.As(err, &u) {
		fmt.Fprintln(stderr, `Run "teapot help" for usage.`)
		return 2
	}
	return 1
}
