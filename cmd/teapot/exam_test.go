package main

import (
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/teapothq/teapot/internal/app/apptest"
)

// TestExamUsage: mistakes in "teapot exam" are usage errors (exit 2) that
// say what is wanted, found before anything is sent.
func TestExamUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"exam"}, "exam needs a sub-command"},
		{[]string{"exam", "walk"}, "exam needs a sub-command"},
		{[]string{"exam", "run"}, "needs a command"},
		{[]string{"exam", "run", "--", "curl", "http://x/"}, "put {url} in it"},
		{[]string{"exam", "run", "--jobs", "0", "--", "curl", "{url}"}, "--jobs"},
		{[]string{"exam", "run", "--timeout", "-1s", "--", "curl", "{url}"}, "--timeout"},
		{[]string{"exam", "run", "--nope", "--", "curl", "{url}"}, "flag provided but not defined"},
		{[]string{"exam", "run", "--check", "retry-after-seconds,nope", "--", "curl", "{url}"}, `no check named "nope"`},
		{[]string{"help", "nothing"}, "teapot help exam"},
	} {
		_, err := runCLI(t, tc.args...)
		var u usageError
		if err == nil || !errors.As(err, &u) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("teapot %s: %v, want a usage error saying %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
	if out, err := runCLI(t, "help", "exam"); err != nil || !strings.Contains(out, "no shell is involved") || !strings.Contains(out, "-strict") {
		t.Errorf("teapot help exam: %v\n%s", err, out)
	}
	if out, _ := runCLI(t, "help"); !strings.Contains(out, "teapot exam run") {
		t.Error("teapot help does not list teapot exam run")
	}
}

// TestExamRun runs "teapot exam run" against a server with curl and
// checks its exit status: the retry checks pass with curl --retry 3; a
// retry loop that ignores Retry-After fails them (exit 1); plain curl,
// which never retries, only warns, which --strict makes a failure.
func TestExamRun(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed: this test runs it")
	}
	cfg := apptest.Config()
	cfg.ReverseDNSTimeout, cfg.ExamRunsPerHour = 0, 100
	server := apptest.Serve(t, cfg)
	checks := "retry-after-seconds,rate-limited"
	for _, tc := range []struct {
		name   string
		args   []string
		failed bool
	}{
		{"curl --retry 3, strict", []string{"--strict", "--", "curl", "-sS", "--retry", "3", "-X", "{method}", "-d", "{body}", "{url}"}, false},
		{"curl", []string{"--", "curl", "-sS", "-X", "{method}", "-d", "{body}", "{url}"}, false},
		{"curl, strict", []string{"--strict", "--", "curl", "-sS", "-X", "{method}", "-d", "{body}", "{url}"}, true},
		{"a retry loop", []string{"--", "sh", "-c", `curl -fsS "$1" || curl -fsS "$1"`, "sh", "{url}"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"exam", "run", "--server", server, "--jobs", "2", "--check", checks}, tc.args...)
			out, err := runCLI(t, args...)
			if tc.failed != (err != nil) {
				t.Errorf("teapot exam run: %v, want failed %v\n%s", err, tc.failed, out)
			}
			var u usageError
			if errors.As(err, &u) {
				t.Errorf("a failed check is exit 1, not a usage error: %v", err)
			}
			if !strings.Contains(out, "retry-after-seconds") || !strings.Contains(out, "NOT RUN  backoff") {
				t.Errorf("the report does not show the checks taken and those not:\n%s", out)
			}
		})
	}
	if _, err := runCLI(t, "exam", "run", "--server", "http://127.0.0.1:1", "--", "curl", "{url}"); err == nil ||
		!strings.Contains(err.Error(), "start a run") {
		t.Errorf("no server: %v, want an error saying the run could not start", err)
	}
}
