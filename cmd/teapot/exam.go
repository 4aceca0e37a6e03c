package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/teapothq/teapot/internal/exam/runner"
)

const examUsage = `Usage: teapot exam run [flags] -- COMMAND [ARGUMENT...]

Takes the client exam on a teapot server with the client that COMMAND runs:
starts a run, runs COMMAND once for each check (twice for the checks that
ask for a request twice), then prints the report. In COMMAND's arguments
{method}, {body} and {url} become the check's method, request body and URL:
each stays inside the one argument it is in, and no shell is involved, so
nothing in them is split, expanded or run. For the checks that need
credentials the URL carries them as user:password@.

  teapot exam run -- curl -sS --retry 3 -L -X {method} -d {body} {url}
  teapot exam run --check retry-after-seconds,backoff --strict -- ./my-client {method} {url}

Exit status: 0 when no check failed, 1 when one did (or, with --strict,
warned) or the server could not be reached, 2 on bad usage.

Flags:
`

// examFlags are the options of "teapot exam run".
type examFlags struct {
	server, checks string
	jobs           int
	timeout        time.Duration
	strict         bool
}

func newExamFlags(getenv func(string) string) (*flag.FlagSet, *examFlags) {
	f := &examFlags{}
	fs := newFlagSet("exam run")
	server := getenv("TEAPOT_URL")
	if server == "" {
		server = "http://localhost:8080"
	}
	fs.StringVar(&f.server, "server", server, "the teapot to take the exam on, with its base path ($TEAPOT_URL when set)")
	fs.StringVar(&f.checks, "check", "", "the checks to take, separated by commas (default: all)")
	fs.IntVar(&f.jobs, "jobs", 4, "checks taken at once; each check's own requests go one after another")
	fs.DurationVar(&f.timeout, "timeout", time.Minute, "longest one run of COMMAND may take")
	fs.BoolVar(&f.strict, "strict", false, "exit 1 when a check warns, too (such as a client that never retries)")
	return fs, f
}

// examCmd is "teapot exam".
func examCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "run" {
		return usagef("exam needs a sub-command: teapot exam run [flags] -- COMMAND...; see teapot help exam")
	}
	fs, f := newExamFlags(getenv)
	err := fs.Parse(args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return helpExam(stdout)
	}
	if err != nil {
		return usagef("exam run: %v", err)
	}
	template := fs.Args()
	if len(template) == 0 {
		return usagef("exam run needs a command after the flags, such as: teapot exam run -- curl -sS -X {method} -d {body} {url}")
	}
	if !strings.Contains(strings.Join(template, " "), "{url}") {
		return usagef("exam run: the command must take the check's address: put {url} in it")
	}
	if f.jobs < 1 || f.jobs > 64 {
		return usagef("exam run: --jobs %d must be from 1 to 64", f.jobs)
	}
	if f.timeout <= 0 {
		return usagef("exam run: --timeout must be more than 0")
	}
	var checks []string
	if f.checks != "" {
		checks = strings.Split(f.checks, ",")
	}
	res, err := runner.Run(ctx, runner.Options{Server: f.server, Checks: checks, Send: runner.Command(template),
		Jobs: f.jobs, Wait: f.timeout, Log: stderr})
	var unknown *runner.UnknownCheckError
	switch {
	case errors.As(err, &unknown):
		return usageError{"exam run: --check: " + err.Error()}
	case err != nil:
		return err
	}
	if _, err := io.WriteString(stdout, res.Text); err != nil {
		return err
	}
	if failed := res.Failed(f.strict); len(failed) > 0 {
		return fmt.Errorf("exam: %s: %s", plural(len(failed), "check did not pass", "checks did not pass"), strings.Join(failed, ", "))
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func helpExam(w io.Writer) error {
	fs, _ := newExamFlags(func(string) string { return "" })
	fmt.Fprint(w, examUsage)
	fs.SetOutput(w)
	fs.PrintDefaults()
	return nil
}
