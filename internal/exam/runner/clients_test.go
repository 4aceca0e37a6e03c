package runner_test

import (
	"context"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/teapothq/teapot/internal/app/apptest"
	"github.com/teapothq/teapot/internal/exam"
	"github.com/teapothq/teapot/internal/exam/runner"
)

// verdicts are a client's expected verdict per check, in the exam's
// order: retry-after-seconds, retry-after-date, rate-limited, backoff,
// post-not-replayed, redirect-307, redirect-308, redirect-303,
// redirect-301-302, redirect-loop, revalidate, fresh-cache,
// cross-origin-auth.
type verdicts [13]exam.Verdict

const (
	pass = exam.Pass
	fail = exam.Fail
	warn = exam.Warn
	info = exam.Info
)

// goClient sends a check's request with Go's net/http default client.
func goClient(ctx context.Context, c exam.CheckInfo, url string) error {
	var body io.Reader
	if c.Body != "" {
		body = strings.NewReader(c.Body) // NewRequest sets GetBody for it, so 307 and 308 can send it again
	}
	req, err := http.NewRequestWithContext(ctx, c.Method, url, body)
	if err != nil {
		return err
	}
	if c.Body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// TestClients takes the exam with real clients and checks that each gets
// the verdicts its documentation predicts. This is the issue's
// demonstration: a client that ignores Retry-After fails the retry
// checks, one that honours it passes them.
//
// curl (the version is logged; the expectations are from the man page of
// curl 7.88.1): without --retry it never retries, so the retry checks
// warn. --retry retries "transient" errors, which its man page lists as
// timeouts and HTTP 408, 429, 500, 502, 503 and 504, waiting 1 s and then
// twice as long each time, unless (since 7.66.0) the answer has a
// Retry-After, which it then obeys; it retries a POST as readily as a GET.
// Without -L it follows no redirect. With -L it changes POST to GET after
// 301, 302 and 303 on its own, but the method given with -X is used for
// every request (the man page warns of it), so -X POST keeps POST, and
// curl still leaves the body out: the 303 and 301 checks fail. It follows
// at most 50 redirects, and sends credentials only to the host it was
// given.
//
// A shell loop around curl -f retries at once, whatever Retry-After says:
// the retry checks fail.
//
// Go's net/http default client (net/http/client.go, Go 1.26): no retries,
// no cache; it follows 307 and 308 with the method and, since
// http.NewRequest sets GetBody, the body; it turns a POST into a GET
// without body on 301, 302 and 303; it stops after 10 requests; and it
// sets Authorization from a URL's userinfo on that request only.
func TestClients(t *testing.T) {
	t.Parallel()
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed: the real-client exam needs it")
	}
	if out, err := exec.Command(curl, "--version").Output(); err == nil {
		t.Logf("client: %s", strings.SplitN(string(out), "\n", 2)[0])
	}
	base := apptest.ServeExam(t)
	for _, tc := range []struct {
		name string
		send runner.Send
		want verdicts
	}{
		{"curl", runner.Command([]string{curl, "-sS", "-X", "{method}", "-d", "{body}", "{url}"}),
			verdicts{warn, warn, warn, warn, pass, info, info, info, info, info, info, info, info}},
		{"curl --retry 3", runner.Command([]string{curl, "-sS", "--retry", "3", "-X", "{method}", "-d", "{body}", "{url}"}),
			verdicts{pass, pass, pass, pass, fail, info, info, info, info, info, info, info, info}},
		{"curl -L --retry 3", runner.Command([]string{curl, "-sS", "-L", "--retry", "3", "-X", "{method}", "-d", "{body}", "{url}"}),
			verdicts{pass, pass, pass, pass, fail, pass, pass, fail, fail, pass, info, info, pass}},
		{"shell retry loop", runner.Command([]string{"sh", "-c", `curl -fsS -X "$1" -d "$2" "$3" || curl -fsS -X "$1" -d "$2" "$3"`,
			"sh", "{method}", "{body}", "{url}"}),
			verdicts{fail, fail, fail, fail, fail, info, info, info, info, info, info, info, info}},
		{"Go net/http", goClient,
			verdicts{warn, warn, warn, warn, pass, pass, pass, pass, info, pass, info, info, pass}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := runner.Run(t.Context(), runner.Options{Server: base, Send: tc.send, Jobs: 13})
			if err != nil {
				t.Fatal(err)
			}
			var rows []string
			for i, c := range res.Report.Checks {
				rows = append(rows, string(c.Verdict)+"  "+c.Name+"  "+c.Reason)
				if c.Verdict != tc.want[i] {
					t.Errorf("%s: %s (%s), want %s", c.Name, c.Verdict, c.Reason, tc.want[i])
				}
			}
			t.Logf("%s:\n%s", tc.name, strings.Join(rows, "\n"))
			if failed := len(res.Failed(false)) > 0; failed != strings.Contains(strings.Join(rows, "\n"), "fail  ") {
				t.Errorf("Failed() = %v, disagreeing with the verdicts", res.Failed(false))
			}
		})
	}
}
