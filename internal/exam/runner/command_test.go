package runner_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/app/apptest"
	"github.com/teapothq/teapot/internal/exam"
	"github.com/teapothq/teapot/internal/exam/runner"
)

// TestCommandArguments: each placeholder becomes part of the one argument
// it is in, whatever it holds: no shell splits, expands or runs it.
func TestCommandArguments(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, canary := filepath.Join(dir, "args"), filepath.Join(dir, "canary")
	// sh only prints its arguments, each quoted: the values never meet a
	// shell's parser.
	send := runner.Command([]string{"sh", "-c", `for a in "$@"; do printf '%s\n--\n' "$a"; done > "$0"`, out,
		"{method}", "before {body} after", "{url}"})
	hostile := "a b; touch " + canary + " $(touch " + canary + ") `touch " + canary + "` \"q\" 'q' \\ *\nline two"
	c := exam.CheckInfo{Method: "POST", Body: hostile}
	if err := send(t.Context(), c, "http://127.0.0.1:1/exam/x?y=1&z=2"); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want := "POST\n--\nbefore " + hostile + " after\n--\nhttp://127.0.0.1:1/exam/x?y=1&z=2\n--\n"
	if string(got) != want {
		t.Errorf("the command got\n%q\nwant\n%q", got, want)
	}
	if _, err := os.Stat(canary); err == nil {
		t.Error("a command in the body was run")
	}
}

// TestCommandErrors: a command that fails says how, with its last line;
// one that outlives the time allowed is stopped.
func TestCommandErrors(t *testing.T) {
	t.Parallel()
	err := runner.Command([]string{"sh", "-c", "echo first; echo 'the reason' >&2; exit 3"})(t.Context(), exam.CheckInfo{}, "u")
	if err == nil || !strings.Contains(err.Error(), "exited with 3: the reason") {
		t.Errorf("a failing command: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err = runner.Command([]string{"sleep", "10"})(ctx, exam.CheckInfo{}, "u")
	if err == nil || !strings.Contains(err.Error(), "--timeout") {
		t.Errorf("a command past its time: %v", err)
	}
	if err := runner.Command([]string{"/nonexistent/client"})(t.Context(), exam.CheckInfo{}, "u"); err == nil {
		t.Error("a missing program: no error")
	}
}

// TestRunChoice: Run takes only the checks asked for, as often as each
// asks, with credentials in the URL of the check that needs them; an
// unknown check is refused before anything is sent.
func TestRunChoice(t *testing.T) {
	t.Parallel()
	base := apptest.ServeExam(t)
	var mu sync.Mutex
	sent := map[string][]string{}
	record := func(_ context.Context, c exam.CheckInfo, u string) error {
		mu.Lock()
		sent[c.Name] = append(sent[c.Name], u)
		mu.Unlock()
		return errors.New("sent nothing")
	}
	res, err := runner.Run(t.Context(), runner.Options{Server: base, Checks: []string{"revalidate", "cross-origin-auth"}, Send: record})
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 2 || len(sent["revalidate"]) != 2 || len(sent["cross-origin-auth"]) != 1 {
		t.Errorf("sent %v: want revalidate twice and cross-origin-auth once", sent)
	}
	if u, err := url.Parse(sent["cross-origin-auth"][0]); err != nil || u.User == nil || u.User.Username() != "exam" {
		t.Errorf("cross-origin-auth at %q: want credentials in the URL", sent["cross-origin-auth"][0])
	}
	if len(res.Report.Checks) != 13 || res.Report.Counts["not run"] != 13 || !strings.Contains(res.Text, "NOT RUN") {
		t.Errorf("the report of a run that sent nothing: %v", res.Report.Counts)
	}
	var unknown *runner.UnknownCheckError
	if _, err := runner.Run(t.Context(), runner.Options{Server: base, Checks: []string{"nope"}, Send: record}); !errors.As(err, &unknown) {
		t.Errorf("an unknown check: %v", err)
	}
	if _, err := runner.Run(t.Context(), runner.Options{Server: "ftp://x", Send: record}); err == nil {
		t.Error("an ftp server was accepted")
	}
}

// TestCommandEnv: CommandEnv's program sees the environment it is given,
// Command's this process's own.
func TestCommandEnv(t *testing.T) {
	t.Parallel()
	check := []string{"sh", "-c", `[ "$TEAPOT_EXAM_ENV" = given ]`}
	env := []string{"TEAPOT_EXAM_ENV=given", "PATH=" + os.Getenv("PATH")}
	if err := runner.CommandEnv(check, env)(t.Context(), exam.CheckInfo{}, "u"); err != nil {
		t.Errorf("with the environment given: %v", err)
	}
	if err := runner.Command(check)(t.Context(), exam.CheckInfo{}, "u"); err == nil {
		t.Error("Command's program saw an environment this process does not have")
	}
}
